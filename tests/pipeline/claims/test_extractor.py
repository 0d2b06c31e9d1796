"""pipeline.claims.extractor: predicates, figures, attribution, hedging, places, acts and dates read from French
news prose.

Every sentence here was written for these tests in the register of the French wire services; none comes from the
seed articles, which the end-to-end test judges. Each case states every claim the sentence must give, so a claim too
many fails as surely as a claim missing. The articles are dated Wednesday 18 June 2025, 10:00 in Paris.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pipeline.claims.extractor import ClaimExtractor
from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.claims.parsing import sentences
from pipeline.domain.records import Article, Claim
from pipeline.topics.matching import builtin_topics

TOPIC = "russie-coree-du-nord"
PUBLISHED = datetime(2025, 6, 18, 10, 0, tzinfo=timezone(timedelta(hours=2)))  # a Wednesday


class _Any:
    """A field the case leaves unchecked."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()


@dataclass(frozen=True)
class Expect:
    """One claim a sentence must give; `figure` is (low, high, unit), or None for a mention or a qualitative claim."""

    predicate: str
    figure: tuple[float, float, str] | None = None
    source: str | None = None
    hedged: bool = False
    place: str | None = ANY
    act: str | None = ANY
    date: str | None = ANY


def soldiers(low: float, high: float | None = None) -> tuple[float, float, str]:
    return (low, low if high is None else high, "soldiers")


def persons(low: float, high: float | None = None) -> tuple[float, float, str]:
    return (low, low if high is None else high, "persons")


def percent(low: float, high: float | None = None) -> tuple[float, float, str]:
    return (low, low if high is None else high, "percent")


@pytest.fixture(scope="module")
def extractor() -> ClaimExtractor:
    topic = next(t for t in builtin_topics() if t.id == TOPIC)
    return ClaimExtractor(lexicon_from_topic(topic))


def article(text: str, title: str = "") -> Article:
    return Article(url="https://example.org/article", outlet="Test", title=title, text=text, published=PUBLISHED,
                   language="fr")


def extract(extractor: ClaimExtractor, text: str, title: str = "") -> list[Claim]:
    return extractor.extract(article(text, title))


def summary(claim: Claim) -> tuple[Any, ...]:
    figure = None if claim.figure is None else (round(claim.figure.low, 1), round(claim.figure.high, 1),
                                                claim.figure.unit)
    return (claim.predicate, figure, claim.attributed_to, claim.hedged, claim.place, claim.act, claim.event_date)


def matches(claim: Claim, expected: Expect) -> bool:
    got = summary(claim)
    wanted = (expected.predicate, expected.figure, expected.source, expected.hedged, expected.place, expected.act,
              expected.date)
    return all(w is ANY or g == w for g, w in zip(got, wanted, strict=True))


def assert_claims(claims: list[Claim], expected: list[Expect]) -> None:
    """Each expected claim matches one claim, and no claim is left over."""
    left = list(claims)
    for wanted in expected:
        found = next((claim for claim in left if matches(claim, wanted)), None)
        assert found is not None, f"missing {wanted}\ngot {[summary(c) for c in claims]}"
        left.remove(found)
    assert not left, f"unexpected {[summary(c) for c in left]}"


def case(text: str, *expected: Expect, marks: Any = ()) -> Any:
    return pytest.param(text, list(expected), id=text[:60], marks=marks)


# --- quantitative predicates ---------------------------------------------------------------------------------------

TROOPS_DEPLOYED = [
    case("Pyongyang a déployé 12 000 soldats dans la région de Koursk, selon le Pentagone.",
         Expect("troops_deployed", soldiers(12_000), "Pentagone")),
    case("Le déploiement de 12 000 soldats nord-coréens en Russie inquiète les chancelleries occidentales.",
         Expect("troops_deployed", soldiers(12_000))),
    case("Quelque 3 000 militaires nord-coréens supplémentaires ont été dépêchés en Russie depuis janvier, a indiqué "
         "l'état-major sud-coréen.",
         Expect("troops_deployed", soldiers(3_000), "Séoul")),
    case("Entre 3 000 et 5 000 soldats nord-coréens seraient arrivés en renfort dans l'oblast de Koursk.",
         Expect("troops_deployed", soldiers(3_000, 5_000), hedged=True)),
    case("La Corée du Nord a envoyé de 10 000 à 12 000 hommes combattre aux côtés de l'armée russe, d'après le "
         "renseignement militaire ukrainien.",
         Expect("troops_deployed", soldiers(10_000, 12_000), "GUR")),
    case("D'après le Pentagone, quelque 11 000 soldats nord-coréens se trouvent actuellement en Russie.",
         Expect("troops_deployed", soldiers(11_000), "Pentagone")),
    case("Jusqu'à 15 000 soldats nord-coréens pourraient être envoyés en Russie d'ici la fin de l'année.",
         Expect("troops_deployed", soldiers(15_000), hedged=True)),
    case("Dix mille soldats nord-coréens ont été acheminés vers l'Extrême-Orient russe.",
         Expect("troops_deployed", soldiers(10_000))),
    case("Un nouveau contingent de 2 000 soldats nord-coréens est arrivé en Russie, selon l'agence sud-coréenne "
         "Yonhap.",
         Expect("troops_deployed", soldiers(2_000), "Yonhap")),
    case("Selon le ministère sud-coréen de la Défense, quelque 11.000 soldats nord-coréens se trouvent toujours en "
         "Russie.",
         Expect("troops_deployed", soldiers(11_000), "ministère sud-coréen de la Défense")),
    case("Environ 15 000 Nord-Coréens auraient été envoyés en Russie depuis l'automne.",
         Expect("troops_deployed", soldiers(15_000), hedged=True)),
    case("Pyongyang a envoyé 6 000 soldats en Russie en 2024 et 2025.",
         Expect("troops_deployed", soldiers(6_000))),
    case("Le contingent nord-coréen compterait environ 11 000 hommes.",
         Expect("troops_deployed", soldiers(11_000), hedged=True)),
    # A passive reporting verb names no speaker.
    case("L'effectif nord-coréen en Russie est estimé à 12 000 soldats.",
         Expect("troops_deployed", soldiers(12_000))),
    # Totals and "autres" count the noun said before.
    case("Selon le renseignement sud-coréen, 2 000 soldats nord-coréens supplémentaires ont été envoyés en Russie au "
         "printemps, portant leur nombre total à environ 13 000.",
         Expect("troops_deployed", soldiers(2_000), "NIS"),
         Expect("troops_deployed", soldiers(13_000), "NIS")),
    case("Pyongyang a envoyé des troupes supplémentaires, portant le total à 15 000 hommes.",
         Expect("troops_deployed", soldiers(15_000))),
    case("Les autorités ukrainiennes estiment qu'environ 12 000 soldats nord-coréens ont été déployés en 2024, et que "
         "3 000 autres sont arrivés au début de 2025.",
         Expect("troops_deployed", soldiers(12_000), "autorités ukrainiennes"),
         Expect("troops_deployed", soldiers(3_000), "autorités ukrainiennes")),
    case("Poutine a remercié Kim Jong-un pour l'envoi de soldats, qui ont « héroïquement » combattu à Koursk.",
         Expect("troops_deployed")),
    # Vague quantities are mentions without a figure.
    case("Des milliers de soldats nord-coréens combattent désormais aux côtés des forces russes.",
         Expect("troops_deployed")),
    case("Plusieurs centaines de soldats nord-coréens ont été envoyés en Russie, affirme Kiev.",
         Expect("troops_deployed", None, "Kiev")),
    # A purpose clause says why, not what became of the men, on either side of the figure.
    case("La Corée du Nord a envoyé 3 000 soldats supplémentaires pour compenser ses pertes.",
         Expect("troops_deployed", soldiers(3_000))),
    case("Pour compenser ses pertes, la Corée du Nord a envoyé 3 000 soldats supplémentaires.",
         Expect("troops_deployed", soldiers(3_000))),
    case("Les 3 000 soldats nord-coréens envoyés au front ont subi de lourdes pertes.",
         Expect("troops_deployed", soldiers(3_000)),
         Expect("troops_casualties")),
    case("Les troupes nord-coréennes ont subi de lourdes pertes dans la région de Koursk.",
         Expect("troops_casualties")),
    case("Les troupes nord-coréennes n'ont subi aucune perte, selon Pyongyang."),
]

