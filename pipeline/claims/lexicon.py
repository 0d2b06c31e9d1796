"""The lexicon of a topic's claims, read from its topic file (pipeline/topics/data/*.toml, table `predicates`).

What each predicate's cues, objects, actors and other keys mean is written beside them in the topic files; this
module turns them into lemma phrases the claim reader matches (pipeline.claims.extractor).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pipeline.language.lemmas import normalise_phrase
from pipeline.topics.matching import Topic
from pipeline.topics.predicates import predicate_specs, shared_tables

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class PredicateRule:
    """One predicate's lexicon, read from the topic file."""

    name: str
    quantitative: bool
    unit: str = ""
    label: str = ""  # French, for people
    cues: tuple[Phrase, ...] = ()
    objects: tuple[Phrase, ...] = ()  # a qualitative cue counts only with one of these in the sentence, if given
    excludes: tuple[Phrase, ...] = ()
    actors: tuple[str, ...] = ()  # actor groups of the topic that must appear in the sentence
    priority: int = 50  # lower wins when several quantitative cues fit one figure
    default: bool = False  # the predicate of a counted noun that no other cue claims ("10 000 soldats")
    acts: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    # Actor groups, one of which must be the subject or agent of the cue verb when the parse shows one:
    # "Pyongyang a confirmé l'envoi" is an acknowledgement, "Kiev a confirmé la mort de 300 soldats" is not.
    speakers: tuple[str, ...] = ()
    # Cues that count only with a person as their object: "a reçu Kim Jong-un" is a visit, "a reçu de la
    # technologie" is not.
    hosting: tuple[Phrase, ...] = ()
    guests: tuple[Phrase, ...] = ()
    # The subject of the verb owns the counted men (who sends or loses them): "L'armée russe a perdu 1 200 hommes"
    # counts Russians, whereas "les forces ukrainiennes ont tué 300 soldats" may well count North Koreans.
    owned: bool = False
    # Words that, next to a figure, make it count something else: "3 000 soldats ... ont subi de lourdes pertes"
    # counts those who suffered the losses. A mention ("les troupes ont subi de lourdes pertes") is still one.
    figure_excludes: tuple[Phrase, ...] = ()
    # Figures under this qualitative cue are asked for or planned, not sent: "Moscou a demandé 30 000 soldats".
    hypothetical: bool = False
    # One man is news for this predicate: "un soldat nord-coréen a été capturé" counts one, where "un soldat
    # nord-coréen déployé en Russie a raconté" tells of one among thousands and stays a mention.
    singular: bool = False
    # For a `default` rule: words one of which the sentence must have (besides the cues) to take a figure by
    # default, such as the places of the war for troops sent to it.
    default_needs: tuple[Phrase, ...] = ()
    # A trip names its host by where it goes: "Poutine est arrivé en Corée du Nord" meets the North Korean side.
    # Actor group -> places that stand for it after a preposition, a few words after one of the `travel` cues.
    destinations: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    travel: tuple[Phrase, ...] = ()
    # Actor group -> verbs of giving that are a cue when that group is their subject, with no object needed: "La
    # Russie aurait aidé la Corée du Nord à moderniser ses missiles".
    given_by: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    # Which of place, act and month tell two events of a qualitative predicate apart (the novelty policy), and
    # whether an undated one is of the publication's month ("publication") or stays undated ("none").
    identity: tuple[str, ...] = ()
    undated: str = "none"


@dataclass(frozen=True)
class Lexicon:
    topic: str
    rules: tuple[PredicateRule, ...]
    nouns: Mapping[str, tuple[Phrase, ...]]  # unit -> counted nouns ("soldiers": soldat, troupe, ...)
    actors: Mapping[str, tuple[Phrase, ...]]
    places: Mapping[str, tuple[Phrase, ...]]  # canonical city -> its names ("Moscou": moscou, kremlin)
    sources: Mapping[str, tuple[Phrase, ...]]  # canonical source label -> its names
    foreign: tuple[Phrase, ...] = ()  # nationalities that make a counted noun someone else's ("soldats ukrainiens")
    owner: str = ""  # the actor group whose people the figures count (`_counted.owner`)
    roles: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)  # unit -> words that make a noun count it
    capitals: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)  # capital -> its country's names

    @property
    def owners(self) -> tuple[Phrase, ...]:
        """The names of the group whose people the figures count ("nord-coréen", "Pyongyang"...)."""
        return self.actors.get(self.owner, ())

    @property
    def cue_lemmas(self) -> frozenset[str]:
        return frozenset(p[0] for r in self.rules
                         for p in (*r.cues, *r.objects, *r.hosting, *r.travel, *(v for vs in r.given_by.values()
                                                                                 for v in vs)) if p)


def _phrases(values: Iterable[str]) -> tuple[Phrase, ...]:
    return tuple(p for p in (normalise_phrase(v) for v in values) if p)


def lexicon_from_topic(topic: Topic) -> Lexicon:
    """Build the lexicon from a topic's validated `predicates` table (its `_nouns`, `_places`, ... tables apart)."""
    specs = predicate_specs(topic.predicates)
    shared = shared_tables(topic.predicates)
    rules = tuple(PredicateRule(
        name=name,
        quantitative=spec.kind == "quantitative",
        unit=spec.unit,
        label=spec.label,
        cues=_phrases(spec.cues),
        objects=_phrases(spec.objects),
        excludes=_phrases(spec.excludes),
        actors=tuple(spec.actors),
        priority=spec.priority,
        default=spec.default,
        acts={act: _phrases(words) for act, words in spec.acts.items()},
        speakers=tuple(spec.speakers),
        hosting=_phrases(spec.hosting),
        guests=_phrases(spec.guests),
        owned=spec.owned,
        figure_excludes=_phrases(spec.figure_excludes),
        hypothetical=spec.hypothetical,
        singular=spec.singular,
        default_needs=_phrases(spec.default_needs),
        destinations={group: _phrases(names) for group, names in spec.destinations.items()},
        travel=_phrases(spec.travel),
        given_by={group: _phrases(verbs) for group, verbs in spec.given_by.items()},
        identity=tuple(spec.identity),
        undated=spec.undated,
    ) for name, spec in specs.items())
    return Lexicon(
        topic=topic.id,
        rules=rules,
        nouns={unit: _phrases(words) for unit, words in shared.nouns.items()},
        actors={group.name: tuple(lemmas for _, lemmas in group.entries) for group in topic.actors}
        | {group: _phrases(words) for group, words in shared.actors.items()},
        places={place: _phrases(words) for place, words in shared.places.items()},
        sources={source: _phrases(words) for source, words in shared.sources.items()},
        foreign=_phrases(shared.foreign.nationalities),
        owner=shared.counted.owner if shared.counted else "",
        roles={unit: _phrases(words) for unit, words in shared.roles.items()},
        capitals={city: _phrases(words) for city, words in shared.capitals.items()},
    )
