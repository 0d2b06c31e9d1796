"""The schema of a topic's `predicates` table: what a story's claims are, validated strictly, as data.

A predicate is declared by its kind and unit, its cues (verbs and nouns), the actor groups that must take part,
its identity (for a qualitative claim: which of place, act and month tell two events apart) and its French label.
Every key is checked; an unknown or misspelt one is an error naming it (`topics[0].predicates.troops_killed.cues`),
never silently ignored. docs/topics.md explains each key with an example.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Words = list[Annotated[str, Field(min_length=1)]]
GroupName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PredicateSpec(_Strict):
    """One predicate of a story."""

    kind: Literal["quantitative", "qualitative"] = "qualitative"
    unit: str = ""  # a quantitative predicate's unit: a key of `_nouns` ("soldiers"), or "percent"
    label: str = Field(min_length=1)  # French, for people: "soldats nord-coréens tués"
    cues: Words = []
    objects: Words = []
    excludes: Words = []
    actors: list[GroupName] = []
    priority: int = 50
    default: bool = False
    acts: dict[Annotated[str, Field(pattern=r"^[a-z_]+$")], Words] = {}
    speakers: list[GroupName] = []
    hosting: Words = []
    guests: Words = []
    owned: bool = False
    figure_excludes: Words = []
    hypothetical: bool = False
    singular: bool = False
    default_needs: Words = []
    destinations: dict[GroupName, Words] = {}
    travel: Words = []
    given_by: dict[GroupName, Words] = {}
    # Which parts tell two qualitative events apart; none: the predicate alone (CONTRACT.md, novelty policy).
    identity: list[Literal["place", "act", "month"]] = []
    # A claim whose sentence gives no date: "publication" dates it to the article's month (a visit reported is
    # the day's news), "none" leaves it undated.
    undated: Literal["publication", "none"] = "none"

    @model_validator(mode="after")
    def _consistent(self) -> PredicateSpec:
        if self.kind == "quantitative" and not self.unit:
            raise ValueError("a quantitative predicate needs a unit")
        if self.kind == "quantitative" and self.identity:
            raise ValueError("identity is for qualitative predicates: a figure is its own identity")
        if "act" in self.identity and not self.acts:
            raise ValueError("an identity with an act needs an [acts] table naming each act's words")
        if self.acts and "act" not in self.identity:
            raise ValueError("acts are read only to tell events apart: add \"act\" to identity")
        return self


class Counted(_Strict):
    """Whose people the quantitative predicates count: their nationality qualifies a counted noun."""

    owner: GroupName


class Foreign(_Strict):
    nationalities: Words = []


class SharedTables(_Strict):
    """The tables of `predicates` whose names start with '_': shared by all of a topic's predicates."""

    nouns: dict[str, Words] = Field(default={}, alias="_nouns")  # unit -> the nouns that count it
    actors: dict[GroupName, Words] = Field(default={}, alias="_actors")  # groups besides the topic's [actors]
    places: dict[str, Words] = Field(default={}, alias="_places")  # a meeting place -> its names
    sources: dict[str, Words] = Field(default={}, alias="_sources")  # a source's label -> its names
    foreign: Foreign = Field(default=Foreign(), alias="_foreign")
    counted: Counted | None = Field(default=None, alias="_counted")
    # unit -> words that, qualifying a counted noun, make it count that unit: "800 militaires affectés au
    # déminage" are workers, whatever the noun.
    roles: dict[str, Words] = Field(default={}, alias="_roles")
    # a capital -> the country names that stand for it as the goal of a trip: "s'est rendu en Corée du Nord".
    capitals: dict[str, Words] = Field(default={}, alias="_capitals")


def predicate_problems(raw: Mapping[str, Any], where: str, key: Any, groups: set[str]) -> list[str]:
    """One line per error of a `predicates` table, each naming its key under `where` (`key` formats a path).

    `groups` are the topic's [actors] groups; with those of `_actors`, they are the groups a predicate may name.
    """
    problems: list[str] = []
    shared = {name: value for name, value in raw.items() if name.startswith("_")}
    try:
        tables = SharedTables.model_validate(shared)
    except ValidationError as exc:
        problems += [f"{key(where, error['loc'])}: {error_message(error)}" for error in exc.errors()]
        tables = None
    known = groups | (set(tables.actors) if tables else set())
    if tables and tables.counted and tables.counted.owner not in known:
        problems.append(f"{key(where, ['_counted', 'owner'])}: {tables.counted.owner!r} is no actor group")
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, Mapping):
            problems.append(f"{key(where, [name])}: must be a table")
            continue
        try:
            predicate = PredicateSpec.model_validate(dict(spec))
        except ValidationError as exc:
            problems += [f"{key(where, [name, *error['loc']])}: {error_message(error)}" for error in exc.errors()]
            continue
        for field in ("actors", "speakers"):
            problems += [f"{key(where, [name, field, index])}: {group!r} is no actor group"
                         for index, group in enumerate(getattr(predicate, field)) if group not in known]
        for field in ("destinations", "given_by"):
            problems += [f"{key(where, [name, field, group])}: no actor group of that name"
                         for group in getattr(predicate, field) if group not in known]
        if tables and predicate.kind == "quantitative" and predicate.unit != "percent" \
                and predicate.unit not in tables.nouns:
            problems.append(f"{key(where, [name, 'unit'])}: {predicate.unit!r} is not a key of _nouns")
    return problems


def error_message(error: Mapping[str, Any]) -> str:
    """One readable line for a pydantic error of a topic table."""
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    return str(error["msg"]).removeprefix("Value error, ")


def predicate_specs(raw: Mapping[str, Any]) -> dict[str, PredicateSpec]:
    """The predicates of a validated table, by name."""
    return {name: PredicateSpec.model_validate(dict(spec)) for name, spec in raw.items() if not name.startswith("_")}


def shared_tables(raw: Mapping[str, Any]) -> SharedTables:
    return SharedTables.model_validate({name: value for name, value in raw.items() if name.startswith("_")})
