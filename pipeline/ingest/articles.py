"""Build an Article from an extracted page, or from the feed's summary when the page failed; judge its language."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from pipeline.config import defaults as settings
from pipeline.domain.records import Article, Drop, FeedEntry
from pipeline.ingest.extraction import Extracted, ExtractionFailure
from pipeline.ingest.language import detect_language

LANGUAGE_STAGE = "language"
EXTRACT_STAGE = "extract"


def from_extraction(entry: FeedEntry, extracted: Extracted) -> Article:
    """The page's text; the feed's date, which carries the hour, unless the feed had none."""
    published = entry.published
    if entry.date_quality != "ok" and extracted.published is not None:
        published = extracted.published
    return Article(
        url=entry.url,  # the canonical feed URL, not the redirect target: one article, one key
        outlet=entry.outlet or extracted.outlet,
        title=entry.title or extracted.title,
        text=extracted.text,
        published=published,
        author=extracted.author,
        source="page",
        entry_id=entry.entry_id,
        feed=entry.feed,
    )


def from_summary(entry: FeedEntry, failure: str) -> Article | Drop:
    """Fall back on the feed's own summary, marked as such; a summary too thin to read is a drop."""
    if len(entry.summary) < settings.LANGUAGE_MIN_CHARS:
        return Drop(EXTRACT_STAGE, failure, entry.entry_id, "page unusable and no summary to fall back on")
    return Article(
        url=entry.url,
        outlet=entry.outlet,
        title=entry.title,
        text=entry.summary,
        published=entry.published,
        source="summary",
        entry_id=entry.entry_id,
        feed=entry.feed,
    )


def build_article(entry: FeedEntry, result: Extracted | ExtractionFailure) -> Article | Drop:
    if isinstance(result, ExtractionFailure):
        return from_summary(entry, result.reason)
    return from_extraction(entry, result)


def judge_language(article: Article, languages: Collection[str]) -> Article | Drop:
    """Set the article's language; keep it when it is one of the configured languages."""
    detected = detect_language(article.title, article.text)
    if detected.code not in languages:
        reason = "undetermined" if detected.code == "und" else f"language_{detected.code}"
        return Drop(LANGUAGE_STAGE, reason, article.entry_id or article.url, f"p={detected.probability}")
    return replace(article, language=detected.code)
