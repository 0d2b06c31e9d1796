"""`guetteur demo`: the monitor on the bundled fixtures, served on loopback, with articles appearing as it runs."""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from pathlib import Path

from fixtures.server import FixtureServer
from pipeline.app.run import run_command
from pipeline.config.defaults import DEMO_POLL_INTERVAL as POLL_INTERVAL
from pipeline.config.schema import ConsoleSink, load_settings
from pipeline.runtime.process import STOP, process_metrics


def _say(line: str) -> None:
    print(line, flush=True)


def _publish(server: FixtureServer, every: float) -> None:
    """Make the next stage of fixture articles appear in the feeds, every few seconds, until the end."""
    while server.pending_stages() and not STOP.wait(every):
        published = server.publish_next()
        _say(f"fixtures: {len(published)} new item(s) in the feeds: {', '.join(published)}")


def run_demo(*, duration: float | None, metrics_port: int, publish_every: float) -> int:
    # The stages log what happens to each article; in the demo those lines are the show.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    for name in ("pipeline.ingest.polling", "pipeline.ingest.reading", "pipeline.ingest.drops"):
        stages = logging.getLogger(name)
        stages.addHandler(handler)
        stages.propagate = False
    with FixtureServer() as server, tempfile.TemporaryDirectory(prefix="guetteur-demo-") as tmp:
        work = Path(tmp)
        config = server.write_config(work / "guetteur.toml", store_path=work / "guetteur.db",
                                     alerts_path=work / "alerts.jsonl", interval=POLL_INTERVAL,
                                     metrics_port=metrics_port)
        settings = load_settings(config)
        settings = settings.model_copy(update={"sinks": (*settings.sinks, ConsoleSink(type="console"))})
        _say(f"guetteur demo: {len(settings.feeds)} fixture feeds on {server.base_url}; a new stage of articles "
             f"every {publish_every:g} s; alerts are also written to {work / 'alerts.jsonl'}; Ctrl-C to stop")
        threading.Thread(target=_publish, args=(server, publish_every), name="demo-publisher", daemon=True).start()
        if duration is not None:
            timer = threading.Timer(duration, STOP.set)
            timer.daemon = True
            timer.start()
        run_command(settings, once=False)
    registry = process_metrics().registry
    kept = registry.get_sample_value("guetteur_articles_kept_total") or 0
    alerts = sum(registry.get_sample_value("guetteur_alerts_total", {"kind": kind}) or 0
                 for kind in ("new_claim", "new_figure"))
    _say(f"guetteur demo: stopped; {int(kept)} articles kept, {int(alerts)} alerts")
    return 0