TROOPS_KILLED = [
    case("Au moins 300 soldats nord-coréens ont été tués dans la région de Koursk, selon le NIS.",
         Expect("troops_killed", soldiers(300), "NIS")),
    case("La mort de 300 soldats nord-coréens a été confirmée par Kiev.",
         Expect("troops_killed", soldiers(300), "Kiev")),
    case("Quelque 1 200 militaires nord-coréens auraient péri au combat, selon l'Institute for the Study of War "
         "(ISW).",
         Expect("troops_killed", soldiers(1_200), "ISW", hedged=True)),
    case("Kim Jong-un a rendu hommage aux 450 soldats nord-coréens tombés au combat en Russie.",
         Expect("troops_killed", soldiers(450))),
    case("Le Service national de renseignement sud-coréen estime que 2 000 soldats nord-coréens ont été tués.",
         Expect("troops_killed", soldiers(2_000), "NIS")),
    case("Environ 1 000 soldats nord-coréens ont été tués, a déclaré un porte-parole de l'état-major ukrainien.",
         Expect("troops_killed", soldiers(1_000), "Kiev")),
    case("Le nombre de soldats nord-coréens tués s'élève à 600, selon Séoul.",
         Expect("troops_killed", soldiers(600), "Séoul")),
    case("Selon Séoul, quelque 1 500 soldats nord-coréens, déployés depuis l'automne, ont été tués.",
         Expect("troops_killed", soldiers(1_500), "Séoul")),
    case("10 000 soldats nord-coréens ont été envoyés en Russie, dont 1 200 auraient été tués.",
         Expect("troops_deployed", soldiers(10_000), hedged=True),
         Expect("troops_killed", soldiers(1_200), hedged=True)),
    case("Des centaines de soldats nord-coréens auraient été tués par des drones ukrainiens.",
         Expect("troops_killed", hedged=True)),
    case("Le renseignement sud-coréen (NIS) a fait savoir que 300 soldats nord-coréens avaient été tués.",
         Expect("troops_killed", soldiers(300), "NIS")),
    case("Pyongyang a déjà envoyé environ 14 000 soldats en Russie, dont quelque 2 000 ont été tués, selon les "
         "estimations sud-coréennes.",
         Expect("troops_deployed", soldiers(14_000), "estimations sud-coréennes"),
         Expect("troops_killed", soldiers(2_000), "estimations sud-coréennes")),
    case("Quelque 600 soldats nord-coréens ont trouvé la mort et 4 700 autres ont été blessés, a précisé le député Lee "
         "Seong-kweun après une réunion à huis clos avec le NIS.",
         Expect("troops_killed", soldiers(600), "député Lee Seong-kweun"),
         Expect("troops_wounded", soldiers(4_700), "député Lee Seong-kweun")),
    case("Au moins 3 soldats nord-coréens se sont suicidés pour éviter d'être capturés, selon le NIS.",
         Expect("troops_killed", soldiers(3), "NIS")),
]

