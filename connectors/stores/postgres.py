"""The shared store: one PostgreSQL database (psycopg 3) that several workers judge, poll and deliver from at once.

What makes sharing safe, each by construction rather than by timing:
- an entry belongs to the worker whose insert took it in; another running worker never fetches it;
- judgements of a topic are taken one at a time (an advisory lock per topic), and an article is written once;
- each due outbox row is leased to one worker, which alone sends it (see `pending`).
A worker is "running" while any of its connections holds a shared advisory lock on its id: PostgreSQL drops it
when the connection goes, so what a worker that exited or died held is free again at once.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from connectors.stores.common import (
    SCHEMA_VERSION,
    entry_from_json,
    entry_json,
    feed_state_from_json,
    feed_state_json,
    redacted,
    schema,
)
from connectors.stores.leases import hand_out
from connectors.stores.ledger import PG_REPLACE_ENTRY, PostgresLedger
from pipeline.config import defaults as settings
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

_SCHEMA = schema("postgres")  # SQLite's, in PostgreSQL's types (schema/postgres.sql says why)
_SCHEMA_NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", _SCHEMA))

# The first key of PostgreSQL's two-key advisory locks: one namespace per kind of thing locked.
_SCHEMA_LOCK = 0x47550001  # creating or upgrading the schema
_TOPIC_LOCK = 0x47550002  # judging the claims of one topic
_SINK_LOCK = 0x47550003  # handing out the outbox rows of one sink
_ALIVE_LOCK = 0x47550004  # held, shared, by every connection of a running worker

# The ids of the running workers of this database: the holders of _ALIVE_LOCK (two-key locks show objsubid 2).
_ALIVE = ("SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %(alive_lock)s "
          "AND objsubid = 2 AND granted "
          "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")


_workers: dict[int, int] = {}


def process_worker() -> int:
    """This process's worker id: random (hosts share no counter), and a forked child's is its own."""
    pid = os.getpid()
    if pid not in _workers:
        _workers[pid] = secrets.randbelow(2**31 - 2) + 1  # a positive int4: pg_locks shows it unchanged
    return _workers[pid]


def lock_key(name: str) -> int:
    """A stable int4 for an advisory lock on a name (a topic, a sink): the same in every worker."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "big", signed=True)


