"""The embedded store: one SQLite file in WAL mode, schema-versioned and integrity-checked at start."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from connectors.stores.common import (
    SCHEMA_VERSION,
    claim_values,
    entry_from_json,
    entry_json,
    feed_state_from_json,
    feed_state_json,
)
from pipeline.domain.records import Article, Claim, FeedEntry, FeedState, Fingerprint, Judgement
from pipeline.judging import commit
from pipeline.ports.store import (
    Committed,
    Delivery,
    FigureRow,
    IdentityRow,
    OutboxStats,
    Pending,
    StoredAlert,
    StoreError,
)

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
-- Covers the figure reads of judging: their GROUP BY walks the index, the table is read once per distinct figure.
CREATE INDEX IF NOT EXISTS claims_figures ON claims(topic, predicate, unit, low, high, attributed_to);
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
# Distinct (low, high, attributed_to) of one unit, as FigureRow: the id of the latest record, then the
# first record's values.
_FIGURES = ("SELECT g.last, c.low, c.high, c.unit, c.attributed_to, c.seen_at, c.article_url FROM "
            "(SELECT MIN(id) AS first, MAX(id) AS last FROM claims WHERE topic = ? AND predicate = ? AND unit IS ? "
            "AND low IS NOT NULL {where} GROUP BY low, high, attributed_to {then}) AS g "
            "JOIN claims AS c ON c.id = g.first")
_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", _SCHEMA))


class SqliteStore:
    """The Store of pipeline.ports.store on one SQLite file; safe to share between threads of one process."""

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
        states = [feed_state_from_json(row[0]) for row in rows]
        return {s.name: s for s in states}

    def save_feed_state(self, state: FeedState) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO feed_states VALUES (?, ?)", (state.name, feed_state_json(state)))

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

    def add_pending_entries(self, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        if not entries:
            return []
        with self._transaction() as db:
            return [e for e in entries if db.execute(
                "INSERT OR IGNORE INTO entries VALUES (?, ?, ?, 'pending', ?, ?)",
                (e.entry_id, e.url, e.feed, e.published.isoformat(), entry_json(e))).rowcount]

    def pending_entries(self) -> list[FeedEntry]:
        with self._lock:
            rows = self._db.execute("SELECT payload FROM entries WHERE outcome = 'pending' AND payload IS NOT NULL "
                                    "ORDER BY seen_at").fetchall()
        return [entry_from_json(row[0]) for row in rows]

    def finish_entry(self, entry_id: str, outcome: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE entries SET outcome = ?, payload = NULL WHERE entry_id = ?", (outcome, entry_id))

    # --- articles and claims
    def commit_article(self, article: Article, fingerprint: Fingerprint, claims: Sequence[Claim], *,
                       sinks: Sequence[str], tolerance: float, now: datetime) -> Committed:
        # BEGIN IMMEDIATE takes the write lock first: the history read and the claims written are one step.
        with self._transaction() as db:
            return commit.commit_article(_Ledger(db), article, fingerprint, claims, sinks=sinks, tolerance=tolerance,
                                         now=now)

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


class _Ledger:
    """The SQL of commit.commit_article on a connection inside a transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def has_article(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None

    def sharing_bands(self, bands: Sequence[int], limit: int) -> list[tuple[str, bytes, str | None]]:
        keys = ", ".join("(?, ?)" for _ in bands)
        return self.db.execute(
            f"WITH k(band, hash) AS (VALUES {keys}) SELECT a.url, a.signature, a.duplicate_of FROM "
            "(SELECT b.url, COUNT(*) AS shared FROM k JOIN article_bands AS b ON b.band = k.band AND b.hash = k.hash "
            "GROUP BY b.url) AS m JOIN articles AS a ON a.url = m.url ORDER BY m.shared DESC, a.processed_at, a.url "
            "LIMIT ?", [*(x for pair in enumerate(bands) for x in pair), limit]).fetchall()

    def evidence(self, url: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT evidence FROM claims WHERE article_url = ?", (url,))}

    def mentioned(self, topic: str, predicate: str) -> bool:
        return self.db.execute("SELECT 1 FROM claims WHERE topic = ? AND predicate = ? LIMIT 1",
                               (topic, predicate)).fetchone() is not None

    def identities(self, topic: str, predicate: str) -> list[IdentityRow]:
        return self.db.execute("SELECT DISTINCT place, act, event_date FROM claims WHERE topic = ? AND predicate = ? "
                               "AND NOT quantitative ORDER BY place, act, event_date", (topic, predicate)).fetchall()

    def figures_meeting(self, topic: str, predicate: str, unit: str | None, low: float, high: float,
                        tolerance: float) -> list[FigureRow]:
        # The factors are computed in Python, as novelty.meets does, so both round alike at the boundary.
        sql = _FIGURES.format(where="AND low * ? <= ? AND high * ? >= ?", then="")
        return self.db.execute(sql, (topic, predicate, unit, 1 - tolerance, high, 1 + tolerance, low)).fetchall()

    def latest_figures(self, topic: str, predicate: str, unit: str | None, count: int) -> list[FigureRow]:
        sql = _FIGURES.format(where="", then="ORDER BY last DESC LIMIT ?")
        return self.db.execute(sql, (topic, predicate, unit, count)).fetchall()

    def add_article(self, article: Article, fingerprint: Fingerprint, duplicate_of: str | None, seen_at: str) -> bool:
        added = self.db.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.url, article.entry_id, article.outlet, article.title, article.published.isoformat(),
             article.language, fingerprint.signature, duplicate_of, seen_at)).rowcount > 0
        if added:
            self.db.executemany("INSERT INTO article_bands VALUES (?, ?, ?)",
                                [(band, value, article.url) for band, value in enumerate(fingerprint.bands)])
        return added

    def add_claim(self, article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> None:
        self.db.execute(
            "INSERT INTO claims (article_url, topic, predicate, low, high, unit, attributed_to, hedged, place, act, "
            "event_date, quantitative, evidence, judgement, alert_id, seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            claim_values(article_url, judgement, alert_id, seen_at))

    def add_alert(self, alert_id: str, created_at: str, body: str, sinks: Sequence[str]) -> bool:
        if not self.db.execute("INSERT OR IGNORE INTO alerts VALUES (?, ?, ?)", (alert_id, created_at, body)).rowcount:
            return False
        self.db.executemany("INSERT OR IGNORE INTO outbox (alert_id, sink) VALUES (?, ?)",
                            [(alert_id, sink) for sink in sinks])
        return True

    def entry_processed(self, article: Article, seen_at: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, NULL)",
                        (article.entry_id, article.url, article.feed, "processed", seen_at))