TROOPS_WOUNDED_CASUALTIES_CAPTURED = [
    # A cue written as a noun: "la capture de".
    case("Kiev a annoncé la capture de deux soldats nord-coréens dans la région de Koursk.",
         Expect("troops_captured", soldiers(2), "Kiev")),
    case("Environ 2 700 soldats nord-coréens ont été blessés depuis leur arrivée sur le front, selon Séoul.",
         Expect("troops_wounded", soldiers(2_700), "Séoul")),
    case("Près de 2 000 militaires nord-coréens auraient été blessés lors des combats de décembre.",
         Expect("troops_wounded", soldiers(2_000), hedged=True)),
    case("Citant des sources militaires, l'agence Yonhap indique que 4 000 soldats nord-coréens ont été blessés.",
         Expect("troops_wounded", soldiers(4_000), "sources militaires")),
    case("Les pertes nord-coréennes s'élèvent à 4 700 hommes, tués ou blessés, selon les services de renseignement "
         "sud-coréens.",
         Expect("troops_casualties", soldiers(4_700), "NIS")),
    case("Quelque 3 000 soldats nord-coréens ont été tués ou blessés en Russie, a estimé le Service national de "
         "renseignement (NIS).",
         Expect("troops_casualties", soldiers(3_000), "NIS")),
    case("Sur les 11 000 soldats nord-coréens déployés, 4 000 ont été tués ou blessés, selon Kiev.",
         Expect("troops_deployed", soldiers(11_000), "Kiev"),
         Expect("troops_casualties", soldiers(4_000), "Kiev")),
    case("Les pertes nord-coréennes atteindraient 3 800 hommes, selon le renseignement militaire ukrainien.",
         Expect("troops_casualties", soldiers(3_800), "GUR", hedged=True)),
    case("Un millier de soldats nord-coréens ont été tués ou blessés en une semaine, selon Yonhap.",
         Expect("troops_casualties", soldiers(1_000), "Yonhap")),
    # Losing men is a loss whatever follows ("depuis leur arrivée" is no deployment).
    case("Les forces nord-coréennes auraient perdu près de 4 000 hommes depuis leur arrivée.",
         Expect("troops_casualties", soldiers(4_000), hedged=True)),
    case("Selon Kiev, les Nord-Coréens ont perdu près de 4 000 hommes, tués ou blessés, depuis décembre.",
         Expect("troops_casualties", soldiers(4_000), "Kiev")),
    case("Le bilan des pertes nord-coréennes s'établit à 4 700 morts et blessés.",
         Expect("troops_casualties", soldiers(4_700))),
    case("Kiev a fait état de 4 000 pertes nord-coréennes.",
         Expect("troops_casualties", soldiers(4_000), "Kiev")),
    case("Les troupes nord-coréennes ont subi de lourdes pertes à Koursk.",
         Expect("troops_casualties")),
    case("Les forces nord-coréennes ont subi de lourdes pertes à Koursk.",
         Expect("troops_casualties")),
    case("Kiev a publié une vidéo de deux prisonniers nord-coréens.",
         Expect("troops_captured", soldiers(2))),
    case("Deux Nord-Coréens capturés à Koursk ont demandé à être transférés en Corée du Sud.",
         Expect("troops_captured", soldiers(2))),
    case("Au moins 40 soldats nord-coréens ont été faits prisonniers depuis janvier, a indiqué le renseignement "
         "militaire ukrainien.",
         Expect("troops_captured", soldiers(40), "GUR")),
    case("Deux soldats nord-coréens ont été capturés par l'armée ukrainienne dans la région de Koursk.",
         Expect("troops_captured", soldiers(2))),
    case("L'Ukraine affirme avoir fait prisonniers 5 soldats nord-coréens.",
         Expect("troops_captured", soldiers(5), "Kiev")),
    case("Trois militaires nord-coréens ont été faits prisonniers, a annoncé Volodymyr Zelensky.",
         Expect("troops_captured", soldiers(3), "Kiev")),
    # Decided: "non confirmé" names no source and hedges the claim.
    case("Selon des informations non confirmées, 800 soldats nord-coréens auraient été faits prisonniers.",
         Expect("troops_captured", soldiers(800), None, hedged=True)),
]

WORKERS_AND_MUNITIONS = [
    # "personnes" say nothing of who they are; the apposition does.
    case("Pyongyang a envoyé 1 500 personnes, en majorité des ouvriers du bâtiment, vers la Russie.",
         Expect("workers_deployed", persons(1_500))),
    # The noun's qualifiers decide what it counts: soldiers set to clear mines are workers.
    case("Pyongyang a dépêché 800 militaires nord-coréens affectés au déminage de la région de Koursk.",
         Expect("workers_deployed", persons(800))),
    case("L'envoi de 3 000 ouvriers nord-coréens vers la Russie a commencé ce printemps.",
         Expect("workers_deployed", persons(3_000))),
    case("Pyongyang va dépêcher 1 000 démineurs et 5 000 constructeurs militaires dans la région de Koursk, a "
         "rapporté l'agence KCNA.",
         Expect("workers_deployed", persons(1_000), "KCNA"),
         Expect("workers_deployed", persons(5_000), "KCNA")),
    case("Quelque 1 500 sapeurs nord-coréens participent au déminage de la région de Koursk.",
         Expect("workers_deployed", persons(1_500))),
    case("Des milliers de travailleurs nord-coréens sont arrivés en Russie cette année, selon le NIS.",
         Expect("workers_deployed", None, "NIS")),
    case("Moscou a fait venir 6 000 ouvriers nord-coréens pour reconstruire Koursk.",
         Expect("workers_deployed", persons(6_000))),
    case("La Corée du Nord a dépêché environ 1 000 ingénieurs militaires dans la région de Koursk.",
         Expect("workers_deployed", persons(1_000))),
    case("Des ouvriers nord-coréens travaillent désormais sur les chantiers de Koursk.",
         Expect("workers_deployed")),
    case("La Corée du Nord enverrait 6 000 sapeurs et ouvriers militaires en Russie, a annoncé Sergueï Choïgou.",
         Expect("workers_deployed", persons(6_000), "Sergueï Choïgou", hedged=True)),
    case("Les 1 500 sapeurs nord-coréens arriveront en Russie à la fin de l'été, d'après le ministère russe de la "
         "Défense.",
         Expect("workers_deployed", persons(1_500), "ministère russe de la Défense")),
    case("La moitié des obus tirés par l'armée russe proviennent de Corée du Nord, selon Kiev.",
         Expect("munitions_share", percent(50), "Kiev")),
    case("La Corée du Nord fournirait 60 % des munitions utilisées par Moscou en Ukraine.",
         Expect("munitions_share", percent(60), hedged=True),
         Expect("arms_supply", hedged=True)),
    case("Entre 50 et 60 % des obus d'artillerie de la Russie viennent de Corée du Nord, selon le GUR.",
         Expect("munitions_share", percent(50, 60), "GUR")),
    case("Les deux tiers des munitions russes seraient d'origine nord-coréenne, a affirmé le renseignement militaire "
         "ukrainien.",
         Expect("munitions_share", percent(66.7), "GUR", hedged=True)),
    case("La Corée du Nord aurait fourni à la Russie plus de la moitié de ses obus d'artillerie.",
         Expect("munitions_share", percent(50), hedged=True),
         Expect("arms_supply", hedged=True)),
    case("Quelque 40 % des munitions tirées par l'armée russe seraient nord-coréennes.",
         Expect("munitions_share", percent(40), hedged=True)),
    case("Près d'un tiers des obus tirés par la Russie en Ukraine viendraient de Corée du Nord.",
         Expect("munitions_share", percent(33.3), hedged=True)),
    # Counts of shells and containers are arms supplies, not shares; other percentages are not about munitions.
    case("Pyongyang a expédié plus de 20 000 conteneurs de munitions vers la Russie.",
         Expect("arms_supply")),
    case("La Corée du Nord a fourni à la Russie 12 millions d'obus.",
         Expect("arms_supply")),
    case("Les exportations nord-coréennes vers la Russie ont bondi de 40 %."),
    case("L'inflation en Russie atteint 9,5 %, alors que la Corée du Nord fournit des obus à Moscou.",
         Expect("arms_supply")),
]

