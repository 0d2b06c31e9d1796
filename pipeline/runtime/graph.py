"""The Beam graph: one composite per stage, thin DoFns around the stages' plain classes, drops counted by reason.

The same graph runs continuously (an unbounded polling source) and once (a bounded one, whose articles are then
judged in ascending publication time); everything between the source and the judge is shared.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.runners.sdf_utils import RestrictionTrackerView
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.utils.timestamp import Duration

from pipeline.claims.analyst import Analyst, warm_up
from pipeline.config.defaults import SOURCE_MAX_SLEEP as MAX_SLEEP
from pipeline.config.schema import Settings
from pipeline.domain.alert import Alert
from pipeline.domain.records import Article, Claim, Drop, FeedEntry
from pipeline.ingest.drops import record_drop
from pipeline.ingest.reading import Reader
from pipeline.judging.judge import Judge as ArticleJudge
from pipeline.ports.store import Store
from pipeline.runtime.process import (
    STOP,
    LockedPoller,
    acquire_extractor,
    acquire_poller,
    acquire_store,
    feed_source,
    new_poller,
    process_metrics,
    release_extractor,
    release_poller,
    release_store,
    shared_settings,
)
from pipeline.topics.matching import load_topics

log = logging.getLogger(__name__)

DROPS = "drops"


def _failed(stage: str, key: str, exc: Exception) -> beam.pvalue.TaggedOutput:
    """An unexpected error on one element becomes a counted drop, not the end of a monitor that runs for weeks.

    The entry stays pending in the store, so the next start tries it again.
    """
    log.exception("%s failed on %s", stage, key)
    return beam.pvalue.TaggedOutput(DROPS, Drop(stage, "internal_error", key, f"{type(exc).__name__}: {exc}"[:300]))




class _StoreDoFn(beam.DoFn):
    """A DoFn that uses the process's store (pipeline.runtime.process.acquire_store) for its lifetime."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Store | None = None

    def setup(self) -> None:
        self.settings = shared_settings(self.settings)
        self.store = acquire_store(self.settings.store.location)

    def teardown(self) -> None:
        if self.store is not None:
            release_store(self.settings.store.location)
            self.store = None


# --- the sources ---------------------------------------------------------------------------------------------------


class _Forever(RestrictionProvider):
    """An offset range with no practical end: one offset per look at the schedule."""

    def initial_restriction(self, element: Any) -> OffsetRange:
        return OffsetRange(0, 2**62)

    def create_tracker(self, restriction: OffsetRange) -> OffsetRestrictionTracker:
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element: Any, restriction: OffsetRange) -> int:
        return 1

    def truncate(self, element: Any, restriction: OffsetRange) -> None:
        return None  # on drain, the source ends: nothing is left to read




_FOREVER = beam.DoFn.RestrictionParam(_Forever())  # the marker by which Beam passes the restriction's tracker


class PollForeverFn(_StoreDoFn):
    """The unbounded source: each resume polls the feeds that are due, then sleeps until the next is.

    A splittable DoFn that defers itself, rather than PeriodicImpulse, which busy-loops on local runners
    (BEAM_NOTES.md). On STOP it claims the rest of its range and returns, so the pipeline drains and finishes.
    """

    def setup(self) -> None:
        super().setup()
        assert self.store is not None
        self.shared: LockedPoller | None = acquire_poller(self.settings, self.store)

    def teardown(self) -> None:
        if getattr(self, "shared", None) is not None:
            release_poller(self.settings)
            self.shared = None
        super().teardown()

    @beam.DoFn.unbounded_per_element()
    def process(self, element: Any,
                # Beam hands a RestrictionTrackerView in place of its RestrictionParam marker (its stubs disagree).
                tracker: RestrictionTrackerView = _FOREVER,  # type: ignore[assignment]
                ) -> Iterator[FeedEntry]:
        restriction = tracker.current_restriction()
        if STOP.is_set():
            tracker.try_claim(restriction.stop - 1)
            return
        if not tracker.try_claim(restriction.start):
            return
        assert self.shared is not None, "setup() runs before process()"
        poller = self.shared.poller
        found: list[FeedEntry] = []
        with self.shared.lock:  # entries are emitted after the look, so the lock is never held by a downstream stage
            try:
                if restriction.start == 0:
                    found.extend(poller.pending())
                process_metrics().look()
                found.extend(poller.poll_due())
            except Exception:
                log.exception("polling failed; trying again at the next look")
                process_metrics().drop("poll", "internal_error")
            wait = min(max(poller.next_due() - time.time(), 0.05), MAX_SLEEP)
        yield from found
        tracker.defer_remainder(Duration(seconds=wait))


class PollOnceFn(_StoreDoFn):
    """The bounded source: entries left pending by an earlier run, then every feed polled one time."""

    def process(self, element: Any) -> Iterator[FeedEntry]:
        assert self.store is not None
        poller = new_poller(self.settings, self.store)
        yield from poller.pending()
        process_metrics().look()
        yield from poller.poll_all()


