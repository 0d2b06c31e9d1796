"""The small immutable records that flow between stages: FeedEntry -> Page -> Article, and Drop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, normalised: what the poller hands to the fetcher."""

    entry_id: str  # guid, else canonical link, else a content hash (see connectors.feeds)
    url: str  # canonical: no utm_ parameters, no fragment
    feed: str  # the configured feed name
    outlet: str
    title: str
    summary: str  # plain text, tags stripped
    published: datetime  # aware, UTC
    date_quality: str = "ok"  # "ok", "missing" or "absurd": the latter two used the poll time instead


@dataclass(frozen=True, slots=True)
class Page:
    """The bytes fetched for one entry, before extraction."""

    entry: FeedEntry
    url: str  # the final URL after redirects
    body: bytes
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    """The main text of a page as a reader sees it, headline apart."""

    url: str
    outlet: str
    title: str
    text: str
    published: datetime  # aware; the feed's date unless the page is more precise
    author: str = ""
    language: str = ""  # ISO 639-1, set by the language stage
    source: str = "page"  # "page", or "summary" when the page could not be fetched or extracted
    entry_id: str = ""
    feed: str = ""


@dataclass(frozen=True, slots=True)
class Drop:
    """Something that left the flow, and why: every drop is counted under (stage, reason)."""

    stage: str
    reason: str
    key: str  # the entry id, URL or feed name the drop is about
    detail: str = ""
