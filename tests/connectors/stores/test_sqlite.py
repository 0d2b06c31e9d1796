from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.stores.common import SCHEMA_VERSION
from connectors.stores.ledger import SqliteLedger
from connectors.stores.sqlite import SqliteStore
from pipeline.domain.records import Article, Claim, FeedState, Figure
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ingest.schedule import after_gone
from pipeline.judging import commit as commit_module
from pipeline.ports.store import StoreError

NOW = datetime(2025, 9, 3, 10, 0, tzinfo=UTC)
T = "russie-coree-du-nord"
WIRE = ("Le dirigeant nord-coréen a salué ses troupes déployées en Russie lors d'une réunion avec le commandement "
        "militaire, a rapporté l'agence officielle. Environ 600 soldats nord-coréens ont été tués et des milliers "
        "ont été blessés en combattant pour la Russie, selon Séoul. ") * 3


def article(url: str, text: str = WIRE, outlet: str = "ATS") -> Article:
    return Article(url=url, outlet=outlet, title="Titre", text=text, published=NOW, language="fr",
                   entry_id=url, feed="f")


def killed(low: float, evidence: str = "Environ 600 soldats nord-coréens ont été tués") -> Claim:
    return Claim(T, "troops_killed", evidence, quantitative=True, figure=Figure(low, low, "soldiers"),
                 attributed_to="Séoul", label="soldats nord-coréens tués")


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "g.db")
    yield s
    s.close()


def commit(store: SqliteStore, a: Article, claims: list[Claim]):
    return store.commit_article(a, fingerprint(a.text), claims, sinks=["jsonl:a.jsonl"], tolerance=0.1, now=NOW)


def test_wal_mode_schema_version_and_integrity(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "g.db").close()
    db = sqlite3.connect(tmp_path / "g.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this guetteur"):
        SqliteStore(tmp_path / "g.db")


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"bad\.db"):
        SqliteStore(tmp_path / "bad.db")


def test_alerts_are_written_to_the_outbox_with_the_claims(store: SqliteStore) -> None:
    first = commit(store, article("https://a.example/1"), [killed(600)])
    assert [a.kind for a in first.alerts] == ["new_claim"]
    (pending,) = store.pending("jsonl:a.jsonl")
    assert json.loads(pending.body) == first.alerts[0].as_json()
    assert store.outbox_size() == 1
    store.mark_delivered(pending.alert_id, pending.sink, NOW)
    assert store.pending("jsonl:a.jsonl") == [] and store.outbox_size() == 0
    # Committing the same article again changes nothing.
    assert commit(store, article("https://a.example/1"), [killed(600)]).already_processed


def test_a_new_figure_lists_the_previous_ones(store: SqliteStore) -> None:
    commit(store, article("https://a.example/1"), [killed(600)])
    other = article("https://b.example/2", text="Un texte tout à fait différent sur le même sujet. " * 20)
    (alert,) = commit(store, other, [killed(2000, "Environ 2 000 soldats auraient été tués")]).alerts
    assert alert.kind == "new_figure"
    assert [(p.low, p.attributed_to, p.article_url) for p in alert.previous] == [
        (600, "Séoul", "https://a.example/1")]


def test_judging_reads_the_figures_near_a_claim_and_the_latest_only(store: SqliteStore) -> None:
    # Forty figures far apart, each news: a claim is judged against the one near it and the ten latest (which its
    # alert lists), not against all forty; the store's reads do not grow with the story.
    for n in range(40):
        text = " ".join(f"mot{n}x{k}" for k in range(120))
        commit(store, article(f"https://a.example/{n}", text=text), [killed(100.0 * 2**n)])
    claim = killed(100.0 * 2**20 * 1.05)
    with store._lock:
        history = commit_module.history(SqliteLedger(store._db), claim, 0.1)
    assert [f.low for f in history.figures] == [100.0 * 2**n for n in (20, *range(30, 40))]
    assert history.figures[0].article_url == "https://a.example/20"


