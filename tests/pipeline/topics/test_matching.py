"""pipeline.topics.matching: built-in topics load, articles match the right topics, every verdict is explained."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from pipeline.config.schema import ConfigError, settings_from_dict
from pipeline.language.lemmas import normalise, normalise_phrase
from pipeline.topics.matching import (
    LemmaIndex,
    Topic,
    TopicMatch,
    builtin_topics,
    load_topics,
    match_topic,
    match_topics,
)
from tests.conftest import shared_dir

MAIN = "russie-coree-du-nord"
WAR = "guerre-russie-ukraine"
MISSILES = "coree-du-nord-missiles"

# Short articles written for these tests, in the register of the French wire services.
NK_WORKERS = (
    "Des ouvriers et des sapeurs nord-coréens envoyés en Russie",
    "Pyongyang va envoyer 6 000 ouvriers militaires et sapeurs dans la région de Koursk pour participer au déminage, "
    "a annoncé mardi Sergueï Choïgou lors d'une visite dans la capitale nord-coréenne. Ces renforts s'ajoutent aux "
    "quelque 11 000 soldats déployés l'an dernier aux côtés de l'armée russe, dont des milliers auraient été tués ou "
    "blessés selon le renseignement sud-coréen. Moscou et Pyongyang ont signé en 2024 un traité de partenariat "
    "stratégique prévoyant une assistance militaire mutuelle.",
)
LAVROV_VISIT = (
    "Lavrov en visite à Wonsan",
    "Le ministre russe des Affaires étrangères, Sergueï Lavrov, est arrivé vendredi à Wonsan pour une visite de trois "
    "jours en Corée du Nord, où il doit rencontrer son homologue Choe Son Hui, a rapporté l'agence officielle KCNA. "
    "Cette visite intervient un an après la signature d'un traité de défense mutuelle entre les deux pays, et alors "
    "que la coopération militaire entre Moscou et Pyongyang ne cesse de s'approfondir.",
)
KYIV_STRIKES = (
    "Nuit de frappes massives de drones russes sur Kiev",
    "La Russie a lancé dans la nuit plus de 400 drones et une quarantaine de missiles contre l'Ukraine, visant "
    "notamment les infrastructures énergétiques de Kiev, a indiqué l'armée de l'air ukrainienne. Au moins six civils "
    "ont été tués et une vingtaine blessés. Sur la ligne de front, les troupes russes poursuivent leur offensive "
    "près de Pokrovsk, dans la région de Donetsk. Volodymyr Zelensky a de nouveau appelé ses alliés à renforcer la "
    "défense antiaérienne, tandis que le Kremlin rejette toute idée de cessez-le-feu.",
)
NK_MISSILE = (
    "La Corée du Nord tire un missile balistique en mer du Japon",
    "La Corée du Nord a tiré mercredi un missile balistique vers la mer du Japon, a annoncé l'état-major interarmées "
    "sud-coréen. Le projectile a parcouru environ 1 000 kilomètres après avoir atteint une altitude de 6 000 km, "
    "selon Tokyo, qui évoque un possible missile intercontinental à combustible solide de type Hwasong-19. Il "
    "s'agit du premier tir de ce genre depuis l'été, en violation des résolutions du Conseil de sécurité de l'ONU. "
    "Kim Jong-un a supervisé l'essai, selon l'agence KCNA.",
)
FOOTBALL = (
    "Mondial 2026 : la Corée du Nord affronte la Russie en match amical",
    "La sélection nord-coréenne disputera samedi à Moscou un match amical contre la Russie, exclue des compétitions "
    "de la FIFA depuis 2022. Le sélectionneur russe a convoqué 25 joueurs pour cette rencontre, préparée comme un "
    "test avant les éliminatoires de la Coupe du monde. Pyongyang n'a plus joué à l'étranger depuis le tournoi "
    "asiatique de 2019, et l'équipe nationale espère offrir un premier but à ses supporters.",
)
KPOP = (
    "Le groupe de K-pop BTS annonce une tournée mondiale",
    "Le groupe sud-coréen BTS a annoncé mardi à Séoul une tournée mondiale qui passera par Paris et Los Angeles. "
    "Les sept membres, tous revenus de leur service militaire, préparent un nouvel album. Le concert d'ouverture "
    "aura lieu au stade olympique de Séoul, en Corée du Sud, devant 60 000 fans.",
)
# A front-line story that names North Korea once, in passing: not enough for the cooperation topic.
DONBASS_PASSING = (
    "Ukraine : l'armée russe progresse dans le Donbass",
    "Les forces russes ont revendiqué samedi la prise de deux villages dans la région de Donetsk, où les combats se "
    "concentrent autour de Pokrovsk. Kiev affirme avoir repoussé plusieurs assauts et détruit des dizaines de "
    "blindés. Moscou dispose d'importants stocks d'obus, dont une partie provient de Corée du Nord, selon les "
    "analystes occidentaux. L'Ukraine attend de nouvelles livraisons de systèmes de défense aérienne promises par "
    "ses alliés européens.",
)


def verdicts(title: str, text: str, topics: tuple[Topic, ...] | None = None) -> dict[str, TopicMatch]:
    return {match.topic: match for match in match_topics(topics or builtin_topics(), title, text)}


def topic(topics: tuple[Topic, ...], topic_id: str) -> Topic:
    return next(item for item in topics if item.id == topic_id)


# --- the built-in topics -------------------------------------------------------------------------------------------


def test_builtin_topics_load() -> None:
    topics = builtin_topics()
    assert sorted(item.id for item in topics) == [MISSILES, WAR, MAIN, "traversees-manche"]
    main = topic(topics, MAIN)
    assert [group.name for group in main.actors] == ["russie", "coree_du_nord"]
    assert 40 <= len(main.terms) <= 120 and main.negative
    assert main.threshold == 6.0 and main.headline_weight == 2.0 and main.cap == 3
    assert all(len(item.terms) >= 30 for item in topics)


def test_builtin_terms_are_lemmatised_at_load() -> None:
    for item in builtin_topics():
        for term in item.terms + item.negative:
            assert term.lemmas == normalise_phrase(term.text)
        for group in item.actors:
            assert all(lemmas == normalise_phrase(text) for text, lemmas in group.entries)


def test_topics_survive_pickling_and_hashing() -> None:
    # Beam ships the topics to its workers pickled.
    topics = builtin_topics()
    assert pickle.loads(pickle.dumps(topics)) == topics
    assert len({hash(item) for item in topics}) == len(topics) == 4


# --- the seeds -----------------------------------------------------------------------------------------------------

SEEDS = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_is_about_russia_north_korea(seed: str) -> None:
    (path,) = shared_dir("seeds").glob(f"{seed}_*.txt")
    text = path.read_text(encoding="utf-8")
    match = verdicts("", text)[MAIN]
    assert match.matched, match
    assert match.score >= 2 * topic(builtin_topics(), MAIN).threshold  # not a near miss
    assert verdicts("", text)[MISSILES].matched is False


# --- articles of our own -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("article", [NK_WORKERS, LAVROV_VISIT], ids=["workers", "visit"])
def test_cooperation_stories_match(article: tuple[str, str]) -> None:
    match = verdicts(*article)[MAIN]
    assert match.matched and match.reason == ""


def test_war_story_without_north_korea() -> None:
    result = verdicts(*KYIV_STRIKES)
    assert result[MAIN].matched is False
    assert result[MAIN].reason == "missing_actor:coree_du_nord"
    assert result[WAR].matched is True


def test_missile_test_story() -> None:
    result = verdicts(*NK_MISSILE)
    assert result[MISSILES].matched is True
    assert result[MAIN].reason == "missing_actor:russie"
    assert result[WAR].reason == "missing_actor:russie,ukraine"


def test_football_between_the_two_countries_does_not_match() -> None:
    result = verdicts(*FOOTBALL)
    main = result[MAIN]
    assert dict(main.actors) == {"russie": "Russie", "coree_du_nord": "Corée du Nord"}  # both actors are there...
    assert main.reason == "below_threshold" and main.score < 0  # ...but the negatives win
    assert not any(match.matched for match in result.values())


def test_kpop_story_matches_nothing() -> None:
    result = verdicts(*KPOP)
    assert not any(match.matched for match in result.values())
    assert result[MAIN].reason == "missing_actor:russie,coree_du_nord"
    assert dict(result[MAIN].actors) == {"russie": None, "coree_du_nord": None}


def test_a_passing_mention_is_not_enough() -> None:
    result = verdicts(*DONBASS_PASSING)
    assert result[MAIN].reason == "below_threshold"
    assert result[WAR].matched is True


def test_typography_does_not_change_the_verdict() -> None:
    title, text = NK_WORKERS
    mangled = text.replace("-", "\u2011").replace("'", "\u2019").upper()
    assert verdicts(title, mangled)[MAIN].score == verdicts(title, text)[MAIN].score


def test_explanation() -> None:
    match = verdicts(*NK_WORKERS)[MAIN]
    terms = {term: (weight, count) for term, weight, count in match.terms}
    assert terms["sapeur"] == (2.0, 2)  # once in the headline, once in the body
    assert terms["traité de partenariat"] == (3.0, 1)
    assert all(count > 0 for _, _, count in match.terms)
    # The group's entries are tried in the file's order: "Corée du Nord" is absent, "nord-coréen" is next.
    assert dict(match.actors) == {"russie": "Russie", "coree_du_nord": "nord-coréen"}
    assert match.terms[0][0] == "sapeur"  # the biggest contribution first: 2.0 x (1 + 2.0 x 1)


# --- scoring on a topic of our own ---------------------------------------------------------------------------------


def small_topic(**changes: Any) -> Topic:
    table: dict[str, Any] = {
        "id": "test",
        "name": "Test",
        "threshold": 4.0,
        "actors": {"pays": ["Corée du Nord", "Pyongyang"]},
        "terms": {"missile": 1.0, "essai nucléaire": 3.0},
        "negative": {"football": -2.0},
        "headline": {"weight": 2.0},
    }
    table.update(changes)
    (compiled,) = [item for item in load_topics([table]) if item.id == "test"]
    return compiled


def test_score_rule() -> None:
    rule = small_topic()
    match = match_topic(rule, normalise("Un essai nucléaire"), normalise("Pyongyang : un missile, deux missiles."))
    # missile: 1.0 x 2 in the body; essai nucléaire: 3.0 x 1 in the headline x 2.0.
    assert match.score == 8.0 and match.matched
    assert match.terms == (("essai nucléaire", 3.0, 1), ("missile", 1.0, 2))


def test_counts_are_capped() -> None:
    match = match_topic(small_topic(), [], normalise("Pyongyang " + "missile " * 20))
    assert match.score == 3.0 and match.reason == "below_threshold"
    assert match.terms == (("missile", 1.0, 20),)


def test_negatives_pull_down() -> None:
    match = match_topic(small_topic(), [], normalise("Pyongyang essai nucléaire, missile, football"))
    assert match.score == 2.0 and not match.matched


def test_window_limits_the_body() -> None:
    text = normalise("Pyongyang. " + "Rien à signaler. " * 10 + "Un essai nucléaire et un missile.")
    assert match_topic(small_topic(), [], text).matched
    windowed = match_topic(small_topic(window=20), [], text)
    assert windowed.score == 0.0 and windowed.reason == "below_threshold"


def test_actor_in_headline_counts() -> None:
    match = match_topic(small_topic(), normalise("La Corée du Nord"), normalise("Un essai nucléaire et un missile."))
    assert match.actors == (("pays", "Corée du Nord"),) and match.matched


def test_lemma_index() -> None:
    index = LemmaIndex(normalise("la Corée du Nord et la Corée du Sud, puis la Corée du Nord"))
    assert index.count(normalise_phrase("Corée du Nord")) == 2
    assert index.count(normalise_phrase("Corée")) == 3
    assert index.count(normalise_phrase("Corée du Nord"), limit=5) == 1
    assert index.count(normalise_phrase("Japon")) == 0


# --- config overrides ----------------------------------------------------------------------------------------------


def test_no_overrides_gives_the_builtins() -> None:
    assert load_topics([]) == builtin_topics()


def test_partial_override_changes_only_its_keys() -> None:
    topics = load_topics([{"id": MAIN, "threshold": 50.0}])
    main, builtin = topic(topics, MAIN), topic(builtin_topics(), MAIN)
    assert main.threshold == 50.0
    for kept in ("terms", "actors", "negative", "name", "headline_weight"):
        assert getattr(main, kept) == getattr(builtin, kept)
    assert verdicts(*NK_WORKERS, topics=topics)[MAIN].reason == "below_threshold"
    assert len(topics) == len(builtin_topics())


def test_override_merges_lexicons_on_lemmas() -> None:
    topics = load_topics(
        [{"id": MAIN, "terms": {"soldats": 0, "sapeurs": 5.0, "hélicoptère": 1.0}, "actors": {"chine": ["Pékin"]}}]
    )
    main = topic(topics, MAIN)
    weights = {term.text: term.weight for term in main.terms}
    assert "soldat" not in weights and "soldats" not in weights  # weight 0 removes the built-in "soldat"
    assert weights["sapeurs"] == 5.0 and "sapeur" not in weights
    assert weights["hélicoptère"] == 1.0 and weights["Koursk"] == 2.5
    assert [group.name for group in main.actors] == ["russie", "coree_du_nord", "chine"]


def test_override_can_replace_a_topic_whole() -> None:
    table = {"id": MAIN, "replace": True, "name": "Autre", "threshold": 1.0, "terms": {"hélicoptère": 1.0}}
    main = topic(load_topics([table]), MAIN)
    assert [term.text for term in main.terms] == ["hélicoptère"] and main.actors == () and main.negative == ()


def test_new_topic_is_added_with_its_predicates() -> None:
    predicates = {"_nouns": {"persons": ["acheteur"]},
                  "sale": {"kind": "quantitative", "unit": "persons", "label": "ventes", "cues": ["vendre"]}}
    table = {"id": "iran-russie", "name": "Iran – Russie", "threshold": 3.0, "actors": {"iran": ["Iran", "Téhéran"]},
             "terms": {"drone": 2.0, "Shahed": 3.0}, "predicates": predicates}  # fmt: skip
    topics = load_topics([table])
    assert [item.id for item in topics][-1] == "iran-russie" and len(topics) == 5
    added = topic(topics, "iran-russie")
    assert added.predicates == predicates and added.headline_weight == 1.0 and added.window == 0
    match = verdicts("Téhéran livre des drones Shahed", "", topics)["iran-russie"]
    assert match.matched and match.score == 5.0  # headline weight 1.0 by default


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        ([{"id": MAIN, "treshold": 8}], "topics[0].treshold: unknown key"),
        ([{"id": MAIN, "threshold": "haut"}], "topics[0].threshold: "),
        ([{"id": MAIN, "headline": {"weigth": 3}}], "topics[0].headline.weigth: unknown key"),
        ([{"id": MAIN, "actors": {"russie": "Russie"}}], "topics[0].actors.russie: "),
        ([{"id": MAIN, "negative": {"coupe du monde": 4}}], 'topics[0].negative."coupe du monde": '),
        ([{"id": MAIN, "terms": {"soldat": -1}}], "topics[0].terms.soldat: "),
        ([{"id": MAIN, "predicates": {"troops_killed": 5}}], "topics[0].predicates.troops_killed: "),
        # A predicate is validated as strictly as the rest: a misspelt key would silently do nothing.
        ([{"id": MAIN, "predicates": {"sale": {"label": "x", "patterns": ["vend"]}}}],
         "topics[0].predicates.sale.patterns: unknown key"),
        ([{"id": MAIN, "predicates": {"sale": {"cues": ["vendre"]}}}], "topics[0].predicates.sale.label: required"),
        ([{"id": MAIN, "predicates": {"sale": {"label": "x", "kind": "quantitative"}}}],
         "topics[0].predicates.sale: a quantitative predicate needs a unit"),
        ([{"id": MAIN, "predicates": {"sale": {"label": "x", "identity": ["city"]}}}],
         "topics[0].predicates.sale.identity[0]: "),
        ([{"id": MAIN, "predicates": {"_counted": {"owner": "Pays"}}}], "topics[0].predicates._counted.owner: "),
        ([{"id": MAIN, "predicates": {"_counted": {"owner": "iran"}}}], "topics[0].predicates._counted.owner: 'iran'"),
        ([{"id": MAIN, "predicates": {"sale": {"label": "x", "actors": ["russia"]}}}],
         "topics[0].predicates.sale.actors[0]: 'russia' is no actor group"),
        ([{"id": MAIN, "predicates": {"sale": {"label": "x", "kind": "quantitative", "unit": "tonnes"}}}],
         "topics[0].predicates.sale.unit: 'tonnes' is not a key of _nouns"),
        ([{"name": "Sans id"}], "topics[0].id: required key is missing"),
        ([{"id": "Mauvais Id", "name": "x", "threshold": 1, "terms": {"x": 1}}], "topics[0].id: "),
        ([{"id": "neuf", "threshold": 1, "terms": {"x": 1}}], "topics[0].name: required key is missing"),
        ([{"id": "neuf", "name": "x", "threshold": 1}], "topics[0]: a topic needs terms or actors"),
        ([{"id": "neuf", "name": "x", "threshold": 1, "terms": {"soldat": 1, "soldats": 2}}],
         "topics[0].terms.soldats"),
        ([{"id": "neuf", "name": "x", "threshold": 1, "terms": {"?!": 1}}], 'topics[0].terms."?!": has no words'),
        ([{"id": "neuf", "name": "x", "threshold": 1, "actors": {"Pays": ["x"]}}], "topics[0].actors.Pays: "),
        ([{"id": MAIN, "threshold": 9}, {"id": MAIN, "threshold": 10}], "topics[1].id: topic"),
        ([{"id": MAIN, "replace": "oui"}], "topics[0].replace: must be true or false"),
    ],
)
def test_bad_tables_are_errors_that_name_the_key(tables: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_topics(tables)
    assert any(line.startswith(expected) for line in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_topics([{"id": MAIN, "treshold": 8}, {"id": WAR, "window": -1}])
    assert [line.split(":")[0] for line in caught.value.problems] == ["topics[0].treshold", "topics[1].window"]


def test_config_file_topics_reach_the_loader() -> None:
    settings = settings_from_dict({"topics": [{"id": MAIN, "threshold": 12.5}]})
    assert topic(load_topics(settings.topics), MAIN).threshold == 12.5


def test_a_meeting_of_both_sides_officials_is_the_story_and_koursk_is_russia() -> None:
    topics = builtin_topics()
    meeting = ("La ministre nord-coréenne des Affaires étrangères Choe Son Hui a rencontré Sergueï Lavrov à Moscou. "
               "Les deux diplomates ont évoqué les relations bilatérales et la situation dans la péninsule.")
    assert verdicts("", meeting, topics)[MAIN].matched
    front = ("Les soldats nord-coréens combattent dans la région de Koursk depuis l'automne, selon Séoul, qui estime "
             "leurs pertes à plusieurs centaines d'hommes.")
    assert verdicts("", front, topics)[MAIN].matched  # Koursk stands for the Russian side
