"""The embedded store: one SQLite file in WAL mode, schema-versioned and integrity-checked at start."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from pipeline.alerts import alert_id, build_alert
from pipeline.fingerprint import DUPLICATE_JACCARD, Fingerprint
from pipeline.novelty import History, Identity, identity, judge_article
from pipeline.records import Article, Claim, FeedEntry, Judgement, PriorFigure
from pipeline.schedule import FeedState
from pipeline.store import SCHEMA_VERSION, Committed, Delivery, OutboxStats, Pending, StoredAlert, StoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed_states (name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    entry_id TEXT PRIMARY KEY, url TEXT NOT NULL, feed TEXT NOT NULL, outcome TEXT NOT NULL, seen_at TEXT NOT NULL,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS entries_pending ON entries(outcome) WHERE outcome = 'pending';
CREATE INDEX IF NOT EXISTS entries_url ON entries(url);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY, entry_id TEXT, outlet TEXT, title TEXT, published TEXT, language TEXT,
    signature BLOB NOT NULL, duplicate_of TEXT, processed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS article_bands_key ON article_bands(band, hash);
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY, article_url TEXT NOT NULL, topic TEXT NOT NULL, predicate TEXT NOT NULL,
    low REAL, high REAL, unit TEXT, attributed_to TEXT, hedged INTEGER NOT NULL, place TEXT, act TEXT,
    event_date TEXT, quantitative INTEGER NOT NULL, evidence TEXT NOT NULL, judgement TEXT NOT NULL,
    alert_id TEXT, seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_topic_predicate ON claims(topic, predicate);
CREATE INDEX IF NOT EXISTS claims_article ON claims(article_url);
CREATE TABLE IF NOT EXISTS alerts (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT, delivered_at TEXT, UNIQUE (alert_id, sink)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(sink, state, seq);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);
CREATE TABLE IF NOT EXISTS disabled_sinks (sink TEXT PRIMARY KEY, since TEXT NOT NULL, reason TEXT NOT NULL);
"""
_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", _SCHEMA))