# --- qualitative predicates ----------------------------------------------------------------------------------------

VISITS = [
    # Told in the pluperfect, an undated meeting is an earlier one: it is not dated to the day's news, so it
    # matches a known visit of that city whatever its month. The eve of the news stays news.
    case("Kim Jong-un s'était rendu à Vladivostok pour y rencontrer Vladimir Poutine.",
         Expect("official_visit", place="Vladivostok", date=None)),
    case("Le dirigeant nord-coréen était arrivé à Moscou la veille au soir pour rencontrer Vladimir Poutine.",
         Expect("official_visit", place="Moscou", date="2025-06")),
    # A trip to a country meets in its capital; a city the sentence names wins.
    case("Le président russe Vladimir Poutine est arrivé mercredi en Corée du Nord pour rencontrer Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2025-06-18")),
    case("Kim Jong-un s'est rendu en Russie en septembre, où il a rencontré Vladimir Poutine à Vostotchny.",
         Expect("official_visit", place="Vostotchny", date="2024-09")),
    # A host receives a guest whatever comes between them, and in the passive the guest is the subject.
    case("Kim Jong-un a reçu le 17 juin dernier à Pyongyang le secrétaire du Conseil de sécurité russe.",
         Expect("official_visit", place="Pyongyang", date="2025-06-17")),
    case("La ministre nord-coréenne des Affaires étrangères, Choe Son Hui, a été reçue lundi au Kremlin par "
         "Vladimir Poutine.",
         Expect("official_visit", place="Moscou", date="2025-06-16")),
    # A trip names its host by where it goes, and a country its capital as the place; a country mentioned otherwise
    # names no one. (The place was None before: such a visit could never make a later report of it known.)
    case("Vladimir Poutine est arrivé en Corée du Nord pour une visite d'État de deux jours.",
         Expect("official_visit", place="Pyongyang", date="2025-06")),
    case("Kim Jong-un s'est rendu en Russie en septembre 2023 à bord de son train blindé.",
         Expect("official_visit", date="2023-09")),
    case("Lavrov a discuté de la situation en Corée du Nord avec son homologue chinois."),
    case("Vladimir Poutine est arrivé en Chine, où il doit évoquer la Corée du Nord."),
    case("Vladimir Poutine s'est rendu compte à Moscou que Kim Jong-un hésitait."),
    # A visit to come is dated ahead (the paper is of Wednesday 18 June 2025); one that took place, back.
    case("Kim Jong-un est attendu à Moscou en octobre pour une visite officielle.",
         Expect("official_visit", place="Moscou", date="2025-10")),
    case("Vladimir Poutine se rendra à Pyongyang en mars pour rencontrer Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2026-03")),
    case("Vladimir Poutine doit se rendre à Pyongyang lundi pour s'entretenir avec Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2025-06-23")),
    case("Vladimir Poutine s'est rendu à Pyongyang en mars pour rencontrer Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2025-03")),
    case("Vladimir Poutine est allé à Pyongyang lundi pour rencontrer Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2025-06-16")),
    case("Le ministre russe de la Défense, Andreï Belooussov, s'est rendu à Pyongyang mardi pour s'entretenir avec "
         "Kim Jong-un.",
         Expect("official_visit", place="Pyongyang", date="2025-06-17")),
    case("Vladimir Poutine a reçu au Kremlin le dirigeant nord-coréen Kim Jong-un.",
         Expect("official_visit", place="Moscou", date="2025-06")),
    case("Kim Jong-un a reçu mardi à Pyongyang une délégation russe conduite par Sergueï Choïgou.",
         Expect("official_visit", place="Pyongyang", date="2025-06-17")),
    case("Vladimir Poutine et Kim Jong-un ont tenu un sommet à Vladivostok en septembre 2023.",
         Expect("official_visit", place="Vladivostok", date="2023-09")),
    # July in a June paper is last July.
    case("Sergueï Lavrov a rencontré son homologue nord-coréenne Choe Son Hui à Wonsan en juillet.",
         Expect("official_visit", place="Wonsan", date="2024-07")),
    case("Le Kremlin a confirmé la visite de Kim Jong-un à Moscou en mai.",
         Expect("official_visit", None, "Kremlin", place="Moscou", date="2025-05")),
    case("Le chef de la diplomatie russe Sergueï Lavrov est arrivé vendredi à Pyongyang.",
         Expect("official_visit", place="Pyongyang", date="2025-06-13")),
    case("Le dirigeant nord-coréen a accueilli à Pyongyang le ministre russe de la Défense.",
         Expect("official_visit", place="Pyongyang", date="2025-06")),
    case("Le ministre nord-coréen de la Défense No Kwang Chol a été reçu à Moscou par Andreï Belooussov.",
         Expect("official_visit", place="Moscou", date="2025-06")),
    case("Kim Jong-un et Vladimir Poutine se sont rencontrés le 13 septembre 2023 au cosmodrome de Vostotchny.",
         Expect("official_visit", place="Vostotchny", date="2023-09-13")),
    # The city of the meeting is the one after its cue, not the dative before it.
    case("Kim Jong-un a promis un soutien « inconditionnel » à Moscou lors de sa rencontre avec Sergueï Choïgou, "
         "mardi à Pyongyang.",
         Expect("official_visit", place="Pyongyang", date="2025-06-17")),
    case("La Corée du Nord a décidé d'envoyer 6 000 militaires supplémentaires en Russie, a annoncé mercredi Sergueï "
         "Choïgou à l'issue de son entretien avec Kim Jong-un à Pyongyang.",
         Expect("troops_deployed", soldiers(6_000), "Sergueï Choïgou"),
         Expect("official_visit", None, "Sergueï Choïgou", place="Pyongyang", date="2025-06-18")),
    case("Kim Jong-un n'a pas rencontré Vladimir Poutine lors de son séjour."),
    # A call is no meeting, an avoided meeting none either, and what Pyongyang receives from Moscow is aid.
    case("Kim Jong-un s'est entretenu par téléphone avec Vladimir Poutine lundi."),
    case("Poutine et Kim ont eu un entretien téléphonique jeudi."),
    case("Sergueï Lavrov a évité de rencontrer Choe Son Hui lors de son passage à Pékin."),
    case("Pyongyang a reçu de Moscou de la technologie militaire et une aide économique.",
         Expect("military_aid_to_nk")),
]

