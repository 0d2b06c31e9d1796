"""Committing an article, apart from the SQL: the judging every store runs inside its own transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from pipeline.alerts import alert_id, build_alert
from pipeline.fingerprint import DUPLICATE_JACCARD, Fingerprint
from pipeline.novelty import History, Identity, identity, judge_article
from pipeline.records import Article, Claim, Judgement, PriorFigure
from pipeline.store import Committed

# One recorded claim, as history reads it: low, high, unit, attributed_to, seen_at, article_url, place, act,
# event_date, quantitative.
ClaimRow = tuple[float | None, float | None, str | None, str | None, str, str, str | None, str | None, str | None,
                 bool]


class Ledger(Protocol):
    """The reads and writes of one commit, all inside the transaction of the store that provides them."""

    def has_article(self, url: str) -> bool: ...
    def sharing_a_band(self, bands: Sequence[int]) -> set[str]: ...  # URLs of articles with any band in common
    def signature(self, url: str) -> tuple[bytes, str | None] | None: ...  # (signature, duplicate_of)
    def evidence(self, url: str) -> set[str]: ...  # the evidence of every claim of an article
    def claim_rows(self, topic: str, predicate: str) -> list[ClaimRow]: ...  # in the order they were recorded
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
        for j in judge_article(claims, lambda t, p: history(t, p, ledger.claim_rows(t, p)), article_url=article.url,
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
    """The original this article copies (the most similar stored article, or the original that one copies)."""
    candidates = ledger.sharing_a_band(fingerprint.bands) - {url}
    best, best_score = None, DUPLICATE_JACCARD
    for candidate in sorted(candidates):
        stored = ledger.signature(candidate)
        if stored is None:
            continue
        score = fingerprint.similarity(stored[0])
        if score >= best_score:
            best, best_score = stored[1] or candidate, score
    return best


def history(topic: str, predicate: str, rows: Sequence[ClaimRow]) -> History:
    """What the novelty policy needs to know of the claims recorded before for one topic and predicate."""
    # One entry per distinct figure and source, the first time it was seen: what `previous` lists.
    figures = tuple({(r[0], r[1], r[2], r[3]): PriorFigure(r[0], r[1], r[2], r[3], r[4], r[5])
                     for r in reversed(rows) if r[0] is not None}.values())[::-1]
    identities = tuple(
        identity(Claim(topic, predicate, "", place=r[6], act=r[7], event_date=r[8])) for r in rows if not r[9])
    return History(figures=figures, mentioned=bool(rows), identities=_unique(identities))


def claim_values(article_url: str, judgement: Judgement, alert_id: str | None, seen_at: str) -> tuple[object, ...]:
    """A claims row in the column order both schemas share, from article_url to seen_at."""
    c = judgement.claim
    return (article_url, c.topic, c.predicate, c.figure.low if c.figure else None,
            c.figure.high if c.figure else None, c.figure.unit if c.figure else None, c.attributed_to,
            c.hedged, c.place, c.act, c.event_date, c.quantitative, c.evidence, judgement.kind, alert_id, seen_at)


def _unique(identities: tuple[Identity, ...]) -> tuple[Identity, ...]:
    return tuple(dict.fromkeys(identities))
