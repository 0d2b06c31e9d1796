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
