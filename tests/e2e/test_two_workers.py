"""Two `guetteur run --once` workers started together on one PostgreSQL store: every gold alert, each sent once.

Workers split the feeds' entries (each fetches those it took in first), so each judges part of the articles, in
publication order within its part; between the parts, whichever commits first goes first. The novelty policy
depends on that order (002's 10 000 soldiers are a `new_claim` only if 003's 15 000 come after them), so the seeds
are published one stage at a time, as they appeared in the world, and both workers start together on each stage:
within a stage the race is real (the entries, the wire copy and its original, the outbox), across stages the order
is the gold's.

Both workers write the same JSONL file, with the same sink config: one sink key, so one outbox row per alert, and
a line per send (appended whole, O_APPEND). An alert id twice in the file is an alert sent twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from benchmarks.gold import by_seed, score
from fixtures.server import FixtureServer

pytestmark = pytest.mark.slow


def start_worker(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(config), "--once"],
                                stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def shared_runs(tmp_path_factory: pytest.TempPathFactory, postgres_cluster: Any) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("two-workers")
    url = postgres_cluster.create_database()
    alerts_path = work / "alerts.jsonl"
    codes: dict[str, int] = {}
    with FixtureServer() as server:
        configs = [server.write_config(work / f"worker{n}.toml", store_url=url, alerts_path=alerts_path)
                   for n in (1, 2)]
        for stage in server.pending_stages():  # stage 0 is out from the start: the first round has it too
            server.publish(stage)
            workers = {f"stage{stage}-worker{n}": start_worker(config, work / f"stage{stage}-worker{n}.log")
                       for n, config in enumerate(configs, 1)}
            codes.update({name: process.wait(timeout=300) for name, process in workers.items()})
        feed_paths = {urlsplit(server.feed_url(name)).path for name in server.feed_names()}
        pages = [r.path.split("?")[0] for r in server.requests_log() if r.path.split("?")[0] not in feed_paths]
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
        for item in server.items():
            if item.copy_of:
                # Two workers may judge the wire copy before its original: the copy then carries the alerts and
                # the original is the syndicated one. Either way one alert per claim, scored as the seed's.
                items[server.page_url(item.id).split("?")[0]] = server.item(item.copy_of)
    with psycopg.connect(url) as db:
        stored = {row[0] for row in db.execute("SELECT id FROM alerts")}
        outbox = db.execute("SELECT sink, state, attempts FROM outbox").fetchall()
    lines = alerts_path.read_text(encoding="utf-8").splitlines() if alerts_path.exists() else []
    return {"codes": codes, "work": work, "alerts": [json.loads(line) for line in lines], "stored": stored,
            "outbox": outbox, "pages": pages, "items": items}


def test_every_worker_of_every_stage_succeeds(shared_runs: dict[str, Any]) -> None:
    for name, code in shared_runs["codes"].items():
        log = (shared_runs["work"] / f"{name}.log").read_text(errors="replace")
        assert code == 0, f"{name}: exit {code}\n{log[-3000:]}"
        assert "Traceback" not in log, f"{name}\n{log[-3000:]}"


def test_each_alert_is_sent_once_by_one_of_the_workers(shared_runs: dict[str, Any]) -> None:
    sent = Counter(alert["id"] for alert in shared_runs["alerts"])
    assert [alert_id for alert_id, count in sent.items() if count > 1] == []
    assert set(sent) == shared_runs["stored"]
    # One sink key for both workers' identical sink config: one row per alert, delivered in one attempt.
    assert len({sink for sink, _, _ in shared_runs["outbox"]}) == 1
    assert {(state, attempts) for _, state, attempts in shared_runs["outbox"]} == {("delivered", 1)}
    assert len(shared_runs["outbox"]) == len(shared_runs["stored"])


def test_every_gold_alert_and_nothing_else(shared_runs: dict[str, Any], gold: dict[str, Any]) -> None:
    result = score(gold, *by_seed(shared_runs["alerts"], shared_runs["items"]))
    print("\n" + result.report())
    assert result.expected == 16
    assert not result.missing and not result.extra, result.report()


def test_no_page_is_fetched_by_both_workers(shared_runs: dict[str, Any]) -> None:
    twice = [path for path, count in Counter(shared_runs["pages"]).items() if count > 1]
    assert twice == []
    assert len(shared_runs["pages"]) >= 12  # every article page of the catalogue was fetched by one of them


def test_guetteur_alerts_reads_the_shared_store(shared_runs: dict[str, Any]) -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "alerts", "sinks", "--config",
                           str(shared_runs["work"] / "worker2.toml")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    delivered = len(shared_runs["stored"])
    assert done.stdout.strip().endswith(f"enabled  0 pending, {delivered} delivered, 0 dead"), done.stdout
