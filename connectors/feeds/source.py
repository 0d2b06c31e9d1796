"""The feed source over HTTP: a conditional GET and feedparser for a feed, a GET for a page, failures as data."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.feeds.parse import parse_feed
from connectors.http.client import FetchError, HttpClient
from pipeline.config.schema import FeedSettings
from pipeline.domain.records import Drop, FeedEntry, Page
from pipeline.ports.feeds import FeedAnswer

FETCH_STAGE = "fetch"
_FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_PAGE_TYPES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Feed-level reasons that mean the server sent something other than our feed: retried with back-off.
_FEED_FAILURES = frozenset({"not_a_feed", "malformed", "binary", "empty_body"})


class HttpFeedSource:
    """The FeedSource of pipeline.ports.feeds on the one HTTP client."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def poll(self, url: str, feed: FeedSettings, *, etag: str | None, last_modified: str | None,
             now: float) -> FeedAnswer:
        try:
            response = self.client.get(url, etag=etag, last_modified=last_modified, accept=_FEED_TYPES)
        except FetchError as exc:
            return FeedAnswer(exc.reason, failed=True, detail=str(exc))
        redirects = tuple((r.status, r.to_url) for r in response.redirects)
        if response.status == 410:
            return FeedAnswer("gone", failed=True, redirects=redirects, detail=url)
        if response.not_modified:
            return FeedAnswer("not_modified", failed=False, redirects=redirects)
        if not response.ok:
            return FeedAnswer(f"http_{response.status}", failed=True, retry_after=response.retry_after(now),
                              detail=f"{feed.name}: HTTP {response.status} from {response.url}")
        parsed = parse_feed(response.body, feed_name=feed.name, feed_url=response.url, outlet=feed.outlet,
                            now=datetime.fromtimestamp(now, tz=UTC), headers=response.headers, max_age=feed.max_age)
        if parsed.reason in _FEED_FAILURES:
            return FeedAnswer(parsed.reason or "", failed=True, drops=parsed.drops, detail=parsed.detail)
        return FeedAnswer("ok", failed=False, entries=parsed.entries, drops=parsed.drops, salvaged=parsed.salvaged,
                          detail=parsed.detail, etag=response.headers.get("etag"),
                          last_modified=response.headers.get("last-modified"), redirects=redirects)

    def page(self, entry: FeedEntry) -> Page | Drop:
        """The article page's bytes, or a drop named after what went wrong."""
        if not entry.url:
            return Drop(FETCH_STAGE, "no_link", entry.entry_id, "the feed entry has no link")
        try:
            response = self.client.get(entry.url, accept=_PAGE_TYPES)
        except FetchError as exc:
            return Drop(FETCH_STAGE, exc.reason, entry.entry_id, str(exc))
        if not response.ok:
            return Drop(FETCH_STAGE, f"http_{response.status}", entry.entry_id, response.url)
        return Page(entry=entry, url=response.url, body=response.body,
                    content_type=response.headers.get("content-type", ""))