def test_a_copy_is_compared_with_the_articles_sharing_the_most_bands_only(store: SqliteStore) -> None:
    # A story reprinted thirty times: a new copy is compared with the few stored articles most like it (all bands
    # shared, the earliest first), not with all thirty; it is still found to copy the original.
    for n in range(30):
        a = article(f"https://copies.example/{n:02d}")
        store.commit_article(a, fingerprint(a.text), [], sinks=[], tolerance=0.1, now=NOW + timedelta(minutes=n))
    edited = article("https://edited.example/1", text=WIRE.replace("selon Séoul", "selon les services de Séoul"))
    commit(store, edited, [])
    copy = fingerprint(WIRE)
    with store._lock:
        ranked = SqliteLedger(store._db).sharing_bands(copy.bands, 5)
        alike = SqliteLedger(store._db).sharing_bands(copy.bands, 100)
    assert [url for url, _, _ in ranked] == [f"https://copies.example/{n:02d}" for n in range(5)]
    assert [url for url, _, _ in alike][-1] == "https://edited.example/1"  # fewer bands in common: last
    assert commit(store, article("https://copies.example/new"), []).duplicate_of == "https://copies.example/00"


def test_a_syndicated_copy_raises_nothing(store: SqliteStore) -> None:
    commit(store, article("https://a.example/1"), [killed(600)])
    copy = article("https://leman.example/copie", text=WIRE + " Keystone-ATS", outlet="Journal du Léman")
    result = commit(store, copy, [killed(600), Claim(T, "troops_wounded", "Environ 600 soldats nord-coréens ont "
                                                                          "été tués", quantitative=True)])
    assert result.duplicate_of == "https://a.example/1"
    assert result.alerts == ()


def test_feed_states_and_entries_survive_a_restart(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "g.db")
    store.save_feed_state(FeedState(name="f", url="https://a.example/rss", etag='"x"', failures=2))
    store.save_feed_state(after_gone(FeedState(name="g", url="https://g.example/rss"), 0))
    store.record_entry("e1", "https://a.example/1", "f", "off_topic", NOW)
    store.close()
    again = SqliteStore(tmp_path / "g.db")
    states = again.load_feed_states()
    assert states["f"].etag == '"x"' and states["f"].failures == 2 and states["g"].gone
    assert not again.is_new_entry("e1", "") and not again.is_new_entry("other", "https://a.example/1")
    assert again.is_new_entry("e2", "https://a.example/2")
    again.close()


def test_the_stage_instances_of_a_process_share_one_store_closed_by_the_last(tmp_path: Path) -> None:
    from pipeline.runtime.process import acquire_store, release_store

    location = str(tmp_path / "shared.db")
    first, second = acquire_store(location), acquire_store(location)
    assert first is second
    release_store(location)
    assert first.outbox_size() == 0  # still open for the user that is left
    release_store(location)
    with pytest.raises(sqlite3.ProgrammingError):  # the last user closed it
        first.outbox_size()
    third = acquire_store(location)
    try:
        assert third is not first and third.outbox_size() == 0
    finally:
        release_store(location)


def test_a_store_of_version_1_gains_the_confidence_of_its_claims(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SqliteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE claims DROP COLUMN confidence")  # what a store of version 1 held
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    store = SqliteStore(path)
    commit(store, article("https://a.example/1"), [killed(600)])
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT confidence FROM claims").fetchall() == [(1.0,)]
    assert db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


def test_the_figure_reads_walk_an_index_of_the_sure_claims_alone(store: SqliteStore) -> None:
    from connectors.stores.ledger import _FIGURES  # the statement both stores send

    ledger = SqliteLedger(store._db)
    sql = ledger._sql(_FIGURES, where=ledger._sql("AND low * {p} <= {p} AND high * {p} >= {p}"), then="")
    plan = " ".join(row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + sql, ("t", "p", "u", 0.9, 1, 1.1, 1)))
    assert "COVERING INDEX claims_figures_sure" in plan