class Poll(beam.PTransform):
    def __init__(self, settings: Settings, *, once: bool) -> None:
        super().__init__()
        self.settings = settings
        self.once = once

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        source = PollOnceFn(self.settings) if self.once else PollForeverFn(self.settings)
        return pbegin | "Start" >> beam.Create([None]) | "PollFeeds" >> beam.ParDo(source)


# --- the stages ------------------------------------------------------------------------------------------------


class ReadFn(_StoreDoFn):
    def setup(self) -> None:
        super().setup()
        assert self.store is not None
        self.extractor = acquire_extractor()
        self.reader = Reader(self.settings, feed_source(self.settings), self.extractor, process_metrics())

    def teardown(self) -> None:
        release_extractor()
        super().teardown()

    def process(self, entry: FeedEntry) -> Iterator[Article | beam.pvalue.TaggedOutput]:
        try:
            result = self.reader.read(entry)
        except Exception as exc:  # noqa: BLE001 - see _failed
            yield _failed("read", entry.entry_id, exc)
            return
        yield beam.pvalue.TaggedOutput(DROPS, result) if isinstance(result, Drop) else result


class AnalyseFn(beam.DoFn):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.settings = shared_settings(self.settings)
        self.analyst = Analyst(load_topics(self.settings.topics), process_metrics())
        warm_up()  # spaCy's model and the lemma table load here (about 5 s), not on the first article

    def process(self, article: Article) -> Iterator[tuple[Article, tuple[Claim, ...]] | beam.pvalue.TaggedOutput]:
        try:
            result = self.analyst.analyse(article)
        except Exception as exc:  # noqa: BLE001 - see _failed
            yield _failed("analyse", article.entry_id or article.url, exc)
            return
        yield beam.pvalue.TaggedOutput(DROPS, result) if isinstance(result, Drop) else result


class JudgeFn(_StoreDoFn):
    def setup(self) -> None:
        super().setup()
        assert self.store is not None
        self.judge = ArticleJudge(self.settings, self.store, process_metrics())

    def process(self, item: tuple[Article, tuple[Claim, ...]]) -> Iterator[Alert]:
        article, claims = item
        try:
            yield from self.judge.judge(article, claims)
        except Exception:
            log.exception("judging %s failed", article.url)
            process_metrics().drop("judge", "internal_error")


class RecordDropFn(_StoreDoFn):
    def process(self, drop: Drop) -> None:
        try:
            record_drop(process_metrics(), self.store, drop)
        except Exception:
            log.exception("recording the drop of %s failed", drop.key)


def _in_publication_order(group: tuple[Any, Iterable[tuple[Article, tuple[Claim, ...]]]]
                          ) -> list[tuple[Article, tuple[Claim, ...]]]:
    return sorted(group[1], key=lambda item: (item[0].published, item[0].entry_id, item[0].url))


class Read(beam.PTransform):
    """Fetch, extract and judge the language of each entry."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, entries: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        # Reshuffle: pages are fetched in parallel, not in the bundle of the poll that found them.
        return (entries | "Spread" >> beam.Reshuffle()
                | "FetchExtractLanguage" >> beam.ParDo(ReadFn(self.settings)).with_outputs(DROPS, main="articles"))


class Analyse(beam.PTransform):
    """Topics, then claims of the matched topics."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> beam.pvalue.DoOutputsTuple:
        return articles | "TopicsAndClaims" >> beam.ParDo(AnalyseFn(self.settings)).with_outputs(DROPS, main="claims")


class Judge(beam.PTransform):
    """Novelty and the outbox; with `ordered`, all articles first, then in ascending publication time."""

    def __init__(self, settings: Settings, *, ordered: bool) -> None:
        super().__init__()
        self.settings = settings
        self.ordered = ordered

    def expand(self, claims: beam.PCollection) -> beam.PCollection:
        if self.ordered:
            claims = (claims | "OneKey" >> beam.Map(lambda item: (0, item))
                      | "Gather" >> beam.GroupByKey()
                      | "ByPublication" >> beam.FlatMap(_in_publication_order))
        return claims | "NoveltyAndOutbox" >> beam.ParDo(JudgeFn(self.settings))


class CountDrops(beam.PTransform):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def expand(self, drops: beam.PCollection) -> beam.PCollection:
        return drops | "CountAndRemember" >> beam.ParDo(RecordDropFn(self.settings))


def build(pipeline: beam.Pipeline, settings: Settings, *, once: bool) -> None:
    entries = pipeline | "Poll" >> Poll(settings, once=once)
    read = entries | "Read" >> Read(settings)
    analysed = read.articles | "Analyse" >> Analyse(settings)
    _ = analysed.claims | "Judge" >> Judge(settings, ordered=once)
    _ = ((read[DROPS], analysed[DROPS]) | "AllDrops" >> beam.Flatten() | "Drops" >> CountDrops(settings))
