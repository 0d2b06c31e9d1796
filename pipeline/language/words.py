"""The French words the readers use, loaded once from data/fr.toml and validated: code names a role, not a word."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

Words = frozenset[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attribution(_Strict):
    negators: Words
    denials: Words
    avoidance: Words
    pronouns: Words
    hedges: Words
    determiners: Words
    reporting_verbs: Words
    figure_nouns: Words
    adjunct_starts: Words
    source_links: Words
    rait_nouns: Words
    unconfirmed: tuple[tuple[str, ...], ...]


class Claims(_Strict):
    place_prepositions: Words
    destination_prepositions: Words
    total_words: tuple[str, ...]
    planning: Words
    planning_with_infinitive: Words
    planning_passive: Words
    recent_markers: tuple[str, ...]
    generic_people: tuple[str, ...]


class Parsing(_Strict):
    clause_breaks: Words
    asides: Words
    purpose_markers: Words
    contrast_markers: Words
    reflexive: Words


class Language(_Strict):
    attribution: Attribution
    claims: Claims
    parsing: Parsing


@cache
def french() -> Language:
    """French, from the data file shipped in the package; an error in it fails at import, naming the key."""
    text = resources.files("pipeline.language").joinpath("data", "fr.toml").read_text(encoding="utf-8")
    return Language.model_validate(tomllib.loads(text))
