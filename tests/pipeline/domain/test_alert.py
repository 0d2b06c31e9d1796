"""The Alert record and its JSON: CONTRACT.md's keys in its order, whole numbers as integers, a lossless round trip."""

from __future__ import annotations

import json

from pipeline.domain.alert import Alert, AlertArticle
from pipeline.domain.records import Figure, PriorFigure

ALERT = Alert(
    id="a1", kind="new_figure", topic="russie-coree-du-nord", predicate="troops_killed", figure=Figure(2000, 2000,
    "soldiers"), attributed_to="NIS", hedged=True, evidence="Environ 2 000 soldats auraient été tués.",
    article=AlertArticle("https://x.example/1", "Agence", "Titre", "2025-09-03T12:00:00+02:00", "fr"),
    previous=(PriorFigure(600, 600, "soldiers", "Séoul", "2025-08-21T04:28:00+00:00", "https://x.example/0"),),
    created_at="2025-09-03T10:00:04+00:00", label="soldats nord-coréens tués", confidence=0.95)


def test_the_json_has_the_contracts_keys_in_order_with_whole_figures_as_integers() -> None:
    data = json.loads(ALERT.dumps())
    assert list(data) == ["id", "kind", "topic", "predicate", "label", "figure", "attributed_to", "hedged",
                          "confidence", "evidence", "article", "previous", "created_at"]
    assert data["figure"] == {"low": 2000, "high": 2000, "unit": "soldiers"} and isinstance(data["figure"]["low"], int)
    assert data["previous"] == [{"low": 600, "high": 600, "unit": "soldiers", "attributed_to": "Séoul",
                                 "first_seen": "2025-08-21T04:28:00+00:00", "article_url": "https://x.example/0"}]
    assert data["confidence"] == 0.95 and "é" in ALERT.dumps()  # French stays readable, not \\u-escaped


def test_an_alert_read_back_from_its_body_is_the_same_alert() -> None:
    assert Alert.loads(ALERT.dumps()) == ALERT


def test_an_alert_stored_before_labels_and_confidence_still_reads() -> None:
    data = json.loads(ALERT.dumps())
    del data["label"], data["confidence"]
    old = Alert.loads(json.dumps(data))
    assert (old.label, old.confidence, old.figure) == ("", 1.0, ALERT.figure)
