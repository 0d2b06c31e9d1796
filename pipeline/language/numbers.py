"""Find the figures a French news sentence states, and the quantity words that state none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

from text_to_num import text2num

from pipeline.language.text import MONTH_NAMES, MONTH_NAMES_WITH_ABBREVIATIONS, fold

# Units. The claim layer reads only "count" and "percent"; the others exist so that "3 ans", "2 milliards de
# dollars" or "40 km" are never mistaken for a number of soldiers.
COUNT = "count"
PERCENT = "percent"
MONEY = "money"
YEARS = "years"
DURATION = "duration"
DISTANCE = "distance"
MASS = "mass"

# Qualifiers keep the point value; the novelty policy decides what "plus de" means for an interval.
ABOUT = "about"
MORE_THAN = "more_than"
LESS_THAN = "less_than"
UP_TO = "up_to"
AT_LEAST = "at_least"
NEARLY = "nearly"


@dataclass(frozen=True, slots=True)
class Quantity:
    low: float
    high: float
    unit: str  # COUNT, PERCENT, MONEY, YEARS, DURATION, DISTANCE or MASS
    start: int  # offsets of the whole expression in the sentence, qualifier and unit included
    end: int
    text: str
    qualifier: str = ""  # "", ABOUT, MORE_THAN, LESS_THAN, UP_TO, AT_LEAST or NEARLY
    is_range: bool = False
    currency: str = ""  # ISO 4217 code when unit is MONEY ("EUR", "USD", "RUB", "KRW"...)


class VagueQuantity(NamedTuple):
    """A quantity word that gives no figure ("des milliers", "plusieurs centaines", "de nombreux")."""

    start: int
    end: int
    text: str


class YearMention(NamedTuple):
    """A bare four-digit number read as a year ("en 2024", "depuis 2022"), for the date reader."""

    start: int
    end: int
    year: int


def find_figures(sentence: str) -> list[Quantity]:
    """Every figure of the sentence in order; a range is one Quantity covering both ends."""
    return _read(sentence)[0]


def currency_of(word: str) -> str | None:
    """The ISO 4217 code a currency word stands for ("euro" -> "EUR"), as the figure reader reads it, or None."""
    return _CURRENCIES.get(word)


def find_years(sentence: str) -> list[YearMention]:
    """The bare numbers that context shows to be years, so that dates and figures never claim the same digits."""
    return _read(sentence)[1]


def vague_quantity(sentence: str) -> list[VagueQuantity]:
    """Quantity words that are not figures; "un millier" or "une centaine" are figures and are not listed here."""
    text = fold(sentence)
    figures = find_figures(sentence)
    found: list[VagueQuantity] = []
    for match in _VAGUE.finditer(text):
        start, end = match.span()
        # "quelques 2 000 soldats" is a clumsy "quelque 2 000": the figure wins.
        if any(figure.start < end and start < figure.end for figure in figures):
            continue
        found.append(VagueQuantity(start, end, sentence[start:end]))
    return found


# --- what is never a figure ---------------------------------------------------------------------------------

_NOT_FIGURES = [
    re.compile(pattern)
    for pattern in (
        # Numeric dates and datetimes: "2025-10-28", "28/10/2025", "21.8.2025", "10/2025".
        r"(?<![\d.])\d{4}-\d{1,2}-\d{1,2}(?!\d)",
        r"(?<![\d.,/])\d{1,2}([/.\-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d/])",
        r"(?<![\d/])\d{1,2}/\d{4}(?![\d/])",
        # Times: "16h15", "16 h 15", "à 16h", "11:47", "06:28:00".
        r"(?<!\d)\d{1,2} ?h ?\d{2}(?!\d)",
        r"(?<!\d)\d{1,2} ?h(?![\w])",
        r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?!\d)",
        # Days of a month, lists of them, and the year after a month: "le 3 mars", "les 3 et 4 mars 2024".
        rf"(?<!\d)(?:1er|\d{{1,2}})(?: ?(?:,|et|au|a|-) ?(?:1er|\d{{1,2}}))* +(?:{MONTH_NAMES_WITH_ABBREVIATIONS})"
        r"(?![\w])(?: +\d{4}(?!\d))?",
        rf"\b(?:{MONTH_NAMES}) +\d{{4}}(?!\d)",
        # Phone numbers, French and international: "01 23 45 67 89", "+33 1 23 45 67 89".
        r"(?<![\d+])(?:\+\d{1,3}[ .\-]?(?:\(0\)[ .\-]?)?\d(?:[ .\-]?\d{2}){4}|0\d(?:[ .\-]?\d{2}){4})(?!\d)",
        r"(?<![\d+])\+\d{1,3}(?:[ .\-]?\d{2,4}){2,5}(?!\d)",
        # References to a text's parts: "article 4", "résolution 2231", "n° 12", "chapitre 7".
        r"\b(?:articles?|art\.|alineas?|paragraphes?|chapitres?|resolutions?|sections?|tomes?|volumes?|vol\."
        r"|pages?|numeros?|points?|n°|nº) ?\d+(?: ?(?:,|et|a|-|/) ?\d+)*",
        # Street numbers: "12 rue de la Paix".
        r"(?<!\d)\d{1,4}(?: ?(?:bis|ter))?,? +(?:rue|avenue|boulevard|bd|place|quai|allee|impasse|chemin)\b",
        # Decades: "les années 1990", "années 90", "années 80-90".
        r"\bannees +\d{2,4}(?: ?(?:-|et|a) ?\d{2,4})?\b",
        # "pour cent" belongs to the number before it; its "cent" is not one hundred.
        r"\bpour ?cent\b",
    )
]

# Letters glued to a number that still leave it a measure ("40km", "155mm"); any other letter makes a code.
_GLUED_UNIT = re.compile(r"(?:km|kg|mm|cm)\b|[mk] ?[€$]|mds?\b|mrds?\b")


# --- numbers ------------------------------------------------------------------------------------------------

_MULTIPLIERS = {
    "mille": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
    "md": 1e9,
    "mds": 1e9,
    "mrd": 1e9,
    "mrds": 1e9,
    "billion": 1e12,
    "billions": 1e12,
}

# Thousands are grouped by a space (folded from U+00A0 and U+202F), an apostrophe (Swiss), a dot or, in
# English-style copy, a comma; the separator must be the same across groups, so "21.8.2025" never groups.
_DIGIT_NUMBER = re.compile(
    r"(?<![\d,.'])"
    r"(?P<int>\d{1,3}(?P<sep>[ '.,])\d{3}(?:(?P=sep)\d{3})*(?!\d)|\d+)"
    r"(?:,(?P<comma>\d+)|\.(?P<point>\d{1,2})(?!\d))?"
    r"(?: ?(?P<mult>millions?|milliards?|mille|billions?|mds?|mrds?|[mk](?= ?[€$]))(?![\w]))?"
    r"(?: +et +(?P<half>demie?)\b)?"
)

_TEN_WORDS = {"vingt", "trente", "quarante", "cinquante", "soixante"}
_NUMBER_WORDS = {
    "zero", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente", "quarante", "cinquante",
    "soixante", "septante", "huitante", "octante", "nonante", "cent", "cents", "mille", "million", "millions",
    "milliard", "milliards",
}  # fmt: skip
_SCALE_WORDS = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_ET_UNIT = re.compile(r" +(?:un|une|onze)\b")

# "un millier", "une centaine", "deux dizaines de milliers": approximate by meaning, so qualified ABOUT.
_COLLECTIVE_VALUES = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
}  # fmt: skip
_SMALL_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
                "neuf": 9, "dix": 10}  # fmt: skip
_COLLECTIVE = re.compile(
    rf"\b(?P<num>\d+(?:,\d+)?|{'|'.join(_SMALL_WORDS)}) +(?:bon +|petit +|gros +)?"
    rf"(?P<noun>{'|'.join(_COLLECTIVE_VALUES)})s?\b"
    r"(?: +d(?:e +|')(?P<scale>milliers|millions|milliards)\b)?"
)

# Fractions are shares, so they become percentages; "la moitié des obus" is 50 %, qualified ABOUT because the
# press uses them loosely. Only before "de/du/des/d'" (a share of something), never "un quart d'heure".
_DENOMINATORS = {"moitie": 2, "tiers": 3, "quart": 4, "quarts": 4, "cinquieme": 5, "cinquiemes": 5,
                 "dixieme": 10, "dixiemes": 10}  # fmt: skip
_FRACTION = re.compile(
    r"\b(?P<det>la|une|un|le|les|deux|trois|quatre)(?: +(?P<num>deux|trois|quatre))? +"
    rf"(?P<noun>{'|'.join(_DENOMINATORS)})\b"
    r"(?= +(?:de|du|des)\b| +d')(?! +d'heures?\b| +de +siecles?\b| +de +finale\b)"
)

_DIGIT_FRACTION = re.compile(r"(?<![\d/])(?P<num>\d)/(?P<den>[2-9]|10)(?![\d/])(?= +(?:de|du|des)\b| +d')")

# --- what surrounds a number --------------------------------------------------------------------------------

_PERCENT_SUFFIX = re.compile(r" ?(?:%|pour ?cent\b|pourcent\b)")
_CURRENCIES = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP",
    "rouble": "RUB", "roubles": "RUB", "₽": "RUB", "won": "KRW", "wons": "KRW", "₩": "KRW", "yuan": "CNY",
    "yuans": "CNY", "¥": "JPY", "yen": "JPY", "yens": "JPY", "franc": "CHF", "francs": "CHF", "chf": "CHF",
    "eur": "EUR", "usd": "USD", "rub": "RUB", "krw": "KRW", "hryvnia": "UAH", "hryvnias": "UAH",
    "livres sterling": "GBP", "livre sterling": "GBP", "livres": "GBP", "livre": "GBP",
}  # fmt: skip
_CURRENCY_WORDS = "|".join(re.escape(word) for word in sorted(_CURRENCIES, key=len, reverse=True))
_MEASURES = {
    "an": YEARS, "ans": YEARS, "annee": YEARS, "annees": YEARS, "mois": DURATION, "semaine": DURATION,
    "semaines": DURATION, "jour": DURATION, "jours": DURATION, "heure": DURATION, "heures": DURATION,
    "minute": DURATION, "minutes": DURATION, "seconde": DURATION, "secondes": DURATION, "km": DISTANCE,
    "kilometre": DISTANCE, "kilometres": DISTANCE, "metre": DISTANCE, "metres": DISTANCE, "mile": DISTANCE,
    "miles": DISTANCE, "mm": DISTANCE, "cm": DISTANCE, "tonne": MASS, "tonnes": MASS, "kg": MASS,
    "kilo": MASS, "min": DURATION, "mn": DURATION, "kilos": MASS, "kilogramme": MASS, "kilogrammes": MASS,
}  # fmt: skip
_MEASURE_WORDS = "|".join(sorted(_MEASURES, key=len, reverse=True))
# "de"/"d'" may sit between a number and its unit only after a scale word: "2 millions d'euros", "une
# centaine de km"; "10 000 de dollars" is not French, and "3 000 d'entre eux" must not become a unit.
_UNIT_SUFFIX = re.compile(
    rf" ?(?P<of>d(?:e +|'))?(?:(?P<currency>{_CURRENCY_WORDS})|(?P<measure>{_MEASURE_WORDS}))(?![\w-])"
)
_CURRENCY_PREFIX = re.compile(r"(?P<sign>us ?\$|\$|€|£|₽|₩|¥) ?$")

_DE = r"d(?:e +|es +|')"  # "de ", "des " ("près des deux tiers") or the elided "d'" ("plus d'un million")
_QUALIFIER_PREFIXES = [
    (re.compile(rf"\b(?:{pattern})$"), qualifier)
    for pattern, qualifier in (
        (rf"pas +moins +{_DE}|au +moins +|au +minimum +|un +minimum +{_DE}|au +bas +mot +", AT_LEAST),
        (rf"pas +plus +{_DE}|(?:tout +)?au +plus +|au +maximum +|un +maximum +{_DE}|jusqu'a *", UP_TO),
        (
            rf"(?:un +peu +|bien +|largement +|legerement +|nettement +|beaucoup +)?plus +{_DE}"
            rf"|au-dela +{_DE}|superieure?s? +a +",
            MORE_THAN,
        ),
        (rf"(?:un +peu +|bien +|legerement +)?moins +{_DE}|en +deca +{_DE}|inferieure?s? +a +", LESS_THAN),
        (rf"pres +{_DE}|presque +|quasiment +|pratiquement +|quasi +|pas +loin +{_DE}", NEARLY),
        (
            rf"environ +|quelques? +|approximativement +|autour +{_DE}|a +peu +pres +|aux +alentours +{_DE}"
            rf"|de +l'ordre +{_DE}|grosso +modo +|dans +les +|en +gros +",
            ABOUT,
        ),
    )
]
_QUALIFIER_SUFFIXES = [
    (re.compile(r" +(?:environ|a +peu +pres)\b"), ABOUT),
    (re.compile(r" +(?:au +moins|au +minimum|au +bas +mot|(?:et|ou) +plus)\b"), AT_LEAST),
    (re.compile(r" +(?:tout +au +plus|au +plus|au +maximum)\b"), UP_TO),
]

# A four-digit number after these words is a year, whatever follows ("en 2024", "depuis 2022", "l'été 2024");
# "été" only with its article, since "a été 2000 fois" is the participle.
_YEAR_CUE = re.compile(
    rf"\b(?:en|depuis|des|jusqu'en|avant|apres|fin|debut|courant|d'ici|l'ete|l'hiver|l'automne|printemps|an|annee"
    rf"|saison|exercice|budget|{MONTH_NAMES}) +$"
)
# Plural-looking words that are not nouns: after a year ("2024 sous le signe de") they prove nothing.
_NOT_NOUNS = {
    "sous", "dans", "sans", "vers", "depuis", "apres", "pres", "plus", "moins", "tres", "alors", "lors",
    "puis", "mais", "jamais", "toujours", "aussi", "ainsi", "des", "les", "ses", "mes", "tes", "ces", "tous",
    "nous", "vous", "leurs", "avons", "avez", "sommes", "etes", "es", "pas", "dos", "parmi", "selon",
}  # fmt: skip
# "est passé de 600 à 2 000" reports a change between two figures, not a range.
_CHANGE_VERB = re.compile(
    r"\b(?:(?:pass|grimp|augment|chut|baiss|port|relev|ramen|diminu|recul|progress|evolu|gonfl|tomb|doubl"
    r"|tripl)(?:e|ee|es|ees|er|ant|ait|aient|ent)|bondi|bondissant|revue?s?|reduite?s?|reduisant) +(?:de +|d')$"
)
_NEXT_WORD = re.compile(r"\s*([^\W\d_]{2,}(?:-[^\W\d_]+)*)(?![\w'])")
_PROPER_NAME_BEFORE = re.compile(r"(?<![\w-])[A-Z][\w-]* $")
_RANGE_OPENERS = (re.compile(r"\bentre +$"), re.compile(r"\b(?:de +|d')$"))
_RANGE_LINK = re.compile(r" *(?:a|-|ou) *| +et +")


@dataclass(frozen=True, slots=True)
class _Atom:
    """One number as read, before ranges are formed; value = base × multiplier."""

    start: int  # whole expression: qualifier, currency sign and unit included
    end: int
    digits_start: int  # the number alone, for telling years apart
    digits_end: int
    base: float
    multiplier: float = 1.0
    unit: str = COUNT
    explicit_unit: bool = False
    currency: str = ""
    qualifier: str = ""
    article: bool = False  # "un"/"une" alone: an article, unless it opens a range ("un ou deux")
    yearlike: bool = False  # four bare digits from 1000 to 2100: a year or a count, context decides
    year_cue: bool = False
    scaled_noun: bool = False  # "millions", "centaine": "de" may then precede the unit
    round_thousands: bool = False  # written with groups and ending in "000" ("20 000")

    @property
    def value(self) -> float:
        return self.base * self.multiplier


def _read(sentence: str) -> tuple[list[Quantity], list[YearMention]]:
    text = fold(sentence)
    taken: list[tuple[int, int]] = [match.span() for pattern in _NOT_FIGURES for match in pattern.finditer(text)]
    atoms: list[_Atom] = []
    # Fractions and collective nouns claim their words first, so "deux tiers" never yields a bare "deux".
    for atom in [*_fractions(text), *_collectives(text), *_digit_numbers(text), *_spelled_numbers(text)]:
        if any(atom.start < end and start < atom.end for start, end in taken):
            continue
        taken.append((atom.start, atom.end))
        atoms.append(_surroundings(text, atom))
    atoms.sort(key=lambda atom: atom.start)
    figures: list[Quantity] = []
    years: list[YearMention] = []
    for group in _groups(text, atoms):
        if all(_is_year(sentence, atom) for atom in group):
            years.extend(YearMention(a.digits_start, a.digits_end, int(a.base)) for a in group if a.yearlike)
            continue
        if len(group) == 2:
            figures.append(_range(sentence, text, group[0], group[1]))
        elif not group[0].article and not _names_a_model(sentence, text, group[0]):
            figures.append(_point(sentence, group[0]))
    return figures, years


def _digit_numbers(text: str) -> Iterator[_Atom]:
    for match in _DIGIT_NUMBER.finditer(text):
        start = match.start()
        # Unmatched groups end at -1, so the largest end is where the written number stops.
        number_end = max(match.end("int"), match.end("comma"), match.end("point"))
        if _glued_to_code(text, start, number_end):
            continue
        digits = match.group("int")
        separator = match.group("sep") or ""
        multiplier = _MULTIPLIERS[match.group("mult")] if match.group("mult") else 1.0
        groups = digits.split(separator) if separator else [digits]
        decimals = match.group("comma") or match.group("point")
        if separator == "," and multiplier > 1 and len(groups) == 2:
            # "1,500 million" is a decimal; without a scale word "1,500" is English-style thousands.
            base = float(f"{groups[0]}.{groups[1]}")
        elif decimals:
            base = float(f"{''.join(groups)}.{decimals}")
        else:
            base = float("".join(groups))
        if match.group("half"):
            base += 0.5
        bare = not separator and len(digits) == 4 and match.end() == number_end
        yield _Atom(
            start,
            match.end(),
            start,
            number_end,
            base,
            multiplier,
            yearlike=bare and 1000 <= base <= 2100,
            scaled_noun=multiplier > 1,
            round_thousands=bool(separator) and groups[-1] == "000" and not decimals,
        )


def _glued_to_code(text: str, start: int, end: int) -> bool:
    """True for the digits of a code or model name: "G7", "F-16", "Covid-19", "S-400", "2e", "3D", "24/7"."""
    before = text[max(0, start - 2) : start].rjust(2)
    if before[1].isalpha() or before[1] in ("/", "°"):
        return True
    if before[1] == "-" and before[0].isalpha():
        return True
    after = text[end : end + 1]
    if after == "°":
        return True  # "40°", "12°C": degrees and coordinates, never a count
    if after.isalpha():
        return _GLUED_UNIT.match(text, end) is None
    if after in ("/", "-") and end + 1 < len(text) and text[end + 1].isalpha():
        return True
    return after == "/" and text[end + 1 : end + 2].isdigit()


def _spelled_numbers(text: str) -> Iterator[_Atom]:
    """Runs of number words, read by text2num; a run it rejects is split into the longest readable pieces."""
    run: list[re.Match[str]] = []
    for word in _WORD.finditer(text):
        if _is_number_word(word.group()):
            if run and not text[run[-1].end() : word.start()].isspace():
                yield from _read_run(text, run)
                run = []
            run.append(word)
        elif (
            word.group() == "et"
            and run
            and run[-1].group().split("-")[-1] in _TEN_WORDS
            and _ET_UNIT.match(text, word.end())
        ):
            run.append(word)  # "vingt et un", "soixante et onze"; any other "et" joins two clauses
        else:
            yield from _read_run(text, run)
            run = []
    yield from _read_run(text, run)


def _is_number_word(word: str) -> bool:
    parts = word.split("-")
    return all(part in _NUMBER_WORDS or part == "et" for part in parts) and parts[0] != "et" != parts[-1]


def _read_run(text: str, run: list[re.Match[str]]) -> Iterator[_Atom]:
    words = list(run)
    while words:
        for size in range(len(words), 0, -1):
            value = _spelled_value(" ".join(word.group() for word in words[:size]))
            if value is not None:
                piece = words[:size]
                words = words[size:]
                atom = _spelled_atom(text, piece, value)
                if atom is not None:
                    yield atom
                break
        else:
            words = words[1:]


def _spelled_value(words: str) -> float | None:
    if words == "zero":  # folding removed the accent text2num expects
        return 0.0
    try:
        return float(text2num(words, "fr"))
    except ValueError:
        return None


def _spelled_atom(text: str, piece: list[re.Match[str]], value: float) -> _Atom | None:
    start, end = piece[0].start(), piece[-1].end()
    words = [word.group() for word in piece]
    if words[0] in _SCALE_WORDS and words[0] != "mille" and len(words) == 1:
        return None  # "le million de réfugiés" names a threshold; "des millions" is vague
    if len(words) == 1 and re.match(rf" +(?:{MONTH_NAMES})\b", text[end:]) and value <= 31:
        return None  # "le deux mars" is a date
    if words == ["neuf"] and not _count_noun_follows(text, end):
        return None  # "un char neuf", "remis à neuf": the adjective "new"
    last = words[-1].split("-")[-1]
    multiplier = _SCALE_WORDS.get(last, 1.0)
    half = re.match(r" +et +demie?\b", text[end:]) if multiplier > 1 else None
    base = value / multiplier + (0.5 if half else 0.0)
    return _Atom(
        start,
        half.end() + end if half else end,
        start,
        end,
        base,
        multiplier,
        article=words in (["un"], ["une"]),
        scaled_noun=multiplier > 1,
    )


def _count_noun_follows(text: str, end: int) -> bool:
    """True when a plural noun or a unit follows, which only a cardinal number can precede."""
    if _UNIT_SUFFIX.match(text, end) or _PERCENT_SUFFIX.match(text, end):
        return True
    return _plural_noun_at(text, end)


def _plural_noun_at(text: str, position: int) -> bool:
    """Whether the next word looks like a plural noun: lower-case, ending in s or x, not a known function word.

    Elided words ("s'est", "qu'il") are skipped: their "s" is not a plural.
    """
    word = _NEXT_WORD.match(text, position)
    if word is None:
        return False
    found = word.group(1)
    return found[0].islower() and found[-1] in "sx" and fold(found) not in _NOT_NOUNS


def _collectives(text: str) -> Iterator[_Atom]:
    for match in _COLLECTIVE.finditer(text):
        number = match.group("num")
        count = float(number.replace(",", ".")) if number[0].isdigit() else float(_SMALL_WORDS[number])
        scale = {"milliers": 1e3, "millions": 1e6, "milliards": 1e9}.get(match.group("scale") or "", 1.0)
        base = count * _COLLECTIVE_VALUES[match.group("noun")]
        yield _Atom(
            match.start(), match.end(), match.start(), match.end(), base, scale, qualifier=ABOUT, scaled_noun=True
        )


def _names_a_model(sentence: str, text: str, atom: _Atom) -> bool:
    """True for "un Boeing 737", "le vol Apollo 11": plain digits right after a capitalised name, no count noun.

    The name must not open the sentence, where every word is capitalised ("Selon 2 sources"); grouped digits
    ("Russie 11 000") are never a model number.
    """
    digits = sentence[atom.digits_start : atom.digits_end]
    if atom.qualifier or atom.explicit_unit or atom.digits_start != atom.start or not digits.isdigit():
        return False
    name = _PROPER_NAME_BEFORE.search(sentence, 0, atom.start)
    return name is not None and bool(sentence[: name.start()].strip()) and not _count_noun_follows(text, atom.end)


def _fractions(text: str) -> Iterator[_Atom]:
    for match in _DIGIT_FRACTION.finditer(text):
        share = round(100 * int(match.group("num")) / int(match.group("den")), 1)
        yield _Atom(*match.span(), *match.span(), share, unit=PERCENT, explicit_unit=True, qualifier=ABOUT)
    for match in _FRACTION.finditer(text):
        numerator = match.group("num") or match.group("det")
        parts = {"deux": 2, "trois": 3, "quatre": 4}.get(numerator, 1)
        share = round(100 * parts / _DENOMINATORS[match.group("noun")], 1)
        yield _Atom(
            match.start(),
            match.end(),
            match.start(),
            match.end(),
            share,
            unit=PERCENT,
            explicit_unit=True,
            qualifier=ABOUT,
        )


def _surroundings(text: str, atom: _Atom) -> _Atom:
    """Attach the unit after the number, a currency sign before it, and its qualifier."""
    if not atom.explicit_unit:
        atom = _with_unit(text, atom)
    sign = _CURRENCY_PREFIX.search(text, max(0, atom.start - 6), atom.start)
    if sign and not atom.explicit_unit:
        currency = "USD" if "$" in sign.group("sign") else _CURRENCIES[sign.group("sign")]
        atom = replace(atom, start=sign.start(), unit=MONEY, currency=currency, explicit_unit=True)
    window_start = max(0, atom.start - 40)
    for pattern, qualifier in _QUALIFIER_PREFIXES:
        found = pattern.search(text, window_start, atom.start)
        if found:
            return replace(atom, start=found.start(), qualifier=qualifier, year_cue=False)
    for pattern, qualifier in _QUALIFIER_SUFFIXES:
        found = pattern.match(text, atom.end)
        if found:
            return replace(atom, end=found.end(), qualifier=qualifier)
    cue = _YEAR_CUE.search(text, max(0, atom.start - 20), atom.start) if atom.yearlike else None
    return replace(atom, year_cue=cue is not None)


def _with_unit(text: str, atom: _Atom) -> _Atom:
    percent = _PERCENT_SUFFIX.match(text, atom.end)
    if percent:
        return replace(atom, end=percent.end(), unit=PERCENT, explicit_unit=True)
    suffix = _UNIT_SUFFIX.match(text, atom.end)
    if suffix is None or (suffix.group("of") and not atom.scaled_noun):
        return atom
    if suffix.group("currency"):
        return replace(
            atom, end=suffix.end(), unit=MONEY, currency=_CURRENCIES[suffix.group("currency")], explicit_unit=True
        )
    return replace(atom, end=suffix.end(), unit=_MEASURES[suffix.group("measure")], explicit_unit=True)


def _groups(text: str, atoms: list[_Atom]) -> Iterator[tuple[_Atom, ...]]:
    """Atoms alone or in pairs that form a range; each atom belongs to one group."""
    index = 0
    while index < len(atoms):
        first = atoms[index]
        second = atoms[index + 1] if index + 1 < len(atoms) else None
        if second is not None and _forms_range(text, first, second):
            yield (first, second)
            index += 2
        else:
            yield (first,)
            index += 1


def _forms_range(text: str, first: _Atom, second: _Atom) -> bool:
    link = _RANGE_LINK.fullmatch(text, first.end, second.start)
    if link is None:
        return False
    before = text[max(0, first.start - 30) : first.start]
    opens_with_entre = _RANGE_OPENERS[0].search(before) is not None
    if (link.group().strip() == "et") != opens_with_entre:
        return False  # "entre A et B" is a range, "A et B" lists two figures
    if _CHANGE_VERB.search(before):
        return False
    if first.explicit_unit and second.explicit_unit and first.unit != second.unit:
        return False
    low, high = _range_ends(first, second)
    return low <= high


def _range_ends(first: _Atom, second: _Atom) -> tuple[float, float]:
    """Ends of a range, with the shorthand of the first end expanded.

    "entre 1,5 et 2 millions" carries the scale word back to the first end; "entre 10 et 20 000" means
    10 000 to 20 000 when the thousands make the first end the same order of magnitude as the second
    ("entre 500 et 2 000" stays 500 to 2 000).
    """
    low, high = first.value, second.value
    if first.multiplier == 1 and first.base < 1000:
        if second.multiplier > 1:
            low = first.base * second.multiplier
        elif second.round_thousands and high / 10 <= first.base * 1000 <= high:
            low = first.base * 1000
    return low, high


def _is_year(sentence: str, atom: _Atom) -> bool:
    """A bare four-digit number is a year after a year word, or when nothing makes it a count.

    From 1900 to 2100, without a thousands separator, it is a count only with a qualifier other than
    "jusqu'à" ("jusqu'à 2030" is a deadline), a unit, or a plural noun after it ("2000 soldats");
    from 1000 to 1899 only a year word makes it a year. A range whose other end is surely a count
    makes it a count too (checked by the caller through all()).
    """
    if not atom.yearlike:
        return False
    if atom.year_cue:
        return True
    if atom.explicit_unit or (atom.qualifier and atom.qualifier != UP_TO):
        return False
    if atom.base < 1900:
        return False
    return not _plural_noun_at(sentence, atom.end)


def _point(sentence: str, atom: _Atom) -> Quantity:
    value = atom.value
    return Quantity(
        value,
        value,
        atom.unit,
        atom.start,
        atom.end,
        sentence[atom.start : atom.end],
        atom.qualifier,
        False,
        atom.currency,
    )


def _range(sentence: str, text: str, first: _Atom, second: _Atom) -> Quantity:
    low, high = _range_ends(first, second)
    before = text[max(0, first.start - 30) : first.start]
    start = first.start
    for opener in _RANGE_OPENERS:
        found = opener.search(before)
        if found:
            start = first.start - len(before) + found.start()
            break
    # The unit is written once, usually after the second end ("entre 30 et 40 %").
    carrier = first if first.explicit_unit else second
    return Quantity(
        low,
        high,
        carrier.unit,
        start,
        second.end,
        sentence[start : second.end],
        first.qualifier,
        True,
        carrier.currency,
    )


# --- vague quantities ---------------------------------------------------------------------------------------

_COLLECTIVE_PLURALS = (
    r"(?:dizaines|douzaines|quinzaines|vingtaines|trentaines|quarantaines|cinquantaines|soixantaines|centaines"
    r"|milliers|millions|milliards)"
)
_VAGUE = re.compile(
    r"\b(?:"
    rf"(?:des|plusieurs|quelques|de +nombreux|de +nombreuses|nombreux|nombreuses|de|par|les|ces) +"
    rf"{_COLLECTIVE_PLURALS}(?: +d(?:e +|'){_COLLECTIVE_PLURALS})*"
    rf"|d'{_COLLECTIVE_PLURALS}(?: +d(?:e +|'){_COLLECTIVE_PLURALS})*"
    r"|un +(?:grand|petit|certain|bon) +nombre"
    r"|un +nombre +(?:important|considerable|indetermine|inconnu|croissant|eleve|significatif|incalculable"
    r"|non +precise|non +communique)"
    r"|une +(?:multitude|poignee|foule)"
    r"|(?:de +|d')?(?:tres +|si +)?(?:nombreux|nombreuses|innombrables)"
    r"|plusieurs|quelques|beaucoup|la +plupart|maints|maintes"
    r")\b"
)