TREATY = [
    case("Vladimir Poutine et Kim Jong-un ont signé en juin 2024 un traité de partenariat stratégique global.",
         Expect("treaty", act="signature", date="2024-06")),
    case("La Douma a ratifié mercredi le traité de défense mutuelle conclu avec la Corée du Nord.",
         Expect("treaty", act="ratification", date="2025-06-18")),
    case("Le traité signé en juin 2024 a été ratifié par la Douma en novembre.",
         Expect("treaty", act="ratification", date="2024-11")),
    case("Le traité russo-nord-coréen est entré en vigueur en décembre 2024.",
         Expect("treaty", act="ratification", date="2024-12")),
    case("Pyongyang affirme avoir envoyé ses troupes en vertu de l'article 4 du traité signé avec Moscou.",
         Expect("treaty", None, "Pyongyang", act="invocation"),
         Expect("troops_deployed", None, "Pyongyang")),
    case("Moscou a invoqué le pacte de défense mutuelle pour justifier la présence de soldats nord-coréens.",
         Expect("treaty", act="invocation")),
    case("La Corée du Nord a ratifié le traité le 11 novembre.",
         Expect("treaty", act="ratification", date="2024-11-11")),
    case("Moscou et Pyongyang ont paraphé un accord de défense mutuelle.",
         Expect("treaty", act="signature", date=None)),
    case("La Russie et la Corée du Nord, qui ont signé l'an dernier un pacte de défense mutuelle, intensifient leur "
         "coopération militaire.",
         Expect("treaty", act="signature", date="2024")),
    # June dates the signature; the ratification has no date of its own.
    case("Le Parlement russe a approuvé la ratification du traité, signé lors de la visite de Vladimir Poutine à "
         "Pyongyang en juin.",
         Expect("treaty", act="ratification", date=None),
         Expect("official_visit", place="Pyongyang")),
    # The treaty's promise of mutual assistance is no aid given.
    case("Le traité entre Moscou et Pyongyang prévoit une assistance militaire mutuelle en cas d'agression."),
    # A treaty named without an act is no news.
    case("Le traité entre Moscou et Pyongyang inquiète les chancelleries occidentales."),
    case("Le traité de partenariat stratégique global entre la Russie et la Corée du Nord compte 23 articles."),
]

ARMS_AID_CONFIRMATION_REQUEST = [
    case("La Corée du Nord a livré des millions d'obus d'artillerie à la Russie, selon Séoul.",
         Expect("arms_supply", None, "Séoul")),
    case("Pyongyang aurait fourni des missiles balistiques KN-23 à Moscou.",
         Expect("arms_supply", hedged=True)),
    case("Des lance-roquettes multiples nord-coréens ont été livrés à l'armée russe.",
         Expect("arms_supply")),
    case("Le régime de Pyongyang est soupçonné de livrer des armes à Moscou.",
         Expect("arms_supply", hedged=True)),
    case("En contrepartie, Moscou fournirait à Pyongyang une assistance technologique pour son programme de "
         "satellites.",
         Expect("military_aid_to_nk", hedged=True)),
    case("La Russie a livré du pétrole et des systèmes de défense antiaérienne à la Corée du Nord en échange de ses "
         "soldats.",
         Expect("military_aid_to_nk")),
    case("Des experts russes aideraient la Corée du Nord à moderniser ses sous-marins, en échange des munitions "
         "livrées par Pyongyang.",
         Expect("military_aid_to_nk", hedged=True),
         Expect("arms_supply", hedged=True)),
    # Russia giving anything is aid to North Korea; North Korea giving is its supply to Russia.
    case("La Russie aurait aidé la Corée du Nord à moderniser ses missiles balistiques, selon Washington.",
         Expect("military_aid_to_nk", None, "Washington", hedged=True)),
    case("La Russie fournit du pétrole à la Corée du Nord malgré les sanctions.",
         Expect("military_aid_to_nk")),
    case("Les soldats nord-coréens ont aidé la Russie à reprendre la région de Koursk."),
    case("Au total, Pyongyang aurait fourni à Moscou quelque 28 000 conteneurs, soit plus de 12 millions d'obus, selon "
         "Séoul.",
         Expect("arms_supply", None, "Séoul", hedged=True)),
    case("La Corée du Nord a reconnu lundi avoir déployé des troupes dans la région russe de Koursk, a annoncé "
         "l'agence KCNA.",
         Expect("deployment_confirmed", None, "KCNA", date="2025-06-16"),
         Expect("troops_deployed", None, "KCNA")),
    # After "X, Y, affirme", a "que" opens what is said: the speaker is the subject before the verb.
    case("Le chef des renseignements militaires ukrainiens, Kyrylo Boudanov, affirme qu'environ 50 % des munitions "
         "russes proviennent de Corée du Nord.",
         Expect("munitions_share", percent(50), "GUR")),
    # Who acknowledges says so: "reconnaître" and "admettre" report like "affirmer".
    case("Le Kremlin a reconnu pour la première fois la présence de soldats nord-coréens sur son territoire.",
         Expect("deployment_confirmed", None, "Kremlin")),
    case("« Nous avons perdu près de 500 hommes », a reconnu un officier nord-coréen capturé, cité par le SBU.",
         Expect("troops_casualties", soldiers(500), "officier nord-coréen")),
    case("Pyongyang a confirmé lundi l'envoi de troupes en Russie, a rapporté l'agence officielle KCNA.",
         Expect("deployment_confirmed", None, "KCNA", date="2025-06-16"),
         Expect("troops_deployed", None, "KCNA")),
    case("Kim Jong-un a officialisé la participation de ses soldats à la libération de Koursk.",
         Expect("deployment_confirmed")),
    # Only Moscow or Pyongyang can acknowledge their deployment.
    case("Séoul a confirmé que Pyongyang avait déployé des troupes en Russie.",
         Expect("troops_deployed", None, "Séoul")),
    case("Pour la première fois, des soldats nord-coréens ont été repérés sur le front de Zaporijjia."),
    case("Moscou a demandé à Pyongyang l'envoi de renforts supplémentaires, selon le NIS.",
         Expect("troop_request", None, "NIS")),
    case("La Russie réclame de nouveaux soldats à la Corée du Nord pour compenser ses pertes.",
         Expect("troop_request")),
    case("Vladimir Poutine aurait sollicité des troupes supplémentaires auprès de Kim Jong-un.",
         Expect("troop_request", hedged=True)),
    # Russia asks for the troops; anyone else asking for something asks for no troops.
    case("Un des soldats nord-coréens capturés a demandé à rester en Ukraine.",
         Expect("troops_captured")),
    case("Les deux prisonniers nord-coréens réclament l'asile en Corée du Sud, selon leurs avocats.",
         Expect("troops_captured", soldiers(2), "avocats")),
    # Men asked for are not men sent.
    case("Selon Kiev, Moscou aurait demandé à Pyongyang de lui envoyer 30 000 soldats supplémentaires.",
         Expect("troop_request", None, "Kiev", hedged=True)),
]

