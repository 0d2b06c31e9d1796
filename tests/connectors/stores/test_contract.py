"""The Store contract (pipeline/ports/store.py), run on both stores: SQLite and a real PostgreSQL server."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.stores.postgres import PostgresStore
from connectors.stores.sqlite import SqliteStore
from pipeline.domain.records import Article, Claim, FeedEntry, FeedState, Figure, PriorFigure
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ingest.schedule import after_gone
from pipeline.judging.novelty import History, identity, judge_article
from pipeline.ports.store import Store
from tests.connectors.stores.test_sqlite import NOW, WIRE, T, article, killed
from tests.webhooks import fill

SINK = "jsonl:a.jsonl"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each contract test runs on both stores: the same behaviour is the promise of pipeline.ports.store."""
    opened: Store = SqliteStore(tmp_path / "g.db") if request.param == "sqlite" else PostgresStore(
        request.getfixturevalue("postgres_url"))
    yield opened
    opened.close()


def commit(store: Store, a: Article, claims: list[Claim]) -> Any:
    return store.commit_article(a, fingerprint(a.text), claims, sinks=[SINK], tolerance=0.1, now=NOW)


def entry(n: int) -> FeedEntry:
    return FeedEntry(entry_id=f"e{n}", url=f"https://a.example/{n}", feed="f", outlet="ATS", title=f"Titre {n}",
                     summary="", published=NOW - timedelta(minutes=n))


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


def test_a_doubtful_claim_is_recorded_but_makes_nothing_known(store: Store) -> None:
    unsure = replace(killed(600), confidence=0.3)
    first = store.commit_article(article("https://a.example/1"), fingerprint(WIRE), [unsure], sinks=[SINK],
                                 tolerance=0.1, now=NOW, min_confidence=0.5)
    assert [j.kind for j in first.judgements] == ["doubtful"] and first.alerts == ()
    other = article("https://b.example/2", text="Un autre texte sur les pertes nord-coréennes " * 20, outlet="AFP")
    second = store.commit_article(other, fingerprint(other.text), [killed(600)], sinks=[SINK], tolerance=0.1,
                                  now=NOW, min_confidence=0.5)
    assert [(a.kind, a.confidence) for a in second.alerts] == [("new_claim", 1.0)]  # the first sure report alerts


def test_a_second_outlets_doubtful_report_promotes_the_claim(store: Store) -> None:
    def unsure(low: float) -> Claim:
        return replace(killed(low), confidence=0.3)

    def report(url: str, outlet: str, text: str, low: float) -> tuple[str, ...]:
        a = article(url, text=text, outlet=outlet)
        done = store.commit_article(a, fingerprint(text), [unsure(low)], sinks=[SINK], tolerance=0.1, now=NOW,
                                    min_confidence=0.5)
        return tuple(j.kind for j in done.judgements)

    assert report("https://a.example/1", "ATS", WIRE, 600) == ("doubtful",)
    assert report("https://a.example/2", "ATS", "Le même bureau revient sur le bilan des pertes " * 15,
                  610) == ("doubtful",)  # the same outlet again is no second source
    assert report("https://c.example/3", "Copie", WIRE, 600) == ("doubtful",)  # a syndicated copy neither
    assert report("https://b.example/4", "AFP", "Une autre agence fait état de pertes nord-coréennes " * 15,
                  640) == ("new_claim",)  # another outlet, within the tolerance: promoted, the alert is its own
    assert report("https://d.example/5", "Le Soir", "Un quotidien belge relaie ce bilan de tués " * 15,
                  600) == ("known",)  # promoted, the figure now counts as known


def test_a_promotion_never_alerts_twice_in_one_article(store: Store) -> None:
    first = article("https://a.example/1", outlet="ATS")
    store.commit_article(first, fingerprint(WIRE), [replace(killed(600), confidence=0.3)], sinks=[SINK],
                         tolerance=0.1, now=NOW, min_confidence=0.5)
    text = "Une autre agence fait état de pertes nord-coréennes " * 15
    claims = [killed(600, "Environ 600 soldats ont été tués."),
              replace(killed(600, "Le bilan reste de 600 morts."), confidence=0.3, sentence=2),
              replace(killed(900, "Un autre bilan évoque 900 morts."), confidence=0.3, sentence=3),
              replace(killed(900, "On parle aussi de 900 tués."), confidence=0.3, sentence=4)]
    done = store.commit_article(article("https://b.example/2", text=text, outlet="AFP"), fingerprint(text), claims,
                                sinks=[SINK], tolerance=0.1, now=NOW, min_confidence=0.5)
    # The sure 600 alerts; its doubtful twin is promoted (ATS had it) and known; the 900s have no other outlet.
    assert [j.kind for j in done.judgements] == ["new_claim", "known", "doubtful", "doubtful"]
    assert len(done.alerts) == 1
