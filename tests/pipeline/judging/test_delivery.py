"""The deliverer: per-sink workers over the outbox, retries, Retry-After, dead letters, 410, timeouts, metrics."""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from connectors.sinks.jsonl import JsonlWriter
from connectors.sinks.webhook import WebhookSender
from connectors.stores.sqlite import SqliteStore
from pipeline.config.schema import ConfigError, HttpSettings, JsonlSink, WebhookSink, settings_from_dict
from pipeline.judging.delivery import Deliverer, next_delay
from pipeline.ports.metrics import Metrics
from tests.webhooks import SECRET, Arrival, Receiver, fill


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "g.db")
    yield s
    s.close()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def webhook_sink(url: str, schedule: tuple[str, ...] = ("0.05s", "0.05s", "0.05s", "0.05s"),
                 **options: Any) -> WebhookSender:
    config = WebhookSink(type="webhook", url=url, secret=SECRET, retry_schedule=schedule, **options)
    return WebhookSender(config, HttpSettings(allow_private_networks=True))


def attempts(metrics: Metrics, result: str, sink_type: str = "webhook") -> float:
    value = metrics.registry.get_sample_value("guetteur_delivery_attempts_total",
                                              {"sink_type": sink_type, "result": result})
    return value or 0.0


@pytest.fixture
def running() -> Iterator[list[Deliverer]]:
    started: list[Deliverer] = []
    yield started
    for deliverer in started:
        deliverer.stop()


def start(running: list[Deliverer], store: SqliteStore, sinks: list[Any], metrics: Metrics) -> Deliverer:
    deliverer = Deliverer(store, sinks, metrics, poll=0.05, seed=1)
    deliverer.start()
    running.append(deliverer)
    return deliverer


def delivery(store: SqliteStore, alert_id: str, sink: str) -> Any:
    (stored,) = store.find_alerts(alert_id)
    return next(d for d in stored.deliveries if d.sink == sink)


# --- the schedule


def test_the_schedule_with_jitter_then_a_dead_letter() -> None:
    rng = random.Random(3)
    schedule = (5.0, 300.0)
    for _ in range(200):
        assert 4.0 <= next_delay(schedule, 1, rng) <= 6.0
        assert 240.0 <= next_delay(schedule, 2, rng) <= 360.0
    assert next_delay(schedule, 3, rng) is None
    assert next_delay((0.0,), 1, rng) == 0.0  # "at once" stays at once


def test_retry_after_is_a_floor_and_capped_at_a_day() -> None:
    rng = random.Random(3)
    assert next_delay((0.0, 5.0), 1, rng, retry_after=2.0) == 2.0
    assert next_delay((5.0,), 1, rng, retry_after=0.5) >= 4.0
    assert next_delay((5.0,), 1, rng, retry_after=10 * 86400) == 86400.0


def test_local_sinks_back_off_up_to_a_minute_and_never_give_up() -> None:
    rng = random.Random(3)
    assert next_delay(None, 1, rng) <= 1.2
    assert 48 <= next_delay(None, 50, rng) <= 72
    assert next_delay(None, 10_000, rng) is not None


def test_the_default_schedule_is_eight_attempts_over_about_27_hours() -> None:
    sink = WebhookSink(type="webhook", url="https://hooks.example.org/g", secret=SECRET)
    delays = [d.total_seconds() for d in sink.retry_schedule]
    assert delays == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert sink.timeout.total_seconds() == 15


def test_webhook_options_are_validated_naming_the_key() -> None:
    raw = {"type": "webhook", "url": "https://h.example/g", "secret": SECRET}
    with pytest.raises(ConfigError) as caught:
        settings_from_dict({"sinks": [{**raw, "retry_schedule": ["5s", "soon"], "timeout": "1h", "retries": 3,
                                       "previous_secret": SECRET, "format": "xml"}]})
    found = caught.value.problems
    assert any(p.startswith("sinks[0].retry_schedule[1]: not a duration") for p in found), found
    assert any(p.startswith("sinks[0].timeout: at most 5m") for p in found), found
    assert "sinks[0].retries: unknown key" in found
    assert any(p.startswith("sinks[0].previous_secret: the same as secret") for p in found), found
    assert any(p.startswith("sinks[0].format:") for p in found), found


# --- delivery end to end, in process


