"""The ingestion flow on one machine: poll due feeds, fetch new entries, extract, judge language, count drops."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from connectors.http import HttpClient
from connectors.poller import PollResult, fetch_page, poll_feed
from pipeline import schedule
from pipeline.articles import build_article, from_summary, judge_language
from pipeline.config import FeedSettings, Settings
from pipeline.extraction_worker import BoundedExtractor
from pipeline.metrics import Metrics
from pipeline.records import Article, Drop, FeedEntry, Page
from pipeline.schedule import FeedState

log = logging.getLogger(__name__)


@dataclass
class Events:
    """What the caller wants to hear about: the demo prints these, tests collect them."""

    on_poll: Callable[[str, PollResult], None] = lambda feed, result: None
    on_article: Callable[[Article], None] = lambda article: None
    on_drop: Callable[[Drop], None] = lambda drop: None


@dataclass
class Ingestion:
    settings: Settings
    client: HttpClient
    extractor: BoundedExtractor
    metrics: Metrics
    events: Events = field(default_factory=Events)
    states: dict[str, FeedState] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # entry ids and URLs already taken in

    def __post_init__(self) -> None:
        for feed in self.settings.feeds:
            self.states.setdefault(feed.name, FeedState(name=feed.name, url=feed.url))

    def _feed(self, name: str) -> FeedSettings:
        return next(f for f in self.settings.feeds if f.name == name)

    def drop(self, item: Drop) -> None:
        self.metrics.drop(item.stage, item.reason)
        self.events.on_drop(item)

    def poll(self, state: FeedState, now: float) -> list[FeedEntry]:
        feed = self._feed(state.name)
        started = time.monotonic()
        result = poll_feed(self.client, state, feed, now=now,
                           full_fetch_every=self.settings.http.full_fetch_every.total_seconds())
        self.metrics.fetch_seconds.labels(kind="feed").observe(time.monotonic() - started)
        self.states[state.name] = result.state
        self.metrics.polls.labels(result=result.result).inc()
        if result.result in ("ok", "not_modified"):
            self.metrics.last_success.labels(feed=feed.name).set(now)
        if result.salvaged:
            self.metrics.polls.labels(result="salvaged").inc()
        self.metrics.feeds_gone.set(sum(s.gone for s in self.states.values()))
        self.events.on_poll(feed.name, result)
        for item in result.drops:
            self.drop(item)
        fresh = []
        for entry in result.entries:
            if entry.entry_id in self.seen or entry.url in self.seen:
                continue
            self.seen.update((entry.entry_id, entry.url))
            self.metrics.entries.inc()
            if entry.date_quality != "ok":
                self.metrics.entry_dates.labels(quality=entry.date_quality).inc()
            fresh.append(entry)
        return fresh

    def poll_due(self, now: float | None = None) -> list[FeedEntry]:
        now = time.time() if now is None else now
        entries: list[FeedEntry] = []
        for state in schedule.due(list(self.states.values()), now):
            entries.extend(self.poll(state, now))
        return entries

    def process(self, entry: FeedEntry) -> Article | None:
        """One entry through fetch, extraction and language; None when it left the flow (counted)."""
        started = time.monotonic()
        page = fetch_page(self.client, entry)
        self.metrics.fetch_seconds.labels(kind="page").observe(time.monotonic() - started)
        if isinstance(page, Page):
            started = time.monotonic()
            result = self.extractor.extract(page.body, page.url)
            self.metrics.extract_seconds.observe(time.monotonic() - started)
            built = build_article(entry, page.url, result)
            failure = getattr(result, "reason", None)
        else:
            built, failure = from_summary(entry, page.reason), page.reason
        if isinstance(built, Drop):
            self.drop(built)
            return None
        if built.source == "summary" and failure:
            self.metrics.summary_fallbacks.labels(reason=failure).inc()
        judged = judge_language(built, self.settings.languages)
        if isinstance(judged, Drop):
            self.metrics.articles.labels(language=judged.reason.removeprefix("language_")).inc()
            self.drop(judged)
            return None
        self.metrics.articles.labels(language=judged.language).inc()
        self.metrics.kept.inc()
        self.events.on_article(judged)
        return judged

    def process_all(self, entries: Iterable[FeedEntry]) -> list[Article]:
        # Ascending publication time: the order in which claims are judged must not depend on feed order.
        ordered = sorted(entries, key=lambda e: (e.published, e.entry_id))
        return [a for a in (self.process(e) for e in ordered) if a is not None]

    def run(self, stop: threading.Event, *, once: bool = False, tick: float = 1.0) -> None:
        """Poll and process until `stop` is set; with once=True, poll every feed one time and return."""
        if once:
            self.process_all(self._poll_all())
            return
        while not stop.is_set():
            self.process_all(self.poll_due())
            next_due = min((s.next_poll for s in self.states.values() if not s.gone), default=float("inf"))
            stop.wait(max(0.05, min(tick, next_due - time.time())))

    def _poll_all(self) -> list[FeedEntry]:
        now = time.time()
        entries: list[FeedEntry] = []
        for state in list(self.states.values()):
            if not state.gone:
                entries.extend(self.poll(state, now))
        return entries
