"""The PostgreSQL store against a real server: its schema and connection, and workers sharing one store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from prometheus_client import CollectorRegistry

from connectors.sinks.jsonl import JsonlWriter
from connectors.stores import open_store
from connectors.stores.common import SCHEMA_VERSION
from connectors.stores.postgres import PostgresStore
from pipeline.config.schema import JsonlSink
from pipeline.judging.delivery import Deliverer
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import StoreError
from tests.connectors.stores.test_contract import commit, entry
from tests.connectors.stores.test_sqlite import NOW, WIRE, article, killed
from tests.webhooks import fill

SINK = "jsonl:a.jsonl"
R = TypeVar("R")


@pytest.fixture
def workers(postgres_url: str) -> Iterator[Callable[..., PostgresStore]]:
    """Stores on one database, each acting for a worker of its own, as separate processes would."""
    opened: list[PostgresStore] = []

    def open_worker(**options: Any) -> PostgresStore:
        opened.append(PostgresStore(postgres_url, worker=1000 + len(opened), **options))
        return opened[-1]

    yield open_worker
    for worker in opened:
        worker.close()


def at_once(calls: list[Callable[[], R]]) -> list[R]:
    """Run the calls in threads released together, as workers started at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results


# --- PostgreSQL alone: its schema, its connection, workers sharing one store


def test_the_schema_is_versioned_and_a_newer_one_refused(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="has schema version 99, newer than this guetteur"):
        PostgresStore(postgres_url)


