"""A real Prometheus, configured from deploy/prometheus, scrapes a running `guetteur demo`.

One demo and one Prometheus serve the whole module: the scrape config and rules load, series have plausible
values, the rules evaluate without error and stay quiet on a healthy monitor, and every query of the Grafana
dashboard names exported metrics and returns data.
"""

from __future__ import annotations

import json
import math
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from fixtures.server import FixtureServer
from tests.deploy.promql import (
    DEPLOY,
    REPO,
    RULES,
    dashboard,
    metric_names,
    panel_queries,
    rule_queries,
    substitute,
    variable_queries,
)

pytestmark = pytest.mark.slow

DEMO_LIMIT = 300  # seconds: a bound for a demo the fixture failed to stop; it is stopped when the tests end
PUBLISH_EVERY = 2  # seconds between the demo's stages of fixture articles: the seeds are all out in 10 s
FEEDS = len(FixtureServer().feed_names())  # the demo's fixture feeds (fixtures/catalog.toml)
ENTRIES = len(FixtureServer().items())  # every one ends dropped (counted by reason) or judged (novelty stage)
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, alive: Callable[[], str | None]) -> T:
    """probe() until it returns something; `alive` names a process that died meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (dead := alive()) is not None:
            raise AssertionError(f"{dead} while waiting for {what}")
        try:
            if (found := probe()) is not None:
                return found
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:g} s")


@dataclass
class Stack:
    prometheus: str  # base URL of the Prometheus server
    demo_metrics: str  # the demo's /metrics URL
    started: float  # when the demo started, epoch seconds

    def api(self, path: str, **params: Any) -> Any:
        url = f"{self.prometheus}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.loads(response.read())
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> dict[str, float]:
        """An instant query: {the series' labels as JSON: value}."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", data
        return {json.dumps(s["metric"], sort_keys=True): float(s["value"][1]) for s in data["result"]}

    def value(self, expr: str) -> float:
        values = list(self.query(expr).values())
        assert len(values) == 1, f"{expr}: {values}"
        return values[0]

    def finite_points(self, expr: str) -> int:
        """Points with a finite value of a range query over the demo's run so far, one per second."""
        data = self.api("query_range", query=expr, start=self.started, end=time.time(), step="1s")
        return sum(1 for s in data["result"] for _, v in s["values"] if math.isfinite(float(v)))


def prometheus_config(path: Path, target: str) -> None:
    """deploy's prometheus.yml, scraping the demo every second and loading deploy's rules."""
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    config["global"] = {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(RULES)]
    [job] = config["scrape_configs"]
    job["static_configs"] = [{"targets": [target]}]
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def ready(url: str) -> bool | None:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200 or None


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.fail("prometheus is missing: `make test` installs it (Debian package prometheus)", pytrace=False)
    tmp = tmp_path_factory.mktemp("monitoring")
    demo_port, prometheus_port = free_port(), free_port()
    started = time.time()
    demo_log, prometheus_log = (tmp / "demo.log").open("wb"), (tmp / "prometheus.log").open("wb")
    demo = subprocess.Popen(
        [sys.executable, "-m", "pipeline.app.cli", "demo", "--duration", str(DEMO_LIMIT), "--metrics-port",
         str(demo_port), "--publish-every", str(PUBLISH_EVERY)], cwd=REPO, stdout=demo_log, stderr=subprocess.STDOUT)
    prometheus_config(tmp / "prometheus.yml", f"127.0.0.1:{demo_port}")
    server = subprocess.Popen(
        [prometheus, f"--config.file={tmp / 'prometheus.yml'}", f"--storage.tsdb.path={tmp / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}", "--log.level=warn"],
        stdout=prometheus_log, stderr=subprocess.STDOUT)
    s = Stack(f"http://127.0.0.1:{prometheus_port}", f"http://127.0.0.1:{demo_port}/metrics", started)

    def alive() -> str | None:
        for name, process, log in (("the demo", demo, tmp / "demo.log"), ("prometheus", server, prometheus_log.name)):
            if process.poll() is not None:
                return f"{name} exited with {process.returncode}: {Path(log).read_text(errors='replace')[-2000:]}"
        return None

    try:
        wait_for("Prometheus to be ready", lambda: ready(f"{s.prometheus}/-/ready"), 30, alive)
        # Every fixture entry has been dropped or judged, and alerts of both kinds delivered: every panel has
        # something to show.
        wait_for(f"all {ENTRIES} fixture entries finished and alerts delivered, in Prometheus",
                 lambda: s.query(f'sum(guetteur_dropped_total{{job="guetteur"}}) + sum(guetteur_stage_duration_seconds'
                                 f'_count{{job="guetteur", stage="novelty"}}) >= {ENTRIES} '
                                 'and on() count(guetteur_alerts_total{job="guetteur"} > 0) == 2 '
                                 'and on() count(guetteur_delivery_attempts_total{result="delivered"}) > 0') or None,
                 180, alive)
        yield s
    finally:
        stop(demo)
        stop(server)
        demo_log.close()
        prometheus_log.close()
    log = (tmp / "demo.log").read_text(errors="replace")
    assert demo.returncode == 0 and "Traceback" not in log, log[-3000:]


def test_prometheus_scrapes_plausible_values(stack: Stack) -> None:
    assert stack.value('up{job="guetteur"}') == 1
    assert stack.value('sum(guetteur_polls_total{job="guetteur", result=~"ok|not_modified"})') >= FEEDS
    intervals = stack.query('guetteur_feed_poll_interval_seconds{job="guetteur"}')
    assert len(intervals) == FEEDS and set(intervals.values()) == {2.0}  # the demo polls every 2 s
    stale = stack.value('max(time() - guetteur_feed_last_success_timestamp_seconds{job="guetteur"})')
    assert 0 <= stale < 30
    kinds = {json.loads(k)["kind"]: v for k, v in stack.query('guetteur_alerts_total{job="guetteur"}').items()}
    assert kinds.keys() == {"new_claim", "new_figure"} and all(v >= 1 for v in kinds.values())
    assert stack.value('sum(guetteur_articles_kept_total{job="guetteur"})') >= 5
    assert stack.value('guetteur_dropped_total{job="guetteur", stage="language", reason="language_en"}') >= 1
    assert stack.value('guetteur_outbox_pending{job="guetteur"}') >= 0
    assert 50e6 < stack.value('process_resident_memory_bytes{job="guetteur"}') < 4e9


def test_rules_evaluate_cleanly_and_stay_quiet_on_a_healthy_demo(stack: Stack) -> None:
    expected = {alert for alert, _ in rule_queries()}

    def evaluated() -> list[dict[str, Any]] | None:
        rules = [r for g in stack.api("rules")["groups"] for r in g["rules"]]
        return rules if all(r["health"] != "unknown" for r in rules) else None

    rules = wait_for("every rule evaluated", evaluated, 30, lambda: None)
    assert {r["name"] for r in rules} == expected
    for rule in rules:
        assert rule["health"] == "ok", f"{rule['name']}: {rule.get('lastError')}"
        assert rule["state"] == "inactive", f"{rule['name']} is {rule['state']} on a healthy demo: {rule['alerts']}"


def test_dashboard_and_rules_name_only_metrics_the_demo_exports(stack: Stack) -> None:
    with urllib.request.urlopen(stack.demo_metrics, timeout=10) as response:
        families = text_string_to_metric_families(response.read().decode())
        exported = {sample.name for family in families for sample in family.samples}
    exported.add("up")  # made by Prometheus for each target
    board = dashboard()
    queries = [*panel_queries(board), *((f"variable {n}", sel) for n, sel, _ in variable_queries(board)),
               *((f"rule {a}", e) for a, e in rule_queries())]
    unknown = {f"{where}: {name}" for where, expr in queries for name in metric_names(expr) - exported}
    assert not unknown, sorted(unknown)


def test_every_dashboard_query_returns_data_from_prometheus(stack: Stack) -> None:
    board = dashboard()
    for name, selector, label in variable_queries(board):
        values = {json.loads(k).get(label) for k in stack.query(substitute(selector))}
        assert values and None not in values, f"variable {name}: no {label} in {selector}"

    queries = [(where, substitute(expr)) for where, expr in panel_queries(board)]
    # A rate needs a few scrapes after the activity it measures: the last ones get a few more seconds.
    deadline = time.monotonic() + 30
    while True:
        missing = [where for where, expr in queries if stack.finite_points(expr) == 0]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert not missing, f"panels with no data through Prometheus: {missing}"
