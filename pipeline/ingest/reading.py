"""Entry -> Article: fetch the page, extract its main text (or fall back to the feed's summary), judge its language."""

from __future__ import annotations

import logging
import time

from pipeline.config.schema import Settings
from pipeline.domain.records import Article, Drop, FeedEntry, Page
from pipeline.ingest.articles import build_article, from_summary, judge_language
from pipeline.ingest.extraction_worker import BoundedExtractor
from pipeline.ports.feeds import FeedSource
from pipeline.ports.metrics import Metrics

log = logging.getLogger(__name__)


class Reader:
    """Fetch, extract and judge the language of one entry."""

    def __init__(self, settings: Settings, source: FeedSource, extractor: BoundedExtractor, metrics: Metrics) -> None:
        self.settings = settings
        self.source = source
        self.extractor = extractor
        self.metrics = metrics

    def read(self, entry: FeedEntry) -> Article | Drop:
        started = time.monotonic()
        page = self.source.page(entry)
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
