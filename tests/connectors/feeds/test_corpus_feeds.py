"""Every real-world feed of the shared corpus ends as entries or a named reason, never an exception."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.feeds.parse import parse_feed

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KNOWN_REASONS = {"empty_body", "binary", "not_a_feed", "malformed", "no_entries"}


def feed_files(corpus: Path) -> list[Path]:
    return sorted(p for p in (corpus / "feeds").rglob("*") if p.is_file() and p.name != "LICENSE")


def test_every_corpus_feed_ends_as_entries_or_a_named_reason(corpus_dir: Path) -> None:
    files = feed_files(corpus_dir)
    assert len(files) > 200
    outcomes: Counter[str] = Counter()
    entry_drops: Counter[str] = Counter()
    for path in files:
        result = parse_feed(path.read_bytes(), feed_name=path.stem, feed_url="https://feeds.example/rss",
                            outlet=None, now=NOW)
        if result.entries:
            outcomes["entries (salvaged bozo)" if result.salvaged else "entries"] += 1
            assert all(e.entry_id and e.published.tzinfo is not None for e in result.entries)
        else:
            assert result.reason in KNOWN_REASONS or result.drops, path
            outcomes[result.reason or "all entries dropped"] += 1
        entry_drops.update(d.reason for d in result.drops)
    print("\ncorpus feeds by outcome:", dict(outcomes.most_common()))
    print("entries dropped by reason:", dict(entry_drops.most_common()))
    # The real French outlets' feeds, apart from the known breakage, all give entries.
    assert outcomes["entries"] + outcomes["entries (salvaged bozo)"] > 150


@pytest.mark.parametrize("name, reason", [
    (".~ast -- articles.xml", {"binary", "malformed", "not_a_feed"}),  # a lock file named .xml
])
def test_known_breakage_of_the_french_outlets(corpus_dir: Path, name: str, reason: set[str]) -> None:
    (path,) = [p for p in feed_files(corpus_dir) if p.name == name]
    assert parse_feed(path.read_bytes(), feed_name="x", feed_url="https://x.example/", outlet=None,
                      now=NOW).reason in reason


def test_french_outlet_feeds_have_dated_entries(corpus_dir: Path) -> None:
    folder = corpus_dir / "feeds" / "french_outlets"
    dated = total = 0
    for path in folder.rglob("*.xml"):
        for entry in parse_feed(path.read_bytes(), feed_name="x", feed_url="https://x.example/", outlet=None,
                                now=NOW).entries:
            total += 1
            dated += entry.date_quality == "ok"
            assert entry.url.startswith("https://") or entry.url.startswith("http://")
    assert total > 1000 and dated / total > 0.95
