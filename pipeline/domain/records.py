"""The small immutable records that flow between stages: FeedEntry -> Page -> Article, and Drop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, normalised: what the poller hands to the fetcher."""

    entry_id: str  # guid, else canonical link, else a content hash (see connectors.feeds.parse)
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


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity as an interval, in the predicate's unit ("soldiers", "persons", "percent")."""

    low: float
    high: float
    unit: str


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of an article about a topic: a predicate, maybe a figure, who says so, how surely."""

    topic: str
    predicate: str
    evidence: str  # the sentence that carries the claim, verbatim
    quantitative: bool = False
    figure: Figure | None = None  # None for a qualitative claim or a mention without a number
    attributed_to: str | None = None
    hedged: bool = False
    place: str | None = None  # official_visit: the city of the meeting
    act: str | None = None  # treaty: "signature", "ratification" or "invocation"
    event_date: str | None = None  # "2025", "2025-06" or "2025-06-04": its length is its precision
    sentence: int = 0  # position of the evidence in the article, for a stable order
    label: str = ""  # the predicate's French label, from the topic file, for people reading the alert
    # Which of "place", "act" and "month" tell this qualitative claim's event apart from another (the topic says).
    identity: tuple[str, ...] = ()
    # How sure the reader is of its reading (not how sure the source is: hedging is its own field), in [0, 1].
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class PriorFigure:
    """A figure seen before for the same topic and predicate, as listed in an alert's `previous`."""

    low: float
    high: float
    unit: str
    attributed_to: str | None
    first_seen: str  # ISO time the figure was first recorded
    article_url: str


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the novelty policy made of a claim."""

    claim: Claim
    kind: str  # "new_claim", "new_figure" (both alert), "known", "corroboration", "syndicated", "doubtful"
    previous: tuple[PriorFigure, ...] = ()

    @property
    def alerts(self) -> bool:
        return self.kind in ("new_claim", "new_figure")


@dataclass(frozen=True, slots=True)
class FeedState:
    """What guetteur remembers of a feed between polls (persisted by the store across restarts)."""

    name: str
    url: str  # where the feed is polled now: the configured URL until a permanent redirect is confirmed
    next_poll: float = 0.0  # epoch seconds
    failures: int = 0  # consecutive failed polls
    etag: str | None = None
    last_modified: str | None = None
    last_full_fetch: float = 0.0  # the last poll sent without validators
    last_success: float | None = None
    gone: bool = False  # the server answered 410: polling stopped until the URL changes in the config
    redirect_target: str | None = None  # a permanent redirect seen, not yet confirmed
    redirect_seen: int = 0
    last_error: str = ""
    configured_url: str = ""  # the URL the config gave, to notice when the user changes it


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A near-duplicate fingerprint of an article's text (pipeline.ingest.fingerprint makes it)."""

    signature: bytes  # the MinHash values, little-endian uint64
    bands: tuple[int, ...]  # one signed 64-bit hash per band, for an indexed lookup in any SQL store

    def similarity(self, other: bytes) -> float:
        mine = np.frombuffer(self.signature, dtype="<u8")
        theirs = np.frombuffer(other, dtype="<u8")
        return float(np.mean(mine == theirs)) if len(mine) == len(theirs) else 0.0
