"""Extraction quality and cost: guetteur's extraction beside plain trafilatura.extract, measured in one run.

    python -m benchmarks.extraction [--corpus ../shared/corpus] [--limit N]

Prints, for trafilatura's evaluation pages (fr and other) and the Zyte benchmark: the share of `with` snippets
kept, of `without` snippets dropped, and token F1; then what the time bound (a child process) costs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from pipeline.ingest.extraction import Extracted, extract_article
from pipeline.ingest.extraction_worker import BoundedExtractor

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN.findall(text))


def norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def plain(html: bytes) -> str:
    return trafilatura.extract(html) or ""


def ours(html: bytes) -> str:
    result = extract_article(html)
    return result.text if isinstance(result, Extracted) else ""


@dataclass
class Score:
    with_kept: int = 0
    with_total: int = 0
    without_dropped: int = 0
    without_total: int = 0
    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def add_tokens(self, found: Counter[str], truth: Counter[str], noise: Counter[str] | None = None) -> None:
        hit = sum((found & truth).values())
        self.tp += hit
        self.fn += sum(truth.values()) - hit
        # Against a full ground truth, every extra token is a false positive; against snippets, only the
        # tokens of the `without` snippets are known to be wrong.
        self.fp += sum((found & noise).values()) if noise is not None else sum(found.values()) - hit

    def f1(self) -> float:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def shares(self) -> tuple[str, str]:
        kept = f"{self.with_kept / self.with_total:.3f}" if self.with_total else "  n/a"
        dropped = f"{self.without_dropped / self.without_total:.3f}" if self.without_total else "  n/a"
        return kept, dropped


def snippet_pages(folder: Path) -> Iterator[tuple[bytes, list[str], list[str]]]:
    truth = json.loads((folder / "ground_truth_segments.json").read_text(encoding="utf-8"))
    for name, item in sorted(truth.items()):
        yield (folder / name).read_bytes(), item.get("with", []), item.get("without", [])


def score_snippets(folder: Path, extract: Callable[[bytes], str], limit: int | None) -> Score:
    score = Score()
    for index, (html, with_, without) in enumerate(snippet_pages(folder)):
        if limit is not None and index >= limit:
            break
        text = norm(extract(html))
        score.with_total += len(with_)
        score.without_total += len(without)
        score.with_kept += sum(norm(s) in text for s in with_)
        score.without_dropped += sum(norm(s) not in text for s in without)
        score.add_tokens(tokens(text), tokens(" ".join(with_)), tokens(" ".join(without)))
    return score


def zyte_pages(folder: Path, limit: int | None) -> Iterator[tuple[bytes, str]]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for index, (key, item) in enumerate(sorted(truth.items())):
        if limit is not None and index >= limit:
            return
        yield gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()), item.get("articleBody", "")


def score_zyte(folder: Path, extract: Callable[[bytes], str], limit: int | None) -> Score:
    score = Score()
    for html, body in zyte_pages(folder, limit):
        score.add_tokens(tokens(extract(html)), tokens(body))
    return score


def bound_cost(folder: Path, limit: int | None) -> tuple[float, float, int]:
    pages = [html for html, _ in zyte_pages(folder, limit)]
    started = time.perf_counter()
    for html in pages:
        extract_article(html)
    inline = time.perf_counter() - started
    with BoundedExtractor() as bounded:
        bounded.warm_up()
        started = time.perf_counter()
        for html in pages:
            bounded.extract(html)
        child = time.perf_counter() - started
    return inline, child, len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared/corpus")
    parser.add_argument("--limit", type=int, help="pages per data set (default: all)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} is absent (the corpus is read from beside the repository)")
        return 0
    sets = [
        ("trafilatura_eval/fr", lambda f: score_snippets(args.corpus / "trafilatura_eval/fr", f, args.limit)),
        ("trafilatura_eval/other", lambda f: score_snippets(args.corpus / "trafilatura_eval/other", f, args.limit)),
        ("zyte (181 pages)", lambda f: score_zyte(args.corpus / "zyte_article_extraction_benchmark", f, args.limit)),
    ]
    print(f"{'data set':24} {'extractor':10} {'with kept':>10} {'without dropped':>16} {'token F1':>9}")
    worse: list[str] = []
    for name, run in sets:
        results = {label: run(fn) for label, fn in (("trafilatura", plain), ("guetteur", ours))}
        for label, score in results.items():
            kept, dropped = score.shares()
            print(f"{name:24} {label:10} {kept:>10} {dropped:>16} {score.f1():9.3f}")
        base, mine = results["trafilatura"], results["guetteur"]
        for metric, a, b in (("with kept", base.with_kept, mine.with_kept),
                             ("without dropped", base.without_dropped, mine.without_dropped),
                             ("token F1", round(base.f1(), 3), round(mine.f1(), 3))):
            if b < a:
                worse.append(f"{name}: {metric}")
    inline, child, count = bound_cost(args.corpus / "zyte_article_extraction_benchmark", args.limit)
    print(f"\ntime bound cost on {count} Zyte pages: in-process {count / inline:.1f} pages/s, "
          f"in the bounded child {count / child:.1f} pages/s, ratio child/in-process time {child / inline:.3f}")
    if worse:
        print("guetteur is worse on: " + "; ".join(worse))
        return 1
    print("guetteur is no worse than plain trafilatura on any data set and metric")
    return 0


if __name__ == "__main__":
    sys.exit(main())
