"""The work of each stage as plain classes: polling, reading an article, judging its claims. No Beam here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from connectors.feeds.fetch import PollResult, fetch_page, poll_feed
from connectors.http.client import HttpClient
from pipeline.claims.extractor import ClaimExtractor
from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.claims.parsing import nlp
from pipeline.config.defaults import MIN_INTERVAL
from pipeline.config.schema import FeedSettings, Settings
from pipeline.domain.records import Article, Claim, Drop, FeedEntry, FeedState, Page
from pipeline.ingest import schedule
from pipeline.ingest.articles import build_article, from_summary, judge_language
from pipeline.ingest.extraction_worker import BoundedExtractor
from pipeline.ingest.fingerprint import fingerprint
from pipeline.language import lemmas
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store
from pipeline.topics.matching import Topic, match_topics

log = logging.getLogger(__name__)

TOPIC_STAGE = "topics"


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


def record_drop(metrics: Metrics, store: Store | None, drop: Drop) -> None:
    """Count a drop under its stage and reason; an entry that left the flow is finished, never fetched again."""
    metrics.drop(drop.stage, drop.reason)
    if store is not None:
        store.finish_entry(drop.key, f"{drop.stage}:{drop.reason}")
    log.info("dropped at %s: %s %s %s", drop.stage, drop.reason, drop.key[:100], drop.detail[:100])


_poll_pools: dict[int, ThreadPoolExecutor] = {}
_poll_pools_lock = threading.Lock()


def poll_pool(workers: int) -> ThreadPoolExecutor:
    """The process's polling threads, `workers` at most (the bound on requests in flight): every Poller shares them.

    A pool per look started and ended up to 16 threads several times a second, and the churn alone made the
    monitor's resident memory grow (README, "Soak figures"). A pool per Poller kept 8 x 16 idle threads: Beam's
    SDK harness holds a source instance for every bundle processor it keeps. The pool lives as long as the process.
    """
    with _poll_pools_lock:
        if workers not in _poll_pools:
            _poll_pools[workers] = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="guetteur-poll")
        return _poll_pools[workers]


class Poller:
    """Every feed's schedule, and the polls that are due. Entries it hands out are new to the store."""

    def __init__(self, settings: Settings, client: HttpClient, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.metrics = metrics
        self.feeds = {f.name: f for f in settings.feeds}
        self.states = initial_states(settings.feeds, store.load_feed_states())
        self._pool = poll_pool(settings.http.max_in_flight)
        self.metrics.feeds_gone.set(sum(s.gone for s in self.states.values()))
        for state in self.states.values():
            self._show(state)
            if state.gone:
                log.warning("feed %s answered 410 Gone earlier and is not polled; change its url to resume",
                            state.name)

    def _show(self, state: FeedState) -> None:
        """A feed's schedule as gauges, one series per configured feed: the rules compare staleness to interval."""
        name = state.name
        self.metrics.feed_failures.labels(feed=name).set(state.failures)
        if state.last_success is not None:  # stored: a feed failing since before a restart still looks stale
            self.metrics.last_success.labels(feed=name).set(state.last_success)
        if state.gone:  # not polled any more: the feeds-gone alert says so, a staleness alert would only repeat it
            self.metrics.poll_interval.remove(name)
        else:
            interval = max(self.feeds[name].interval.total_seconds(), MIN_INTERVAL)
            self.metrics.poll_interval.labels(feed=name).set(interval)

    def next_due(self) -> float:
        return min((s.next_poll for s in self.states.values() if not s.gone), default=float("inf"))

    def _poll(self, state: FeedState, now: float) -> PollResult:
        started = time.monotonic()
        result = poll_feed(self.client, state, self.feeds[state.name], now=now,
                           full_fetch_every=self.settings.http.full_fetch_every.total_seconds())
        self.metrics.fetch_seconds.labels(kind="feed").observe(time.monotonic() - started)
        return result

    def _absorb(self, name: str, result: PollResult, now: float) -> list[FeedEntry]:
        self.states[name] = result.state
        self.metrics.polls.labels(result=result.result).inc()
        self._show(result.state)
        if result.result not in ("ok", "not_modified"):
            log.info("poll %s: %s %s", name, result.result, result.detail[:200])
        if result.salvaged:
            self.metrics.polls.labels(result="salvaged").inc()
        for drop in result.drops:
            record_drop(self.metrics, None, drop)
        new = []
        batch: set[str] = set()  # the same story in two feeds of one poll
        for entry in result.entries:
            if entry.entry_id in batch or entry.url in batch or not self.store.is_new_entry(entry.entry_id, entry.url):
                continue
            batch.update((entry.entry_id, entry.url))
            new.append(entry)
        # The entries are remembered as pending before the feed's validators move on: a crash now must not let
        # a 304 hide them from the next run. Only those this call took in are ours: a worker sharing the store
        # that polled the same feed a moment ago fetches the others.
        fresh = self.store.add_pending_entries(new)
        for entry in fresh:
            self.metrics.entries.inc()
            if entry.date_quality != "ok":
                self.metrics.entry_dates.labels(quality=entry.date_quality).inc()
        self.store.save_feed_state(result.state)
        self.metrics.feeds_gone.set(sum(s.gone for s in self.states.values()))
        return fresh

    def poll(self, states: Sequence[FeedState], now: float | None = None) -> list[FeedEntry]:
        """Poll these feeds, a bounded number at once (feeds of one host one at a time is the HTTP client's job)."""
        now = time.time() if now is None else now
        if not states:
            return []
        results = list(self._pool.map(lambda s: (s.name, self._poll(s, now)), states))
        entries: list[FeedEntry] = []
        for name, result in results:
            entries.extend(self._absorb(name, result, now))
        return entries

    def poll_due(self, now: float | None = None) -> list[FeedEntry]:
        now = time.time() if now is None else now
        return self.poll(schedule.due(list(self.states.values()), now), now)

    def poll_all(self) -> list[FeedEntry]:
        return self.poll([s for s in self.states.values() if not s.gone])

    def pending(self) -> list[FeedEntry]:
        """Entries taken in before a stop or a crash but never finished: they go through again."""
        return self.store.pending_entries()


class Reader:
    """Fetch, extract and judge the language of one entry."""

    def __init__(self, settings: Settings, client: HttpClient, extractor: BoundedExtractor, store: Store,
                 metrics: Metrics) -> None:
        self.settings = settings
        self.client = client
        self.extractor = extractor
        self.store = store
        self.metrics = metrics

    def read(self, entry: FeedEntry) -> Article | Drop:
        started = time.monotonic()
        page = fetch_page(self.client, entry)
        elapsed = time.monotonic() - started
        self.metrics.fetch_seconds.labels(kind="page").observe(elapsed)
        self.metrics.stage_seconds.labels(stage="fetch").observe(elapsed)
        if isinstance(page, Page):
            started = time.monotonic()
            result = self.extractor.extract(page.body, page.url)
            elapsed = time.monotonic() - started
            self.metrics.extract_seconds.observe(elapsed)
            self.metrics.stage_seconds.labels(stage="extract").observe(elapsed)
            built = build_article(entry, result)
            failure = getattr(result, "reason", None)
        else:
            built, failure = from_summary(entry, page.reason), page.reason
        if isinstance(built, Drop):
            return built
        if built.source == "summary" and failure:
            self.metrics.summary_fallbacks.labels(reason=failure).inc()
        with self.metrics.stage_seconds.labels(stage="language").time():
            judged = judge_language(built, self.settings.languages)
        if isinstance(judged, Drop):
            self.metrics.articles.labels(language=judged.reason.removeprefix("language_")).inc()
            return judged
        self.metrics.articles.labels(language=judged.language).inc()
        self.metrics.kept.inc()
        log.info("kept %s [%s] %s (%s)", judged.language, judged.source, judged.title[:90], judged.outlet)
        return judged


def warm_up() -> None:
    """Load spaCy's French model and the lemma table now (about 5 s), not on the first article."""
    nlp()
    lemmas.warm_up()


class Analyst:
    """Topics and claims of one article."""

    def __init__(self, topics: Sequence[Topic], metrics: Metrics) -> None:
        self.topics = tuple(topics)
        self.metrics = metrics
        self.extractors = {t.id: ClaimExtractor(lexicon_from_topic(t)) for t in topics if t.predicates}

    def analyse(self, article: Article) -> tuple[Article, tuple[Claim, ...]] | Drop:
        with self.metrics.stage_seconds.labels(stage="topics").time():
            matches = [m for m in match_topics(self.topics, article.title, article.text) if m.matched]
        if not matches:
            return Drop(TOPIC_STAGE, "off_topic", article.entry_id or article.url, article.url)
        claims: list[Claim] = []
        with self.metrics.stage_seconds.labels(stage="claims").time():
            for match in matches:
                self.metrics.topic_matches.labels(topic=match.topic).inc()
                if (extractor := self.extractors.get(match.topic)) is not None:
                    claims.extend(extractor.extract(article))
        for claim in claims:
            self.metrics.claims.labels(predicate=claim.predicate).inc()
        return article, tuple(claims)


class Judge:
    """The novelty policy against the store: claims, judgements and alerts committed together."""

    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.sinks = [s.key for s in settings.sinks]

    def judge(self, article: Article, claims: Sequence[Claim]) -> list[dict[str, Any]]:
        with self.metrics.stage_seconds.labels(stage="novelty").time():
            committed = self.store.commit_article(
                replace(article), fingerprint(article.text), claims, sinks=self.sinks,
                tolerance=self.settings.novelty.tolerance, now=datetime.now(UTC))
        if committed.duplicate_of:
            self.metrics.duplicates.inc()
        for alert in committed.alerts:
            self.metrics.alerts.labels(kind=alert["kind"]).inc()
        self.metrics.outbox.set(self.store.outbox_size())
        return list(committed.alerts)
