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
    entry_from_json,
    entry_json,
    feed_state_from_json,
    feed_state_json,
    schema,
)
from connectors.stores.ledger import SqliteLedger
from pipeline.domain.records import Article, Claim, FeedEntry, FeedState, Fingerprint
from pipeline.judging import commit
from pipeline.ports.store import (
    Committed,
    Delivery,
    OutboxStats,
    Pending,
    StoredAlert,
    StoreError,
)

_SCHEMA = schema("sqlite")
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
        # Every statement of the schema is idempotent: running it again on a store of this version adds the tables
        # and indexes that came later within the version.
        present = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if version < SCHEMA_VERSION or not _SCHEMA_NAMES <= present:
            # Version 2 gave claims their confidence; SQLite has no ADD COLUMN IF NOT EXISTS, so a store of version
            # 1 is asked which columns it has (its claims were all read with full confidence).
            upgrade = ""
            if "claims" in present and "confidence" not in {row[1] for row in self._db.execute(
                    "PRAGMA table_info(claims)")}:
                upgrade = "ALTER TABLE claims ADD COLUMN confidence REAL NOT NULL DEFAULT 1;"
            # IMMEDIATE: another process may open the store at the same moment; a deferred transaction that must
            # upgrade to a write lock fails at once with "database is locked" instead of waiting its turn.
            try:
                self._db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + upgrade + "INSERT OR REPLACE INTO meta VALUES "
                                       f"('schema_version', '{SCHEMA_VERSION}'); COMMIT;")
            except sqlite3.OperationalError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if "duplicate column name" not in str(exc):
                    raise
                self._migrate()  # the other process upgraded it between our look and our lock: look again

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
                       sinks: Sequence[str], tolerance: float, now: datetime,
                       min_confidence: float = 0.0) -> Committed:
        # BEGIN IMMEDIATE takes the write lock first: the history read and the claims written are one step.
        with self._transaction() as db:
            return commit.commit_article(SqliteLedger(db), article, fingerprint, claims, sinks=sinks,
                                         tolerance=tolerance, now=now, min_confidence=min_confidence)

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
