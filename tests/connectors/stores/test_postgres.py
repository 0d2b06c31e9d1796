"""The PostgreSQL store against a real server: the Store contract on both stores, then workers sharing one store."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from prometheus_client import CollectorRegistry

from connectors.sinks.jsonl import JsonlWriter
from connectors.stores import open_store
from connectors.stores.postgres import PostgresStore
from connectors.stores.sqlite import SqliteStore
from pipeline.config.schema import JsonlSink
from pipeline.domain.records import Article, Claim, FeedEntry, FeedState, Figure, PriorFigure
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ingest.schedule import after_gone
from pipeline.judging.delivery import Deliverer
from pipeline.judging.novelty import History, identity, judge_article
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store, StoreError
from tests.connectors.stores.test_sqlite import NOW, WIRE, T, article, killed
from tests.webhooks import fill

SINK = "jsonl:a.jsonl"
R = TypeVar("R")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each contract test runs on both stores: the same behaviour is the promise of pipeline.ports.store."""
    opened: Store = SqliteStore(tmp_path / "g.db") if request.param == "sqlite" else PostgresStore(
        request.getfixturevalue("postgres_url"))
    yield opened
    opened.close()


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


def commit(store: Store, a: Article, claims: list[Claim]) -> Any:
    return store.commit_article(a, fingerprint(a.text), claims, sinks=[SINK], tolerance=0.1, now=NOW)


def entry(n: int) -> FeedEntry:
    return FeedEntry(entry_id=f"e{n}", url=f"https://a.example/{n}", feed="f", outlet="ATS", title=f"Titre {n}",
                     summary="", published=NOW - timedelta(minutes=n))


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


# --- the contract, on both stores


def test_feed_states_are_kept_and_replaced(store: Store) -> None:
    store.save_feed_state(FeedState(name="f", url="https://a.example/rss", etag='"x"', failures=2))
    store.save_feed_state(FeedState(name="f", url="https://a.example/rss", etag='"y"'))
    store.save_feed_state(after_gone(FeedState(name="g", url="https://g.example/rss"), 0))
    states = store.load_feed_states()
    assert (states["f"].etag, states["f"].failures) == ('"y"', 0)
    assert states["g"].gone and states["g"].next_poll == 1e18


def test_entries_are_taken_in_once_and_stay_pending_until_finished(store: Store) -> None:
    assert store.add_pending_entries([entry(1), entry(2)]) == [entry(1), entry(2)]
    assert store.add_pending_entries([entry(2), entry(3), entry(3)]) == [entry(3)]  # 2 was in, 3 given twice
    assert not store.is_new_entry("e1", "") and not store.is_new_entry("other", "https://a.example/2")
    assert [e.entry_id for e in store.pending_entries()] == ["e3", "e2", "e1"]  # by publication
    store.finish_entry("e2", "topics:off_topic")
    store.record_entry("e4", "https://a.example/4", "f", "fetch:not_found", NOW)
    assert [e.entry_id for e in store.pending_entries()] == ["e3", "e1"]
    assert not store.is_new_entry("e4", "") and store.is_new_entry("e5", "https://a.example/5")
    assert store.add_pending_entries([]) == []


def test_an_article_is_judged_once_with_its_history(store: Store) -> None:
    first = commit(store, article("https://a.example/1"), [killed(600)])
    assert [a.kind for a in first.alerts] == ["new_claim"]
    assert commit(store, article("https://a.example/1"), [killed(600)]).already_processed
    other = article("https://b.example/2", text="Un texte tout à fait différent sur le même sujet. " * 20)
    (alert,) = commit(store, other, [killed(2000, "Environ 2 000 soldats auraient été tués")]).alerts
    assert alert.kind == "new_figure" and [p.low for p in alert.previous] == [600]
    copy = article("https://leman.example/copie", text=WIRE + " Keystone-ATS", outlet="Journal du Léman")
    syndicated = commit(store, copy, [killed(600)])
    assert syndicated.duplicate_of == "https://a.example/1" and syndicated.alerts == ()
    # The processed article's entry is finished: never fetched again.
    assert not store.is_new_entry("https://b.example/2", "") and store.pending_entries() == []


def full_history(recorded: list[tuple[Claim, str]], topic: str, predicate: str) -> History:
    """The whole history, read the plain way: every distinct figure and source in the order of its latest record,
    with its first record's article; every identity. What a store's bounded reads must judge alike."""
    rows = [(c, url) for c, url in recorded if (c.topic, c.predicate) == (topic, predicate)]
    first: dict[tuple[Any, ...], str] = {}
    last: dict[tuple[Any, ...], int] = {}
    for n, (c, url) in enumerate(rows):
        if c.figure is not None:
            key = (c.figure.low, c.figure.high, c.figure.unit, c.attributed_to)
            first.setdefault(key, url)
            last[key] = n
    figures = tuple(PriorFigure(*key, NOW.isoformat(), first[key]) for key in sorted(last, key=last.__getitem__))
    identities = tuple(dict.fromkeys(identity(c) for c, _ in rows if not c.quantitative))
    return History(figures=figures, mentioned=bool(rows), identities=identities)


