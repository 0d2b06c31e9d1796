"""Which watched topics an article is about: weighted TOML lexicons matched on lemmas, every verdict explained."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.config.schema import ConfigError
from pipeline.language.lemmas import normalise, normalise_phrase
from pipeline.topics.predicates import error_message, predicate_problems

Phrase = tuple[str, ...]

_TOPICS_PACKAGE = "pipeline.topics"
_TOPICS_FOLDER = "data"  # the topic files shipped with the package
_MERGED_BY_LEMMAS = ("terms", "negative")  # an override's "soldats" replaces a built-in "soldat"
_MERGED_BY_NAME = ("actors", "headline", "predicates")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ---------------------------------------------------------------------------------------------------------------
# Compiled topics and verdicts


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: as written in the topic file, as lemmas, and its weight."""

    text: str
    lemmas: Phrase
    weight: float


@dataclass(frozen=True, slots=True)
class ActorGroup:
    """One actor of a topic; it is present when any of its entries occurs."""

    name: str
    entries: tuple[tuple[str, Phrase], ...]  # (as written, lemmas)


@dataclass(frozen=True)
class Topic:
    """A watched topic, ready to match: every phrase already lemmatised."""

    id: str
    name: str
    threshold: float
    actors: tuple[ActorGroup, ...]
    terms: tuple[Term, ...]
    negative: tuple[Term, ...]
    headline_weight: float = 1.0
    description: str = ""
    window: int = 0  # judge only the first `window` words of the body; 0 = the whole body
    cap: int = 3  # occurrences counted per term, so one word repeated 20 times does not carry an article
    # Raw tables for the claims layer, which owns their schema; a dict is unhashable, hence hash=False.
    predicates: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """The verdict of one topic on one article, with what it rests on."""

    topic: str
    score: float
    matched: bool
    terms: tuple[tuple[str, float, int], ...]  # (term as written, weight, occurrences in title and body), biggest first
    actors: tuple[tuple[str, str | None], ...]  # (group, first entry found or None), in the topic's order
    reason: str  # "" when matched, else "missing_actor:<group>[,<group>]" or "below_threshold"


class LemmaIndex:
    """The lemmas of one text, indexed by lemma once so each phrase of each topic is found without a scan."""

    __slots__ = ("_positions", "lemmas")

    def __init__(self, lemmas: Sequence[str]) -> None:
        self.lemmas: Phrase = tuple(lemmas)
        self._positions: dict[str, list[int]] = {}
        for position, lemma in enumerate(self.lemmas):
            self._positions.setdefault(lemma, []).append(position)

    def count(self, phrase: Phrase, limit: int = 0) -> int:
        """Occurrences of the phrase as consecutive lemmas, within the first `limit` lemmas unless it is 0."""
        end = limit or len(self.lemmas)
        size = len(phrase)
        found = 0
        for start in self._positions.get(phrase[0], ()):
            if start + size > end:
                break
            if size == 1 or self.lemmas[start : start + size] == phrase:
                found += 1
        return found


def _index(lemmas: Sequence[str] | LemmaIndex) -> LemmaIndex:
    return lemmas if isinstance(lemmas, LemmaIndex) else LemmaIndex(lemmas)


def match_topic(
    topic: Topic, title_lemmas: Sequence[str] | LemmaIndex, text_lemmas: Sequence[str] | LemmaIndex
) -> TopicMatch:
    """Score one topic on an article's lemmas (see `normalise`); pass LemmaIndex objects to share them across topics.

    score = sum over terms and negatives of weight x (min(body count, cap) + headline_weight x min(title count, cap)),
    the body cut to its first `window` lemmas when set; matched = every actor group has an entry in the title or
    the body, and score >= threshold.
    """
    title, text = _index(title_lemmas), _index(text_lemmas)
    score = 0.0
    hits: list[tuple[float, tuple[str, float, int]]] = []
    for term in topic.terms + topic.negative:
        in_title, in_text = title.count(term.lemmas), text.count(term.lemmas, topic.window)
        if in_title or in_text:
            points = term.weight * (min(in_text, topic.cap) + topic.headline_weight * min(in_title, topic.cap))
            score += points
            hits.append((points, (term.text, term.weight, in_title + in_text)))
    hits.sort(key=lambda hit: -abs(hit[0]))
    actors = tuple((group.name, _first_found(group, title, text, topic.window)) for group in topic.actors)
    missing = [name for name, entry in actors if entry is None]
    score = round(score, 6)  # sums of weights like 0.1 should compare to the threshold as a reader expects
    if missing:
        reason = "missing_actor:" + ",".join(missing)
    elif score < topic.threshold:
        reason = "below_threshold"
    else:
        reason = ""
    return TopicMatch(topic.id, score, not reason, tuple(hit for _, hit in hits), actors, reason)


