"""The long-running monitor through the real CLI: alerts while it runs, SIGTERM, restart, nothing twice."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from benchmarks.gold import by_seed, score
from fixtures.server import FixtureServer

pytestmark = pytest.mark.slow

INTERVAL = 1.0  # the poll interval of the test config, in seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scrape(port: int) -> dict[str, float]:
    """Prometheus text format into {series: value} (names with their labels, as printed)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def total(samples: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in samples.items() if k == prefix or k.startswith(prefix + "{"))


def thread_arenas(pid: int) -> int:
    """glibc arenas besides the main one, read from /proc/PID/maps and /proc/PID/mem.

    An arena lives in heaps: 64 MB-aligned anonymous reservations of 64 MB, a read-write head and the rest not yet
    usable. A busy arena grows a second heap, so heaps are not arenas: each heap starts with glibc's heap_info,
    whose first word points to the arena it belongs to, and the distinct pointers are the arenas.
    """
    heap = 64 << 20
    rows = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        low, high = (int(x, 16) for x in fields[0].split("-"))
        rows.append((low, high, fields[1], len(fields) > 5))
    heaps = []
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for at, (low, high, perms, named) in enumerate(rows):
            if named or low % heap or not perms.startswith("rw"):
                continue
            end = high
            for next_low, next_high, next_perms, next_named in rows[at + 1:]:
                if next_low != end or next_named or not next_perms.startswith("---"):
                    break
                end = next_high
            if end - low == heap:
                memory.seek(low)
                heaps.append((low, int.from_bytes(memory.read(8), sys.byteorder)))
    # An arena's state sits in its first heap, so a real heap points into one of them; another library's 64 MB
    # reservation that merely looks like a heap points anywhere else.
    return len({arena for _, arena in heaps if any(low < arena < low + heap for low, _ in heaps)})


def alerts_in(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Monitor:
    def __init__(self, config: Path, port: int, log: Path, runner: str = "local") -> None:
        self.port = port
        self.log = log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(config),
                                         "--runner", runner], stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until(self, condition: Any, timeout: float, what: str) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process.poll() is None, f"the monitor died while waiting for {what}"
            try:
                if condition():
                    return time.monotonic() - started
            except OSError:
                pass  # the metrics endpoint is not up yet
            time.sleep(0.2)
        raise AssertionError(f"{what}: not within {timeout} s")

    def stop(self) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code, time.monotonic() - started


def initial_entries_done(monitor: Monitor, stage0: int, timeout: float) -> float:
    """Wait until every entry of the initial feeds has been taken in and finished; return how long that took."""
    def finished(metrics: dict[str, float]) -> float:
        return (total(metrics, "guetteur_articles_kept_total")
                + total(metrics, 'guetteur_dropped_total{reason="language_en",stage="language"}'))

    return monitor.wait_until(lambda: finished(scrape(monitor.port)) >= stage0, timeout, "the initial entries")


def expected_for(gold: dict[str, Any], seeds: set[str]) -> dict[str, Any]:
    return {**gold, "articles": [a for a in gold["articles"] if a["id"] in seeds]}


def test_alerts_while_running_then_stop_and_restart_without_repeats(tmp_path: Path, gold: dict[str, Any]) -> None:
    port = free_port()
    alerts_path = tmp_path / "alerts.jsonl"
    with FixtureServer() as server:
        config = server.write_config(tmp_path / "g.toml", store_path=tmp_path / "g.db", alerts_path=alerts_path,
                                     interval=f"{INTERVAL:g}s", metrics_port=port)
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
        stage0 = sum(1 for item in server.items() if item.stage == 0)
        seed_of_stage = {item.stage: item.seed for item in server.items() if item.expect == "on-topic-seed"}

        monitor = Monitor(config, port, tmp_path / "monitor.log")
        initial_entries_done(monitor, stage0, 120)
        assert alerts_in(alerts_path) == []

        server.publish(1)
        first = {seed_of_stage[1]}
        took = monitor.wait_until(
            lambda: not score(expected_for(gold, first), *by_seed(alerts_in(alerts_path), items)).missing,
            INTERVAL + 5, "the alerts of the first seed article")
        print(f"\nfirst article's alerts after {took:.1f} s")

        samples = scrape(port)
        for series in ("guetteur_polls_total", "guetteur_feed_last_success_timestamp_seconds",
                       "guetteur_fetch_duration_seconds_count", "guetteur_extraction_duration_seconds_count",
                       "guetteur_dropped_total", "guetteur_articles_total", "guetteur_topic_matches_total",
                       "guetteur_claims_total", "guetteur_alerts_total", "guetteur_outbox_pending"):
            assert any(k == series or k.startswith(series + "{") for k in samples), series
        assert samples['guetteur_articles_total{language="fr"}'] >= stage0 - 2
        assert samples['guetteur_topic_matches_total{topic="russie-coree-du-nord"}'] >= 1
        assert total(samples, "guetteur_alerts_total") == len(alerts_in(alerts_path)) >= 4
        assert time.time() - samples['guetteur_feed_last_success_timestamp_seconds{feed="rtl-info"}'] < 30
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as health:
            assert health.status == 200
        # Its fifty threads share two malloc arenas (connectors/allocator.py): one besides the main arena.
        if sys.platform == "linux":
            assert thread_arenas(monitor.process.pid) <= 1

        code, stopped_in = monitor.stop()
        assert code == 0 and stopped_in < 10, (code, stopped_in)
        before = alerts_in(alerts_path)

        monitor = Monitor(config, port, tmp_path / "monitor.log")
        monitor.wait_until(lambda: total(scrape(port), "guetteur_source_last_look_timestamp_seconds") > 0, 120,
                           "the restarted monitor")
        time.sleep(3 * INTERVAL)  # it has polled every feed again: nothing of the first run comes back
        assert alerts_in(alerts_path) == before
        server.publish(2)
        second = first | {seed_of_stage[2]}
        monitor.wait_until(
            lambda: not score(expected_for(gold, second), *by_seed(alerts_in(alerts_path), items)).missing,
            INTERVAL + 5, "the alerts of the second seed article")
        time.sleep(3 * INTERVAL)  # and nothing more arrives: the syndicated copy of stage 2 raises nothing
        code, stopped_in = monitor.stop()
        assert code == 0 and stopped_in < 10, (code, stopped_in)

    final = alerts_in(alerts_path)
    result = score(expected_for(gold, second), *by_seed(final, items))
    assert not result.missing and not result.extra, result.report()
    assert len({a["id"] for a in final}) == len(final)
    assert "Traceback" not in (tmp_path / "monitor.log").read_text(errors="replace")