def test_the_bounded_history_judges_as_the_whole_history_would(store: Store) -> None:
    """A store reads only the figures near a claim and the latest few (it would otherwise read every claim of the
    topic for every article); over a long random story its judgements, `previous` included, are those of the
    whole history."""
    rng = random.Random(7)
    sources = ["Séoul", "Kyiv", "NIS", None]
    recorded: list[tuple[Claim, str]] = []
    kinds: set[str] = set()
    for n in range(70):
        claims = []
        for s in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.6:  # figures clustered enough that many are known, spread enough that many are not
                low = float(rng.choice([100, 200, 600, 650, 1000, 1100, 2000, 5000, 11_000, 12_000, 14_000]))
                high = low * rng.choice([1, 1, 1, 1.5])
                unit = rng.choice(["soldiers", "soldiers", "soldiers", "percent"])
                claims.append(Claim(T, "troops_killed", f"e{n}-{s}", quantitative=True, figure=Figure(low, high, unit),
                                    attributed_to=rng.choice(sources), sentence=s))
            elif kind < 0.75:
                claims.append(Claim(T, "troops_wounded", f"e{n}-{s}", quantitative=True, sentence=s))
            else:
                claims.append(Claim(T, "official_visit", f"e{n}-{s}", place=rng.choice(["Moscou", "Pyongyang", None]),
                                    event_date=rng.choice(["2025", "2025-06", "2025-06-04", "2025-09", None]),
                                    sentence=s))
        url = f"https://story.example/{n}"
        text = " ".join(f"mot{n}x{k}" for k in range(120))  # no two articles alike: none is a copy
        expected = judge_article(claims, lambda c, seen=recorded: full_history(seen, c.topic, c.predicate),
                                 article_url=url,
                                 seen_at=NOW.isoformat(), tolerance=0.1)
        got = commit(store, article(url, text=text), claims).judgements
        assert [(j.claim, j.kind, j.previous) for j in got] == [(j.claim, j.kind, j.previous) for j in expected], n
        recorded += [(j.claim, url) for j in expected]
        kinds.update(j.kind for j in expected)
    assert kinds == {"new_claim", "new_figure", "known", "corroboration"}  # the story went through every case


def test_the_outbox_delivers_in_order_and_keeps_failures(store: Store) -> None:
    ids = fill(store, 3, [SINK, "b"])
    assert [p.alert_id for p in store.pending(SINK)] == ids
    assert store.outbox_size() == 6
    store.mark_delivered(ids[0], SINK, NOW)
    store.record_failure(ids[1], SINK, error="disk full", next_attempt=time.time() + 60)
    (late, last) = store.pending(SINK)
    assert (late.alert_id, late.attempts, late.last_error) == (ids[1], 1, "disk full")
    assert late.next_attempt > time.time() + 50 and last.alert_id == ids[2]
    store.record_failure(ids[1], SINK, error="gone", next_attempt=time.time(), counted=False)
    assert store.pending(SINK)[0].attempts == 1
    stats = store.outbox_stats()
    assert (stats.pending, stats.dead) == (5, 0) and stats.oldest_pending == "2025-09-03T10:00:00+00:00"


def test_dead_letters_requeues_and_reading_deliveries(store: Store) -> None:
    ids = fill(store, 3, ["a", "b"])
    store.mark_delivered(ids[0], "a", datetime(2025, 9, 3, tzinfo=UTC))
    store.record_failure(ids[1], "a", error="HTTP 500", next_attempt=None)
    store.record_failure(ids[1], "a", error="late", next_attempt=5.0)  # a dead letter is not touched by a failure
    assert [(p.alert_id, p.attempts, p.last_error) for p in store.dead_letters()] == [(ids[1], 1, "HTTP 500")]
    assert store.dead_letters("b") == [] and store.outbox_stats().dead == 1
    assert [p.alert_id for p in store.pending("a")] == [ids[2]]
    store.requeue(ids[0], "a")  # delivered before: queued again, ahead of the later alerts (creation order)
    assert [p.alert_id for p in store.pending("a")] == [ids[0], ids[2]]
    store.requeue(ids[0], "c")  # a sink it never had
    assert [p.alert_id for p in store.pending("c")] == [ids[0]]
    assert store.retry_dead([ids[1]], "b") == [] and store.retry_dead([ids[1]]) == [(ids[1], "a")]
    assert store.retry_dead() == []
    assert [p.alert_id for p in store.pending("a")] == [ids[0], ids[1], ids[2]]
    assert [a.id for a in store.recent_alerts(2)] == [ids[2], ids[1]]
    store.mark_delivered(ids[2], "b", datetime(2025, 9, 3, tzinfo=UTC))
    assert [a.id for a in store.recent_alerts(5, "delivered")] == [ids[2]]
    (found,) = store.find_alerts(ids[1][:6])
    assert found.id == ids[1] and [(d.sink, d.state) for d in found.deliveries] == [("a", "pending"), ("b", "pending")]
    assert store.sink_counts() == {"a": {"pending": 3}, "b": {"pending": 2, "delivered": 1}, "c": {"pending": 1}}


def test_sinks_are_disabled_until_enabled(store: Store) -> None:
    store.disable_sink("b", "HTTP 410", datetime(2025, 9, 3, tzinfo=UTC))
    store.disable_sink("b", "HTTP 410 again", datetime(2025, 9, 4, tzinfo=UTC))  # the first reason stays
    assert store.disabled_sinks() == {"b": ("2025-09-03T00:00:00+00:00", "HTTP 410")}
    assert store.enable_sink("b") and not store.enable_sink("b") and store.disabled_sinks() == {}


# --- PostgreSQL: the schema, the URL, the errors


def test_the_schema_is_versioned_and_a_newer_one_refused(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="has schema version 99, newer than this guetteur"):
        PostgresStore(postgres_url)


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
