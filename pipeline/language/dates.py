"""Resolve the dates a French news sentence mentions against the article's publication date."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from text_to_num import text2num

from pipeline.language.numbers import find_years
from pipeline.language.text import (
    MONTH_NAMES,
    MONTH_NAMES_WITH_ABBREVIATIONS,
    WEEKDAY_NAMES,
    WEEKDAYS,
    fold,
    month_number,
)

YEAR = "year"
MONTH = "month"
DAY = "day"


@dataclass(frozen=True, slots=True)
class EventDate:
    """A date known to the year, the month or the day; coarser dates stand for every finer date inside them."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        # date() rejects month 13, 31 April and 29 February outside leap years.
        date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return DAY
        return MONTH if self.month is not None else YEAR

    def contains(self, other: EventDate) -> bool:
        """A year contains its months and days, a month its days; a date contains itself."""
        if self.year != other.year:
            return False
        if self.month is None:
            return True
        if self.month != other.month:
            return False
        return self.day is None or self.day == other.day

    def matches(self, other: EventDate) -> bool:
        """Two mentions may name the same event when one contains the other ("en 2024" and "en juin 2024")."""
        return self.contains(other) or other.contains(self)

    def month_key(self) -> str:
        """The identity key of the contract: "2025-06" when the month is known, else "2024"."""
        return f"{self.year:04d}-{self.month:02d}" if self.month is not None else f"{self.year:04d}"

    def __str__(self) -> str:
        return self.month_key() if self.day is None else f"{self.month_key()}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class DateMention:
    date: EventDate
    start: int  # offsets in the sentence, the leading "en", "le", "début" included
    end: int
    text: str


