"""Composites of the graph, each alone, on the same runner as production (Prism, LOOPBACK)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config.schema import settings_from_dict
from pipeline.domain.records import Article, Claim, Figure
from pipeline.runtime.graph import Analyse, Judge
from pipeline.runtime.runner import pipeline_options

T = "russie-coree-du-nord"


def article(url: str, day: int, text: str) -> Article:
    return Article(url=url, outlet="o", title="Titre", text=text, published=datetime(2025, 9, day, tzinfo=UTC),
                   language="fr", entry_id=url, feed="f")


def killed(low: float) -> Claim:
    return Claim(T, "troops_killed", f"Environ {low} soldats nord-coréens ont été tués.", quantitative=True,
                 figure=Figure(low, low, "soldiers"))


def test_judgement_in_publication_order_whatever_the_arrival(tmp_path: Path) -> None:
    settings = settings_from_dict({"store": {"path": str(tmp_path / "g.db")},
                                   "sinks": [{"type": "jsonl", "path": str(tmp_path / "a.jsonl")}]})
    later = (article("https://b.example/2", 20, "Un texte. " * 40), (killed(2000),))
    earlier = (article("https://a.example/1", 3, "Un autre texte, tout différent. " * 40), (killed(600),))
    with beam.Pipeline(options=pipeline_options(settings, streaming=False)) as p:
        alerts = (p | beam.Create([later, earlier]) | Judge(settings, ordered=True)
                  | beam.Map(lambda a: (a.article.url, a.kind, a.figure.low)))
        assert_that(alerts, equal_to([("https://a.example/1", "new_claim", 600),
                                      ("https://b.example/2", "new_figure", 2000)]))


def test_analyse_keeps_on_topic_claims_and_names_the_off_topic_drop() -> None:
    settings = settings_from_dict({})
    on_topic = article("https://a.example/1", 3, (
        "La Corée du Nord a envoyé des soldats en Russie pour combattre l'Ukraine, selon Séoul. "
        "Environ 600 soldats nord-coréens ont été tués dans la région de Koursk, selon le renseignement sud-coréen. "
        "Moscou et Pyongyang ont signé un traité de partenariat stratégique l'an dernier. ") * 2)
    off_topic = article("https://a.example/2", 4, "Le conseil municipal a voté le budget de la piscine. " * 20)
    with beam.Pipeline(options=pipeline_options(settings, streaming=False)) as p:
        out = p | beam.Create([on_topic, off_topic]) | Analyse(settings)
        predicates = out.claims | beam.FlatMap(lambda item: sorted({c.predicate for c in item[1]}))
        drops = out.drops | beam.Map(lambda d: (d.stage, d.reason, d.key))
        assert_that(predicates, equal_to(["troops_deployed", "troops_killed", "treaty"]), label="claims")
        assert_that(drops, equal_to([("topics", "off_topic", "https://a.example/2")]), label="drops")
