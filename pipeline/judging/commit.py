"""Committing an article, apart from the SQL: the judging every store runs inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.config.defaults import DUPLICATE_CANDIDATES as CANDIDATES
from pipeline.config.defaults import DUPLICATE_JACCARD
from pipeline.domain.records import Article, Claim, Fingerprint, Judgement, PriorFigure
from pipeline.judging.alerts import alert_id, build_alert
from pipeline.judging.novelty import PREVIOUS_SHOWN, History, identity, is_known, judge_article, recorded
from pipeline.ports.store import Committed, Ledger


def commit_article(ledger: Ledger, article: Article, fingerprint: Fingerprint, claims: Sequence[Claim], *,
                   sinks: Sequence[str], tolerance: float, now: datetime, min_confidence: float = 0.0) -> Committed:
    """Judge the article's claims against the history and write it all: the article, its claims, their alerts."""
    seen_at = now.isoformat()
    if ledger.has_article(article.url):
        return Committed((), (), already_processed=True)
    duplicate_of = duplicate(ledger, article.url, fingerprint)
    copied = ledger.evidence(duplicate_of) if duplicate_of else set()
    judged = judge_article(
        claims, lambda claim: history(ledger, claim, tolerance), article_url=article.url, seen_at=seen_at,
        tolerance=tolerance, min_confidence=min_confidence,
        # A syndicated copy is no second outlet: it promotes nothing.
        corroborated=None if duplicate_of else lambda claim: doubted_elsewhere(ledger, claim, article.outlet,
                                                                              tolerance))
    judgements = [Judgement(j.claim, "syndicated") if j.alerts and j.claim.evidence in copied else j for j in judged]
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
        if ledger.add_alert(the_id, seen_at, alert.dumps(), sinks):
            alerts.append(alert)
    if article.entry_id:
        ledger.entry_processed(article, seen_at)
    return Committed(tuple(judgements), tuple(alerts), duplicate_of=duplicate_of)


def doubted_elsewhere(ledger: Ledger, claim: Claim, outlet: str, tolerance: float) -> bool:
    """Whether another outlet's original article recorded this claim as doubtful too.

    Two outlets reading the same figure (within the tolerance) or the same event make it likely: the report that
    promotes it carries the alert, and from then on it counts as known.
    """
    for low, high, unit, place, act, event_date in ledger.doubted_elsewhere(claim.topic, claim.predicate, outlet):
        if not claim.quantitative:
            same = identity(claim).matches(recorded(place, act, event_date))
        elif claim.figure is None:
            same = low is None
        else:
            same = low is not None and high is not None and unit == claim.figure.unit and is_known(
                claim.figure, [PriorFigure(low, high, unit, None, "", "")], tolerance)
        if same:
            return True
    return False


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
        # A stored event keeps every part it was recorded with; the new claim's identity says which of them count.
        identities = (recorded(place, act, date) for place, act, date in ledger.identities(topic, predicate))
        return History(identities=tuple(dict.fromkeys(identities)))  # judging an event reads its identities alone
    if claim.figure is None:
        return History(mentioned=ledger.mentioned(topic, predicate))
    f = claim.figure
    # The figures that can make it known, and the latest ones, which an alert lists; in the order of their latest
    # record, each with its first record's time and article (what `previous` shows).
    rows = {row[1:5]: row for row in (*ledger.figures_meeting(topic, predicate, f.unit, f.low, f.high, tolerance),
                                      *ledger.latest_figures(topic, predicate, f.unit, PREVIOUS_SHOWN))}
    figures = tuple(PriorFigure(*row[1:]) for row in sorted(rows.values()))
    return History(figures=figures, mentioned=bool(figures) or ledger.mentioned(topic, predicate))
