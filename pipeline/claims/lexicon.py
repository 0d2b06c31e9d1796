"""The lexicon of a topic's claims, read from its topic file (pipeline/topics/data/*.toml, table `predicates`).

What each predicate's cues, objects, actors and other keys mean is written beside them in the topic files; this
module turns them into lemma phrases the claim reader matches (pipeline.claims.extractor).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.language.lemmas import normalise_phrase
from pipeline.topics.matching import Topic

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class PredicateRule:
    """One predicate's lexicon, read from the topic file."""

    name: str
    quantitative: bool
    unit: str = ""
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


@dataclass(frozen=True)
class Lexicon:
    topic: str
    rules: tuple[PredicateRule, ...]
    nouns: Mapping[str, tuple[Phrase, ...]]  # unit -> counted nouns ("soldiers": soldat, troupe, ...)
    actors: Mapping[str, tuple[Phrase, ...]]
    places: Mapping[str, tuple[Phrase, ...]]  # canonical city -> its names ("Moscou": moscou, kremlin)
    sources: Mapping[str, tuple[Phrase, ...]]  # canonical source label -> its names
    foreign: tuple[Phrase, ...] = ()  # nationalities that make a counted noun someone else's ("soldats ukrainiens")

    @property
    def cue_lemmas(self) -> frozenset[str]:
        return frozenset(p[0] for r in self.rules
                         for p in (*r.cues, *r.objects, *r.hosting, *r.travel, *(v for vs in r.given_by.values()
                                                                                 for v in vs)) if p)


def _phrases(values: Iterable[str]) -> tuple[Phrase, ...]:
    return tuple(p for p in (normalise_phrase(v) for v in values) if p)


def _table(raw: Mapping[str, Any], key: str) -> dict[str, tuple[Phrase, ...]]:
    return {name: _phrases(values) for name, values in dict(raw.get(key, {})).items()}


def lexicon_from_topic(topic: Topic) -> Lexicon:
    """Build the lexicon from a topic's `predicates` table (its `_nouns`, `_places`, `_sources` sub-tables apart)."""
    raw = topic.predicates
    rules = []
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        rules.append(PredicateRule(
            name=name,
            quantitative=spec.get("kind", "qualitative") == "quantitative",
            unit=spec.get("unit", ""),
            cues=_phrases(spec.get("cues", [])),
            objects=_phrases(spec.get("objects", [])),
            excludes=_phrases(spec.get("excludes", [])),
            actors=tuple(spec.get("actors", [])),
            priority=int(spec.get("priority", 50)),
            default=bool(spec.get("default", False)),
            acts={act: _phrases(words) for act, words in dict(spec.get("acts", {})).items()},
            speakers=tuple(spec.get("speakers", [])),
            hosting=_phrases(spec.get("hosting", [])),
            guests=_phrases(spec.get("guests", [])),
            owned=bool(spec.get("owned", False)),
            figure_excludes=_phrases(spec.get("figure_excludes", [])),
            hypothetical=bool(spec.get("hypothetical", False)),
            singular=bool(spec.get("singular", False)),
            default_needs=_phrases(spec.get("default_needs", [])),
            destinations={group: _phrases(names) for group, names in dict(spec.get("destinations", {})).items()},
            travel=_phrases(spec.get("travel", [])),
            given_by={group: _phrases(verbs) for group, verbs in dict(spec.get("given_by", {})).items()},
        ))
    return Lexicon(
        topic=topic.id,
        rules=tuple(rules),
        nouns=_table(raw, "_nouns"),
        actors={group.name: tuple(lemmas for _, lemmas in group.entries) for group in topic.actors}
        | _table(raw, "_actors"),
        places=_table(raw, "_places"),
        sources=_table(raw, "_sources"),
        foreign=_phrases(raw.get("_foreign", {}).get("nationalities", [])),
    )
