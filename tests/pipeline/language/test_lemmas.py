"""pipeline.language.lemmas: French words reduced to accent- and case-insensitive lemmas, the same way in texts and
lexicons."""

from __future__ import annotations

import pytest

from pipeline.language.lemmas import lemma, normalise, normalise_phrase, strip_accents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Plural, feminine and verb forms meet at one lemma.
        ("soldats", ["soldat"]),
        ("Troupes", ["troupe"]),
        ("munitions", ["munition"]),
        ("ouvrières", ["ouvrier"]),
        ("tués", ["tuer"]),
        ("tuée", ["tuer"]),
        ("fournissent", ["fournir"]),
        ("stratégiques", ["strategique"]),
        # Every form of a participle, though the table leaves the masculine singular alone.
        ("déployé", ["deployer"]),
        ("déployées", ["deployer"]),
        ("envoyé", ["envoyer"]),
        ("blessé", ["blesser"]),
        # Accents and case do not matter, nor does their absence.
        ("Corée", ["coree"]),
        ("COREE", ["coree"]),
        ("TUÉS", ["tuer"]),
        ("tues", ["tuer"]),
        ("Choïgou", ["choigou"]),
        ("main-d'œuvre", ["main", "de", "oeuvre"]),
        # Hyphens of every kind separate the parts of a compound, each lemmatised.
        ("nord-coréens", ["nord", "coreen"]),
        ("nord\u2011coréens", ["nord", "coreen"]),  # U+2011 non-breaking hyphen
        ("Nord-Coréennes", ["nord", "coreen"]),
        ("Kim-Jong Un", ["kim", "jong", "un"]),
        ("cessez-le-feu", ["cesser", "le", "feu"]),
        # Elisions, with either apostrophe, are restored; a word that holds one stays whole.
        ("l'armée", ["le", "armer"]),
        ("l\u2019armée", ["le", "armer"]),
        ("L'ARMÉE", ["le", "armer"]),
        ("d\u2019Ukraine", ["de", "ukraine"]),
        ("jusqu'à", ["jusque", "a"]),
        ("aujourd'hui", ["aujourd'hui"]),
        # Words the table lacks: names are only unaccented, a rare plural loses its -s.
        ("Pyongyang", ["pyongyang"]),
        ("hypersoniques", ["hypersonique"]),
        ("Donbass", ["donbass"]),
        ("Nicolas", ["nicolas"]),
        # Participles of verbs in -re and -ir read as their verb, which the table knows by its conjugated forms;
        # words that only look like one stay.
        ("perdu", ["perdre"]),
        ("abattus", ["abattre"]),
        ("détenues", ["detenir"]),
        ("fournie", ["fournir"]),
        ("rue", ["rue"]),
        ("vie", ["vie"]),
    ],
)
def test_normalise(text: str, expected: list[str]) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Kim Jong-un", "Kim Jong Un"),
        ("Kim Jong-un", "KIM-JONG UN"),
        ("soldats nord‑coréens", "soldat nord-coréen"),
        ("l’armée russe", "la armée russes"),
        ("Corée du Nord", "Corée-du-Nord"),
        ("des soldats tués", "un soldat tué"),
        ("co\u0301ree", "Corée"),  # a decomposed accent, as some pages send it
        ("nord\u00adcoréen", "nordcoréen"),  # a soft hyphen is invisible, not a separator
    ],
)
def test_variants_read_alike(one: str, other: str) -> None:
    assert normalise(one) == normalise(other)


def test_punctuation_and_numbers() -> None:
    assert normalise("« Nous avons une armée héroïque », a-t-il lancé.") == [
        "nous", "avoir", "une", "armer", "heroique", "avoir", "t", "il", "lancer"
    ]  # fmt: skip
    assert normalise("Plus de 10'000 soldats, le 28/10/2025.") == [
        "plus", "de", "10", "000", "soldat", "le", "28", "10", "2025"
    ]  # fmt: skip
    assert normalise("") == []
    assert normalise(" — !? ") == []


def test_phrase_matches_like_text() -> None:
    assert normalise_phrase("traité de partenariat") == tuple(normalise("Traités de partenariat"))
    assert normalise_phrase("défense mutuelle") == ("defense", "mutuelle")
    assert normalise_phrase("...") == ()


def test_strip_accents() -> None:
    assert strip_accents("Ça a été une œuvre naïve") == "Ca a ete une oeuvre naive"
    assert strip_accents("plain ascii") == "plain ascii"


def test_numbers_stay_out_of_the_lemma_cache() -> None:
    # Every article brings new figures, dates and serials; cached, they would push the words out.
    lemma.cache_clear()
    assert normalise("Environ 123457 soldats, dépêche 98765, le 31") == [
        "environ", "123457", "soldat", "depeche", "98765", "le", "31"
    ]  # fmt: skip
    assert lemma.cache_info().currsize == 4  # environ, soldats, dépêche, le