# --- attribution and hedging ---------------------------------------------------------------------------------------

ATTRIBUTION_AND_HEDGING = [
    case("Kim Jong-un a affirmé que des soldats nord-coréens avaient été envoyés pour libérer Koursk.",
         Expect("troops_deployed", None, "Kim Jong-un")),
    case("Plus de 100 soldats nord-coréens ont été tués en décembre, a estimé le député sud-coréen Lee Seong-kweun.",
         Expect("troops_killed", soldiers(100), "député sud-coréen Lee Seong-kweun")),
    case("Le présumé déploiement de 5 000 soldats nord-coréens supplémentaires inquiète Washington.",
         Expect("troops_deployed", soldiers(5_000), hedged=True)),
    case("La Corée du Nord est accusée d'avoir envoyé 8 000 soldats supplémentaires en Russie.",
         Expect("troops_deployed", soldiers(8_000), hedged=True)),
    case("Les soldats nord-coréens pourraient être envoyés dans le Donbass, selon le renseignement militaire "
         "ukrainien.",
         Expect("troops_deployed", None, "GUR", hedged=True)),
    case("« Nous avons envoyé nos meilleurs soldats », a déclaré Kim Jong-un.",
         Expect("troops_deployed", None, "Kim Jong-un")),
    case("Selon l'agence de presse officielle nord-coréenne KCNA, les troupes nord-coréennes ont participé à la "
         "libération de Koursk.",
         Expect("troops_deployed", None, "KCNA")),
    case("Pyongyang pourrait envoyer jusqu'à 30 000 soldats supplémentaires, selon CNN.",
         Expect("troops_deployed", soldiers(30_000), "CNN", hedged=True)),
    # 'un' as the count one, where one man is news; elsewhere the article of a mention.
    case("Un soldat nord-coréen a été capturé près de Soudja.",
         Expect("troops_captured", soldiers(1))),
    case("Une recrue nord-coréenne a été tuée par un drone ukrainien, selon Kiev.",
         Expect("troops_killed", soldiers(1), "Kiev")),
    case("L'un des soldats nord-coréens capturés s'est exprimé devant la presse.",
         Expect("troops_captured")),
    case("Un soldat nord-coréen déployé dans la région de Koursk a raconté son quotidien.",
         Expect("troops_deployed")),
    # A participle after the source ends it: what was published, and when, is not who said it.
    case("Environ 800 soldats nord-coréens ont été tués, selon des responsables militaires cités par la presse "
         "locale.",
         Expect("troops_killed", soldiers(800), "responsables militaires")),
    case("Environ 900 soldats nord-coréens ont été tués, selon les chiffres du ministère sud-coréen de la Défense.",
         Expect("troops_killed", soldiers(900), "ministère sud-coréen de la Défense")),
    # A reflexive verb reports nothing: "s'ajouter" is not "ajouter".
    case("Ces renforts s'ajoutent aux 11 000 soldats nord-coréens envoyés à l'automne dernier.",
         Expect("troops_deployed", soldiers(11_000), None)),
    # A change of figure gives both; "en quelques mois" counts months, not men.
    case("Le nombre de soldats nord-coréens en Russie est passé de 11 000 à 15 000 en quelques mois.",
         Expect("troops_deployed", soldiers(11_000)),
         Expect("troops_deployed", soldiers(15_000))),
    case("La part des munitions nord-coréennes dans l'arsenal russe serait passée de 30 % à 50 % en un an.",
         Expect("munitions_share", percent(30), hedged=True),
         Expect("munitions_share", percent(50), hedged=True)),
    # "perdu" is "perdre" even when the small model tags it a noun, as it does in a headline.
    case("Guerre en Ukraine : la Corée du Nord aurait perdu 4 000 soldats, selon Séoul",
         Expect("troops_casualties", soldiers(4_000), "Séoul", hedged=True)),
    # A figure before a cue used as a noun counts the men of the figure before it.
    case("Quelque 300 soldats nord-coréens auraient été tués et 2 700 blessés, selon le député Lee Seong-kweun.",
         Expect("troops_killed", soldiers(300), "député Lee Seong-kweun", hedged=True),
         Expect("troops_wounded", soldiers(2_700), "député Lee Seong-kweun", hedged=True)),
    # Men asked for, however low the parse hangs the verb that would send them.
    case("La Russie a demandé à la Corée du Nord de lui fournir 30 000 soldats supplémentaires, a rapporté CNN.",
         Expect("troop_request", None, "CNN")),
    case("Environ 900 soldats nord-coréens ont été tués, selon les chiffres du ministère publiés lundi.",
         Expect("troops_killed", soldiers(900), "ministère")),
    # An adjective the small model tags as a participle, agreeing with no noun before it, stays in the name.
    case("La Corée du Nord a envoyé 3 000 soldats en Russie, a indiqué l'état-major interarmées sud-coréen.",
         Expect("troops_deployed", soldiers(3_000), "Séoul")),
    # An adjunct after the source is not part of it.
    case("Près de 3 000 Nord-Coréens ont été tués, a déclaré un général ukrainien lors d'une conférence de presse.",
         Expect("troops_killed", soldiers(3_000), "général ukrainien")),
    case("Environ 900 soldats nord-coréens ont été tués, selon les estimations.",
         Expect("troops_killed", soldiers(900), "estimations")),
    case("Un responsable ukrainien a estimé que Pyongyang fournissait à Moscou 50 % de ses obus.",
         Expect("munitions_share", percent(50), "responsable ukrainien"),
         Expect("arms_supply", None, "responsable ukrainien")),
]