def _first(cur: psycopg.Cursor[Any]) -> tuple[Any, ...]:
    """The first row of a query that always returns one (an aggregate, a function call)."""
    row = cur.fetchone()
    if row is None:
        raise StoreError("the store returned no row where it always returns one")
    return tuple(row)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class PostgresStore:
    """The Store of pipeline.ports.store on a PostgreSQL database, for every worker that names the same URL.

    One connection per store, shared by the threads of a process under a lock, like SqliteStore. `worker` is who
    this store acts for (the process, by default: its stages and its deliverer are one worker); `lease` is how long
    the outbox rows it takes stay its own (settings.OUTBOX_LEASE).
    """

    def __init__(self, url: str, *, check_integrity: bool = True, worker: int | None = None,
                 lease: float = settings.OUTBOX_LEASE) -> None:
        # check_integrity is SQLite's whole-file read at start; PostgreSQL checks its own pages as it reads them.
        self.url = url
        self.name = redacted(url)
        self.worker = worker or process_worker()
        self.lease = lease
        self._lock = threading.RLock()
        self._closed = False
        self._db = self._connect()
        try:
            self._migrate()
        except psycopg.Error as exc:
            self._db.close()
            raise StoreError(f"store {self.name}: {_one_line(exc)}") from None
        except StoreError:
            self._db.close()
            raise

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            options: dict[str, Any] = {}
            if "connect_timeout" not in conninfo_to_dict(self.url):
                options["connect_timeout"] = settings.STORE_CONNECT_TIMEOUT
            db = psycopg.connect(self.url, autocommit=True, **options)
        except psycopg.Error as exc:
            raise StoreError(f"store {self.name}: {_one_line(exc)}") from None
        try:
            # Held for as long as this connection lives: how other workers know this one is running.
            db.execute("SELECT pg_advisory_lock_shared(%s, %s)", (_ALIVE_LOCK, self.worker))
        except psycopg.Error as exc:
            db.close()
            raise StoreError(f"store {self.name}: {_one_line(exc)}") from None
        return db

    def _connection(self) -> psycopg.Connection[Any]:
        """The connection, opened again when the server dropped it (a restart, a failover): a monitor runs for weeks.

        The call that met the dropped connection failed; its caller retries (the deliverer, the stages' drops).
        """
        if self._db.broken and not self._closed:
            self._db = self._connect()
        return self._db

    def _migrate(self) -> None:
        with self._transaction() as cur:
            if self._schema_version(cur) == SCHEMA_VERSION and _SCHEMA_NAMES <= self._names(cur):
                return
            # Two workers starting on an empty database would both create the tables, and one would fail on a name
            # the other took under it: the first to lock creates them, the second finds them there.
            cur.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_SCHEMA_LOCK,))
            self._schema_version(cur)  # again, now that no one else is migrating
            cur.execute(_SCHEMA)
            cur.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE SET "
                        "value = EXCLUDED.value", (str(SCHEMA_VERSION),))

    def _schema_version(self, cur: psycopg.Cursor[Any]) -> int:
        if _first(cur.execute("SELECT to_regclass('meta')"))[0] is None:
            return 0
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"store {self.name} has schema version {version}, newer than this guetteur "
                             f"({SCHEMA_VERSION}): upgrade guetteur")
        return version

    def _names(self, cur: psycopg.Cursor[Any]) -> set[str]:
        return {row[0] for row in cur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema()")}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        with self._lock:
            db = self._connection()
            with db.transaction(), db.cursor() as cur:
                yield cur

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement, a transaction of its own (autocommit); the rows it changed."""
        with self._lock:
            return self._connection().execute(sql, params).rowcount

    # --- feeds
    def load_feed_states(self) -> dict[str, FeedState]:
        states = [feed_state_from_json(row[0]) for row in self._rows("SELECT state FROM feed_states")]
        return {s.name: s for s in states}

    def save_feed_state(self, state: FeedState) -> None:
        self._execute("INSERT INTO feed_states VALUES (%s, %s) ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state",
                      (state.name, feed_state_json(state)))

    # --- entries
    def is_new_entry(self, entry_id: str, url: str) -> bool:
        return not self._rows("SELECT 1 FROM entries WHERE entry_id = %s OR (url = %s AND url <> '')", (entry_id, url))

    def record_entry(self, entry_id: str, url: str, feed: str, outcome: str, at: datetime) -> None:
        self._execute(PG_REPLACE_ENTRY, (entry_id, url, feed, outcome, at.isoformat()))

    def add_pending_entries(self, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
        """Take the entries in; those another worker inserted first (or at the same moment) are its, not ours."""
        if not entries:
            return []
        columns = [list(c) for c in zip(*[(e.entry_id, e.url, e.feed, e.published.isoformat(), entry_json(e))
                                           for e in entries], strict=True)]
        # The unique entry_id decides: of two workers inserting one entry at once, the second waits for the first
        # and then inserts nothing. In entry_id order, so that two workers never wait for each other in a cycle.
        taken = {row[0] for row in self._rows(
            "INSERT INTO entries SELECT entry_id, url, feed, 'pending', seen_at, payload, %s "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS e(entry_id, url, feed, seen_at, payload) ORDER BY entry_id ON CONFLICT DO NOTHING RETURNING entry_id",
            (self.worker, *columns))}
        claimed = []
        for entry in entries:
            if entry.entry_id in taken:
                taken.discard(entry.entry_id)  # an entry given twice is taken once
                claimed.append(entry)
        return claimed

    def pending_entries(self) -> list[FeedEntry]:
        """Pending entries that are ours or no running worker's (it stopped or died), taken over as ours."""
        rows = self._rows(
            f"WITH taken AS (SELECT entry_id FROM entries WHERE outcome = 'pending' AND payload IS NOT NULL "
            f"AND (claimed_by IS NULL OR claimed_by = %(me)s OR claimed_by NOT IN ({_ALIVE})) "
            f"FOR UPDATE SKIP LOCKED) "
            f"UPDATE entries e SET claimed_by = %(me)s FROM taken WHERE e.entry_id = taken.entry_id "
            f"RETURNING e.seen_at, e.payload", {"me": self.worker, "alive_lock": _ALIVE_LOCK})
        return [entry_from_json(payload) for _, payload in sorted(rows)]

    def finish_entry(self, entry_id: str, outcome: str) -> None:
        self._execute("UPDATE entries SET outcome = %s, payload = NULL, claimed_by = NULL WHERE entry_id = %s",
                      (outcome, entry_id))

    # --- articles and claims
    def commit_article(self, article: Article, fingerprint: Fingerprint, claims: Sequence[Claim], *,
                       sinks: Sequence[str], tolerance: float, now: datetime,
                       min_confidence: float = 0.0) -> Committed:
        with self._transaction() as cur:
            # One judgement at a time per topic, across workers: of two copies of a story judged at the same moment,
            # the second waits, then reads the claims of the first (each statement reads what is committed when it
            # starts), so the claim alerts once. Sorted: two articles never wait for each other's topics in a cycle.
            for topic in sorted({claim.topic for claim in claims}):
                cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_TOPIC_LOCK, lock_key(topic)))
            return commit.commit_article(PostgresLedger(cur), article, fingerprint, claims, sinks=sinks,
                                         tolerance=tolerance, now=now, min_confidence=min_confidence)

    # --- outbox
    def pending(self, sink: str, limit: int = 100) -> list[Pending]:
        """The sink's first pending rows in creation order; the due ones at their head are leased to this worker.

        Rows are handed to one worker at a time because two deliverers reading the same pending rows would both
        send them. A lease, not a lock held while sending: a send takes seconds and a transaction must not. The
        lease is this worker's for `lease` seconds, renewed as it records outcomes; a worker that exits or dies
        frees its rows at once (its connection takes its running lock with it), one that hangs frees them when the
        lease ends, and the next worker then sends them: at least once, as ever, with the same alert id.
        Rows another running worker holds come back not due, looked at again within HELD_RECHECK: the deliverer
        waits behind them, which keeps creation order across workers, and a drain waits for that worker to finish.
        """
        now = time.time()
        with self._transaction() as cur:
            # Hand-outs of one sink take turns, so each sees the leases the last one took.
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_SINK_LOCK, lock_key(sink)))
            alive = {row[0] for row in cur.execute(_ALIVE, {"alive_lock": _ALIVE_LOCK})}
            # SKIP LOCKED: a row locked now is being recorded by the worker that holds it; never wait on it.
            rows = cur.execute(
                "SELECT o.seq, o.alert_id, o.sink, a.body, o.attempts, o.next_attempt, o.last_error, o.lease_owner, "
                "o.lease_until FROM outbox o JOIN alerts a ON a.id = o.alert_id WHERE o.sink = %s "
                "AND o.state = 'pending' ORDER BY o.seq LIMIT %s FOR UPDATE OF o SKIP LOCKED", (sink, limit)).fetchall()
            handed, taken = hand_out(rows, self.worker, alive, now)
            if taken:
                cur.execute("UPDATE outbox SET lease_owner = %s, lease_until = %s WHERE seq = ANY(%s)",
                            (self.worker, now + self.lease, taken))
        return handed

    def _renew(self, cur: psycopg.Cursor[Any], sink: str) -> None:
        """A worker recording outcomes is alive and working through its rows: keep them its own."""
        now = time.time()
        cur.execute("UPDATE outbox SET lease_until = %s WHERE sink = %s AND state = 'pending' AND lease_owner = %s "
                    "AND lease_until < %s", (now + self.lease, sink, self.worker, now + self.lease / 2))

    def mark_delivered(self, alert_id: str, sink: str, at: datetime) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE outbox SET state = 'delivered', delivered_at = %s, attempts = attempts + 1, "
                        "last_error = NULL, lease_owner = NULL, lease_until = 0 WHERE alert_id = %s AND sink = %s",
                        (at.isoformat(), alert_id, sink))
            self._renew(cur, sink)

    def record_failure(self, alert_id: str, sink: str, *, error: str, next_attempt: float | None,
                       counted: bool = True) -> None:
        """A failed attempt: retried from `next_attempt` on (by whichever worker then takes it), or a dead letter."""
        state = "pending" if next_attempt is not None else "dead"
        with self._transaction() as cur:
            cur.execute("UPDATE outbox SET state = %s, attempts = attempts + %s, next_attempt = %s, last_error = %s, "
                        "lease_owner = NULL, lease_until = 0 WHERE alert_id = %s AND sink = %s AND state = 'pending'",
                        (state, int(counted), next_attempt or 0.0, error[:500], alert_id, sink))
            self._renew(cur, sink)

    def outbox_size(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")[0][0])

    def outbox_stats(self) -> OutboxStats:
        with self._transaction() as cur:  # one snapshot for the three numbers
            pending, first = _first(cur.execute("SELECT COUNT(*), MIN(seq) FROM outbox WHERE state = 'pending'"))
            dead = _first(cur.execute("SELECT COUNT(*) FROM outbox WHERE state = 'dead'"))[0]
            oldest = None
            if first is not None:
                oldest = _first(cur.execute("SELECT a.created_at FROM outbox o JOIN alerts a ON a.id = o.alert_id "
                                            "WHERE o.seq = %s", (first,)))[0]
        return OutboxStats(int(pending), oldest, int(dead))

    # --- sinks
    def disable_sink(self, sink: str, reason: str, at: datetime) -> None:
        self._execute("INSERT INTO disabled_sinks VALUES (%s, %s, %s) ON CONFLICT (sink) DO NOTHING",
                      (sink, at.isoformat(), reason[:500]))

    def enable_sink(self, sink: str) -> bool:
        return self._execute("DELETE FROM disabled_sinks WHERE sink = %s", (sink,)) > 0

    def disabled_sinks(self) -> dict[str, tuple[str, str]]:
        rows = self._rows("SELECT sink, since, reason FROM disabled_sinks")
        return {sink: (since, reason) for sink, since, reason in rows}

    def sink_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for sink, state, count in self._rows("SELECT sink, state, COUNT(*) FROM outbox GROUP BY sink, state"):
            counts.setdefault(sink, {})[state] = int(count)
        return counts

    # --- reading and repairing deliveries (`guetteur alerts`)
    def _stored(self, cur: psycopg.Cursor[Any], rows: list[tuple[Any, ...]]) -> list[StoredAlert]:
        alerts = []
        for the_id, created_at, body in rows:
            deliveries = cur.execute(
                "SELECT sink, state, attempts, next_attempt, last_error, delivered_at FROM outbox "
                "WHERE alert_id = %s ORDER BY seq", (the_id,)).fetchall()
            alerts.append(StoredAlert(the_id, created_at, body, tuple(Delivery(*row) for row in deliveries)))
        return alerts

    def recent_alerts(self, limit: int, state: str | None = None) -> list[StoredAlert]:
        """The newest alerts first; with `state`, only those in that state at one sink at least."""
        with self._transaction() as cur:
            if state is None:
                rows = cur.execute("SELECT id, created_at, body FROM alerts ORDER BY seq DESC LIMIT %s",
                                   (limit,)).fetchall()
            else:
                rows = cur.execute(
                    "SELECT id, created_at, body FROM alerts WHERE id IN (SELECT alert_id FROM outbox "
                    "WHERE state = %s) ORDER BY seq DESC LIMIT %s", (state, limit)).fetchall()
            return self._stored(cur, rows)

    def find_alerts(self, id_prefix: str, limit: int = 2) -> list[StoredAlert]:
        with self._transaction() as cur:
            rows = cur.execute("SELECT id, created_at, body FROM alerts WHERE left(id, %s) = %s ORDER BY seq LIMIT %s",
                               (len(id_prefix), id_prefix, limit)).fetchall()
            return self._stored(cur, rows)

    def dead_letters(self, sink: str | None = None) -> list[Pending]:
        where, params = ("", ()) if sink is None else (" AND o.sink = %s", (sink,))
        rows = self._rows(
            "SELECT o.alert_id, o.sink, a.body, o.attempts, o.next_attempt, o.last_error FROM outbox o "
            f"JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'dead'{where} ORDER BY o.seq", params)
        return [Pending(*row) for row in rows]

    def requeue(self, alert_id: str, sink: str) -> None:
        """Deliver the alert to the sink again, whatever its state there, with all its retries."""
        self._execute("INSERT INTO outbox (alert_id, sink) VALUES (%s, %s) ON CONFLICT (alert_id, sink) DO UPDATE "
                      "SET state = 'pending', attempts = 0, next_attempt = 0, last_error = NULL, delivered_at = NULL, "
                      "lease_owner = NULL, lease_until = 0", (alert_id, sink))

    def retry_dead(self, alert_ids: Sequence[str] | None = None, sink: str | None = None) -> list[tuple[str, str]]:
        """Dead letters (all, or these alerts', or one sink's) back to pending with all their retries."""
        revive = ("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt = 0, lease_owner = NULL, "
                  "lease_until = 0 WHERE state = 'dead'")
        if sink is not None:
            revive += " AND sink = %(sink)s"
        if alert_ids is not None:
            revive += " AND alert_id = ANY(%(ids)s)"
        with self._transaction() as cur:
            rows = cur.execute(revive + " RETURNING seq, alert_id, sink",
                               {"sink": sink, "ids": list(alert_ids or ())}).fetchall()
        return [(alert, sink_key) for _, alert, sink_key in sorted(rows)]
