"""The second story, traversees-manche: the same engine reads it from its topic file alone, with no Python of its own.

These sentences were written for these tests, in the register of French regional dailies and wire services; they
are the cases the topic file was tuned on. The frozen evaluation set (eval/corpora/manche) is kept apart from them.
The articles are dated Thursday 10 July 2025, 09:00 in Paris.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.claims.extractor import ClaimExtractor
from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.domain.records import Article, Claim, Figure
from pipeline.topics.matching import builtin_topics, match_topics
from tests.pipeline.claims.test_extractor import ANY, Expect, assert_claims, summary

TOPIC = "traversees-manche"
PUBLISHED = datetime(2025, 7, 10, 9, 0, tzinfo=timezone(timedelta(hours=2)))


def persons(low: float, high: float | None = None) -> tuple[float, float, str]:
    return (low, low if high is None else high, "persons")


def euros(low: float) -> tuple[float, float, str]:
    return (low, low, "euros")


@pytest.fixture(scope="module")
def extractor() -> ClaimExtractor:
    topic = next(t for t in builtin_topics() if t.id == TOPIC)
    return ClaimExtractor(lexicon_from_topic(topic))


def extract(extractor: ClaimExtractor, text: str) -> list[Claim]:
    return extractor.extract(Article(url="https://example.org/manche", outlet="Test", title="", text=text,
                                     published=PUBLISHED, language="fr"))


CASES = [
    ("Mardi, 612 migrants ont traversé la Manche à bord de onze embarcations, selon le Home Office.",
     [Expect("crossings", persons(612), "Home Office")]),
    ("Depuis le 1er janvier, plus de 21 000 personnes sont arrivées au Royaume-Uni par la mer.",
     [Expect("crossings", persons(21_000))]),
    ("Quatre exilés sont morts dans la nuit lors d'une tentative de traversée au large de Gravelines.",
     [Expect("crossing_deaths", persons(4))]),
    ("Un homme a péri en tentant de rejoindre l'Angleterre, a indiqué la préfecture maritime.",
     [Expect("crossing_deaths", persons(1), "préfecture maritime")]),
    ("Neuf passeurs présumés ont été interpellés lundi à Dunkerque et Boulogne-sur-Mer.",
     [Expect("smugglers_arrested", persons(9), hedged=True)]),  # "présumés": the engine's hedge, as for any story
    ("Le Royaume-Uni versera 480 millions d'euros à la France sur trois ans pour surveiller le littoral.",
     [Expect("uk_funding", euros(480_000_000))]),
    ("Cinquante-cinq migrants ont été renvoyés en France depuis le début du dispositif, selon Londres.",
     [Expect("returns", persons(55), "Londres")]),
    ("L'accord de réadmission franco-britannique est entré en vigueur mercredi.",
     [Expect("agreement", act="entry_into_force", date="2025-07-09")]),
    ("Emmanuel Macron et Keir Starmer ont signé jeudi à Londres un nouvel accord sur les traversées.",
     [Expect("agreement", act="signature", date="2025-07-10")]),
    ("Le ministre de l'Intérieur français a rencontré son homologue britannique à Calais lundi.",
     [Expect("official_meeting", place="Calais", date="2025-07-07")]),
]

NOTHING = [
    # Stopped before they left: these did not cross.
    "Les gendarmes ont empêché 240 migrants de prendre la mer dans la nuit de samedi à dimanche.",
    # Rescued and brought back to France.
    "Soixante personnes en difficulté ont été secourues puis ramenées à Boulogne-sur-Mer.",
    # Pounds only: not the story's unit.
    "Londres a promis 3 000 livres à chaque association.",
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text[:60] for text, _ in CASES])
def test_sentence_claims(extractor: ClaimExtractor, text: str, expected: list[Expect]) -> None:
    assert_claims(extract(extractor, text), expected)


@pytest.mark.parametrize("text", NOTHING, ids=[text[:60] for text in NOTHING])
def test_no_crossing_and_no_figure(extractor: ClaimExtractor, text: str) -> None:
    claims = extract(extractor, text)
    assert not [c for c in claims if c.predicate == "crossings" and c.figure is not None], [summary(c) for c in claims]
    assert not [c for c in claims if c.figure is not None and c.figure.unit == "euros"]


def test_the_topic_matches_the_story_and_not_a_swimmer() -> None:
    topics = builtin_topics()
    story = "Trois migrants sont morts en tentant de traverser la Manche à bord d'un small boat, au large de Calais."
    swim = "La nageuse a traversé la Manche à la nage en quatorze heures, de Douvres au cap Gris-Nez."
    verdicts = {m.topic: m for m in match_topics(topics, story, story)}
    assert verdicts[TOPIC].matched
    assert not {m.topic: m for m in match_topics(topics, swim, swim)}[TOPIC].matched


def test_alerts_carry_the_label_the_topic_file_gives(extractor: ClaimExtractor) -> None:
    (claim,) = extract(extractor, "Neuf passeurs présumés ont été interpellés lundi à Dunkerque.")
    assert claim.label == "passeurs interpellés ou condamnés" and claim.topic == TOPIC
    assert ANY is not None


@pytest.mark.parametrize("text", [
    "Quatre migrants sont morts et 5 millions de livres ont été débloqués par Londres.",
    "Le nombre de migrants arrivés s'élève à 600, et Londres a versé 2 millions de dollars à Paris.",
])
def test_an_amount_counts_no_one(extractor: ClaimExtractor, text: str) -> None:
    figures = [c.figure for c in extract(extractor, text) if c.figure is not None]
    assert all(figure.low < 1_000_000 for figure in figures), figures


def test_an_amount_in_euros_is_read_whatever_its_sign(extractor: ClaimExtractor) -> None:
    claims = extract(extractor, "Londres versera 62 M€ supplémentaires à Paris pour surveiller les plages.")
    assert [(c.predicate, c.figure) for c in claims] == [("uk_funding", Figure(62_000_000, 62_000_000, "euros"))]
