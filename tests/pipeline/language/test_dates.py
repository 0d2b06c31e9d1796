"""Dates in French news sentences, resolved against fixed publication dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.language.dates import EventDate, first_event_date, resolve_dates

PARIS_SUMMER = timezone(timedelta(hours=2))
PARIS_WINTER = timezone(timedelta(hours=1))
WEDNESDAY = datetime(2025, 6, 4, 18, 0, tzinfo=PARIS_SUMMER)  # Wednesday 4 June 2025, evening
JANUARY = datetime(2025, 1, 10, 9, 0, tzinfo=PARIS_WINTER)  # Friday 10 January 2025
FEBRUARY = datetime(2025, 2, 15, 12, 0, tzinfo=PARIS_WINTER)  # Saturday 15 February 2025
OCTOBER = datetime(2025, 10, 28, 16, 15, tzinfo=PARIS_WINTER)  # Tuesday 28 October 2025

CASES: list[tuple[str, datetime, list[tuple[str, str]]]] = [
    # Weekdays: the latest on or before publication, the publication day included.
    ("Le ministre a parlé mercredi à Pyongyang.", WEDNESDAY, [("2025-06-04", "mercredi")]),
    ("Il est arrivé lundi à Moscou.", WEDNESDAY, [("2025-06-02", "lundi")]),
    ("Il est arrivé jeudi à Moscou.", WEDNESDAY, [("2025-05-29", "jeudi")]),
    ("Mercredi soir, le Kremlin a réagi.", WEDNESDAY, [("2025-06-04", "Mercredi soir")]),
    ("La rencontre a eu lieu mercredi dernier.", WEDNESDAY, [("2025-05-28", "mercredi dernier")]),
    ("La rencontre a eu lieu vendredi dernier.", WEDNESDAY, [("2025-05-30", "vendredi dernier")]),
    ("La rencontre aura lieu mercredi prochain.", WEDNESDAY, [("2025-06-11", "mercredi prochain")]),
    ("La rencontre aura lieu vendredi prochain.", WEDNESDAY, [("2025-06-06", "vendredi prochain")]),
    ("Le texte sera voté ce vendredi.", WEDNESDAY, [("2025-06-06", "ce vendredi")]),
    ("Le texte a été voté ce lundi.", WEDNESDAY, [("2025-06-02", "ce lundi")]),
    ("Mercredi 4 juin, Moscou a confirmé.", WEDNESDAY, [("2025-06-04", "Mercredi 4 juin")]),
    # Days relative to publication.
    ("Le ministre est arrivé hier.", WEDNESDAY, [("2025-06-03", "hier")]),
    ("Le ministre est arrivé hier soir.", WEDNESDAY, [("2025-06-03", "hier soir")]),
    ("Le ministre est arrivé avant-hier.", WEDNESDAY, [("2025-06-02", "avant-hier")]),
    ("Le ministre arrive aujourd'hui.", WEDNESDAY, [("2025-06-04", "aujourd'hui")]),
    ("Le ministre arrive aujourd’hui.", WEDNESDAY, [("2025-06-04", "aujourd’hui")]),
    ("Le ministre est arrivé ce matin.", WEDNESDAY, [("2025-06-04", "ce matin")]),
    ("Le ministre arrivera demain.", WEDNESDAY, [("2025-06-05", "demain")]),
    ("Il y a dix jours, le front a cédé.", WEDNESDAY, [("2025-05-25", "Il y a dix jours")]),
    # Months: the latest on or before the publication month.
    ("Sa précédente visite remontait à mars.", WEDNESDAY, [("2025-03", "mars")]),
    ("Le sommet s'est tenu en mars.", FEBRUARY, [("2024-03", "en mars")]),
    ("Le sommet s'est tenu en juin.", WEDNESDAY, [("2025-06", "en juin")]),
    ("Le sommet s'est tenu en décembre.", JANUARY, [("2024-12", "en décembre")]),
    ("Le sommet s'est tenu en decembre.", JANUARY, [("2024-12", "en decembre")]),
    ("Le sommet s'est tenu en août.", JANUARY, [("2024-08", "en août")]),
    ("Le sommet s'est tenu en fevrier.", JANUARY, [("2024-02", "en fevrier")]),
    ("Le sommet s'est tenu en mars dernier.", WEDNESDAY, [("2025-03", "en mars dernier")]),
    ("Le sommet s'est tenu en juin dernier.", WEDNESDAY, [("2024-06", "en juin dernier")]),
    ("Le sommet s'est tenu en juin dernier.", OCTOBER, [("2025-06", "en juin dernier")]),
    ("Le sommet se tiendra en mars prochain.", WEDNESDAY, [("2026-03", "en mars prochain")]),
    ("Le sommet se tiendra en septembre prochain.", WEDNESDAY, [("2025-09", "en septembre prochain")]),
    ("Le sommet s'est tenu en mars 2024.", WEDNESDAY, [("2024-03", "en mars 2024")]),
    ("Le rapport de mars 2024 le confirme.", WEDNESDAY, [("2024-03", "de mars 2024")]),
    ("Les troupes sont arrivées début mars.", WEDNESDAY, [("2025-03", "début mars")]),
    ("Les troupes sont arrivées fin mars.", WEDNESDAY, [("2025-03", "fin mars")]),
    ("Les troupes sont arrivées mi-mars.", WEDNESDAY, [("2025-03", "mi-mars")]),
    ("Les troupes sont arrivées à la mi-novembre.", WEDNESDAY, [("2024-11", "à la mi-novembre")]),
    # Days of a month.
    ("Le traité a été ratifié le 3 mars.", WEDNESDAY, [("2025-03-03", "le 3 mars")]),
    ("Le traité a été ratifié 3 mars.", WEDNESDAY, [("2025-03-03", "3 mars")]),
    ("Le traité a été ratifié le 3 mars 2024.", WEDNESDAY, [("2024-03-03", "le 3 mars 2024")]),
    ("Le traité a été ratifié le 28 décembre.", JANUARY, [("2024-12-28", "le 28 décembre")]),
    ("Le sommet aura lieu le 10 juin.", WEDNESDAY, [("2025-06-10", "le 10 juin")]),
    ("Le texte est entré en vigueur le 1er août.", JANUARY, [("2024-08-01", "le 1er août")]),
    ("Chas Info - 28 octobre 2025 11:47", OCTOBER, [("2025-10-28", "28 octobre 2025")]),
    # Combined month and relative year.
    (
        "Les deux pays ont signé un traité en juin de l'année dernière.",
        OCTOBER,
        [("2024-06", "en juin de l'année dernière")],
    ),
    ("Les deux pays ont signé un traité en juin l'an dernier.", OCTOBER, [("2024-06", "en juin l'an dernier")]),
    ("Le pacte a été invoqué en avril de cette année.", OCTOBER, [("2025-04", "en avril de cette année")]),
    # Years and relative years.
    ("Kiev a lancé une offensive en 2024.", WEDNESDAY, [("2024", "en 2024")]),
    ("Kiev résiste depuis 2022.", WEDNESDAY, [("2022", "depuis 2022")]),
    ("Une offensive surprise à l'été 2024.", WEDNESDAY, [("2024", "l'été 2024")]),
    ("Les livraisons ont repris fin 2024.", WEDNESDAY, [("2024", "fin 2024")]),
    ("Les livraisons reprendront mi-2026.", WEDNESDAY, [("2026", "mi-2026")]),
    ("Le pacte a été signé l'an dernier.", WEDNESDAY, [("2024", "l'an dernier")]),
    ("Le pacte a été signé l'an passé.", WEDNESDAY, [("2024", "l'an passé")]),
    ("Le pacte a été signé l'année dernière.", WEDNESDAY, [("2024", "l'année dernière")]),
    ("Le pacte a été signé l'année passée.", WEDNESDAY, [("2024", "l'année passée")]),
    ("Le pacte a été signé cette année.", WEDNESDAY, [("2025", "cette année")]),
    ("Le pacte sera signé l'année prochaine.", WEDNESDAY, [("2026", "l'année prochaine")]),
    ("Le pacte a été signé il y a deux ans.", WEDNESDAY, [("2023", "il y a deux ans")]),
    ("Le pacte a été signé il y a un an.", WEDNESDAY, [("2024", "il y a un an")]),
    # Months and weeks relative to publication.
    ("Le ministre est venu le mois dernier.", WEDNESDAY, [("2025-05", "le mois dernier")]),
    ("Le ministre est venu le mois dernier.", JANUARY, [("2024-12", "le mois dernier")]),
    ("Le ministre est venu ce mois-ci.", WEDNESDAY, [("2025-06", "ce mois-ci")]),
    ("Le ministre viendra le mois prochain.", WEDNESDAY, [("2025-07", "le mois prochain")]),
    ("Le ministre est venu la semaine dernière.", WEDNESDAY, [("2025-05", "la semaine dernière")]),
    ("Le ministre est venu la semaine dernière.", OCTOBER, [("2025-10", "la semaine dernière")]),
    ("Le ministre est venu il y a trois mois.", WEDNESDAY, [("2025-03", "il y a trois mois")]),
    ("Le ministre est venu il y a deux semaines.", WEDNESDAY, [("2025-05", "il y a deux semaines")]),
    # Seasons give the year only.
    ("Les combats ont repris l'été dernier.", OCTOBER, [("2025", "l'été dernier")]),
    ("Les combats ont repris l'été dernier.", WEDNESDAY, [("2024", "l'été dernier")]),
    ("Les combats ont repris au printemps.", FEBRUARY, [("2024", "au printemps")]),
    # Numeric dates.
    ("Publié le : 28/10/2025 - 16:15", OCTOBER, [("2025-10-28", "28/10/2025")]),
    ("ATS 21.8.2025 - 06:28", OCTOBER, [("2025-08-21", "21.8.2025")]),
    ("Mis à jour le 2025-10-28.", OCTOBER, [("2025-10-28", "2025-10-28")]),
    # Several mentions come in order.
    (
        "Signé en juin 2024, le traité a été invoqué en avril.",
        WEDNESDAY,
        [("2024-06", "en juin 2024"), ("2025-04", "en avril")],
    ),
    # Not dates.
    ("Le 31/02/2025 n'existe pas.", WEDNESDAY, []),
    ("Environ 2 000 soldats ont été tués.", WEDNESDAY, []),
    ("Entre 2 000 et 2 100 soldats ont été tués.", WEDNESDAY, []),
    ("La sonde s'est posée sur Mars.", WEDNESDAY, []),
    ("Ils réclament la semaine de quatre jours.", WEDNESDAY, []),
    ("Il y a quelques jours, Kiev a réagi.", WEDNESDAY, []),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), CASES)
def test_resolve_dates(sentence: str, published: datetime, expected: list[tuple[str, str]]) -> None:
    mentions = resolve_dates(sentence, published)
    assert [(str(m.date), m.text) for m in mentions] == expected
    for mention in mentions:
        assert sentence[mention.start : mention.end] == mention.text


AHEAD: list[tuple[str, datetime, list[tuple[str, str]]]] = [
    # A plan: what could point either way points ahead; the publication day itself and later stay.
    ("Kim est attendu à Moscou en octobre.", WEDNESDAY, [("2025-10", "en octobre")]),
    ("Poutine se rendra à Pyongyang en mars.", WEDNESDAY, [("2026-03", "en mars")]),
    ("La visite aura lieu en juin.", WEDNESDAY, [("2025-06", "en juin")]),
    ("La visite aura lieu le 3 mars.", WEDNESDAY, [("2026-03-03", "le 3 mars")]),
    ("La visite aura lieu lundi.", WEDNESDAY, [("2025-06-09", "lundi")]),
    ("La visite aura lieu mercredi.", WEDNESDAY, [("2025-06-04", "mercredi")]),
    ("La signature aura lieu au printemps.", WEDNESDAY, [("2026", "au printemps")]),
    ("La signature aura lieu à l'automne.", WEDNESDAY, [("2025", "l'automne")]),
    # What fixes the date stays fixed: a year, "dernier", "ce", and what only points back.
    ("Le voyage prévu en mars 2025 aura lieu.", WEDNESDAY, [("2025-03", "en mars 2025")]),
    ("La visite reportée de mars dernier aura lieu.", WEDNESDAY, [("2025-03", "de mars dernier")]),
    ("Il y a trois jours, le voyage a été annoncé.", WEDNESDAY, [("2025-06-01", "Il y a trois jours")]),
    ("Le voyage annoncé hier aura lieu.", WEDNESDAY, [("2025-06-03", "hier")]),
    ("Les troupes, présentes depuis mars, seront relevées.", WEDNESDAY, [("2025-03", "depuis mars")]),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), AHEAD)
def test_a_plan_reads_dates_ahead(sentence: str, published: datetime, expected: list[tuple[str, str]]) -> None:
    assert [(str(m.date), m.text) for m in resolve_dates(sentence, published, ahead=True)] == expected


def test_the_publication_local_date_is_used_not_utc() -> None:
    # 00:30 in Paris on Thursday is still Wednesday in UTC: "jeudi" is the publication day itself.
    thursday_night = datetime(2025, 6, 5, 0, 30, tzinfo=PARIS_SUMMER)
    assert str(first_event_date("Kim a reçu jeudi le ministre.", thursday_night)) == "2025-06-05"
    assert str(first_event_date("Kim a reçu hier le ministre.", thursday_night)) == "2025-06-04"


def test_first_event_date_is_the_first_mention() -> None:
    sentence = "Signé en juin 2024, le traité a été invoqué mercredi."
    assert first_event_date(sentence, WEDNESDAY) == EventDate(2024, 6)
    assert first_event_date("Aucune date ici.", WEDNESDAY) is None


@pytest.mark.parametrize(
    ("event", "precision", "key", "text"),
    [
        (EventDate(2024), "year", "2024", "2024"),
        (EventDate(2025, 6), "month", "2025-06", "2025-06"),
        (EventDate(2025, 6, 4), "day", "2025-06", "2025-06-04"),
    ],
)
def test_event_date_precision_key_and_text(event: EventDate, precision: str, key: str, text: str) -> None:
    assert (event.precision, event.month_key(), str(event)) == (precision, key, text)


@pytest.mark.parametrize(
    ("outer", "inner", "contains"),
    [
        (EventDate(2024), EventDate(2024, 6), True),
        (EventDate(2024), EventDate(2024, 6, 12), True),
        (EventDate(2024, 6), EventDate(2024, 6, 12), True),
        (EventDate(2024, 6), EventDate(2024, 6), True),
        (EventDate(2024, 6, 12), EventDate(2024, 6, 12), True),
        (EventDate(2024, 6), EventDate(2024), False),
        (EventDate(2024, 6, 12), EventDate(2024, 6), False),
        (EventDate(2024), EventDate(2025, 6), False),
        (EventDate(2024, 6), EventDate(2024, 7, 1), False),
        (EventDate(2024, 6, 12), EventDate(2024, 6, 13), False),
    ],
)
def test_contains(outer: EventDate, inner: EventDate, contains: bool) -> None:
    assert outer.contains(inner) is contains


@pytest.mark.parametrize(
    ("first", "second", "matches"),
    [
        (EventDate(2024), EventDate(2024, 6), True),
        (EventDate(2024, 6), EventDate(2024), True),
        (EventDate(2024, 6, 12), EventDate(2024, 6), True),
        (EventDate(2024, 6), EventDate(2024, 7), False),
        (EventDate(2024), EventDate(2025), False),
        (EventDate(2024, 6, 12), EventDate(2024, 6, 13), False),
    ],
)
def test_matches_is_containment_either_way(first: EventDate, second: EventDate, matches: bool) -> None:
    assert first.matches(second) is matches
    assert second.matches(first) is matches


@pytest.mark.parametrize(("year", "month", "day"), [(2025, 2, 29), (2025, 13, None), (2025, None, 3)])
def test_impossible_dates_are_refused(year: int, month: int | None, day: int | None) -> None:
    with pytest.raises(ValueError):
        EventDate(year, month, day)
