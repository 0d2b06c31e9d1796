from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.ingest.extraction import Extracted, ExtractionFailure, clean_text, extract_article
from pipeline.ingest.extraction_worker import BoundedExtractor
from pipeline.runtime.process import acquire_extractor, release_extractor

PAGES = Path(__file__).resolve().parents[3] / "fixtures" / "pages"


def seed_page(seed_id: str) -> bytes:
    (path,) = PAGES.glob(f"{seed_id}-*.html")
    return path.read_bytes()


def seed_ids(gold: dict[str, Any]) -> list[str]:
    return [a["id"] for a in gold["articles"]]


@pytest.mark.parametrize("seed_id", ["004", "002", "003", "001", "000"])
def test_seed_page_keeps_every_evidence_and_drops_the_boilerplate(seed_id: str, gold: dict[str, Any]) -> None:
    (article,) = [a for a in gold["articles"] if a["id"] == seed_id]
    result = extract_article(seed_page(seed_id), f"https://fixture.example/{seed_id}.html")
    assert isinstance(result, Extracted), result
    main_text = f"{result.title}\n{result.text}"  # claims come from the headline and the body
    for claim in article["claims"]:
        assert claim["evidence"] in main_text, claim["evidence"]
    for furniture in article["boilerplate_to_drop"]:
        assert furniture not in main_text, furniture
    assert result.published is not None and result.published.tzinfo is not None
    assert result.outlet


def test_furniture_lines_that_survive_markup_are_removed() -> None:
    text = ("Publié le : 28/10/2025 - 16:15 Modifié le : 28/10/2025 - 16:15\n3 min de lecture\n"
            "Le texte de l'article commence ici.\nÀ lire aussi : Un autre titre\nLes plus lus\n"
            "Le texte de l'article commence ici.\nPublié le mois dernier, le rapport a fait grand bruit.")
    assert clean_text(text).splitlines() == [
        "Le texte de l'article commence ici.", "Publié le mois dernier, le rapport a fait grand bruit."]


def page(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_drops_have_names_not_none() -> None:
    assert extract_article(b"") == ExtractionFailure("empty_page")
    assert extract_article(b"%PDF-1.7 binary").reason == "not_html"  # type: ignore[union-attr]
    short = extract_article(page("<article><p>Trop court.</p></article>"))
    assert isinstance(short, ExtractionFailure) and short.reason in ("too_short", "no_content")
    trap = page("<span>x</span>" * 70_000)
    assert extract_article(trap).reason == "tree_too_large"  # type: ignore[union-attr]


def test_the_bounded_extractor_cuts_a_slow_page_and_recovers() -> None:
    paragraphs = "".join(f"<div class='c{i % 7}'><p>Paragraphe {i} " + "du texte long et varié " * 30 + "</p></div>"
                         for i in range(12_000))
    slow = page(f"<article>{paragraphs}</article>")
    with BoundedExtractor(timeout=0.5) as extractor:
        extractor.warm_up()
        started = time.monotonic()
        assert extractor.extract(slow) == ExtractionFailure("timeout", "over 0.5 s")
        assert time.monotonic() - started < 3
        # The worker was replaced: the next page is extracted normally.
        extractor.timeout = 30
        result = extractor.extract(seed_page("004"))
        assert isinstance(result, Extracted) and "Choïgou" in result.text


def test_the_bounded_extractor_gives_the_same_answer_as_in_process() -> None:
    with BoundedExtractor() as extractor:
        assert extractor.extract(seed_page("001")) == extract_article(seed_page("001"))


def test_the_child_is_recycled_after_its_page_budget_or_memory_bound() -> None:
    with BoundedExtractor(max_pages=3) as extractor:
        first = [extractor.extract(seed_page("004")) for _ in range(7)]
        assert all(isinstance(r, Extracted) for r in first)
        assert extractor.recycled == 2  # after pages 3 and 6; page 7 ran in a third child
    with BoundedExtractor(max_rss=1) as heavy:  # every child is over a 1-byte bound after its first page
        assert isinstance(heavy.extract(seed_page("001")), Extracted)
        assert isinstance(heavy.extract(seed_page("001")), Extracted)
        assert heavy.recycled == 2


def test_every_read_stage_instance_of_a_process_shares_one_child() -> None:
    first, second = acquire_extractor(), acquire_extractor()
    try:
        assert first is second
        child = first._process
        assert child is not None and child.is_alive()
        assert isinstance(second.extract(seed_page("001")), Extracted)
        assert first._process is child  # no second child was started
        release_extractor()
        assert child.is_alive()  # one user is left
    finally:
        release_extractor()
    child.join(5)
    assert not child.is_alive()  # the last user stopped it
    third = acquire_extractor()
    try:
        assert third is not first and third._process is not None and third._process.is_alive()
    finally:
        release_extractor()
