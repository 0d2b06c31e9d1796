"""The store port: what guetteur remembers across restarts, as a narrow interface SQLite and PostgreSQL implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pipeline.domain.alert import Alert
from pipeline.domain.errors import GuetteurError
from pipeline.domain.records import Article, Claim, FeedEntry, FeedState, Fingerprint, Judgement


class StoreError(GuetteurError):
    """The store cannot be used (corrupt, newer schema, unreachable); the message is one line."""


@dataclass(frozen=True, slots=True)
class Committed:
    """What committing an article did: its judgements and the alerts put in the outbox."""

    judgements: tuple[Judgement, ...]
    alerts: tuple[Alert, ...]
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
        min_confidence: float = 0.0,
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


# One distinct figure and source recorded before: the id of its latest record, then low, high, unit, attributed_to,
# and the seen_at and article_url of its first record.
FigureRow = tuple[int, float, float, str, str | None, str, str]
# A doubtful claim as promotion compares it: low, high, unit, place, act, event_date.
DoubtRow = tuple[float | None, float | None, str | None, str | None, str | None, str | None]
# The parts of a qualitative claim its identity is made of: place, act, event_date.
IdentityRow = tuple[str | None, str | None, str | None]


class Ledger(Protocol):
    """The reads and writes of one commit, all inside the transaction of the store that provides them."""

    def has_article(self, url: str) -> bool: ...
    # (url, signature, duplicate_of) of the `limit` articles sharing the most bands with these: the most bands first,
    # then the earlier processed.
    def sharing_bands(self, bands: Sequence[int], limit: int) -> list[tuple[str, bytes, str | None]]: ...
    def evidence(self, url: str) -> set[str]: ...  # the evidence of every claim of an article
    # The history reads are bounded by what is distinct and near, not by how many claims were recorded: a story
    # followed for months gathers thousands of reprinted claims, and every article is judged against them.
    def mentioned(self, topic: str, predicate: str) -> bool: ...  # any claim recorded for them, doubtful ones apart
    def identities(self, topic: str, predicate: str) -> list[IdentityRow]: ...  # distinct, of qualitative claims
    # Doubtful claims (under [novelty] min_confidence) are recorded but never read back by these: they make nothing
    # known. Distinct figures of the unit whose interval widened by the tolerance meets [low, high] (novelty.meets).
    def figures_meeting(self, topic: str, predicate: str, unit: str | None, low: float, high: float,
                        tolerance: float) -> list[FigureRow]: ...
    def latest_figures(self, topic: str, predicate: str, unit: str | None, count: int) -> list[FigureRow]: ...
    # (low, high, unit, place, act, event_date) of the doubtful claims other outlets' original articles recorded.
    def doubted_elsewhere(self, topic: str, predicate: str, outlet: str) -> list[DoubtRow]: ...
    # False when the article is already there: another worker committed it first.
    def add_article(self, article: Article, fingerprint: Fingerprint, duplicate_of: str | None,
                    seen_at: str) -> bool: ...
    def add_claim(self, article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> None: ...
    # The alert and its outbox rows; False when the alert was already there (nothing is queued again).
    def add_alert(self, alert_id: str, created_at: str, body: str, sinks: Sequence[str]) -> bool: ...
    def entry_processed(self, article: Article, seen_at: str) -> None: ...
