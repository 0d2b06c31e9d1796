"""Figures in French news sentences: every writing of a number, qualifier, range and unit, and the traps."""

from __future__ import annotations

import pytest

from pipeline.language.numbers import Quantity, find_figures, find_years, vague_quantity

NBSP, NNBSP = "\u00a0", "\u202f"

Summary = tuple[float, float, str, str, bool]


def summary(quantity: Quantity) -> Summary:
    return (round(quantity.low, 1), round(quantity.high, 1), quantity.unit, quantity.qualifier, quantity.is_range)


def point(value: float, unit: str = "count", qualifier: str = "") -> Summary:
    return (float(value), float(value), unit, qualifier, False)


def span(low: float, high: float, unit: str = "count", qualifier: str = "") -> Summary:
    return (float(low), float(high), unit, qualifier, True)


CASES: list[tuple[str, list[Summary]]] = [
    # Digits and their thousands separators.
    ("Les autorités ont recensé 10 000 déplacés dans la région.", [point(10_000)]),
    (f"Quelque part, 12{NBSP}500 réfugiés attendent.", [point(12_500)]),
    (f"Le ministère évoque 3{NNBSP}400 blessés.", [point(3_400)]),
    ("Berne a compté 8'500 militaires.", [point(8_500)]),
    ("Berne a compté 8’500 militaires.", [point(8_500)]),
    ("L'armée aligne 7.000 hommes sur le front.", [point(7_000)]),
    ("Moscou aurait reçu 15000 obus.", [point(15_000)]),
    ("Le pays compte 1 234 567 habitants.", [point(1_234_567)]),
    ("Une traduction évoque 6,000 soldats.", [point(6_000)]),
    # Decimals and scale words.
    ("Environ 1,5 million de personnes ont fui.", [point(1_500_000, qualifier="about")]),
    ("Pyongyang aurait livré 12 millions d'obus.", [point(12_000_000)]),
    ("Le programme a coûté 3 milliards.", [point(3_000_000_000)]),
    ("Ils seraient 10 mille à avoir rejoint le front.", [point(10_000)]),
    ("Deux millions et demi de personnes sont concernées.", [point(2_500_000)]),
    ("La facture atteint 1,2 milliard de dollars.", [point(1_200_000_000, "money")]),
    # Collective nouns are figures, approximate by meaning.
    ("Un millier de soldats ont été blessés.", [point(1_000, qualifier="about")]),
    ("Deux milliers de volontaires sont partis.", [point(2_000, qualifier="about")]),
    ("Une centaine de prisonniers ont été échangés.", [point(100, qualifier="about")]),
    ("Une dizaine de milliers de civils ont fui.", [point(10_000, qualifier="about")]),
    ("Plus d'un millier de soldats ont été tués.", [point(1_000, qualifier="more_than")]),
    ("Un bon millier de soldats ont été tués.", [point(1_000, qualifier="about")]),
    # Spelled numbers.
    ("Dix mille soldats ont été envoyés.", [point(10_000)]),
    ("Deux cents véhicules ont été détruits.", [point(200)]),
    ("Quatre-vingt-dix chars ont été livrés.", [point(90)]),
    ("Trois cent mille hommes sont mobilisés.", [point(300_000)]),
    ("Vingt-et-un marins ont disparu.", [point(21)]),
    ("On compte vingt et un morts.", [point(21)]),
    ("Soixante et onze blessés ont été évacués.", [point(71)]),
    ("Deux soldats ont été capturés.", [point(2)]),
    ("Un million de réfugiés ont franchi la frontière.", [point(1_000_000)]),
    ("Neuf pays ont signé la déclaration.", [point(9)]),
    ("Le bilan fait état de zéro victime.", [point(0)]),
    # Articles, negations and adjectives that look like numbers.
    ("Un soldat a été blessé et une aide a été promise.", []),
    ("Aucun soldat n'a été capturé.", []),
    ("L'armée a reçu un char neuf.", []),
    ("Des millions de personnes regardaient.", []),
    # Qualifiers keep the point value.
    ("Environ 3 000 soldats ont été tués.", [point(3_000, qualifier="about")]),
    ("Près de 4 000 soldats ont été tués.", [point(4_000, qualifier="nearly")]),
    ("Quelque 5 000 soldats ont été tués.", [point(5_000, qualifier="about")]),
    ("Autour de 600 soldats ont été tués.", [point(600, qualifier="about")]),
    ("Approximativement 700 soldats ont été tués.", [point(700, qualifier="about")]),
    ("Plus de 2 500 soldats ont été tués.", [point(2_500, qualifier="more_than")]),
    ("Au moins 300 soldats ont été tués.", [point(300, qualifier="at_least")]),
    ("Moins de 100 soldats ont survécu.", [point(100, qualifier="less_than")]),
    ("Jusqu'à 12 000 soldats pourraient partir.", [point(12_000, qualifier="up_to")]),
    ("Jusqu’à 12 000 soldats pourraient partir.", [point(12_000, qualifier="up_to")]),
    ("Pas moins de 8 000 soldats ont été envoyés.", [point(8_000, qualifier="at_least")]),
    ("Pas plus de 50 soldats sont revenus.", [point(50, qualifier="up_to")]),
    ("Presque 900 soldats ont été blessés.", [point(900, qualifier="nearly")]),
    ("Ils étaient 5 000 au moins.", [point(5_000, qualifier="at_least")]),
    ("Ils étaient 5 000 environ.", [point(5_000, qualifier="about")]),
    # Ranges are one quantity.
    ("Entre 10 000 et 12 000 soldats ont été déployés.", [span(10_000, 12_000)]),
    ("De 10 000 à 15 000 soldats ont été déployés.", [span(10_000, 15_000)]),
    ("Les estimations vont de 10 000 à plus de 15 000 soldats.", [span(10_000, 15_000)]),
    ("On parle de 10 000 à 12 000 soldats.", [span(10_000, 12_000)]),
    ("Les services évoquent 10 000-12 000 soldats.", [span(10_000, 12_000)]),
    ("Les services évoquent 10 000–12 000 soldats.", [span(10_000, 12_000)]),
    ("Les services évoquent 10.000 à 12.000 soldats.", [span(10_000, 12_000)]),
    ("Entre 1,5 et 2 millions d'obus ont été livrés.", [span(1_500_000, 2_000_000)]),
    ("Un contingent de 3 000 à 5 000 hommes.", [span(3_000, 5_000)]),
    ("Un ou deux soldats ont été aperçus.", [span(1, 2)]),
    ("Environ 10 000 à 12 000 soldats ont été déployés.", [span(10_000, 12_000, qualifier="about")]),
    ("Entre 30 et 40 % des obus venaient de Corée.", [span(30, 40, "percent")]),
    ("De 1 500 à 2000 soldats ont été tués.", [span(1_500, 2_000)]),
    ("Entre 10 et 20 000 soldats seraient mobilisés.", [span(10_000, 20_000)]),
    ("Entre 500 et 2 000 soldats seraient mobilisés.", [span(500, 2_000)]),
    ("Le bilan est passé de 600 à 2 000 morts.", [point(600), point(2_000)]),
    # Percentages and shares.
    ("Pyongyang fournirait 40 % des obus.", [point(40, "percent")]),
    ("Pyongyang fournirait 40% des obus.", [point(40, "percent")]),
    (f"Pyongyang fournirait 40{NBSP}% des obus.", [point(40, "percent")]),
    ("Pyongyang fournirait 40 pour cent des obus.", [point(40, "percent")]),
    ("Pyongyang fournirait quarante pour cent des obus.", [point(40, "percent")]),
    ("Pyongyang fournirait jusqu'à 35 % des munitions.", [point(35, "percent", "up_to")]),
    ("La hausse atteint 12,5 %.", [point(12.5, "percent")]),
    ("La moitié des obus venaient de Corée.", [point(50, "percent", "about")]),
    ("Les deux tiers de la population ont fui.", [point(66.7, "percent", "about")]),
    ("Un tiers des blessés sont des civils.", [point(33.3, "percent", "about")]),
    ("Plus de la moitié des obus venaient de Corée.", [point(50, "percent", "more_than")]),
    ("Le tir a duré un quart d'heure.", []),
    ("L'armée a perdu près des deux tiers de ses chars.", [point(66.7, "percent", "nearly")]),
    ("Les 3/4 des obus sont nord-coréens.", [point(75, "percent", "about")]),
    # Money.
    ("Le contrat vaut 12 millions d'euros.", [point(12_000_000, "money")]),
    ("Chaque soldat toucherait 2 000 dollars par mois.", [point(2_000, "money")]),
    ("Séoul a gelé 3 millions de roubles.", [point(3_000_000, "money")]),
    ("Le billet coûte 10 €.", [point(10, "money")]),
    ("Un don de $5 millions a été annoncé.", [point(5_000_000, "money")]),
    # Durations and measures are not counts.
    ("La guerre dure depuis trois ans.", [point(3, "years")]),
    ("Les soldats sont restés 18 mois en Russie.", [point(18, "duration")]),
    ("Les soldats sont à 40 km du front.", [point(40, "distance")]),
    ("Les combats durent depuis près de quatre ans.", [point(4, "years", "nearly")]),
    # Dates and times are not figures.
    ("Chas Info - 28 octobre 2025 11:47", []),
    ("ATS 21.8.2025 - 06:28", []),
    ("Publié le : 28/10/2025 - 16:15", []),
    ("Mis à jour le 2025-10-28 à 09:00", []),
    ("La réunion aura lieu le 3 mars à 16h15.", []),
    ("Les 3 et 4 mars, puis à 6 h 30.", []),
    ("La rencontre s'est tenue le deux mars.", []),
    # Years are not figures.
    ("En 2024, la situation a changé.", []),
    ("Depuis l'été 2024, les combats se poursuivent.", []),
    ("Depuis 2022, Kiev résiste.", []),
    ("Le bilan de 2024 reste lourd.", []),
    ("Les chiffres de 2022 à 2024 manquent.", []),
    ("2025 sera décisive.", []),
    ("En 2024, 1 200 soldats ont été tués.", [point(1_200)]),
    ("Selon Kiev, 2000 soldats ont été tués.", [point(2_000)]),
    ("Plus de 2000 soldats ont été tués.", [point(2_000, qualifier="more_than")]),
    ("La promesse court jusqu'à 2030.", []),
    # Codes, model names, ordinals, references, phones.
    ("Le Covid-19 et le G7, puis le G20.", []),
    ("Des F-16, des Su-35 et des S-400.", []),
    ("Des missiles KN-23 et des lance-roquettes Hwasong-19.", []),
    ("Le 1er bataillon, la 2e brigade et la 3ème division.", []),
    ("Au XXIe siècle, le premier ministre a parlé.", []),
    ("Dans les années 1990 et les années 90.", []),
    ("L'article 4 du traité et la résolution 2231.", []),
    ("Le décret n° 12 et le chapitre 7.", []),
    ("Appelez le 01 23 45 67 89 ou le +33 1 23 45 67 89.", []),
    ("Le bureau est au 12 rue de la Paix.", []),
    ("Une permanence 24/7 est assurée.", []),
    ("La version 3D et la 5G.", []),
    ("Un Boeing 737 s'est écrasé près du vol MH17.", []),
    ("Il fait 40°C à Koursk.", []),
    ("Le bilan a été revu 2000 fois.", [point(2_000)]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_figures(sentence: str, expected: list[Summary]) -> None:
    assert [summary(q) for q in find_figures(sentence)] == expected


@pytest.mark.parametrize(("sentence", "_"), CASES)
def test_text_is_the_sentence_slice(sentence: str, _: list[Summary]) -> None:
    for quantity in find_figures(sentence):
        assert quantity.text == sentence[quantity.start : quantity.end]


@pytest.mark.parametrize(
    ("sentence", "text"),
    [
        ("Selon Kiev, plus de 10 000 soldats ont été tués.", "plus de 10 000"),
        ("Les estimations vont de 10 000 à plus de 15 000 soldats.", "de 10 000 à plus de 15 000"),
        ("Entre 30 et 40 % des obus.", "Entre 30 et 40 %"),
        ("Pyongyang fournit jusqu’à 40 % des munitions.", "jusqu’à 40 %"),
        ("Le contrat vaut 12 millions d'euros.", "12 millions d'euros"),
        ("Un don de $5 millions a été annoncé.", "$5 millions"),
        ("Pas moins de 8 000 soldats.", "Pas moins de 8 000"),
    ],
)
def test_span_covers_qualifier_and_unit(sentence: str, text: str) -> None:
    (quantity,) = find_figures(sentence)
    assert quantity.text == text


@pytest.mark.parametrize(
    ("sentence", "currency"),
    [
        ("Le contrat vaut 12 millions d'euros.", "EUR"),
        ("Chaque soldat toucherait 2 000 dollars.", "USD"),
        ("Séoul a gelé 3 millions de roubles.", "RUB"),
        ("Un transfert de 2 milliards de wons.", "KRW"),
        ("Le billet coûte 10 €.", "EUR"),
    ],
)
def test_money_carries_its_currency(sentence: str, currency: str) -> None:
    (quantity,) = find_figures(sentence)
    assert (quantity.unit, quantity.currency) == ("money", currency)


def test_figures_come_in_sentence_order() -> None:
    sentence = "Sur 12 000 soldats envoyés, 40 % seraient blessés et environ 2 000 tués."
    assert [q.low for q in find_figures(sentence)] == [12_000, 40, 2_000]


@pytest.mark.parametrize(
    ("sentence", "vague"),
    [
        ("Des milliers de soldats ont été blessés.", ["Des milliers"]),
        ("Plusieurs milliers de soldats ont été blessés.", ["Plusieurs milliers"]),
        ("Des dizaines de milliers de soldats ont été blessés.", ["Des dizaines de milliers"]),
        ("Plusieurs centaines de soldats et des centaines de civils.", ["Plusieurs centaines", "des centaines"]),
        ("Quelques soldats et de nombreux civils ont fui.", ["Quelques", "de nombreux"]),
        ("Un grand nombre de soldats et une poignée d'officiers.", ["Un grand nombre", "une poignée"]),
        ("Un millier de soldats ont été blessés.", []),
        ("Quelques 2 000 soldats ont été blessés.", []),
    ],
)
def test_vague_quantities(sentence: str, vague: list[str]) -> None:
    assert [item.text for item in vague_quantity(sentence)] == vague


def test_vague_quantities_are_not_figures() -> None:
    assert find_figures("Des dizaines de milliers de soldats et plusieurs centaines de blessés.") == []


def test_vague_quantity_offsets() -> None:
    sentence = "Selon Kiev, des milliers de soldats ont péri."
    (item,) = vague_quantity(sentence)
    assert (item.start, item.end) == (12, 24)
    assert sentence[item.start : item.end] == item.text


def test_years_are_reported_for_the_date_reader() -> None:
    sentence = "En 2024 comme depuis 2022, 2000 soldats."
    assert [(y.year, sentence[y.start : y.end]) for y in find_years(sentence)] == [(2024, "2024"), (2022, "2022")]
