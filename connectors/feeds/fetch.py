"""Poll one feed and fetch one page through the HTTP client: the I/O of the ingestion stages."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.feeds.parse import parse_feed
from connectors.http.client import FetchError, HttpClient
from pipeline.config.schema import FeedSettings
from pipeline.domain.records import Drop, FeedEntry, FeedState, Page
from pipeline.ingest import schedule

log = logging.getLogger(__name__)

FETCH_STAGE = "fetch"
_FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_PAGE_TYPES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Feed-level reasons that mean the server sent something other than our feed: retried with back-off.
_FEED_FAILURES = frozenset({"not_a_feed", "malformed", "binary", "empty_body"})


@dataclass(frozen=True, slots=True)
class PollResult:
    state: FeedState  # the feed's schedule after this poll
    result: str  # "ok", "not_modified", "gone", "http_503", a FetchError reason or a feed reason
    entries: tuple[FeedEntry, ...] = ()
    drops: tuple[Drop, ...] = ()
    salvaged: bool = False
    detail: str = ""


def poll_feed(client: HttpClient, state: FeedState, feed: FeedSettings, *, now: float | None = None,
              full_fetch_every: float) -> PollResult:
    """One poll: a conditional GET, the parse, and the feed's next schedule. Never raises on a bad feed."""
    now = time.time() if now is None else now
    interval = feed.interval.total_seconds()
    etag, last_modified = schedule.validators(state, now, full_fetch_every)
    full = etag is None and last_modified is None
    try:
        response = client.get(state.url, etag=etag, last_modified=last_modified, accept=_FEED_TYPES)
    except FetchError as exc:
        return PollResult(schedule.after_failure(state, now, interval, exc.reason), exc.reason, detail=str(exc))
    redirects = tuple((r.status, r.to_url) for r in response.redirects)
    if response.status == 410:
        log.warning("feed %s answered 410 Gone at %s: polling stopped; change its url in the config to resume",
                    feed.name, state.url)
        return PollResult(schedule.after_gone(state, now), "gone", detail=state.url)
    if response.not_modified:
        new = schedule.after_success(state, now, interval, etag=None, last_modified=None, full_fetch=False,
                                     redirects=redirects)
        return PollResult(new, "not_modified")
    if not response.ok:
        error = f"http_{response.status}"
        new = schedule.after_failure(state, now, interval, error, retry_after=response.retry_after(now))
        return PollResult(new, error, detail=f"{feed.name}: HTTP {response.status} from {response.url}")
    parsed = parse_feed(
        response.body,
        feed_name=feed.name,
        feed_url=response.url,
        outlet=feed.outlet,
        now=datetime.fromtimestamp(now, tz=UTC),
        headers=response.headers,
        max_age=feed.max_age,
    )
    if parsed.reason in _FEED_FAILURES:
        new = schedule.after_failure(state, now, interval, parsed.reason or "")
        return PollResult(new, parsed.reason or "", drops=parsed.drops, detail=parsed.detail)
    new = schedule.after_success(
        state, now, interval, etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
        full_fetch=full, redirects=redirects,
    )
    return PollResult(new, "ok", parsed.entries, parsed.drops, parsed.salvaged, parsed.detail)


def fetch_page(client: HttpClient, entry: FeedEntry) -> Page | Drop:
    """The article page's bytes, or a drop named after what went wrong."""
    if not entry.url:
        return Drop(FETCH_STAGE, "no_link", entry.entry_id, "the feed entry has no link")
    try:
        response = client.get(entry.url, accept=_PAGE_TYPES)
    except FetchError as exc:
        return Drop(FETCH_STAGE, exc.reason, entry.entry_id, str(exc))
    if not response.ok:
        return Drop(FETCH_STAGE, f"http_{response.status}", entry.entry_id, response.url)
    return Page(entry=entry, url=response.url, body=response.body,
                content_type=response.headers.get("content-type", ""))
