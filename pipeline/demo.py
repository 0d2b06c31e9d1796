"""`guetteur demo`: the monitor on the bundled fixtures, served on loopback, with articles appearing as it runs."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from typing import Any

from connectors.poller import PollResult
from fixtures.server import FixtureServer
from pipeline.commands import build_ingestion, serve_metrics
from pipeline.config import load_settings
from pipeline.extraction_worker import BoundedExtractor
from pipeline.ingest import Events
from pipeline.metrics import Metrics
from pipeline.records import Article, Drop
from pipeline.render import render_line

POLL_INTERVAL = "2s"  # the fixtures change every few seconds; real feeds are polled every few minutes


def _say(line: str) -> None:
    print(line, flush=True)


def _events() -> Events:
    def on_poll(feed: str, result: PollResult) -> None:
        if result.result != "not_modified":
            _say(f"  poll     {feed:<22} {result.result:<12} {len(result.entries)} entries")

    def on_article(article: Article) -> None:
        marker = " (feed summary)" if article.source == "summary" else ""
        _say(f"  KEPT     {article.language}  {article.outlet[:22]:<22} {article.title[:70]}{marker}")

    def on_drop(drop: Drop) -> None:
        _say(f"  dropped  {drop.stage}/{drop.reason:<18} {drop.key[-60:]}")

    def on_alert(alert: dict[str, Any]) -> None:
        _say(f"  ALERT    {render_line(alert)}")
        _say(f"           « {alert['evidence'][:150]} »")

    return Events(on_poll=on_poll, on_article=on_article, on_drop=on_drop, on_alert=on_alert)


def run_demo(stop: threading.Event, *, duration: float | None, metrics_port: int, publish_every: float) -> int:
    deadline = time.monotonic() + duration if duration is not None else float("inf")
    with FixtureServer() as server, tempfile.TemporaryDirectory(prefix="guetteur-demo-") as tmp:
        work = Path(tmp)
        config = server.write_config(work / "guetteur.toml", store_path=work / "guetteur.db",
                                     alerts_path=work / "alerts.jsonl", interval=POLL_INTERVAL,
                                     metrics_port=metrics_port)
        settings = load_settings(config)
        metrics = Metrics()
        serve_metrics(metrics, metrics_port)
        _say(f"guetteur demo: {len(settings.feeds)} fixture feeds on {server.base_url}; "
             f"a new stage of articles every {publish_every:g} s; Ctrl-C to stop")
        with BoundedExtractor() as extractor:
            ingestion = build_ingestion(settings, extractor, metrics, _events())
            runner = threading.Thread(target=ingestion.run, args=(stop,), name="guetteur-ingest", daemon=True)
            runner.start()
            next_publish = time.monotonic() + publish_every
            while not stop.is_set() and time.monotonic() < deadline:
                if server.pending_stages() and time.monotonic() >= next_publish:
                    published = server.publish_next()
                    _say(f"fixtures: {len(published)} new item(s) in the feeds: {', '.join(published)}")
                    next_publish = time.monotonic() + publish_every
                stop.wait(0.2)
            stop.set()
            runner.join(30)
            ingestion.store.close()
        kept = metrics.registry.get_sample_value("guetteur_articles_kept_total") or 0
        alerts = sum(metrics.registry.get_sample_value("guetteur_alerts_total", {"kind": kind}) or 0
                     for kind in ("new_claim", "new_figure"))
        _say(f"guetteur demo: stopped; {int(kept)} articles kept, {int(alerts)} alerts")
    sys.stdout.flush()
    return 0