def test_a_thousand_alerts_all_arrive_verified_each_id_with_one_body(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        # One alert in ten fails its first attempt: retries must carry the same id and the same bytes.
        return (500, {}) if count == 1 and int(arrival.json()["article"]["url"].rsplit("/", 1)[1]) % 10 == 0 \
            else (200, {})

    with Receiver(answer=answer) as receiver:
        hook = webhook_sink(receiver.url, schedule=("0s", "0s"))
        ids = fill(store, 1000, [hook.key])
        start(running, store, [hook], metrics)
        arrivals = receiver.wait_for(lambda got: len({a.webhook_id for a in got}) == 1000 and len(got) == 1100, 90)
        running[0].drain(5)

    assert all(a.verified for a in arrivals)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for arrival in arrivals:
        bodies[arrival.webhook_id].add(arrival.body)
    assert set(bodies) == set(ids)
    assert all(len(b) == 1 for b in bodies.values())
    assert all(json.loads(next(iter(bodies[i])))["id"] == i for i in ids)
    # In creation order: the first arrival of each id follows the outbox order.
    first_seen = list(dict.fromkeys(a.webhook_id for a in arrivals))
    assert first_seen == ids
    assert store.outbox_size() == 0
    assert attempts(metrics, "delivered") == 1000 and attempts(metrics, "server_error") == 100


def test_503_three_times_then_200_delivers_with_the_attempts_counted(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    with Receiver(answer=lambda arrival, count: (503, {}) if count <= 3 else (200, {})) as receiver:
        hook = webhook_sink(receiver.url)
        (alert,) = fill(store, 1, [hook.key])
        start(running, store, [hook], metrics)
        receiver.wait_for(lambda got: len(got) == 4, 10)
        assert running[0].drain(5)
    assert all(a.webhook_id == alert and a.verified for a in receiver.snapshot())
    done = delivery(store, alert, hook.key)
    assert (done.state, done.attempts) == ("delivered", 4)
    assert attempts(metrics, "throttled") == 3 and attempts(metrics, "delivered") == 1


def test_429_with_retry_after_2_gets_no_attempt_before_2_seconds(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        return (429, {"retry-after": "2"}) if count == 1 else (200, {})

    with Receiver(answer=answer) as receiver:
        hook = webhook_sink(receiver.url, schedule=("0s", "0s"))
        fill(store, 1, [hook.key])
        start(running, store, [hook], metrics)
        first, second = receiver.wait_for(lambda got: len(got) == 2, 10)
    assert second.at - first.at >= 2.0
    assert attempts(metrics, "throttled") == 1 and attempts(metrics, "delivered") == 1


def test_a_hanging_receiver_is_cut_at_its_timeout_while_the_jsonl_sink_keeps_flowing(
        tmp_path: Path, store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    with Receiver(answer=lambda arrival, count: None) as receiver:
        hook = webhook_sink(receiver.url, timeout="1s")
        jsonl = JsonlWriter(JsonlSink(type="jsonl", path=str(tmp_path / "alerts.jsonl")))
        ids = fill(store, 50, [hook.key, jsonl.key])
        began = time.monotonic()
        start(running, store, [hook, jsonl], metrics)
        deadline = time.monotonic() + 10
        while len((tmp_path / "alerts.jsonl").read_text().splitlines()
                  if (tmp_path / "alerts.jsonl").exists() else []) < 50:
            assert time.monotonic() < deadline, "the JSONL sink waited for the hanging webhook"
            time.sleep(0.02)
        assert time.monotonic() - began < 1.0  # all 50 written while the first webhook request still hangs
        while attempts(metrics, "timeout") < 1:
            assert time.monotonic() < deadline, "the hanging request was never cut"
            time.sleep(0.02)
        assert 0.9 <= time.monotonic() - began < 3
    written = [json.loads(line)["id"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert written == ids
    assert delivery(store, ids[0], hook.key).last_error.startswith(("deadline", "read_timeout"))
    assert attempts(metrics, "delivered", "jsonl") == 50


def test_the_head_of_a_sink_holds_the_later_alerts_of_that_sink_only(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    ids: list[str] = []

    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        return (500, {}) if arrival.webhook_id == ids[0] and count <= 2 else (200, {})

    with Receiver(answer=answer) as receiver:
        hook = webhook_sink(receiver.url, schedule=("0.3s", "0.3s"))
        ids += fill(store, 5, [hook.key])
        start(running, store, [hook], metrics)
        arrivals = receiver.wait_for(lambda got: len(got) == 7, 10)
    # The first alert failed twice; nothing behind it went out before it arrived.
    assert [a.webhook_id for a in arrivals] == [ids[0], ids[0], ids[0], *ids[1:]]


def test_exhausted_retries_make_a_dead_letter_and_the_queue_moves_on(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    first_id: list[str] = []

    def answer(arrival: Arrival, count: int) -> tuple[int, dict[str, str]]:
        return (500, {}) if arrival.webhook_id in first_id else (200, {})

    with Receiver(answer=answer) as receiver:
        hook = webhook_sink(receiver.url, schedule=("0.05s", "0.05s"))
        ids = fill(store, 3, [hook.key])
        first_id.append(ids[0])
        deliverer = start(running, store, [hook], metrics)
        arrivals = receiver.wait_for(lambda got: len(got) == 5, 10)
        assert deliverer.drain(5)
        deliverer.refresh_metrics()
    assert [a.webhook_id for a in arrivals] == [ids[0]] * 3 + ids[1:]
    (dead,) = store.dead_letters()
    assert (dead.alert_id, dead.attempts, dead.last_error) == (ids[0], 3, "HTTP 500")
    assert metrics.registry.get_sample_value("guetteur_dead_letters") == 1
    assert store.outbox_size() == 0
    assert store.retry_dead() == [(ids[0], hook.key)] and store.outbox_size() == 1


def test_410_disables_the_sink_until_it_is_enabled_again(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    gone = [True]
    with Receiver(answer=lambda arrival, count: (410, {}) if gone[0] else (200, {})) as receiver:
        hook = webhook_sink(receiver.url)
        ids = fill(store, 3, [hook.key])
        deliverer = start(running, store, [hook], metrics)
        receiver.wait_for(lambda got: len(got) == 1, 5)
        time.sleep(0.5)
        assert len(receiver.snapshot()) == 1  # nothing more is sent to an endpoint that is gone
        assert hook.key in store.disabled_sinks()
        assert deliverer.drain(1)  # a disabled sink holds no drain
        deliverer.refresh_metrics()
        assert metrics.registry.get_sample_value("guetteur_sinks_disabled") == 1
        first = delivery(store, ids[0], hook.key)
        assert (first.state, first.attempts) == ("pending", 0) and "410" in first.last_error
        gone[0] = False
        assert store.enable_sink(hook.key)
        arrivals = receiver.wait_for(lambda got: len(got) == 4, 5)
    assert [a.webhook_id for a in arrivals] == [ids[0], *ids]
    # The receiver has the last alert before the deliverer has read its answer and counted it: wait for the count.
    deadline = time.monotonic() + 5
    while attempts(metrics, "delivered") < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert attempts(metrics, "gone") == 1 and attempts(metrics, "delivered") == 3


def test_a_redirect_counts_as_a_failed_attempt(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    with Receiver(answer=lambda arrival, count: (302, {"location": "/moved"}) if count == 1 else (200, {})) as r:
        hook = webhook_sink(r.url)
        (alert,) = fill(store, 1, [hook.key])
        start(running, store, [hook], metrics)
        arrivals = r.wait_for(lambda got: len(got) == 2, 5)
        running[0].drain(2)
    assert [a.path for a in arrivals] == ["/hook", "/hook"]
    assert attempts(metrics, "redirect") == 1
    assert delivery(store, alert, hook.key).attempts == 2


def test_a_failing_jsonl_sink_retries_and_never_dead_letters(
        tmp_path: Path, store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    target = tmp_path / "alerts.jsonl"
    target.mkdir()  # a directory where the file should be: every write fails
    jsonl = JsonlWriter(JsonlSink(type="jsonl", path=str(target)))
    (alert,) = fill(store, 1, [jsonl.key])
    deliverer = start(running, store, [jsonl], metrics)
    time.sleep(1.6)
    assert attempts(metrics, "error", "jsonl") >= 2
    assert delivery(store, alert, jsonl.key).state == "pending"
    target.rmdir()
    deadline = time.monotonic() + 10
    while store.outbox_size():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert json.loads(target.read_text())["id"] == alert
    assert deliverer.drain(1)


def test_the_outbox_gauges(store: SqliteStore, metrics: Metrics) -> None:
    fill(store, 2, ["jsonl:nowhere.jsonl"])
    deliverer = Deliverer(store, [], metrics)
    deliverer.refresh_metrics()
    sample = metrics.registry.get_sample_value
    assert sample("guetteur_outbox_pending") == 2
    assert sample("guetteur_outbox_oldest_age_seconds") > 86400  # the synthetic alerts date from 2025-09-03
    assert sample("guetteur_dead_letters") == 0


def test_drain_stops_at_its_timeout_when_a_retry_is_due_later(
        store: SqliteStore, metrics: Metrics, running: list[Deliverer]) -> None:
    with Receiver(answer=lambda arrival, count: (500, {})) as receiver:
        hook = webhook_sink(receiver.url, schedule=("30s",))
        fill(store, 1, [hook.key])
        deliverer = start(running, store, [hook], metrics)
        began = time.monotonic()
        assert deliverer.drain(5)  # settled: the only retry is 30 s away, beyond the 5 s allowed
        assert time.monotonic() - began < 2
    assert len(receiver.snapshot()) == 1 and store.outbox_size() == 1


def test_sink_keys_in_the_outbox_follow_the_config() -> None:
    config = WebhookSink(type="webhook", url="https://hooks.example.org/g", secret=SECRET)
    assert WebhookSender(config, HttpSettings()).key == config.key

