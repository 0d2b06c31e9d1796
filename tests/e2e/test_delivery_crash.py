"""Delivery through the real `guetteur run`: kill -9 in the middle of a burst, and `--once` with a failing sink.

The store is filled beforehand with alerts waiting in the outbox; the monitor delivers them to loopback receivers
that verify every signature with `standardwebhooks`. Its one feed answers 501: only delivery happens.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from connectors.stores.sqlite import SqliteStore
from pipeline.config.schema import WebhookSink
from tests.webhooks import SECRET, Receiver, fill

pytestmark = pytest.mark.slow

ALERTS = 500
KILLS = 5


def write_config(path: Path, store: Path, *urls: str, schedule: str = '["0.2s", "0.2s", "0.2s", "0.2s"]') -> Path:
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        "[store]", f"path = {q(str(store))}", "",
        "[http]", "allow_private_networks = true", "",
        "[metrics]", "port = 0", "",
        # A feed is required; this one answers 501 and is polled once an hour: only delivery matters here.
        "[[feeds]]", 'name = "quiet"', f"url = {q(urls[0] + '/feed.xml')}", 'interval = "1h"', "",
    ]
    for url in urls:
        lines += ["[[sinks]]", 'type = "webhook"', f"url = {q(url)}", f"secret = {q(SECRET)}",
                  f"retry_schedule = {schedule}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def key(url: str) -> str:
    return WebhookSink(type="webhook", url=url, secret=SECRET).key


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    # A session of its own, so that kill -9 takes the whole monitor: Prism and the extraction workers too.
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(config)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until(receiver: Receiver, process: subprocess.Popen[bytes], count: int, timeout: float) -> None:
    end = time.monotonic() + timeout
    while len(receiver.received_ids()) < count:
        assert process.poll() is None, f"the monitor exited ({process.returncode}) before {count} alerts arrived"
        assert time.monotonic() < end, f"{len(receiver.received_ids())} alerts arrived, not {count}, in {timeout} s"
        time.sleep(0.005)


def test_kill_9_at_five_random_moments_then_a_restart_delivers_everything(tmp_path: Path) -> None:
    rng = random.Random(20250903)
    db = tmp_path / "g.db"
    log = tmp_path / "monitor.log"
    # Each request takes a few milliseconds at the receiver, so that the burst lasts a few seconds.
    with Receiver(delay=0.003) as receiver:
        config = write_config(tmp_path / "g.toml", db, receiver.url)
        store = SqliteStore(db)
        ids = fill(store, ALERTS, [key(receiver.url)])
        store.close()
        moments = sorted(rng.sample(range(20, ALERTS - 20, 20), KILLS))
        seen_at_kill = []
        for moment in moments:
            process = start(config, log)
            wait_until(receiver, process, moment, 60)
            time.sleep(rng.uniform(0, 0.03))
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            seen_at_kill.append(len(receiver.received_ids()))
        process = start(config, log)
        wait_until(receiver, process, ALERTS, 60)
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text(errors="replace")[-3000:]
        arrivals = receiver.snapshot()

    print(f"\nkilled with {seen_at_kill} alerts received; {len(arrivals)} requests for {ALERTS} alerts")
    assert all(count < ALERTS for count in seen_at_kill), "a kill came after the burst: not a crash test"
    unverified = [(a.webhook_id, len(a.body), a.body[:80]) for a in arrivals if not a.verified]
    assert not unverified, unverified
    bodies: dict[str | None, set[bytes]] = defaultdict(set)
    ids_of_body: dict[bytes, set[str | None]] = defaultdict(set)
    for arrival in arrivals:
        bodies[arrival.webhook_id].add(arrival.body)
        ids_of_body[arrival.body].add(arrival.webhook_id)
    assert set(bodies) == set(ids)  # every alert delivered
    assert all(len(b) == 1 for b in bodies.values())  # a duplicate has the same body...
    assert all(len(i) == 1 for i in ids_of_body.values())  # ...and the same webhook-id
    db_check = sqlite3.connect(db)
    try:
        assert db_check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = dict(db_check.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    finally:
        db_check.close()
    assert states == {"delivered": ALERTS}
    assert "Traceback" not in log.read_text(errors="replace")


def test_run_once_delivers_and_leaves_what_fails_in_the_store(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    with Receiver() as healthy, Receiver(answer=lambda arrival, count: (503, {})) as failing:
        config = write_config(tmp_path / "g.toml", db, healthy.url, failing.url, schedule='["0.5s", "5m"]')
        store = SqliteStore(db)
        ids = fill(store, 20, [key(healthy.url), key(failing.url)])
        store.close()
        began = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "run", "--config", str(config), "--once",
                               "--deliver-timeout", "60"], capture_output=True, text=True, timeout=120)
        took = time.monotonic() - began
        assert done.returncode == 0, "\n".join(done.stderr.splitlines()[-15:])
        assert [a.webhook_id for a in healthy.snapshot()] == ids
        # The failing receiver got the first alert twice (at once, then 0.5 s later); the next retry is 5 minutes
        # away, beyond what is left of the 60 s: the run ends without waiting for it.
        assert [a.webhook_id for a in failing.snapshot()] == [ids[0], ids[0]]
    print(f"\nrun --once took {took:.1f} s")
    assert took < 45, took  # it did not wait out the 60 s it was allowed
    assert "20 alert deliveries wait in the outbox for the next run" in done.stderr
    store = SqliteStore(db)
    try:
        counts = store.sink_counts()
    finally:
        store.close()
    assert counts == {key(healthy.url): {"delivered": 20}, key(failing.url): {"pending": 20}}
