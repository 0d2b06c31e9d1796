"""Rule-based reading of French news sentences; holds the text folding and calendar words its modules share."""

from __future__ import annotations

import unicodedata

# Characters that news sites use interchangeably with a plain one; folding maps each to the plain form.
_EQUIVALENTS = {
    "\u00a0": " ",  # no-break space (French thousands separator and before ':' or '%')
    "\u202f": " ",  # narrow no-break space (same roles, typographically finer)
    "\u2009": " ",  # thin space
    "\u2019": "'",  # typographic apostrophe
    "\u02bc": "'",  # modifier letter apostrophe, produced by some CMS
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen ("nord‑coréens")
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash, used for ranges ("10 000–12 000")
}

MONTHS: dict[str, int] = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}

# Abbreviations are only trusted right after a day number ("3 sept. 2024"): alone, "sept" is the number seven.
MONTH_ABBREVIATIONS: dict[str, int] = {
    "janv.": 1,
    "fevr.": 2,
    "fev.": 2,
    "avr.": 4,
    "juil.": 7,
    "sept.": 9,
    "oct.": 10,
    "nov.": 11,
    "dec.": 12,
}

WEEKDAYS: dict[str, int] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}

# Regex alternations over folded text; longest first so "juillet" is never read as "juil.".
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_NAMES_WITH_ABBREVIATIONS = "|".join(
    [MONTH_NAMES] + [abbreviation.replace(".", r"\.") for abbreviation in MONTH_ABBREVIATIONS]
)
WEEKDAY_NAMES = "|".join(WEEKDAYS)


def fold(text: str) -> str:
    """Lower-case, strip accents and unify spaces, apostrophes and dashes, keeping one character per character.

    Keeping the length lets every regex run on the folded text while offsets still point into the original
    sentence, so "fevrier" and "février", "jusqu'à" and "jusqu’à" need one pattern each.
    """
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    if char in _EQUIVALENTS:
        return _EQUIVALENTS[char]
    base = unicodedata.normalize("NFD", char)[0]
    lowered = base.lower()
    # A few characters lower-case to two ("İ"); keeping the base preserves the one-to-one offsets.
    return lowered if len(lowered) == 1 else base


def month_number(word: str) -> int | None:
    """The month (1-12) a folded month name or abbreviation stands for."""
    return MONTHS.get(word) or MONTH_ABBREVIATIONS.get(word)
