"""Each feed's polling schedule: when to poll next, back-off, Retry-After, confirmed 301s, 410 and validators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.config import defaults as settings
from pipeline.domain.records import FeedState

PERMANENT = frozenset({301, 308})




def validators(state: FeedState, now: float, full_fetch_every: float) -> tuple[str | None, str | None]:
    """(etag, last_modified) to send, or none when a full fetch is due: some servers keep stale validators."""
    if now - state.last_full_fetch >= full_fetch_every:
        return None, None
    return state.etag, state.last_modified


def _redirect(state: FeedState, redirects: Sequence[tuple[int, str]]) -> FeedState:
    """Move the feed only after the same permanent redirect is seen several polls in a row."""
    first = redirects[0] if redirects else None
    if first is None or first[0] not in PERMANENT:
        return replace(state, redirect_target=None, redirect_seen=0)
    target = first[1]
    seen = state.redirect_seen + 1 if target == state.redirect_target else 1
    if seen >= settings.PERMANENT_REDIRECT_CONFIRMATIONS:
        return replace(state, url=target, redirect_target=None, redirect_seen=0)
    return replace(state, redirect_target=target, redirect_seen=seen)


def after_success(
    state: FeedState,
    now: float,
    interval: float,
    *,
    etag: str | None,
    last_modified: str | None,
    full_fetch: bool,
    redirects: Sequence[tuple[int, str]] = (),
) -> FeedState:
    """A poll that got a feed (or a 304): back to the regular interval."""
    moved = _redirect(state, redirects)
    return replace(
        moved,
        next_poll=now + max(interval, settings.MIN_INTERVAL),
        failures=0,
        etag=etag if etag is not None else moved.etag,
        last_modified=last_modified if last_modified is not None else moved.last_modified,
        last_full_fetch=now if full_fetch else moved.last_full_fetch,
        last_success=now,
        last_error="",
    )


def backoff(failures: int, interval: float) -> float:
    """Seconds before the next try after `failures` consecutive failures: doubling, capped at one day."""
    delay = settings.BACKOFF_BASE * 2 ** max(failures - 1, 0)
    return min(max(delay, interval), settings.BACKOFF_CAP)


def after_failure(
    state: FeedState, now: float, interval: float, error: str, *, retry_after: float | None = None
) -> FeedState:
    """A failed poll: exponential back-off, or the server's Retry-After when it asks for longer.

    Never more than a day: a feed is retried daily rather than silently abandoned.
    """
    failures = state.failures + 1
    delay = backoff(failures, interval)
    if retry_after is not None:
        delay = min(max(delay, retry_after), settings.BACKOFF_CAP)
    return replace(state, next_poll=now + max(delay, settings.MIN_INTERVAL), failures=failures, last_error=error)


def after_gone(state: FeedState, now: float) -> FeedState:
    """410 Gone: the publisher says the feed will not come back; stop polling (logged and counted)."""
    return replace(state, gone=True, next_poll=float("inf"), last_error="410 Gone")


def due(states: Sequence[FeedState], now: float) -> list[FeedState]:
    """The feeds to poll now, earliest first."""
    return sorted((s for s in states if not s.gone and s.next_poll <= now), key=lambda s: s.next_poll)
