"""The feed port: what one poll of a feed brought back, and the source that polls feeds and fetches pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipeline.config.schema import FeedSettings
from pipeline.domain.records import Drop, FeedEntry, Page


@dataclass(frozen=True, slots=True)
class FeedAnswer:
    """One poll as data: the source reports, the schedule policy (pipeline.ingest.polling) decides what follows."""

    # "ok", "not_modified", "gone", "http_<status>", a fetch failure's reason or a feed-level reason ("malformed")
    outcome: str
    failed: bool  # the feed could not be read this time: its schedule backs off
    entries: tuple[FeedEntry, ...] = ()
    drops: tuple[Drop, ...] = ()  # entries of a readable feed that could not be taken in, each with its reason
    salvaged: bool = False  # the feed was flawed, but entries could still be read
    detail: str = ""
    etag: str | None = None  # the validators to send back next time
    last_modified: str | None = None
    redirects: tuple[tuple[int, str], ...] = ()  # (status, target) of each redirect followed
    retry_after: float | None = None  # seconds the server asked for (429, 503)


class FeedSource(Protocol):
    """Polls feeds and fetches article pages; never raises for what a server or a feed does wrong."""

    def poll(self, url: str, feed: FeedSettings, *, etag: str | None, last_modified: str | None,
             now: float) -> FeedAnswer: ...

    def page(self, entry: FeedEntry) -> Page | Drop: ...
