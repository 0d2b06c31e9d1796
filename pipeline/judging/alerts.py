"""Building the alert of a new claim, with an id that is the same whenever it is rebuilt."""

from __future__ import annotations

import uuid
from datetime import datetime

from pipeline.domain.alert import Alert, AlertArticle
from pipeline.domain.records import Article, Judgement

# A fixed namespace: the same claim of the same article gives the same uuid5 on every run and every worker,
# which is what lets receivers drop duplicates (webhook-id) and the store refuse a second copy.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://guetteur.invalid/alert")


def alert_id(judgement: Judgement, article_url: str) -> str:
    c = judgement.claim
    figure = f"{c.figure.low}:{c.figure.high}:{c.figure.unit}" if c.figure else "-"
    key = "|".join([article_url, c.topic, c.predicate, figure, c.place or "-", c.act or "-", c.event_date or "-",
                    c.evidence])
    return str(uuid.uuid5(_NAMESPACE, key))


def build_alert(judgement: Judgement, article: Article, created_at: datetime) -> Alert:
    claim = judgement.claim
    return Alert(
        id=alert_id(judgement, article.url),
        kind=judgement.kind,
        topic=claim.topic,
        predicate=claim.predicate,
        figure=claim.figure,
        attributed_to=claim.attributed_to,
        hedged=claim.hedged,
        evidence=claim.evidence,
        article=AlertArticle(article.url, article.outlet, article.title, article.published.isoformat(),
                             article.language),
        previous=judgement.previous,
        created_at=created_at.isoformat(),
        label=claim.label,
        confidence=claim.confidence,
    )