# --- what must give nothing, or no figure --------------------------------------------------------------------------

NOTHING = [
    case("Aucun soldat nord-coréen n'a été déployé en Ukraine, a assuré le Kremlin."),
    case("Moscou a démenti avoir reçu des soldats nord-coréens."),
    case("Pyongyang nie avoir envoyé 10 000 soldats en Russie."),
    case("Pyongyang dément avoir envoyé des soldats en Russie."),
    case("Kiev dément que des soldats nord-coréens aient été capturés dans la région de Donetsk."),
    # An army counted at home is not men sent: without a cue, a figure needs the war named.
    case("Aujourd'hui, la Corée du Nord compte environ 1,2 million de militaires d'active."),
    case("Les 2 000 ouvriers nord-coréens annoncés n'ont pas été envoyés en Russie, selon Séoul."),
    case("Depuis les années 1990, la Corée du Nord n'avait plus envoyé de troupes à l'étranger."),
    case("L'armée russe a perdu 1 200 hommes dans la région de Koursk la semaine dernière."),
    case("Kiev affirme que 500 soldats ukrainiens ont été tués lors de l'assaut contre les positions nord-coréennes."),
    case("Séoul a déployé 3 000 soldats sud-coréens à la frontière avec la Corée du Nord."),
    case("Les soldats sud-coréens ont mené des exercices conjoints avec l'armée américaine."),
    case("Le 12 juin 2025 à 14h30, Kim Jong-un a passé en revue ses troupes avant leur départ pour la Russie."),
    # North Koreans among others: a mention, since their own figure is unknown.
    case("Environ 500 soldats russes et nord-coréens ont été tués dans l'attaque.",
         Expect("troops_killed")),
    case("Le Kremlin n'a ni confirmé ni démenti la présence de soldats nord-coréens."),
    case("Kim Yo-jong, la sœur du dirigeant, a affirmé que Pyongyang n'avait envoyé aucun soldat en Russie."),
    case("Le porte-parole du Kremlin, Dmitri Peskov, a refusé de commenter les informations sur la présence de "
         "soldats nord-coréens."),
    case("Les pertes russes s'élèveraient à 1 000 hommes par jour, selon l'état-major ukrainien, qui évoque aussi des "
         "soldats nord-coréens."),
    # Someone else's losses in a sentence that names the North Koreans elsewhere.
    case("L'armée russe a perdu 1 200 hommes face aux forces ukrainiennes, alors que les soldats nord-coréens "
         "combattent à Koursk.",
         Expect("troops_deployed")),
    # Codes, model names, years, ordinals and phone numbers are no figures: the mention stays, without one.
    case("Les soldats nord-coréens sont arrivés en Russie en 2024.",
         Expect("troops_deployed")),
    case("Depuis la pandémie de Covid-19, la Corée du Nord a fermé ses frontières, mais elle a envoyé des soldats en "
         "Russie.",
         Expect("troops_deployed")),
    case("Les dirigeants du G7 ont condamné l'envoi de soldats nord-coréens en Russie.",
         Expect("troops_deployed")),
    case("Pyongyang a tiré plusieurs missiles KN-23 et Hwasong-19, une démonstration de force alors que ses soldats "
         "combattent en Russie.",
         Expect("troops_deployed")),
]

NO_FIGURE = [
    "Le 2e bataillon nord-coréen a été déployé près de Soudja.",
    "La 11e brigade nord-coréenne aurait été envoyée dans la région de Koursk.",
    "Les familles des soldats nord-coréens envoyés en Russie peuvent appeler le 01 23 45 67 89.",
    "Les soldats nord-coréens envoyés en Russie en 2024 ont reçu des missiles Hwasong-11.",
    "Les troupes nord-coréennes déployées depuis octobre 2024 à 06:30 ont été relevées.",
]

# --- beyond these rules, for now ----------------------------------------------------------------------------------

LIMITS = [
]

CASES = [*TROOPS_DEPLOYED, *TROOPS_KILLED, *TROOPS_WOUNDED_CASUALTIES_CAPTURED, *WORKERS_AND_MUNITIONS, *VISITS,
         *TREATY, *ARMS_AID_CONFIRMATION_REQUEST, *ATTRIBUTION_AND_HEDGING, *NOTHING, *LIMITS]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentence_claims(extractor: ClaimExtractor, text: str, expected: list[Expect]) -> None:
    assert_claims(extract(extractor, text), expected)


@pytest.mark.parametrize("text", NO_FIGURE, ids=[text[:60] for text in NO_FIGURE])
def test_numbers_that_count_no_one_give_no_figure(extractor: ClaimExtractor, text: str) -> None:
    claims = extract(extractor, text)
    assert all(claim.figure is None for claim in claims), [summary(c) for c in claims]


def test_place_is_only_a_meetings(extractor: ClaimExtractor) -> None:
    claims = extract(extractor, "Moscou a demandé à Pyongyang l'envoi de renforts, selon le NIS.")
    assert [c.predicate for c in claims] == ["troop_request"]
    assert claims[0].place is None


