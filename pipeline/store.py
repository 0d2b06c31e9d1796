"""What guetteur remembers across restarts, as a narrow interface that SQLite and PostgreSQL both implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pipeline.errors import GuetteurError
from pipeline.fingerprint import Fingerprint
from pipeline.records import Article, Claim, FeedEntry
from pipeline.schedule import FeedState

SCHEMA_VERSION = 1


class StoreError(GuetteurError):
    """The store cannot be used (corrupt, newer schema, unreachable); the message is one line."""


@dataclass(frozen=True, slots=True)
class Committed:
    """What committing an article did: its judgements and the alerts put in the outbox."""

    judgements: tuple[Any, ...]  # pipeline.records.Judgement
    alerts: tuple[dict[str, Any], ...]
    duplicate_of: str | None = None
    already_processed: bool = False


@dataclass(frozen=True, slots=True)
class Pending:
    """An alert waiting in the outbox for one sink."""

    alert_id: str
    sink: str
    body: str  # the alert JSON, exactly as it will be sent every time
    attempts: int


class Store(Protocol):
    def close(self) -> None: ...

    # Feeds: schedules and validators survive restarts.
    def load_feed_states(self) -> dict[str, FeedState]: ...
    def save_feed_state(self, state: FeedState) -> None: ...

    # Entries: an entry taken in once is never fetched again.
    def is_new_entry(self, entry_id: str, url: str) -> bool: ...
    def record_entry(self, entry_id: str, url: str, feed: str, outcome: str, at: datetime) -> None: ...
    # Entries handed to the flow are pending until finished: a crash or a stop leaves them to the next run.
    def add_pending_entries(self, entries: Sequence[FeedEntry]) -> None: ...
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

    def pending(self, sink: str, limit: int = 100) -> list[Pending]: ...
    def mark_delivered(self, alert_id: str, sink: str, at: datetime) -> None: ...
    def outbox_size(self) -> int: ...


def open_store(location: str) -> Store:
    """The store a config names: a SQLite path (the embedded default) or a postgresql:// URL."""
    if location.startswith(("postgresql://", "postgres://")):
        raise StoreError("store.url: a PostgreSQL store is not available in this version; use store.path")
    from connectors.sqlite_store import SqliteStore

    return SqliteStore(location)
