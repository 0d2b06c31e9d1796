"""Every feed's schedule and the polls that are due: the policy that turns a feed's answer into its next poll."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from pipeline.config.defaults import MIN_INTERVAL
from pipeline.config.schema import FeedSettings, Settings
from pipeline.domain.records import Drop, FeedEntry, FeedState
from pipeline.ingest import schedule
from pipeline.ingest.drops import record_drop
from pipeline.ports.feeds import FeedSource
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollResult:
    state: FeedState  # the feed's schedule after this poll
    result: str  # "ok", "not_modified", "gone", "http_503", a fetch failure's reason or a feed reason
    entries: tuple[FeedEntry, ...] = ()
    drops: tuple[Drop, ...] = ()
    salvaged: bool = False
    detail: str = ""


def poll_feed(source: FeedSource, state: FeedState, feed: FeedSettings, *, now: float | None = None,
              full_fetch_every: float) -> PollResult:
    """One poll: a conditional GET through the source, and the feed's next schedule. Never raises on a bad feed."""
    now = time.time() if now is None else now
    interval = feed.interval.total_seconds()
    etag, last_modified = schedule.validators(state, now, full_fetch_every)
    full = etag is None and last_modified is None
    answer = source.poll(state.url, feed, etag=etag, last_modified=last_modified, now=now)
    if answer.outcome == "gone":
        log.warning("feed %s answered 410 Gone at %s: polling stopped; change its url in the config to resume",
                    feed.name, state.url)
        return PollResult(schedule.after_gone(state, now), "gone", detail=state.url)
    if answer.outcome == "not_modified":
        new = schedule.after_success(state, now, interval, etag=None, last_modified=None, full_fetch=False,
                                     redirects=answer.redirects)
        return PollResult(new, "not_modified")
    if answer.failed:
        new = schedule.after_failure(state, now, interval, answer.outcome, retry_after=answer.retry_after)
        return PollResult(new, answer.outcome, drops=answer.drops, detail=answer.detail)
    new = schedule.after_success(state, now, interval, etag=answer.etag, last_modified=answer.last_modified,
                                 full_fetch=full, redirects=answer.redirects)
    return PollResult(new, "ok", answer.entries, answer.drops, answer.salvaged, answer.detail)


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


class Poller:
    """Every feed's schedule, and the polls that are due. Entries it hands out are new to the store."""

    def __init__(self, settings: Settings, source: FeedSource, store: Store, metrics: Metrics, pool: Executor
                 ) -> None:
        self.settings = settings
        self.source = source
        self.store = store
        self.metrics = metrics
        self.feeds = {f.name: f for f in settings.feeds}
        self.states = initial_states(settings.feeds, store.load_feed_states())
        self._pool = pool  # the process's polling threads (pipeline.runtime.process.poll_pool), shared by every Poller
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
        result = poll_feed(self.source, state, self.feeds[state.name], now=now,
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
