"""Committing an article, apart from the SQL: the judging every store runs inside its own transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pipeline.judging.alerts import alert_id, build_alert
from pipeline.ingest.fingerprint import DUPLICATE_JACCARD, Fingerprint
from pipeline.judging.novelty import PREVIOUS_SHOWN, History, identity, judge_article
from pipeline.domain.records import Article, Claim, Judgement, PriorFigure
from pipeline.ports.store import Committed

CANDIDATES = 20  # stored articles compared with a new one to find the story it copies

# One distinct figure and source recorded before: the id of its latest record, then low, high, unit, attributed_to,
# and the seen_at and article_url of its first record.
FigureRow = tuple[int, float, float, str | None, str | None, str, str]
# The parts of a qualitative claim its identity is made of: place, act, event_date.
IdentityRow = tuple[str | None, str | None, str | None]


class Ledger(Protocol):
    """The reads and writes of one commit, all inside the transaction of the store that provides them."""

    def has_article(self, url: str) -> bool: ...
    # (url, signature, duplicate_of) of the `limit` articles sharing the most bands with these: the most bands first,
    # then the earlier processed.
    def sharing_bands(self, bands: Sequence[int], limit: int) -> list[tuple[str, bytes, str | None]]: ...
    def evidence(self, url: str) -> set[str]: ...  # the evidence of every claim of an article
    # The history reads are bounded by what is distinct and near, not by how many claims were recorded: a story
    # followed for months gathers thousands of reprinted claims, and every article is judged against them.
    def mentioned(self, topic: str, predicate: str) -> bool: ...  # any claim recorded for them
    def identities(self, topic: str, predicate: str) -> list[IdentityRow]: ...  # distinct, of qualitative claims
    # Distinct figures of the unit whose interval widened by the tolerance meets [low, high] (novelty.meets).
    def figures_meeting(self, topic: str, predicate: str, unit: str | None, low: float, high: float,
                        tolerance: float) -> list[FigureRow]: ...
    def latest_figures(self, topic: str, predicate: str, unit: str | None, count: int) -> list[FigureRow]: ...
    # False when the article is already there: another worker committed it first.
    def add_article(self, article: Article, fingerprint: Fingerprint, duplicate_of: str | None,
                    seen_at: str) -> bool: ...
    def add_claim(self, article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> None: ...
    # The alert and its outbox rows; False when the alert was already there (nothing is queued again).
    def add_alert(self, alert_id: str, created_at: str, body: str, sinks: Sequence[str]) -> bool: ...
    def entry_processed(self, article: Article, seen_at: str) -> None: ...


def commit_article(ledger: Ledger, article: Article, fingerprint: Fingerprint, claims: Sequence[Claim], *,
                   sinks: Sequence[str], tolerance: float, now: datetime) -> Committed:
    """Judge the article's claims against the history and write it all: the article, its claims, their alerts."""
    seen_at = now.isoformat()
    if ledger.has_article(article.url):
        return Committed((), (), already_processed=True)
    duplicate_of = duplicate(ledger, article.url, fingerprint)
    copied = ledger.evidence(duplicate_of) if duplicate_of else set()
    judgements = [
        Judgement(j.claim, "syndicated") if j.alerts and j.claim.evidence in copied else j
        for j in judge_article(claims, lambda claim: history(ledger, claim, tolerance), article_url=article.url,
                               seen_at=seen_at, tolerance=tolerance)
    ]
    # The article is the first write: when another worker got there first, nothing of this one is written.
    if not ledger.add_article(article, fingerprint, duplicate_of, seen_at):
        return Committed((), (), already_processed=True)
    alerts = []
    for judgement in judgements:
        the_id = alert_id(judgement, article.url) if judgement.alerts else None
        ledger.add_claim(article.url, judgement, the_id, seen_at)
        if the_id is None:
            continue
        alert = build_alert(judgement, article, now)
        if ledger.add_alert(the_id, seen_at, json.dumps(alert, ensure_ascii=False, sort_keys=False), sinks):
            alerts.append(alert)
    if article.entry_id:
        ledger.entry_processed(article, seen_at)
    return Committed(tuple(judgements), tuple(alerts), duplicate_of=duplicate_of)


def duplicate(ledger: Ledger, url: str, fingerprint: Fingerprint) -> str | None:
    """The original this article copies (the most similar stored article, or the original that one copies).

    Only the CANDIDATES articles sharing the most LSH bands are compared: the more bands two signatures share, the
    more alike they are almost surely, so the most similar is among them; and a story reprinted a thousand times (or
    an outlet whose every page keeps the same furniture) costs as much per article as one reprinted twenty times.
    """
    best, best_score = None, DUPLICATE_JACCARD
    for candidate, signature, duplicate_of in ledger.sharing_bands(fingerprint.bands, CANDIDATES + 1):
        if candidate == url:
            continue
        score = fingerprint.similarity(signature)
        if score > best_score or (score == best_score and best is None):
            best, best_score = duplicate_of or candidate, score
    return best


def history(ledger: Ledger, claim: Claim, tolerance: float) -> History:
    """What the novelty policy needs to know of the claims recorded before, to judge this one."""
    topic, predicate = claim.topic, claim.predicate
    if not claim.quantitative:
        identities = (identity(Claim(topic, predicate, "", place=p, act=a, event_date=d))
                      for p, a, d in ledger.identities(topic, predicate))
        return History(mentioned=ledger.mentioned(topic, predicate), identities=tuple(dict.fromkeys(identities)))
    if claim.figure is None:
        return History(mentioned=ledger.mentioned(topic, predicate))
    f = claim.figure
    # The figures that can make it known, and the latest ones, which an alert lists; in the order of their latest
    # record, each with its first record's time and article (what `previous` shows).
    rows = {row[1:5]: row for row in (*ledger.figures_meeting(topic, predicate, f.unit, f.low, f.high, tolerance),
                                      *ledger.latest_figures(topic, predicate, f.unit, PREVIOUS_SHOWN))}
    figures = tuple(PriorFigure(*row[1:]) for row in sorted(rows.values()))
    return History(figures=figures, mentioned=bool(figures) or ledger.mentioned(topic, predicate))


def claim_values(article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> tuple[object, ...]:
    """A claims row in the column order both schemas share, from article_url to seen_at."""
    c = judgement.claim
    return (article_url, c.topic, c.predicate, c.figure.low if c.figure else None,
            c.figure.high if c.figure else None, c.figure.unit if c.figure else None, c.attributed_to,
            c.hedged, c.place, c.act, c.event_date, c.quantitative, c.evidence, judgement.kind, alert_id, seen_at)