# --- articles: headline, body, and the sentence before ------------------------------------------------------------


def test_headline_is_the_first_sentence_and_carries_its_own_claim(extractor: ClaimExtractor) -> None:
    claims = extract(extractor, "Le Kremlin n'a fait aucun commentaire.",
                     title="Poutine réclame de nouvelles troupes à Kim Jong-un")
    assert [(c.predicate, c.sentence) for c in claims] == [("troop_request", 0)]


def test_a_figure_leans_on_the_actor_of_the_sentence_before(extractor: ClaimExtractor) -> None:
    text = ("Pyongyang prépare l'envoi de nouvelles troupes en Russie, selon Séoul. "
            "Quelque 6 000 soldats pourraient partir dès juillet.")
    claims = extract(extractor, text)
    assert_claims(claims, [Expect("troops_deployed", None, "Séoul"),
                           Expect("troops_deployed", soldiers(6_000), hedged=True)])
    assert [c.sentence for c in claims] == [0, 1]


def test_a_figure_without_any_north_korean_nearby_is_no_claim(extractor: ClaimExtractor) -> None:
    text = "La guerre dure depuis plus de trois ans. L'armée ukrainienne a engagé 4 000 soldats près de Pokrovsk."
    assert extract(extractor, text) == []


def test_the_evidence_is_the_sentence_verbatim(extractor: ClaimExtractor) -> None:
    text = ("La Corée du Nord reste muette. Environ 600 soldats nord‑coréens ont été tués, selon Séoul. "
            "Le reste n'est pas connu.")
    claims = extract(extractor, text)
    assert [c.evidence for c in claims] == ["Environ 600 soldats nord‑coréens ont été tués, selon Séoul."]
    assert claims[0].evidence in sentences(article(text))


def test_a_visit_without_a_date_is_the_days_news(extractor: ClaimExtractor) -> None:
    claims = extract(extractor, "Sergueï Choïgou est arrivé à Pyongyang pour une visite auprès de Kim Jong-un.")
    assert [(c.predicate, c.place, c.event_date) for c in claims] == [("official_visit", "Pyongyang", "2025-06")]


def test_a_bare_figure_counts_the_men_of_the_sentence_before(extractor: ClaimExtractor) -> None:
    text = ("Pyongyang a déjà envoyé environ 11 000 soldats en Russie à l'automne 2024. "
            "Parmi eux, quelque 4 700 ont été tués ou blessés, selon le renseignement sud-coréen.")
    assert_claims(extract(extractor, text), [Expect("troops_deployed", soldiers(11_000)),
                                             Expect("troops_casualties", soldiers(4_700), "NIS")])


def test_a_bare_figure_after_an_unrelated_sentence_counts_nothing(extractor: ClaimExtractor) -> None:
    text = ("Pyongyang a déjà envoyé environ 11 000 soldats en Russie. "
            "Le conflit dure depuis plus de trois ans. "
            "Quelque 4 700 ont été tués ou blessés lors de la seule bataille de Koursk.")
    assert_claims(extract(extractor, text), [Expect("troops_deployed", soldiers(11_000))])


def test_the_two_men_are_the_leaders_just_named(extractor: ClaimExtractor) -> None:
    text = ("Kim Jong-un a reçu mardi à Pyongyang le secrétaire du Conseil de sécurité russe, Sergueï Choïgou. "
            "Les deux hommes ont évoqué la coopération militaire entre leurs pays.")
    assert_claims(extract(extractor, text), [Expect("official_visit", place="Pyongyang", date="2025-06-17")])


def test_a_denial_then_an_acknowledgement_is_an_acknowledgement(extractor: ClaimExtractor) -> None:
    text = ("Moscou a longtemps nié la présence de soldats nord-coréens, avant de la reconnaître officiellement "
            "en avril.")
    assert_claims(extract(extractor, text), [Expect("deployment_confirmed", date="2025-04")])


def test_a_meeting_announced_with_a_pronoun(extractor: ClaimExtractor) -> None:
    # "Il" stands for the North Korean leader of the sentence before, which has no cue of its own.
    text = ("Le dirigeant nord-coréen a quitté Pyongyang dimanche à bord de son train blindé. "
            "Il doit rencontrer Vladimir Poutine à Vladivostok.")
    assert_claims(extract(extractor, text), [Expect("official_visit", place="Vladivostok")])


def test_a_pronoun_stands_for_one_side_and_only_the_sentence_just_before(extractor: ClaimExtractor) -> None:
    # Both sides named two sentences back, or one side and a named subject, are no meeting of the two.
    far = ("Le dirigeant nord-coréen a quitté Pyongyang dimanche à bord de son train blindé. "
           "Le voyage dure plusieurs jours. Il doit rencontrer Vladimir Poutine à Vladivostok.")
    assert extract(extractor, far) == []
    named = ("Le dirigeant nord-coréen a quitté Pyongyang dimanche à bord de son train blindé. "
             "Le gouverneur local doit rencontrer Vladimir Poutine à Vladivostok.")
    assert extract(extractor, named) == []
    neither = "Poutine a quitté Moscou dimanche. Il doit rencontrer le président turc à Ankara."
    assert extract(extractor, neither) == []


# --- confidence: how sure the reader is of its reading, not how sure the source is ---------------------------------


def test_confidence_follows_how_the_reading_was_made(extractor: ClaimExtractor) -> None:
    (parsed,) = extract(extractor, "Environ 600 soldats nord-coréens auraient été tués, selon Séoul.")
    assert parsed.hedged and parsed.confidence >= 0.9  # a hedged claim read cleanly is confident
    text = ("Pyongyang a dépêché de nouvelles unités vers Koursk, selon Séoul. "
            "Quelque 3 000 soldats se trouveraient désormais dans la région.")
    by_default = [c for c in extract(extractor, text) if c.figure is not None]
    # No cue for the figure, and the North Koreans named only in the sentence before: a reading that guesses twice.
    assert [(c.predicate, c.figure.low if c.figure else None) for c in by_default] == [("troops_deployed", 3000)]
    assert by_default[0].confidence < 0.5
    (visit,) = extract(extractor, "Vladimir Poutine a rencontré Kim Jong-un mercredi à Pyongyang.")
    assert visit.confidence >= 0.9