def _first_found(group: ActorGroup, title: LemmaIndex, text: LemmaIndex, window: int) -> str | None:
    for text_as_written, lemmas in group.entries:
        if title.count(lemmas) or text.count(lemmas, window):
            return text_as_written
    return None


def match_topics(topics: Sequence[Topic], title: str, text: str) -> list[TopicMatch]:
    """One explained verdict per topic for an article; the text is lemmatised and indexed once for all topics."""
    title_index, text_index = LemmaIndex(normalise(title)), LemmaIndex(normalise(text))
    return [match_topic(topic, title_index, text_index) for topic in topics]


# ---------------------------------------------------------------------------------------------------------------
# The topic file schema, and loading


class _Strict(BaseModel):
    # An unknown key is an error: a misspelt "treshold" silently ignored would leave the default in force.
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Headline(_Strict):
    weight: float = Field(default=1.0, ge=0)


class TopicSpec(_Strict):
    """One topic table, as written in a topic file or a config's [[topics]] table."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    description: str = ""
    threshold: float = Field(ge=0)
    window: int = Field(default=0, ge=0)
    cap: int = Field(default=3, ge=1)
    actors: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], list[Annotated[str, Field(min_length=1)]]] = {}
    terms: dict[str, Annotated[float, Field(ge=0)]] = {}  # weight 0 disables an inherited term
    negative: dict[str, Annotated[float, Field(le=0)]] = {}
    headline: _Headline = _Headline()
    predicates: dict[str, dict[str, Any]] = {}


def _key(where: str, loc: Sequence[int | str]) -> str:
    out = where
    for part in loc:
        if part == "[key]":  # pydantic's marker for an error in a key rather than its value
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}"
        else:
            out += f'."{part}"'  # lexicon keys hold spaces and accents: quote them as TOML would
    return out


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] in ("extra_forbidden", "missing"):
        return error_message(error)
    if error["type"] == "string_pattern_mismatch" and error["loc"] == ("id",):
        return f"{error['input']!r} is not a topic id: lowercase words joined by hyphens, e.g. 'russie-coree-du-nord'"
    if error["loc"][0] == "terms" and error["type"] == "greater_than_equal":
        return "a weight must be positive (0 removes an inherited term; terms against the topic go under [negative])"
    if error["loc"][0] == "negative" and error["type"] == "less_than_equal":
        return "a [negative] weight must be negative: it pulls the score down"
    if error["type"] == "string_pattern_mismatch" and error["loc"][-1] == "[key]":
        return "not a group name: lowercase letters, digits and '_', starting with a letter"
    return error_message(error)


def _terms(table: Mapping[str, float], where: str, problems: list[str]) -> tuple[Term, ...]:
    terms: list[Term] = []
    seen: dict[Phrase, str] = {}
    for text, weight in table.items():
        lemmas = normalise_phrase(text)
        if not lemmas:
            problems.append(f"{_key(where, [text])}: has no words")
        elif lemmas in seen:
            problems.append(f"{_key(where, [text])}: the same lemmas as {seen[lemmas]!r}; keep one of them")
        elif weight != 0:
            seen[lemmas] = text
            terms.append(Term(text, lemmas, float(weight)))
    return tuple(terms)


def _actors(table: Mapping[str, list[str]], where: str, problems: list[str]) -> tuple[ActorGroup, ...]:
    groups = []
    for name, entries in table.items():
        phrases = []
        for index, text in enumerate(entries):
            lemmas = normalise_phrase(text)
            if not lemmas:
                problems.append(f"{_key(where, [name, index])}: has no words")
            phrases.append((text, lemmas))
        if phrases:  # an empty list removes an inherited group
            groups.append(ActorGroup(name, tuple(phrases)))
    return tuple(groups)


def compile_topic(raw: Mapping[str, Any], where: str) -> Topic:
    """Validate one topic table and lemmatise its phrases; ConfigError lines name the key under `where`."""
    try:
        spec = TopicSpec.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError([f"{_key(where, error['loc'])}: {_message(error)}" for error in exc.errors()]) from None
    problems: list[str] = []
    topic = Topic(
        id=spec.id,
        name=spec.name,
        threshold=spec.threshold,
        actors=_actors(spec.actors, f"{where}.actors", problems),
        terms=_terms(spec.terms, f"{where}.terms", problems),
        negative=_terms(spec.negative, f"{where}.negative", problems),
        headline_weight=spec.headline.weight,
        description=spec.description,
        window=spec.window,
        cap=spec.cap,
        predicates=copy.deepcopy(spec.predicates),
    )
    if not topic.terms and not topic.actors:
        problems.append(f"{where}: a topic needs terms or actors, or it would match every article")
    problems += predicate_problems(spec.predicates, f"{where}.predicates", _key, set(spec.actors))
    if problems:
        raise ConfigError(problems)
    return topic


@cache
def _builtin_tables() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(where, raw table) of each topic file shipped in the package, in file-name order."""
    folder = resources.files(_TOPICS_PACKAGE).joinpath(_TOPICS_FOLDER)
    tables = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            where = f"{_TOPICS_PACKAGE}/{_TOPICS_FOLDER}/{entry.name}"
            try:
                raw = tomllib.loads(entry.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError([f"{where}: not valid TOML: {exc}"]) from None
            if raw.get("id") != entry.name.removesuffix(".toml"):
                raise ConfigError([f"{where}.id: must be the file's name, {entry.name.removesuffix('.toml')!r}"])
            tables.append((where, raw))
    return tuple(tables)


@cache
def builtin_topics() -> tuple[Topic, ...]:
    """The topics shipped with the package (pipeline/topics/data/*.toml), validated and lemmatised once."""
    return tuple(compile_topic(raw, where) for where, raw in _builtin_tables())


def _merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A built-in table with a config table laid over it: scalars replaced, tables merged entry by entry."""
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            if key in _MERGED_BY_LEMMAS:
                replaced = {normalise_phrase(text) for text in value}
                old = {text: weight for text, weight in old.items() if normalise_phrase(text) not in replaced}
                merged[key] = old | dict(value)
                continue
            if key in _MERGED_BY_NAME:
                merged[key] = old | dict(value)
                continue
        merged[key] = value
    return merged


def load_topics(overrides: Sequence[Mapping[str, Any]] = ()) -> tuple[Topic, ...]:
    """The built-in topics with a config's [[topics]] tables applied; ConfigError lines name `topics[i].key`.

    A table whose id is a built-in topic's overrides only the keys it gives: a scalar (threshold, window, name...)
    is replaced; `terms` and `negative` entries are added or reweighted (weight 0 removes one), matched on lemmas so
    "soldats" replaces "soldat"; `actors` groups and `predicates` tables are added or replaced by name (an empty actor
    list removes the group); `headline` keys are replaced. With `replace = true` the table is instead a complete
    topic that takes the built-in's place. A table with a new id adds a topic and must be complete.
    """
    builtin_tables = {raw["id"]: raw for _, raw in _builtin_tables()}
    compiled: dict[str, Topic] = {topic.id: topic for topic in builtin_topics()}
    problems: list[str] = []
    given: set[str] = set()
    for index, table in enumerate(overrides):
        where = f"topics[{index}]"
        topic_id = table.get("id")
        if not isinstance(topic_id, str):
            problems.append(f"{where}.id: " + ("required key is missing" if topic_id is None else "must be a string"))
            continue
        if topic_id in given:
            problems.append(f"{where}.id: topic {topic_id!r} is given twice")
            continue
        given.add(topic_id)
        patch = dict(table)
        replace = patch.pop("replace", False)
        if not isinstance(replace, bool):
            problems.append(f"{where}.replace: must be true or false")
            continue
        base = builtin_tables.get(topic_id)
        raw = patch if base is None or replace else _merge(base, patch)
        try:
            compiled[topic_id] = compile_topic(raw, where)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return tuple(compiled.values())
