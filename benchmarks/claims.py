"""Claims and alerts per predicate on the frozen evaluation set (eval/), and the claims' cost per on-topic article.

    python -m benchmarks.claims [--corpus eval/corpora/NAME ...] [--errors]

Each corpus is one story in publication order, judged from an empty store as the monitor would: the headline and
body of each article go through the configured topics and claims (pipeline.claims.analyst) and the novelty policy
of a real SQLite store (pipeline.judging.commit), without fetching or extracting, which this set does not judge.
Alerts are scored with the rules of CONTRACT.md (benchmarks.gold: quantitative by figure within 10%, qualitative by
article and predicate); claims by predicate, sentence and figure. Alerts of other topics are not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from benchmarks.gold import QUANTITATIVE, Score, figure_matches, score
from connectors.stores.sqlite import SqliteStore
from pipeline.claims import parsing
from pipeline.claims.analyst import Analyst, warm_up
from pipeline.config.defaults import MIN_CONFIDENCE, TOLERANCE
from pipeline.domain.records import Article, Claim
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ports.metrics import Metrics
from pipeline.topics.matching import load_topics

EVAL = Path(__file__).resolve().parents[1] / "eval" / "corpora"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Tally:
    """Hits, misses and extras of one predicate."""

    hit: int = 0
    missed: int = 0
    extra: int = 0

    def precision(self) -> float:
        return self.hit / (self.hit + self.extra) if self.hit + self.extra else 1.0

    def recall(self) -> float:
        return self.hit / (self.hit + self.missed) if self.hit + self.missed else 1.0

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        self.hit, self.missed, self.extra = self.hit + other.hit, self.missed + other.missed, self.extra + other.extra


@dataclass
class CorpusResult:
    name: str
    topic: str
    alerts: Score
    claims: dict[str, Tally] = field(default_factory=dict)
    claim_errors: list[str] = field(default_factory=list)
    on_topic_seconds: list[float] = field(default_factory=list)


def article_of(corpus: Path, entry: dict[str, Any]) -> Article:
    headline, _, body = (corpus / entry["file"]).read_text(encoding="utf-8").partition("\n")
    return Article(url=f"https://{corpus.name}.eval.invalid/{entry['id']}", outlet=entry.get("outlet", ""),
                   title=headline.strip(), text=body.strip(), published=datetime.fromisoformat(entry["published"]),
                   language="fr")


def quantitative_of(gold: dict[str, Any]) -> set[str]:
    declared = gold.get("predicates")
    if declared:
        return {name for name, spec in declared.items() if spec.get("kind") == "quantitative"}
    return set(QUANTITATIVE)


def _same_claim(claim: Claim, expected: dict[str, Any]) -> bool:
    if claim.predicate != expected["predicate"]:
        return False
    evidence = " ".join(expected["evidence"].split())
    found = " ".join(claim.evidence.split())
    if evidence[:60] not in found and found not in evidence:
        return False
    if expected.get("low") is None or claim.figure is None:
        return expected.get("low") is None and claim.figure is None
    return figure_matches({"figure": {"low": claim.figure.low, "high": claim.figure.high,
                                      "unit": claim.figure.unit}}, expected)


def tally_claims(result: CorpusResult, entry: dict[str, Any], claims: Iterable[Claim]) -> None:
    """Each expected claim met by one extracted claim of its article; the rest of either side is an error."""
    left = [c for c in claims if c.topic == result.topic]
    for expected in entry["claims"]:
        tally = result.claims.setdefault(expected["predicate"], Tally())
        hit = next((c for c in left if _same_claim(c, expected)), None)
        if hit is None:
            tally.missed += 1
            result.claim_errors.append(f"  missed {entry['id']} {expected['predicate']} {expected.get('low')} "
                                       f"« {expected['evidence'][:100]} »")
        else:
            tally.hit += 1
            left.remove(hit)
    for claim in left:
        result.claims.setdefault(claim.predicate, Tally()).extra += 1
        figure = f"{claim.figure.low:g}" if claim.figure else None
        result.claim_errors.append(f"  extra  {entry['id']} {claim.predicate} {figure} « {claim.evidence[:100]} »")


def run_corpus(corpus: Path, analyst: Analyst, min_confidence: float = MIN_CONFIDENCE) -> CorpusResult:
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    topic = gold.get("topic", "russie-coree-du-nord")
    by_article: dict[str, list[dict[str, Any]]] = {}
    result = CorpusResult(corpus.name, topic, Score())
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "eval.db")
        try:
            for entry in gold["articles"]:
                article = article_of(corpus, entry)
                started = time.process_time()
                analysed = analyst.analyse(article)
                spent = time.process_time() - started
                claims: tuple[Claim, ...] = () if not isinstance(analysed, tuple) else analysed[1]
                if claims:
                    result.on_topic_seconds.append(spent)
                tally_claims(result, entry, claims)
                committed = store.commit_article(article, fingerprint(article.text), claims, sinks=(),
                                                 tolerance=TOLERANCE, now=NOW, min_confidence=min_confidence)
                by_article[entry["id"]] = [a.as_json() for a in committed.alerts if a.topic == topic]
        finally:
            store.close()
    result.alerts = score(gold, by_article, [], quantitative_of(gold))
    return result


def _table(rows: dict[str, Tally]) -> list[str]:
    lines = [f"  {'predicate':22} {'hit':>4} {'miss':>4} {'extra':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    total = Tally()
    for name in sorted(rows):
        t = rows[name]
        total.add(t)
        lines.append(f"  {name:22} {t.hit:4d} {t.missed:4d} {t.extra:5d} {t.precision():6.3f} {t.recall():6.3f} "
                     f"{t.f1():6.3f}")
    lines.append(f"  {'all':22} {total.hit:4d} {total.missed:4d} {total.extra:5d} {total.precision():6.3f} "
                 f"{total.recall():6.3f} {total.f1():6.3f}")
    return lines


def alert_tallies(result: Score) -> dict[str, Tally]:
    rows: dict[str, Tally] = {}
    for _, expected in result.matched:
        rows.setdefault(expected["predicate"], Tally()).hit += 1
    for _, expected in result.missing:
        rows.setdefault(expected["predicate"], Tally()).missed += 1
    for _, alert in result.extra:
        rows.setdefault(alert["predicate"], Tally()).extra += 1
    return rows


def report(results: list[CorpusResult], errors: bool) -> str:
    lines = []
    by_topic: dict[str, list[CorpusResult]] = {}
    for result in results:
        by_topic.setdefault(result.topic, []).append(result)
    for topic, group in by_topic.items():
        alerts: dict[str, Tally] = {}
        claims: dict[str, Tally] = {}
        for result in group:
            for rows, into in ((alert_tallies(result.alerts), alerts), (result.claims, claims)):
                for name, t in rows.items():
                    into.setdefault(name, Tally()).add(t)
        names = ", ".join(r.name for r in group)
        lines += [f"topic {topic} ({names})", " alerts:", *_table(alerts), " claims:", *_table(claims)]
        if errors:
            for result in group:
                lines.append(f" alert errors, {result.name}:")
                lines += [f"  missing {a} {e['predicate']} {e['kind']} {e.get('low')}"
                          for a, e in result.alerts.missing]
                lines += [f"  extra   {a} {x['predicate']} {x['kind']} {x.get('figure')} « {x['evidence'][:100]} »"
                          for a, x in result.alerts.extra]
                lines.append(f" claim errors, {result.name}:")
                lines += result.claim_errors
        lines.append("")
    seconds = [s for r in results for s in r.on_topic_seconds]
    if seconds:
        lines.append(f"topics and claims: {1000 * sum(seconds) / len(seconds):.1f} ms of CPU per article with claims "
                     f"({len(seconds)} articles)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus folder (default: every one in eval/)")
    parser.add_argument("--errors", action="store_true", help="list every missed and extra alert and claim")
    parser.add_argument("--model", default=parsing.SPACY_MODEL,
                        help=f"spaCy's French pipeline to parse with (default {parsing.SPACY_MODEL}; fr_core_news_md "
                             "must be installed by hand to compare)")
    parser.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE,
                        help=f"[novelty] min_confidence (default {MIN_CONFIDENCE})")
    args = parser.parse_args(argv)
    corpora = args.corpus or sorted(p for p in EVAL.iterdir() if (p / "gold.json").exists())
    parsing.SPACY_MODEL = args.model  # before the first load: the parser is chosen by measurement (README)
    warm_up()  # spaCy's model and the lemma table: start-up, not the first article's cost
    analyst = Analyst(load_topics(), Metrics(CollectorRegistry()))
    first = json.loads((corpora[0] / "gold.json").read_text(encoding="utf-8"))["articles"][0]
    analyst.analyse(article_of(corpora[0], first))  # the first parse warms spaCy's caches: not an article's cost
    print(report([run_corpus(corpus, analyst, args.min_confidence) for corpus in corpora], args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
