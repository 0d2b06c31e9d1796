"""The alert of CONTRACT.md as a typed, immutable record, and its JSON form (a JSONL line, a webhook's body)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.domain.records import Figure, PriorFigure


def _number(value: float) -> int | float:
    """Whole figures as JSON integers (600, not 600.0), others to three decimals."""
    return int(value) if float(value).is_integer() else round(value, 3)


def figure_json(figure: Figure | PriorFigure) -> dict[str, Any]:
    return {"low": _number(figure.low), "high": _number(figure.high), "unit": figure.unit}


@dataclass(frozen=True, slots=True)
class AlertArticle:
    """The article an alert comes from, as the alert shows it."""

    url: str
    outlet: str
    title: str
    published: str  # ISO 8601, with the offset the article gave
    language: str


@dataclass(frozen=True, slots=True)
class Alert:
    """A claim that is new, ready to deliver: its id is the same whenever it is rebuilt from the same claim."""

    id: str
    kind: str  # "new_claim" or "new_figure"
    topic: str
    predicate: str
    figure: Figure | None
    attributed_to: str | None
    hedged: bool
    evidence: str
    article: AlertArticle
    previous: tuple[PriorFigure, ...]
    created_at: str  # ISO 8601, UTC
    label: str = ""  # the predicate's French label, from the topic file ("soldats nord-coréens tués")
    confidence: float = 1.0  # how sure the claim reader is of its reading, in [0, 1]

    def as_json(self) -> dict[str, Any]:
        """The JSON object of CONTRACT.md, its keys in the contract's order."""
        return {
            "id": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "predicate": self.predicate,
            "label": self.label,
            "figure": figure_json(self.figure) if self.figure else None,
            "attributed_to": self.attributed_to,
            "hedged": self.hedged,
            "confidence": round(self.confidence, 2),
            "evidence": self.evidence,
            "article": {"url": self.article.url, "outlet": self.article.outlet, "title": self.article.title,
                        "published": self.article.published, "language": self.article.language},
            "previous": [{**figure_json(p), "attributed_to": p.attributed_to, "first_seen": p.first_seen,
                          "article_url": p.article_url} for p in self.previous],
            "created_at": self.created_at,
        }

    def dumps(self) -> str:
        """The body stored in the outbox and sent byte for byte on every attempt."""
        return json.dumps(self.as_json(), ensure_ascii=False)

    @classmethod
    def loads(cls, body: str) -> Alert:
        """An alert from its stored body (what the outbox, the JSONL file and a webhook receiver hold)."""
        data = json.loads(body)
        figure = data.get("figure")
        article = data["article"]
        return cls(
            id=data["id"], kind=data["kind"], topic=data["topic"], predicate=data["predicate"],
            figure=Figure(figure["low"], figure["high"], figure["unit"]) if figure else None,
            attributed_to=data.get("attributed_to"), hedged=bool(data.get("hedged")), evidence=data["evidence"],
            article=AlertArticle(article["url"], article.get("outlet", ""), article.get("title", ""),
                                 article.get("published", ""), article.get("language", "")),
            previous=tuple(PriorFigure(p["low"], p["high"], p["unit"], p.get("attributed_to"), p.get("first_seen", ""),
                                       p.get("article_url", "")) for p in data.get("previous", ())),
            created_at=data.get("created_at", ""),
            label=data.get("label", ""),
            confidence=float(data.get("confidence", 1.0)),
        )
