"""The same graph on Beam's FlinkRunner (an embedded Flink in Beam's job server): the alerts of the local runner.

Needs Java and the job server that `make setup` fetches (python -m connectors.flink fetch).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from benchmarks.gold import by_seed, score
from fixtures.server import FixtureServer
from tests.e2e.test_monitor import INTERVAL, Monitor, alerts_in, expected_for, free_port, scrape, total

pytestmark = pytest.mark.slow


def run_once(config: Path, runner: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--config", str(config), "--once",
                           "--runner", runner], capture_output=True, text=True, timeout=600)
    return done, time.monotonic() - started


def read_alerts(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def comparable(alert: dict[str, Any]) -> tuple[Any, ...]:
    # Ids and times depend on the fixture server's port and the clock; everything an analyst reads must not.
    previous = tuple((p["low"], p["high"], p["unit"], p["attributed_to"], urlsplit(p["article_url"]).path)
                     for p in alert["previous"])
    return (alert["kind"], alert["topic"], alert["predicate"], json.dumps(alert["figure"]), alert["attributed_to"],
            alert["hedged"], alert["evidence"], urlsplit(alert["article"]["url"]).path, previous)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with FixtureServer() as server:
        while server.pending_stages():
            server.publish_next()
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
        for runner in ("flink", "local"):
            work = tmp_path_factory.mktemp(runner)
            config = server.write_config(work / "guetteur.toml", store_path=work / "guetteur.db",
                                         alerts_path=work / "alerts.jsonl")
            done, seconds = run_once(config, runner)
            assert done.returncode == 0, f"{runner}: {done.stderr[-3000:]}"
            result[runner] = read_alerts(work / "alerts.jsonl")
            print(f"\n{runner}: {len(result[runner])} alerts in {seconds:.1f} s")
    result["items"] = items
    return result


def test_flink_gets_the_16_gold_alerts(runs: dict[str, Any], gold: dict[str, Any]) -> None:
    grouped, others = by_seed(runs["flink"], runs["items"])
    result = score(gold, grouped, others)
    assert result.expected == 16
    assert not result.missing and not result.extra, result.report()


def test_flink_and_the_local_runner_raise_the_same_alerts_in_the_same_order(runs: dict[str, Any]) -> None:
    assert runs["flink"], "no alert at all: the comparison would prove nothing"
    assert [comparable(a) for a in runs["flink"]] == [comparable(a) for a in runs["local"]]


def test_the_streaming_monitor_on_flink_alerts_while_running_and_stops_on_sigterm(
        tmp_path: Path, gold: dict[str, Any]) -> None:
    port = free_port()
    alerts_path = tmp_path / "alerts.jsonl"
    with FixtureServer() as server:
        config = server.write_config(tmp_path / "g.toml", store_path=tmp_path / "g.db", alerts_path=alerts_path,
                                     interval=f"{INTERVAL:g}s", metrics_port=port)
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
        stage0 = sum(1 for item in server.items() if item.stage == 0)
        seed_of_stage = {item.stage: item.seed for item in server.items() if item.expect == "on-topic-seed"}
        monitor = Monitor(config, port, tmp_path / "monitor.log", runner="flink")
        warm = monitor.wait_until(lambda: total(scrape(port), "guetteur_articles_kept_total")
                                  + total(scrape(port), 'guetteur_dropped_total{reason="language_en",stage="language"}')
                                  >= stage0, 180, "the initial entries")
        server.publish(1)
        took = monitor.wait_until(
            lambda: not score(expected_for(gold, {seed_of_stage[1]}), *by_seed(alerts_in(alerts_path), items)).missing,
            INTERVAL + 5, "the alerts of the first seed article")
        code, stopped_in = monitor.stop()
        print(f"\nflink monitor: initial entries done after {warm:.1f} s, first article's alerts after {took:.1f} s, "
              f"stopped in {stopped_in:.1f} s")
        assert code == 0 and stopped_in < 10, (code, stopped_in)
    result = score(expected_for(gold, {seed_of_stage[1]}), *by_seed(alerts_in(alerts_path), items))
    assert not result.missing and not result.extra, result.report()
