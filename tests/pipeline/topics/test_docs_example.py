"""docs/topics.md is enough to write a topic: its examples, put together, are a valid topic with claims."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.topics.matching import compile_topic
from pipeline.topics.predicates import PredicateSpec

DOC = Path(__file__).resolve().parents[3] / "docs" / "topics.md"


def test_the_examples_of_docs_topics_make_a_valid_topic() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    raw = tomllib.loads("\n".join(blocks).replace('description = "..."', 'description = "exemple"'))
    topic = compile_topic(raw, "docs/topics.md")
    lexicon = lexicon_from_topic(topic)
    assert {rule.name for rule in lexicon.rules} == {"crossings", "agreement", "official_meeting"}
    assert lexicon.owner == "" and "Calais" in lexicon.places and lexicon.rules[0].label


def test_the_key_table_lists_every_key_of_a_predicate() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", text, re.M))
    names = {name for pair in documented for name in pair if name}
    assert names == set(PredicateSpec.model_fields)
