"""The evaluation set stays as it was frozen, and each corpus is consistent with itself."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parents[2] / "eval"
CORPORA = sorted(p for p in (EVAL / "corpora").iterdir() if p.is_dir())


def test_every_file_has_the_hash_it_was_frozen_with() -> None:
    listed = {}
    for line in (EVAL / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    present = {str(p.relative_to(EVAL / "corpora")) for p in (EVAL / "corpora").rglob("*") if p.is_file()}
    assert present == set(listed), "a file was added to or removed from the frozen set"
    changed = [name for name, digest in listed.items()
               if hashlib.sha256((EVAL / "corpora" / name).read_bytes()).hexdigest() != digest]
    assert changed == []


@pytest.mark.parametrize("corpus", CORPORA, ids=[p.name for p in CORPORA])
def test_the_gold_names_every_article_in_order_with_verbatim_evidence(corpus: Path) -> None:
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    articles = gold["articles"]
    assert [a["id"] for a in articles] == gold["order"]
    assert sorted(p.name for p in corpus.glob("*.txt")) == sorted(a["file"] for a in articles)
    published = [a["published"] for a in articles]
    assert published == sorted(published, key=datetime.fromisoformat)
    for article in articles:
        text = (corpus / article["file"]).read_text(encoding="utf-8")
        for claim in article["claims"]:
            assert claim["evidence"] in text, (article["id"], claim["evidence"][:60])
        if article.get("copy_of") or not article.get("on_topic", True):
            assert article["expected_alerts"] == [], article["id"]