def resolve_dates(sentence: str, published: datetime, *, ahead: bool = False) -> list[DateMention]:
    """Every date the sentence mentions, in order, resolved against the publication's own local date.

    News reports what happened, so an expression that could point either way ("mercredi", "en mars", "le 3
    mars") is read as the most recent one on or before the publication date; "prochain", "demain", "dans" and
    "l'année prochaine" are the explicit ways to point ahead. A sentence about what is planned ("est attendu à
    Moscou en octobre", "se rendra à Pyongyang en mars") reads them ahead: `ahead` then takes the next one on or
    after it. Where two readings overlap ("mercredi 4 juin" and "mercredi"), the longer one wins.
    """
    today = published.date()
    text = fold(sentence)
    candidates: list[DateMention] = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(text):
            resolved = _safely(resolve, match, today, sentence)
            if resolved is not None and ahead:
                resolved = _ahead(resolve, match, resolved, today)
            if resolved is not None:
                start, end = match.span()
                candidates.append(DateMention(resolved, start, end, sentence[start:end]))
    for year in find_years(sentence):
        cue = _YEAR_PREFIX.search(text, max(0, year.start - 25), year.start)
        start = cue.start() if cue else year.start
        candidates.append(DateMention(EventDate(year.year), start, year.end, sentence[start : year.end]))
    chosen: list[DateMention] = []
    for mention in sorted(candidates, key=lambda m: (m.start - m.end, m.start)):
        if all(mention.end <= kept.start or kept.end <= mention.start for kept in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def first_event_date(sentence: str, published: datetime) -> EventDate | None:
    """The date a claim's sentence is about: its first resolved mention, or None when it names no date."""
    mentions = resolve_dates(sentence, published)
    return mentions[0].date if mentions else None


# --- resolution helpers -------------------------------------------------------------------------------------

_Resolver = Callable[[re.Match[str], date, str], EventDate | None]


def _safely(resolve: _Resolver, match: re.Match[str], today: date, sentence: str) -> EventDate | None:
    try:
        return resolve(match, today, sentence)
    except ValueError:  # "31 avril", "30/02/2025": a date that does not exist is no date
        return None


def _ahead(resolve: _Resolver, match: re.Match[str], resolved: EventDate, today: date) -> EventDate:
    """The next occurrence of a date named without its year or direction, when the backward reading is past.

    Only the readings that could point either way move: a weekday, a day and month, a month, a season. A year
    ("en mars 2024"), "dernier", "prochain" or "ce" fix the date, and "hier" or "il y a" point back anyway.
    """
    if resolve not in _EITHER_WAY or any(match.groupdict().get(g) for g in ("year", "rel", "relyear", "this")):
        return resolved
    if match.group(0).lstrip().startswith("depuis"):
        return resolved  # "depuis mars" began before, whatever the tense
    if resolve is _weekday and resolved.day is not None and resolved.month is not None:
        day = date(resolved.year, resolved.month, resolved.day)
        return resolved if day >= today else _event_date(day + timedelta(days=7))
    if resolve is _season:  # known to the year only: the next season that has not ended
        last = _SEASONS[match.group("season")][1]
        return EventDate(today.year if today.month <= last else today.year + 1)
    latest = (today.year, today.month, today.day)
    if (resolved.year, resolved.month or 12, resolved.day or 31) >= latest:
        return resolved
    try:
        return EventDate(resolved.year + 1, resolved.month, resolved.day)
    except ValueError:  # "le 29 février" of a leap year: next year has none, the reading stays
        return resolved


def _event_date(day: date) -> EventDate:
    return EventDate(day.year, day.month, day.day)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _recent_month_year(today: date, month: int, relation: str | None) -> int:
    """The year of a month named without one: the latest on or before the publication month.

    An article of June 2025 saying "en mars" means March 2025, one of February 2025 means March 2024, and
    one of June saying "en juin" means this June; "dernier" is strictly before, "prochain" strictly after.
    """
    if relation == "prochain":
        return today.year if month > today.month else today.year + 1
    if relation == "dernier":
        return today.year if month < today.month else today.year - 1
    return today.year if month <= today.month else today.year - 1


def _relative_year(today: date, words: str) -> int:
    if "prochain" in words:
        return today.year + 1
    if any(word in words for word in ("dernier", "passe", "precedent")):  # "dernière", "passée" included
        return today.year - 1
    return today.year  # "cette année", "l'année en cours"


def _month_of(word: str) -> int:
    month = month_number(word)
    if month is None:
        raise ValueError(f"not a month: {word!r}")  # unreachable while the patterns list only month names
    return month


def _count(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word in ("un", "une"):
        return 1
    return int(text2num(word, "fr"))  # ValueError for "quelques": no date then


# --- rules --------------------------------------------------------------------------------------------------

_RELATIVE_YEAR = r"l'an(?:nee)? +(?:derniere?|passee?|precedente?|prochaine?)|cette +annee|l'annee +en +cours"


def _numeric_iso(match: re.Match[str], today: date, sentence: str) -> EventDate:
    return EventDate(int(match.group("y")), int(match.group("m")), int(match.group("d")))


def _numeric_dmy(match: re.Match[str], today: date, sentence: str) -> EventDate:
    year = int(match.group("y"))
    return EventDate(year + 2000 if year < 100 else year, int(match.group("m")), int(match.group("d")))


def _day_month(match: re.Match[str], today: date, sentence: str) -> EventDate:
    """A day of a month without a year falls in the month "en mars" would name.

    With "dernier" or "prochain" it is the nearest such day strictly before or after the publication date.
    """
    day = 1 if match.group("day") in ("1er", "premier") else int(match.group("day"))
    month = _month_of(match.group("month"))
    if match.group("year"):
        return EventDate(int(match.group("year")), month, day)
    relation = match.group("rel")
    if relation == "dernier":
        year = today.year if date(today.year, month, day) < today else today.year - 1
    elif relation == "prochain":
        year = today.year if date(today.year, month, day) > today else today.year + 1
    else:
        year = _recent_month_year(today, month, None)
    return EventDate(year, month, day)


def _month(match: re.Match[str], today: date, sentence: str) -> EventDate | None:
    month = _month_of(match.group("month"))
    if match.group("year"):
        return EventDate(int(match.group("year")), month)
    if match.group("relyear"):
        return EventDate(_relative_year(today, match.group("relyear")), month)
    start = match.start("month")
    opens_sentence = not sentence[:start].strip() or sentence[:start].rstrip()[-1] in ".!?«\"'"
    if month == 3 and sentence[start].isupper() and not opens_sentence and match.group("rel") is None:
        return None  # "vers Mars": French months take no capital mid-sentence, the planet does
    return EventDate(_recent_month_year(today, month, match.group("rel")), month)


def _weekday(match: re.Match[str], today: date, sentence: str) -> EventDate:
    """A weekday is the latest one on or before publication: that very day for "mercredi" in a Wednesday paper.

    "mercredi dernier" is strictly before, "mercredi prochain" strictly after, and "ce mercredi" the Wednesday of
    the publication's week (Monday to Sunday), which may lie a few days ahead.
    """
    weekday = WEEKDAYS[match.group("wd")]
    relation = match.group("rel")
    if match.group("this"):
        day = today + timedelta(days=weekday - today.weekday())
    elif relation == "prochain":
        day = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    elif relation in ("dernier", "passe"):
        day = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    else:
        day = today - timedelta(days=(today.weekday() - weekday) % 7)
    return EventDate(day.year, day.month, day.day)


_DAY_OFFSETS = {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "demain": 1, "apres-demain": 2}


def _relative_day(match: re.Match[str], today: date, sentence: str) -> EventDate:
    day = today + timedelta(days=_DAY_OFFSETS.get(match.group("word"), 0))  # "ce matin", "ce soir": today
    return EventDate(day.year, day.month, day.day)


def _ago(match: re.Match[str], today: date, sentence: str) -> EventDate:
    """Counted periods ("il y a deux ans", "dans trois mois"): days keep the day, weeks and months the month."""
    amount = _count(match.group("n")) * (1 if match.group("dir") == "dans" else -1)
    unit = match.group("unit")
    if unit.startswith("jour"):
        day = today + timedelta(days=amount)
        return EventDate(day.year, day.month, day.day)
    if unit.startswith("semaine"):
        day = today + timedelta(weeks=amount)
        return EventDate(day.year, day.month)
    if unit == "mois":
        return EventDate(*_shift_month(today.year, today.month, amount))
    return EventDate(today.year + amount)


def _relative_period(match: re.Match[str], today: date, sentence: str) -> EventDate | None:
    """Named periods ("le mois dernier", "la semaine dernière", "ce week-end"); a week is known to its month.

    "le mois" or "la semaine" without "dernier", "prochain" or "en cours" is no date ("la semaine de 35 heures").
    """
    if match.group("det") in ("le", "la") and match.group("rel") is None:
        return None
    relation = match.group("rel") or "en cours"
    step = 1 if relation.startswith("prochain") else 0 if relation == "en cours" else -1
    if match.group("period") == "mois":
        return EventDate(*_shift_month(today.year, today.month, step))
    day = today + timedelta(weeks=step)
    return EventDate(day.year, day.month)


def _relative_year_rule(match: re.Match[str], today: date, sentence: str) -> EventDate:
    return EventDate(_relative_year(today, match.group()))


def _mid_year(match: re.Match[str], today: date, sentence: str) -> EventDate:
    return EventDate(int(match.group("y")))


# Seasons give the year only; winter straddles two years, so only "cet hiver" is resolved.
_SEASONS = {"printemps": (3, 5), "ete": (6, 8), "automne": (9, 11), "hiver": (12, 2)}


def _season(match: re.Match[str], today: date, sentence: str) -> EventDate | None:
    first, last = _SEASONS[match.group("season")]
    relation = match.group("rel")
    if match.group("this"):
        return EventDate(today.year)
    if match.group("season") == "hiver":
        return None
    if relation == "dernier":
        return EventDate(today.year if today.month > last else today.year - 1)
    if relation == "prochain":
        return EventDate(today.year if today.month < first else today.year + 1)
    return EventDate(today.year if today.month >= first else today.year - 1)


_PREFIX = (
    r"(?P<prefix>(?:en|depuis|des|jusqu'en|jusqu'a|fin|debut|courant|vers|avant|apres|a +partir +d(?:e +|')"
    r"|(?:a|vers) +la +mi-|mi-|(?:au|le|du) +mois +d(?:e +|')|d(?:e +|')) *)?"
)
_TIME_OF_DAY = r"(?: +(?:matin|soir|apres-midi|midi|apres +midi))?"

_RULES: list[tuple[re.Pattern[str], _Resolver]] = [
    (re.compile(r"(?<![\d.\-/])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"), _numeric_iso),
    (
        re.compile(r"(?<![\d.,/])(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/])"),
        _numeric_dmy,
    ),
    (
        re.compile(
            rf"(?:\b(?:le|les|du|au|depuis +le|des +le|jusqu'au|ce) +)?(?:\b(?:{WEEKDAY_NAMES}) +)?"
            rf"(?<![\d])(?P<day>1er|premier|\d{{1,2}})(?: *(?:,|et|au|a|-) *(?:1er|\d{{1,2}}))* +"
            rf"(?P<month>{MONTH_NAMES_WITH_ABBREVIATIONS})(?![\w])"
            r"(?: +(?P<year>\d{4})(?!\d)| +(?P<rel>dernier|prochain)\b)?"
        ),
        _day_month,
    ),
    (
        re.compile(
            rf"{_PREFIX}\b(?P<month>{MONTH_NAMES})\b"
            rf"(?: +(?P<year>\d{{4}})(?!\d)| *,? +(?:de +)?(?P<relyear>{_RELATIVE_YEAR})"
            r"| +(?P<rel>dernier|prochain)\b)?"
        ),
        _month,
    ),
    (
        re.compile(
            rf"(?:\b(?P<this>ce) +|\ble +)?\b(?P<wd>{WEEKDAY_NAMES})\b(?: +(?P<rel>dernier|prochain|passe)\b)?"
            rf"{_TIME_OF_DAY}"
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"\b(?P<word>avant-hier|apres-demain|aujourd'hui|hier|demain)\b{_TIME_OF_DAY}"
            r"|\b(?:ce +matin|ce +soir|cet +apres-midi|cette +nuit|ce +midi)\b"
        ),
        _relative_day,
    ),
    (
        re.compile(
            r"\b(?P<dir>il +y +a|voici|dans) +(?P<n>\d+|[^\W\d_]+(?:-[^\W\d_]+)*) +"
            r"(?P<unit>jours?|semaines?|mois|ans|annees?|an)\b"
        ),
        _ago,
    ),
    (
        re.compile(
            r"\b(?P<det>le|la|ce|cette) +(?P<period>mois|semaine|week-end)"
            r"(?: +(?P<rel>dernier|derniere|passee?|precedente?|prochaine?|en +cours)\b|-ci\b)?"
        ),
        _relative_period,
    ),
    (re.compile(rf"\b(?:{_RELATIVE_YEAR})\b"), _relative_year_rule),
    (re.compile(r"\bmi-(?P<y>\d{4})(?!\d)"), _mid_year),
    (
        re.compile(
            # The article is required: "été" alone is mostly the participle ("a été signé").
            r"(?:\b(?P<this>cet|ce) +|\b(?:au|en|le) +|\bl')(?P<season>printemps|ete|automne|hiver)\b"
            r"(?: +(?P<rel>dernier|prochain)\b)?(?! +\d{4})"
        ),
        _season,
    ),
]


# The readings that could point either way, read back by default (resolve_dates).
_EITHER_WAY = frozenset({_day_month, _month, _weekday, _season})

# The word before a year that belongs to the mention: "en 2024", "depuis 2022", "l'été 2024", "fin 2024".
_YEAR_PREFIX = re.compile(
    r"\b(?:en|depuis|des|jusqu'en|fin|debut|courant|avant|apres|d'ici|l'ete|l'hiver|l'automne|le +printemps"
    r"|au +printemps|l'an|l'annee|annee) +$"
)
