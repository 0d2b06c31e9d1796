"""The alert of CONTRACT.md: one JSON object per new claim, with an id that is the same whenever it is rebuilt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pipeline.domain.records import Article, Figure, Judgement, PriorFigure

# A fixed namespace: the same claim of the same article gives the same uuid5 on every run and every worker,
# which is what lets receivers drop duplicates (webhook-id) and the store refuse a second copy.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://guetteur.invalid/alert")


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 3)


def figure_json(figure: Figure | PriorFigure) -> dict[str, Any]:
    return {"low": _number(figure.low), "high": _number(figure.high), "unit": figure.unit}


def alert_id(judgement: Judgement, article_url: str) -> str:
    c = judgement.claim
    figure = f"{c.figure.low}:{c.figure.high}:{c.figure.unit}" if c.figure else "-"
    key = "|".join([article_url, c.topic, c.predicate, figure, c.place or "-", c.act or "-", c.event_date or "-",
                    c.evidence])
    return str(uuid.uuid5(_NAMESPACE, key))


def build_alert(judgement: Judgement, article: Article, created_at: datetime) -> dict[str, Any]:
    claim = judgement.claim
    return {
        "id": alert_id(judgement, article.url),
        "kind": judgement.kind,
        "topic": claim.topic,
        "predicate": claim.predicate,
        "figure": figure_json(claim.figure) if claim.figure else None,
        "attributed_to": claim.attributed_to,
        "hedged": claim.hedged,
        "evidence": claim.evidence,
        "article": {
            "url": article.url,
            "outlet": article.outlet,
            "title": article.title,
            "published": article.published.isoformat(),
            "language": article.language,
        },
        "previous": [
            {**figure_json(p), "attributed_to": p.attributed_to, "first_seen": p.first_seen,
             "article_url": p.article_url}
            for p in judgement.previous
        ],
        "created_at": created_at.isoformat(),
    }
