"""What guetteur remembers across restarts, as a narrow interface that SQLite and PostgreSQL both implement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.domain.errors import GuetteurError
from pipeline.ingest.fingerprint import Fingerprint
from pipeline.domain.records import Article, Claim, FeedEntry
from pipeline.ingest.schedule import FeedState
from pipeline.runtime.process import PerProcess

SCHEMA_VERSION = 1
POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # a [store] url; anything else is a SQLite path


class StoreError(GuetteurError):
    """The store cannot be used (corrupt, newer schema, unreachable); the message is one line."""


@dataclass(frozen=True, slots=True)
class Committed:
    """What committing an article did: its judgements and the alerts put in the outbox."""

    judgements: tuple[Any, ...]  # pipeline.domain.records.Judgement
    alerts: tuple[dict[str, Any], ...]
    duplicate_of: str | None = None
    already_processed: bool = False


@dataclass(frozen=True, slots=True)
class Pending:
    """An alert waiting in the outbox for one sink (or, in the dead letters, no longer waiting)."""

    alert_id: str
    sink: str
    body: str  # the alert JSON, exactly as it will be sent every time
    attempts: int
    next_attempt: float = 0.0  # POSIX time before which it is not sent again
    last_error: str | None = None


# The states of an alert at a sink. A sink disabled by a 410 keeps its alerts pending until it is enabled again.
DELIVERY_STATES = ("pending", "delivered", "dead")


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where one alert stands at one sink."""

    sink: str
    state: str  # one of DELIVERY_STATES
    attempts: int
    next_attempt: float
    last_error: str | None
    delivered_at: str | None


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert as kept in the store, with its delivery at each sink."""

    id: str
    created_at: str
    body: str
    deliveries: tuple[Delivery, ...]


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_pending: str | None  # created_at of the oldest alert still pending somewhere
    dead: int


class Store(Protocol):
    def close(self) -> None: ...

    # Feeds: schedules and validators survive restarts.
    def load_feed_states(self) -> dict[str, FeedState]: ...
    def save_feed_state(self, state: FeedState) -> None: ...

    # Entries: an entry taken in once is never fetched again.
    def is_new_entry(self, entry_id: str, url: str) -> bool: ...
    def record_entry(self, entry_id: str, url: str, feed: str, outcome: str, at: datetime) -> None: ...
    # Entries handed to the flow are pending until finished: a crash or a stop leaves them to the next run.
    # Adding returns the entries this call took in, in their order: with workers sharing a store, an entry that
    # two of them polled at once is the one worker's whose call inserted it, and only that worker fetches it.
    def add_pending_entries(self, entries: Sequence[FeedEntry]) -> list[FeedEntry]: ...
    # Pending entries not held by another running worker (a shared store): those of a stop or a crash.
    def pending_entries(self) -> list[FeedEntry]: ...
    def finish_entry(self, entry_id: str, outcome: str) -> None: ...

    # Articles, claims and the outbox, judged and written in one transaction.
    def commit_article(
        self,
        article: Article,
        fingerprint: Fingerprint,
        claims: Sequence[Claim],
        *,
        sinks: Sequence[str],
        tolerance: float,
        now: datetime,
    ) -> Committed: ...

    # The outbox: one row per alert and sink, delivered in creation order within each sink. A shared store hands
    # each due row to one worker at a time: rows another worker holds come back not due (see PostgresStore.pending).
    def pending(self, sink: str, limit: int = 100) -> list[Pending]: ...
    def mark_delivered(self, alert_id: str, sink: str, at: datetime) -> None: ...
    def record_failure(self, alert_id: str, sink: str, *, error: str, next_attempt: float | None,
                       counted: bool = True) -> None: ...  # next_attempt None: a dead letter
    def outbox_size(self) -> int: ...
    def outbox_stats(self) -> OutboxStats: ...

    # Sinks disabled by a 410 Gone, until a person enables them again.
    def disable_sink(self, sink: str, reason: str, at: datetime) -> None: ...
    def enable_sink(self, sink: str) -> bool: ...
    def disabled_sinks(self) -> dict[str, tuple[str, str]]: ...  # sink -> (since, reason)
    def sink_counts(self) -> dict[str, dict[str, int]]: ...  # sink -> state -> alerts

    # What `guetteur alerts` reads and does.
    def recent_alerts(self, limit: int, state: str | None = None) -> list[StoredAlert]: ...
    def find_alerts(self, id_prefix: str, limit: int = 2) -> list[StoredAlert]: ...
    def dead_letters(self, sink: str | None = None) -> list[Pending]: ...
    def requeue(self, alert_id: str, sink: str) -> None: ...
    def retry_dead(self, alert_ids: Sequence[str] | None = None, sink: str | None = None) -> list[tuple[str, str]]: ...


def open_store(location: str, *, check_integrity: bool = True) -> Store:
    """The store a config names: a SQLite path (the embedded default) or a postgresql:// URL.

    The integrity check reads the whole store: the process runs it once at start, not every stage's connection.
    """
    if location.startswith(POSTGRES_SCHEMES):
        from connectors.stores.postgres import PostgresStore  # psycopg is only loaded where a URL is configured

        return PostgresStore(location, check_integrity=check_integrity)
    from connectors.stores.sqlite import SqliteStore

    return SqliteStore(location, check_integrity=check_integrity)


# One store per process and location, shared by every stage instance (both stores serialise their threads). Beam's
# SDK harness keeps a DoFn instance for every bundle that ever ran beside another: with a connection each, the soak
# held 14 SQLite connections, each with its own page cache, growing with the number of instances.
_stores: PerProcess[str, Store] = PerProcess(close=lambda store: store.close())


def acquire_store(location: str) -> Store:
    """The process's store for `location`, opened on first use (without the integrity check: run_command did it)."""
    return _stores.acquire(location, lambda: open_store(location, check_integrity=False))


def release_store(location: str) -> None:
    """One user fewer; the last one closes the store."""
    _stores.release(location)


def redacted(location: str) -> str:
    """The store's location fit for a log line or an error: a URL without its password (in the netloc or query)."""
    if not location.startswith(POSTGRES_SCHEMES):
        return location
    parts = urlsplit(location)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{hostport}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


# --- how both stores keep feed states and entries: JSON text, so that every field survives as written


def feed_state_json(state: FeedState) -> str:
    data = asdict(state)
    if data["next_poll"] == float("inf"):
        data["next_poll"] = 1e18  # JSON has no infinity; a gone feed is never due anyway
    return json.dumps(data)


def feed_state_from_json(text: str) -> FeedState:
    return FeedState(**json.loads(text))


def entry_json(entry: FeedEntry) -> str:
    data = asdict(entry)
    data["published"] = entry.published.isoformat()
    return json.dumps(data, ensure_ascii=False)


def entry_from_json(text: str) -> FeedEntry:
    data = json.loads(text)
    data["published"] = datetime.fromisoformat(data["published"])
    return FeedEntry(**data)
