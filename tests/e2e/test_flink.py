"""The same graph on Beam's FlinkRunner: the alerts of the local runner, on an embedded Flink and on a cluster.

Needs Java, the job server that `make test` fetches (python -m connectors.ops.flink fetch) and, for the standalone
cluster, the Flink 1.19.0 distribution it assembles (python -m connectors.ops.flink cluster).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from benchmarks.gold import by_seed, score
from connectors.ops.flink import FLINK_HOME
from fixtures.server import FixtureServer
from tests.e2e.test_monitor import INTERVAL, Monitor, alerts_in, expected_for, free_port, initial_entries_done

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flink_cluster(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A standalone Flink 1.19.0 session cluster (one job manager, one task manager) on free loopback ports."""
    if not (FLINK_HOME / "bin" / "start-cluster.sh").is_file():
        pytest.fail(f"{FLINK_HOME} is missing: `make test` assembles it (python -m connectors.ops.flink cluster)")
    home = tmp_path_factory.mktemp("flink-cluster")
    conf = home / "conf"
    shutil.copytree(FLINK_HOME / "conf", conf)
    rest, rpc = free_port(), free_port()
    text = (conf / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("    port: 6123", f"    port: {rpc}")
    text = re.sub(r"^rest:\n", f"rest:\n  port: {rest}\n", text, flags=re.MULTILINE)
    (conf / "config.yaml").write_text(text, encoding="utf-8")
    (home / "log").mkdir()  # Flink's daemon script writes there and does not create it
    env = {**os.environ, "FLINK_HOME": str(FLINK_HOME), "FLINK_CONF_DIR": str(conf),
           "FLINK_LOG_DIR": str(home / "log"), "FLINK_PID_DIR": str(home)}
    subprocess.run([str(FLINK_HOME / "bin" / "start-cluster.sh")], env=env, check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 90
        while True:  # ready when the task manager has registered its slot
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{rest}/overview", timeout=2) as response:
                    if json.load(response)["slots-total"] >= 1:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Flink cluster did not start within 90 s"
            time.sleep(0.5)
        yield {"master": f"localhost:{rest}", "rest": rest}
    finally:
        subprocess.run([str(FLINK_HOME / "bin" / "stop-cluster.sh")], env=env, capture_output=True)


def run_once(config: Path, runner: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(config), "--once",
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
def runs(tmp_path_factory: pytest.TempPathFactory, flink_cluster: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with FixtureServer() as server:
        while server.pending_stages():
            server.publish_next()
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
        for name in ("flink", "local", "cluster"):
            work = tmp_path_factory.mktemp(name)
            config = server.write_config(work / "guetteur.toml", store_path=work / "guetteur.db",
                                         alerts_path=work / "alerts.jsonl")
            runner = "local" if name == "local" else "flink"
            if name == "cluster":  # the config names the cluster; Beam's job server submits the job to it
                with config.open("a", encoding="utf-8") as file:
                    file.write(f'\n[runner]\nname = "flink"\noptions = ["--flink_master={flink_cluster["master"]}"]\n')
            done, seconds = run_once(config, runner)
            assert done.returncode == 0, f"{name}: {done.stderr[-3000:]}"
            result[name] = read_alerts(work / "alerts.jsonl")
            print(f"\n{name}: {len(result[name])} alerts in {seconds:.1f} s")
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


def test_a_standalone_flink_cluster_named_in_the_config_runs_the_job_and_gets_the_same_alerts(
        runs: dict[str, Any], flink_cluster: dict[str, Any]) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{flink_cluster['rest']}/overview", timeout=5) as response:
        overview = json.load(response)
    assert overview["jobs-finished"] == 1 and overview["jobs-failed"] == 0, overview  # it ran there, not embedded
    assert [comparable(a) for a in runs["cluster"]] == [comparable(a) for a in runs["local"]]


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
        warm = initial_entries_done(monitor, stage0, 180)
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