class SqliteStore:
    """The Store of pipeline.store on one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: str | Path, *, check_integrity: bool = True) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE, so a judgement reads
            # the history and writes its claims under the same write lock.
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
            self._db.execute("PRAGMA foreign_keys=ON")
            if check_integrity:  # once per process, at start: it reads the whole file
                self._check_integrity()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store {self.path}: {exc}") from None

    def _check_integrity(self) -> None:
        result = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"store {self.path} failed its integrity check: {result}")

    def _migrate(self) -> None:
        exists = self._db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        version = 0
        if exists:
            row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.path} has schema version {version}, newer than this guetteur "
                             f"({SCHEMA_VERSION}): upgrade guetteur")
        # Every statement of the schema is IF NOT EXISTS: running it again on a store of this version adds the
        # tables and indexes that came later within the version (no store of version 1 has been released).
        present = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if version < SCHEMA_VERSION or not _SCHEMA_NAMES <= present:
            # IMMEDIATE: several connections open at once (one per stage); a deferred transaction that must
            # upgrade to a write lock fails at once with "database is locked" instead of waiting its turn.
            self._db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + f"INSERT OR REPLACE INTO meta VALUES ('schema_version', "
                                   f"'{SCHEMA_VERSION}'); COMMIT;")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- feeds
    def load_feed_states(self) -> dict[str, FeedState]:
        with self._lock:
            rows = self._db.execute("SELECT state FROM feed_states").fetchall()
        states = [FeedState(**json.loads(row[0])) for row in rows]
        return {s.name: s for s in states}

    def save_feed_state(self, state: FeedState) -> None:
        data = asdict(state)
        if data["next_poll"] == float("inf"):
            data["next_poll"] = 1e18  # JSON has no infinity; a gone feed is never due anyway
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO feed_states VALUES (?, ?)", (state.name, json.dumps(data)))

    # --- entries
    def is_new_entry(self, entry_id: str, url: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM entries WHERE entry_id = ? OR (url = ? AND url != '')",
                                   (entry_id, url)).fetchone()
        return row is None

    def record_entry(self, entry_id: str, url: str, feed: str, outcome: str, at: datetime) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, NULL)",
                       (entry_id, url, feed, outcome, at.isoformat()))

    def add_pending_entries(self, entries: Sequence[FeedEntry]) -> None:
        if not entries:
            return
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?, ?, 'pending', ?, ?)",
                           [(e.entry_id, e.url, e.feed, e.published.isoformat(), _entry_json(e)) for e in entries])

    def pending_entries(self) -> list[FeedEntry]:
        with self._lock:
            rows = self._db.execute("SELECT payload FROM entries WHERE outcome = 'pending' AND payload IS NOT NULL "
                                    "ORDER BY seen_at").fetchall()
        return [_entry_from_json(row[0]) for row in rows]

    def finish_entry(self, entry_id: str, outcome: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE entries SET outcome = ?, payload = NULL WHERE entry_id = ?", (outcome, entry_id))

    # --- articles and claims
    def _duplicate_of(self, db: sqlite3.Connection, url: str, fingerprint: Fingerprint) -> str | None:
        candidates: set[str] = set()
        for band, value in enumerate(fingerprint.bands):
            candidates.update(r[0] for r in db.execute(
                "SELECT url FROM article_bands WHERE band = ? AND hash = ?", (band, value)))
        candidates.discard(url)
        best, best_score = None, DUPLICATE_JACCARD
        for candidate in sorted(candidates):
            row = db.execute("SELECT signature, duplicate_of FROM articles WHERE url = ?", (candidate,)).fetchone()
            if row and fingerprint.similarity(row[0]) >= best_score:
                best, best_score = row[1] or candidate, fingerprint.similarity(row[0])
        return best

    def _history(self, db: sqlite3.Connection, topic: str, predicate: str) -> History:
        rows = db.execute(
            "SELECT low, high, unit, attributed_to, seen_at, article_url, place, act, event_date, quantitative "
            "FROM claims WHERE topic = ? AND predicate = ? ORDER BY id", (topic, predicate)).fetchall()
        # One entry per distinct figure and source, the first time it was seen: what `previous` lists.
        figures = tuple({(r[0], r[1], r[2], r[3]): PriorFigure(r[0], r[1], r[2], r[3], r[4], r[5])
                         for r in reversed(rows) if r[0] is not None}.values())[::-1]
        identities = tuple(
            identity(Claim(topic, predicate, "", place=r[6], act=r[7], event_date=r[8])) for r in rows if not r[9])
        return History(figures=figures, mentioned=bool(rows), identities=_unique(identities))

    def commit_article(self, article: Article, fingerprint: Fingerprint, claims: Sequence[Claim], *,
                       sinks: Sequence[str], tolerance: float, now: datetime) -> Committed:
        seen_at = now.isoformat()
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM articles WHERE url = ?", (article.url,)).fetchone():
                return Committed((), (), already_processed=True)
            duplicate_of = self._duplicate_of(db, article.url, fingerprint)
            copied = {r[0] for r in db.execute("SELECT evidence FROM claims WHERE article_url = ?",
                                               (duplicate_of,))} if duplicate_of else set()
            judgements = [
                Judgement(j.claim, "syndicated") if j.alerts and j.claim.evidence in copied else j
                for j in judge_article(claims, lambda t, p: self._history(db, t, p), article_url=article.url,
                                       seen_at=seen_at, tolerance=tolerance)
            ]
            db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (article.url, article.entry_id, article.outlet, article.title, article.published.isoformat(),
                        article.language, fingerprint.signature, duplicate_of, seen_at))
            db.executemany("INSERT INTO article_bands VALUES (?, ?, ?)",
                           [(band, value, article.url) for band, value in enumerate(fingerprint.bands)])
            alerts = []
            for judgement in judgements:
                c = judgement.claim
                the_id = alert_id(judgement, article.url) if judgement.alerts else None
                db.execute(
                    "INSERT INTO claims (article_url, topic, predicate, low, high, unit, attributed_to, hedged, place, "
                    "act, event_date, quantitative, evidence, judgement, alert_id, seen_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (article.url, c.topic, c.predicate, c.figure.low if c.figure else None,
                     c.figure.high if c.figure else None, c.figure.unit if c.figure else None, c.attributed_to,
                     int(c.hedged), c.place, c.act, c.event_date, int(c.quantitative), c.evidence, judgement.kind,
                     the_id, seen_at))
                if the_id is None:
                    continue
                alert = build_alert(judgement, article, now)
                body = json.dumps(alert, ensure_ascii=False, sort_keys=False)
                inserted = db.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?, ?)", (the_id, seen_at, body))
                if inserted.rowcount:
                    db.executemany("INSERT OR IGNORE INTO outbox (alert_id, sink) VALUES (?, ?)",
                                   [(the_id, sink) for sink in sinks])
                    alerts.append(alert)
            if article.entry_id:
                db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, NULL)",
                           (article.entry_id, article.url, article.feed, "processed", seen_at))
        return Committed(tuple(judgements), tuple(alerts), duplicate_of=duplicate_of)

    # --- outbox
    def pending(self, sink: str, limit: int = 100) -> list[Pending]:
        with self._lock:
            rows = self._db.execute(
                "SELECT o.alert_id, o.sink, a.body, o.attempts, o.next_attempt, o.last_error FROM outbox o "
                "JOIN alerts a ON a.id = o.alert_id WHERE o.sink = ? AND o.state = 'pending' ORDER BY o.seq LIMIT ?",
                (sink, limit)).fetchall()
        return [Pending(*row) for row in rows]

    def mark_delivered(self, alert_id: str, sink: str, at: datetime) -> None:
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, "
                       "last_error = NULL WHERE alert_id = ? AND sink = ?", (at.isoformat(), alert_id, sink))

    def record_failure(self, alert_id: str, sink: str, *, error: str, next_attempt: float | None,
                       counted: bool = True) -> None:
        """A failed attempt: retried from `next_attempt` on, or a dead letter when it is None.

        `counted=False` records the error without spending a retry (an attempt at a sink that is gone).
        """
        state = "pending" if next_attempt is not None else "dead"
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = ?, attempts = attempts + ?, next_attempt = ?, last_error = ? "
                       "WHERE alert_id = ? AND sink = ? AND state = 'pending'",
                       (state, int(counted), next_attempt or 0.0, error[:500], alert_id, sink))

    def outbox_size(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0])

    def outbox_stats(self) -> OutboxStats:
        with self._lock:
            pending, first = self._db.execute(
                "SELECT COUNT(*), MIN(seq) FROM outbox WHERE state = 'pending'").fetchone()
            dead = self._db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'dead'").fetchone()[0]
            oldest = None
            if first is not None:
                oldest = self._db.execute("SELECT a.created_at FROM outbox o JOIN alerts a ON a.id = o.alert_id "
                                          "WHERE o.seq = ?", (first,)).fetchone()[0]
        return OutboxStats(int(pending), oldest, int(dead))

    # --- sinks
    def disable_sink(self, sink: str, reason: str, at: datetime) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO disabled_sinks VALUES (?, ?, ?)", (sink, at.isoformat(), reason[:500]))

    def enable_sink(self, sink: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM disabled_sinks WHERE sink = ?", (sink,)).rowcount > 0

    def disabled_sinks(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT sink, since, reason FROM disabled_sinks").fetchall()
        return {sink: (since, reason) for sink, since, reason in rows}

    def sink_counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            rows = self._db.execute("SELECT sink, state, COUNT(*) FROM outbox GROUP BY sink, state").fetchall()
        counts: dict[str, dict[str, int]] = {}
        for sink, state, count in rows:
            counts.setdefault(sink, {})[state] = int(count)
        return counts

    # --- reading and repairing deliveries (`guetteur alerts`)
    def _stored(self, rows: list[tuple[str, str, str]]) -> list[StoredAlert]:
        alerts = []
        for the_id, created_at, body in rows:
            deliveries = self._db.execute(
                "SELECT sink, state, attempts, next_attempt, last_error, delivered_at FROM outbox WHERE alert_id = ? "
                "ORDER BY seq", (the_id,)).fetchall()
            alerts.append(StoredAlert(the_id, created_at, body, tuple(Delivery(*row) for row in deliveries)))
        return alerts

    def recent_alerts(self, limit: int, state: str | None = None) -> list[StoredAlert]:
        """The newest alerts first; with `state`, only those in that state at one sink at least."""
        with self._lock:
            if state is None:
                rows = self._db.execute("SELECT id, created_at, body FROM alerts ORDER BY rowid DESC LIMIT ?",
                                        (limit,)).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT id, created_at, body FROM alerts WHERE id IN (SELECT alert_id FROM outbox WHERE state = ?)"
                    " ORDER BY rowid DESC LIMIT ?", (state, limit)).fetchall()
            return self._stored(rows)

    def find_alerts(self, id_prefix: str, limit: int = 2) -> list[StoredAlert]:
        with self._lock:
            rows = self._db.execute("SELECT id, created_at, body FROM alerts WHERE substr(id, 1, ?) = ? "
                                    "ORDER BY rowid LIMIT ?", (len(id_prefix), id_prefix, limit)).fetchall()
            return self._stored(rows)

    def dead_letters(self, sink: str | None = None) -> list[Pending]:
        with self._lock:
            rows = self._db.execute(
                "SELECT o.alert_id, o.sink, a.body, o.attempts, o.next_attempt, o.last_error FROM outbox o "
                "JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'dead' AND (? IS NULL OR o.sink = ?) "
                "ORDER BY o.seq", (sink, sink)).fetchall()
        return [Pending(*row) for row in rows]

    def requeue(self, alert_id: str, sink: str) -> None:
        """Deliver the alert to the sink again, whatever its state there, with all its retries."""
        with self._transaction() as db:
            db.execute("INSERT INTO outbox (alert_id, sink) VALUES (?, ?) ON CONFLICT (alert_id, sink) DO UPDATE SET "
                       "state = 'pending', attempts = 0, next_attempt = 0, last_error = NULL, delivered_at = NULL",
                       (alert_id, sink))

    def retry_dead(self, alert_ids: Sequence[str] | None = None, sink: str | None = None) -> list[tuple[str, str]]:
        """Dead letters (all, or these alerts', or one sink's) back to pending with all their retries."""
        revive = ("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = 0 WHERE state = 'dead' "
                  "AND (? IS NULL OR sink = ?) AND (? IS NULL OR alert_id = ?) RETURNING seq, alert_id, sink")
        rows: list[tuple[int, str, str]] = []
        with self._transaction() as db:
            for the_id in (None,) if alert_ids is None else alert_ids:
                rows += db.execute(revive, (sink, sink, the_id, the_id)).fetchall()
        return [(alert, sink_key) for _, alert, sink_key in sorted(rows)]


def _entry_json(entry: FeedEntry) -> str:
    data = asdict(entry)
    data["published"] = entry.published.isoformat()
    return json.dumps(data, ensure_ascii=False)


def _entry_from_json(text: str) -> FeedEntry:
    data = json.loads(text)
    data["published"] = datetime.fromisoformat(data["published"])
    return FeedEntry(**data)


def _unique(identities: tuple[Identity, ...]) -> tuple[Identity, ...]:
    return tuple(dict.fromkeys(identities))
