"""`guetteur alerts` through the real CLI: list, show, dead letters, retry, replay, sinks and enable-sink."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.stores.sqlite import SqliteStore
from pipeline.config.schema import JsonlSink, WebhookSink
from tests.webhooks import SECRET, Arrival, Receiver, fill

NOW = datetime(2025, 9, 3, 12, 0, tzinfo=UTC)


def guetteur(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.app.cli", *args], capture_output=True, text=True, timeout=60)


class World:
    """A store with three alerts for a JSONL file and a webhook, and the config that names them."""

    def __init__(self, tmp_path: Path, receiver: Receiver) -> None:
        self.receiver = receiver
        self.db = tmp_path / "g.db"
        self.config = tmp_path / "g.toml"
        self.jsonl = JsonlSink(type="jsonl", path=str(tmp_path / "alerts.jsonl")).key
        self.webhook = WebhookSink(type="webhook", url=receiver.url, secret=SECRET).key
        q = json.dumps
        self.config.write_text("\n".join([
            "[store]", f"path = {q(str(self.db))}", "[http]", "allow_private_networks = true",
            "[[feeds]]", 'name = "f"', 'url = "https://news.example/rss"',
            "[[sinks]]", 'type = "jsonl"', f"path = {q(str(tmp_path / 'alerts.jsonl'))}",
            "[[sinks]]", 'type = "webhook"', f"url = {q(receiver.url)}", f"secret = {q(SECRET)}",
            'retry_schedule = ["1m"]', "",
        ]), encoding="utf-8")

    def fill(self) -> list[str]:
        store = SqliteStore(self.db)
        try:
            ids = fill(store, 3, [self.jsonl, self.webhook])
            for sink in (self.jsonl, self.webhook):
                store.mark_delivered(ids[0], sink, NOW)
            store.mark_delivered(ids[1], self.jsonl, NOW)
            store.record_failure(ids[1], self.webhook, error="HTTP 500", next_attempt=None)
        finally:
            store.close()
        return ids

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return guetteur("alerts", *args, "--config", str(self.config))

    def store(self) -> SqliteStore:
        return SqliteStore(self.db)


@pytest.fixture
def answers() -> list[int]:
    return []  # statuses the receiver gives, in turn; 200 once they run out


@pytest.fixture
def world(tmp_path: Path, answers: list[int]) -> Iterator[World]:
    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        return (answers.pop(0) if answers else 200), {}

    with Receiver(answer=answer) as receiver:
        yield World(tmp_path, receiver)


def test_a_store_that_does_not_exist_is_an_error(world: World) -> None:
    done = world.run("list")
    assert done.returncode == 1 and "does not exist" in done.stderr and "Traceback" not in done.stderr
    assert not world.db.exists()


def test_list_and_show_give_each_alert_with_its_delivery(world: World) -> None:
    ids = world.fill()
    listed = world.run("list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ids[::-1]  # newest first
    assert f"{world.webhook}=dead(1)" in lines[1] and f"{world.jsonl}=delivered" in lines[1]
    assert f"{world.webhook}=pending" in lines[0]
    dead_only = world.run("list", "--state", "dead")
    assert [line.split()[1] for line in dead_only.stdout.splitlines()] == [ids[1]]

    shown = world.run("show", ids[1][:8])
    assert shown.returncode == 0, shown.stderr
    assert ids[1] in shown.stdout and "Nouveau : soldats nord-coréens tués, 101 soldats, selon Séoul" in shown.stdout
    assert "https://news.example/1" in shown.stdout
    assert f"{world.webhook}: dead after 1 attempt(s), last error: HTTP 500" in shown.stdout
    as_json = json.loads(world.run("show", ids[1], "--json").stdout)
    assert as_json["alert"]["id"] == ids[1]
    assert {d["sink"]: d["state"] for d in as_json["deliveries"]} == {world.jsonl: "delivered", world.webhook: "dead"}

    assert world.run("show", "not-an-id!").returncode == 2
    missing = world.run("show", "00000000")
    assert missing.returncode == 1 and "no alert 00000000" in missing.stderr


def test_dead_letters_are_listed_and_retried(world: World, answers: list[int]) -> None:
    ids = world.fill()
    dead = world.run("dead")
    assert dead.stdout.split()[:2] == [ids[1], world.webhook] and "HTTP 500" in dead.stdout
    assert world.run("retry").returncode == 2  # neither ids nor --all

    answers.append(503)
    failed = world.run("retry", ids[1])
    assert failed.returncode == 1 and f"{ids[1]} not delivered to {world.webhook}" in failed.stderr
    assert "HTTP 503" in failed.stderr and "next attempt" in failed.stderr
    assert "no dead letters" in world.run("dead").stdout  # back in the queue, with its retries

    store = world.store()
    try:
        store.record_failure(ids[1], world.webhook, error="HTTP 500", next_attempt=None)
    finally:
        store.close()
    retried = world.run("retry", "--all", "--sink", "webhook")
    assert retried.returncode == 0, retried.stderr
    assert f"{ids[1]} delivered to {world.webhook}" in retried.stdout
    arrivals = world.receiver.snapshot()
    assert [a.webhook_id for a in arrivals] == [ids[1], ids[1]] and all(a.verified for a in arrivals)
    assert arrivals[0].body == arrivals[1].body
    assert "no dead letters" in world.run("dead").stdout


def test_replay_sends_an_alert_again_to_a_sink(world: World) -> None:
    ids = world.fill()
    replayed = world.run("replay", ids[0], "--sink", world.receiver.url)
    assert replayed.returncode == 0, replayed.stderr
    (arrival,) = world.receiver.snapshot()
    assert arrival.webhook_id == ids[0] and arrival.verified and arrival.json()["id"] == ids[0]
    bad = world.run("replay", ids[0], "--sink", "smtp")
    assert bad.returncode == 2 and world.webhook in bad.stderr and world.jsonl in bad.stderr


def test_a_disabled_sink_is_shown_and_enabled_again(world: World) -> None:
    world.fill()
    store = world.store()
    try:
        store.disable_sink(world.webhook, "HTTP 410 Gone: the receiver removed this endpoint", NOW)
    finally:
        store.close()
    sinks = world.run("sinks")
    assert sinks.returncode == 0, sinks.stderr
    (line,) = [line for line in sinks.stdout.splitlines() if line.startswith(world.webhook)]
    assert "disabled since" in line and "410" in line and "1 pending, 1 delivered, 1 dead" in line
    enabled = world.run("enable-sink", "webhook")
    assert enabled.returncode == 0 and f"{world.webhook} enabled: 1 alert(s) wait" in enabled.stdout
    assert "enabled" in world.run("sinks").stdout.splitlines()[1]
    assert "was not disabled" in world.run("enable-sink", world.webhook).stdout