def test_a_store_of_version_1_gains_the_confidence_of_its_claims(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("ALTER TABLE claims DROP COLUMN confidence")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    store = PostgresStore(postgres_url)
    try:
        commit(store, article("https://a.example/1"), [killed(600)])
    finally:
        store.close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT confidence FROM claims").fetchall() == [(1.0,)]
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_workers_starting_together_on_an_empty_database_create_the_schema_once(postgres_url: str) -> None:
    stores = at_once([lambda: PostgresStore(postgres_url) for _ in range(8)])
    for opened in stores:
        opened.close()
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT COUNT(*) FROM meta").fetchone() == (1,)


def test_open_store_dispatches_postgres_urls(postgres_url: str) -> None:
    for url in (postgres_url, postgres_url.replace("postgresql://", "postgres://")):
        opened = open_store(url)
        assert isinstance(opened, PostgresStore)
        opened.close()


def test_an_unreachable_store_is_one_line_naming_the_url_without_its_password() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://guetteur:s3cret@127.0.0.1:1/guetteur?password=s3cret&application_name=g")
    message = str(caught.value)
    assert message.startswith("store postgresql://guetteur@127.0.0.1:1/guetteur?application_name=g: "), message
    assert "s3cret" not in message and "\n" not in message


def test_a_dropped_connection_is_opened_again_at_the_next_call(postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    (pid,) = store._rows("SELECT pg_backend_pid()")[0]
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError):  # the call that meets it fails; its caller retries
        store.outbox_size()
    assert store.outbox_size() == 0 and store._rows("SELECT pg_backend_pid()")[0] != (pid,)
    store.close()


# --- workers sharing one store


def test_workers_committing_one_article_at_once_make_one_alert(workers: Callable[..., PostgresStore]) -> None:
    stores = [workers() for _ in range(6)]
    results = at_once([lambda s=s: commit(s, article("https://a.example/1"), [killed(600)]) for s in stores])
    assert sum(len(r.alerts) for r in results) == 1
    assert sum(r.already_processed for r in results) == 5
    assert stores[0].outbox_size() == 1


def test_syndicated_copies_judged_at_once_alert_once(workers: Callable[..., PostgresStore]) -> None:
    # Without one judgement per topic at a time, each copy would judge against a history without the others.
    stores = [workers() for _ in range(6)]
    copies = [article(f"https://outlet{i}.example/kim", text=WIRE + f" Source {i}") for i in range(6)]
    results = at_once([lambda s=s, a=a: commit(s, a, [killed(600)]) for s, a in zip(stores, copies, strict=True)])
    assert sum(len(r.alerts) for r in results) == 1
    assert sum(r.duplicate_of is not None for r in results) == 5


def test_the_same_new_figure_from_two_articles_at_once_alerts_once(workers: Callable[..., PostgresStore]) -> None:
    first, second = workers(), workers()
    texts = ["Un premier texte sur les pertes nord-coréennes. " * 20, "Un autre récit, tout autre, du front. " * 20]
    results = at_once([lambda: commit(first, article("https://a.example/1", texts[0]), [killed(600)]),
                       lambda: commit(second, article("https://b.example/2", texts[1]), [killed(610)])])
    assert sorted(len(r.alerts) for r in results) == [0, 1]


def test_an_entry_polled_by_two_workers_at_once_is_taken_by_one(workers: Callable[..., PostgresStore]) -> None:
    first, second = workers(), workers()
    entries = [entry(n) for n in range(60)]
    mine, theirs = at_once([lambda: first.add_pending_entries(entries),
                            lambda: second.add_pending_entries(entries[::-1])])
    assert not {e.entry_id for e in mine} & {e.entry_id for e in theirs}
    assert len(mine) + len(theirs) == 60
    # Pending entries of a running worker are its own; those of a worker that stopped are taken over.
    assert {e.entry_id for e in second.pending_entries()} == {e.entry_id for e in theirs}
    first.close()
    assert eventually(lambda: len(second.pending_entries()) == 60)


def test_two_deliverers_are_each_handed_every_row_once(workers: Callable[..., PostgresStore]) -> None:
    first, second = workers(), workers()
    ids = fill(first, 120, [SINK])

    def deliver(store: PostgresStore) -> list[str]:
        sent: list[str] = []
        while store.outbox_size():
            for item in store.pending(SINK, 7):
                if item.next_attempt > time.time():
                    time.sleep(0.005)  # the head is held by the other deliverer: wait behind it
                    break
                sent.append(item.alert_id)
                store.mark_delivered(item.alert_id, SINK, NOW)
        return sent

    one, two = at_once([lambda: deliver(first), lambda: deliver(second)])
    assert sorted(one + two) == sorted(ids)


def test_rows_come_back_when_the_lease_ends_or_the_worker_goes(workers: Callable[..., PostgresStore]) -> None:
    hung, other = workers(lease=0.5), workers()
    ids = fill(hung, 3, [SINK])
    assert all(p.next_attempt <= time.time() for p in hung.pending(SINK))  # taken by the first worker
    held = other.pending(SINK)
    assert [p.alert_id for p in held] == ids and held[0].next_attempt > time.time()  # not the other's to send
    assert eventually(lambda: other.pending(SINK)[0].next_attempt <= time.time())  # the lease ended: taken
    assert hung.pending(SINK)[0].next_attempt > time.time()
    other.close()  # the worker exits without sending: its rows are free at once, not after its lease
    assert eventually(lambda: hung.pending(SINK)[0].next_attempt <= time.time(), timeout=5)


def test_a_lease_holds_while_its_worker_records_outcomes(workers: Callable[..., PostgresStore]) -> None:
    busy, other = workers(lease=1.0), workers()
    ids = fill(busy, 4, [SINK])
    busy.pending(SINK)
    for alert_id in ids[:3]:  # a slow sink: each send takes most of the lease
        time.sleep(0.6)
        busy.mark_delivered(alert_id, SINK, NOW)
    assert other.pending(SINK)[0].next_attempt > time.time()  # the last row is still the busy worker's


def test_two_deliverers_on_one_jsonl_sink_write_each_alert_once(
        tmp_path: Path, workers: Callable[..., PostgresStore]) -> None:
    sink = JsonlSink(type="jsonl", path=str(tmp_path / "alerts.jsonl"))
    stores = [workers(), workers()]
    ids = fill(stores[0], 150, [JsonlWriter(sink).key])
    deliverers = [Deliverer(s, [JsonlWriter(sink)], Metrics(CollectorRegistry()), poll=0.02, seed=i)
                  for i, s in enumerate(stores)]
    for deliverer in deliverers:
        deliverer.start()
    try:
        assert eventually(lambda: stores[0].outbox_size() == 0, timeout=30)
        assert all(d.drain(2) for d in deliverers)
    finally:
        for deliverer in deliverers:
            deliverer.stop()
    written = [json.loads(line)["id"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert sorted(written) == sorted(ids)


def eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
