"""The flow on one machine: poll due feeds, fetch new entries, extract, judge language, topics, claims and novelty."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from connectors.http import HttpClient
from connectors.poller import PollResult, fetch_page, poll_feed
from connectors.sinks import Sink, sink_key
from pipeline import schedule
from pipeline.articles import build_article, from_summary, judge_language
from pipeline.claims import ClaimExtractor, lexicon_from_topic
from pipeline.config import FeedSettings, Settings
from pipeline.delivery import deliver_pending
from pipeline.extraction_worker import BoundedExtractor
from pipeline.fingerprint import fingerprint
from pipeline.metrics import Metrics
from pipeline.records import Article, Claim, Drop, FeedEntry, Page
from pipeline.schedule import FeedState
from pipeline.store import Store
from pipeline.topic_rules import Topic, match_topics

log = logging.getLogger(__name__)

TOPIC_STAGE = "topics"


@dataclass
class Events:
    """What the caller wants to hear about: the demo prints these, tests collect them."""

    on_poll: Callable[[str, PollResult], None] = lambda feed, result: None
    on_article: Callable[[Article], None] = lambda article: None
    on_drop: Callable[[Drop], None] = lambda drop: None
    on_alert: Callable[[dict[str, Any]], None] = lambda alert: None


def initial_states(feeds: Sequence[FeedSettings], stored: dict[str, FeedState]) -> dict[str, FeedState]:
    """Each configured feed's schedule as stored, unless the config now names another URL for it.

    A stored URL may differ from the config because a confirmed 301 moved it; that is kept. A new URL in the
    config (the user's answer to a 410, say) starts the feed afresh.
    """
    states = {}
    for feed in feeds:
        known = stored.get(feed.name)
        if known is not None and known.configured_url == feed.url:
            states[feed.name] = known
        else:
            states[feed.name] = FeedState(name=feed.name, url=feed.url, configured_url=feed.url)
    return states


@dataclass
class Ingestion:
    settings: Settings
    client: HttpClient
    extractor: BoundedExtractor
    metrics: Metrics
    store: Store
    topics: tuple[Topic, ...]
    sinks: tuple[Sink, ...] = ()
    events: Events = field(default_factory=Events)
    states: dict[str, FeedState] = field(default_factory=dict)
    extractors: dict[str, ClaimExtractor] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)  # entries queued in this run, not yet recorded

    def __post_init__(self) -> None:
        self.states = initial_states(self.settings.feeds, self.store.load_feed_states())
        for topic in self.topics:
            if topic.predicates:
                self.extractors[topic.id] = ClaimExtractor(lexicon_from_topic(topic))
        self.metrics.feeds_gone.set(sum(s.gone for s in self.states.values()))
        for state in self.states.values():
            if state.gone:
                log.warning("feed %s answered 410 Gone earlier and is not polled; change its url to resume",
                            state.name)

    def _feed(self, name: str) -> FeedSettings:
        return next(f for f in self.settings.feeds if f.name == name)

    def drop(self, item: Drop, entry: FeedEntry | None = None) -> None:
        self.metrics.drop(item.stage, item.reason)
        if entry is not None:
            self.store.record_entry(entry.entry_id, entry.url, entry.feed, f"{item.stage}:{item.reason}",
                                    datetime.now(UTC))
        self.events.on_drop(item)

    # --- polling
    def poll(self, state: FeedState, now: float) -> list[FeedEntry]:
        feed = self._feed(state.name)
        started = time.monotonic()
        result = poll_feed(self.client, state, feed, now=now,
                           full_fetch_every=self.settings.http.full_fetch_every.total_seconds())
        self.metrics.fetch_seconds.labels(kind="feed").observe(time.monotonic() - started)
        self.states[state.name] = result.state
        self.store.save_feed_state(result.state)
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
            if entry.entry_id in self._taken or entry.url in self._taken:
                continue
            if not self.store.is_new_entry(entry.entry_id, entry.url):
                continue
            self._taken.update((entry.entry_id, entry.url))
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

    def poll_all(self) -> list[FeedEntry]:
        now = time.time()
        entries: list[FeedEntry] = []
        for state in list(self.states.values()):
            if not state.gone:
                entries.extend(self.poll(state, now))
        return entries

    # --- one article
    def article(self, entry: FeedEntry) -> Article | None:
        """Fetch, extract and judge the language of one entry; None when it left the flow (counted)."""
        started = time.monotonic()
        page = fetch_page(self.client, entry)
        self.metrics.fetch_seconds.labels(kind="page").observe(time.monotonic() - started)
        self.metrics.stage_seconds.labels(stage="fetch").observe(time.monotonic() - started)
        if isinstance(page, Page):
            started = time.monotonic()
            result = self.extractor.extract(page.body, page.url)
            self.metrics.extract_seconds.observe(time.monotonic() - started)
            self.metrics.stage_seconds.labels(stage="extract").observe(time.monotonic() - started)
            built = build_article(entry, page.url, result)
            failure = getattr(result, "reason", None)
        else:
            built, failure = from_summary(entry, page.reason), page.reason
        if isinstance(built, Drop):
            self.drop(built, entry)
            return None
        if built.source == "summary" and failure:
            self.metrics.summary_fallbacks.labels(reason=failure).inc()
        with self.metrics.stage_seconds.labels(stage="language").time():
            judged = judge_language(built, self.settings.languages)
        if isinstance(judged, Drop):
            self.metrics.articles.labels(language=judged.reason.removeprefix("language_")).inc()
            self.drop(judged, entry)
            return None
        self.metrics.articles.labels(language=judged.language).inc()
        self.metrics.kept.inc()
        self.events.on_article(judged)
        return judged

    def judge(self, entry: FeedEntry, article: Article) -> list[dict[str, Any]]:
        """Topics, claims and novelty; the claims and their alerts are committed together."""
        with self.metrics.stage_seconds.labels(stage="topics").time():
            matches = [m for m in match_topics(self.topics, article.title, article.text) if m.matched]
        for match in matches:
            self.metrics.topic_matches.labels(topic=match.topic).inc()
        if not matches:
            self.drop(Drop(TOPIC_STAGE, "off_topic", entry.entry_id, article.url), entry)
            return []
        claims: list[Claim] = []
        with self.metrics.stage_seconds.labels(stage="claims").time():
            for match in matches:
                extractor = self.extractors.get(match.topic)
                if extractor is not None:
                    claims.extend(extractor.extract(article))
        for claim in claims:
            self.metrics.claims.labels(predicate=claim.predicate).inc()
        with self.metrics.stage_seconds.labels(stage="novelty").time():
            committed = self.store.commit_article(
                replace(article, entry_id=entry.entry_id), fingerprint(article.text), claims,
                sinks=[sink_key(s) for s in self.settings.sinks], tolerance=self.settings.novelty.tolerance,
                now=datetime.now(UTC))
        if committed.duplicate_of:
            self.metrics.duplicates.inc()
        for alert in committed.alerts:
            self.metrics.alerts.labels(kind=alert["kind"]).inc()
            self.events.on_alert(alert)
        return list(committed.alerts)

    def process(self, entry: FeedEntry) -> list[dict[str, Any]]:
        article = self.article(entry)
        alerts = self.judge(entry, article) if article is not None else []
        self._taken.discard(entry.entry_id)
        self._taken.discard(entry.url)
        return alerts

    def process_all(self, entries: Iterable[FeedEntry]) -> list[dict[str, Any]]:
        # Ascending publication time: the order in which claims are judged must not depend on feed order.
        ordered = sorted(entries, key=lambda e: (e.published, e.entry_id))
        alerts: list[dict[str, Any]] = []
        for entry in ordered:
            alerts.extend(self.process(entry))
        return alerts

    def deliver(self) -> tuple[int, int]:
        delivered, failed = deliver_pending(self.store, self.sinks)
        self.metrics.outbox.set(self.store.outbox_size())
        return delivered, failed

    def run(self, stop: threading.Event, *, tick: float = 1.0) -> None:
        """Poll and process until `stop` is set; the entries of a poll are finished before stopping."""
        while not stop.is_set():
            self.process_all(self.poll_due())
            self.deliver()
            next_due = min((s.next_poll for s in self.states.values() if not s.gone), default=float("inf"))
            stop.wait(max(0.05, min(tick, next_due - time.time())))

    def run_once(self, deliver_timeout: float) -> int:
        """Poll every feed once, process what is new, deliver for up to `deliver_timeout` s; return pending."""
        self.process_all(self.poll_all())
        deadline = time.monotonic() + deliver_timeout
        while True:
            _, failed = self.deliver()
            if not failed or time.monotonic() >= deadline:
                break
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        return self.store.outbox_size()
