"""The engine knows no story: no topic id, predicate, actor group or label of a topic file in its code.

A second story must need no Python (the claims issue). Docstrings and comments may show French examples; code may
not name what a topic file declares. The topic files are read as data, so a new one is checked as soon as it ships.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOPICS = REPO / "pipeline" / "topics" / "data"


def declared_names() -> set[str]:
    names: set[str] = set()
    for path in TOPICS.glob("*.toml"):
        topic = tomllib.loads(path.read_text(encoding="utf-8"))
        names.add(topic["id"])
        names.update(topic.get("actors", {}))
        for name, spec in topic.get("predicates", {}).items():
            if name == "_counted":
                names.add(spec["owner"])
            if name == "_actors":
                names.update(spec)
            if name.startswith("_"):
                continue
            names.add(name)
            names.add(spec["label"])
    return names


def code_strings(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal and name of a module, docstrings apart."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value
        elif isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr


def test_no_topic_predicate_group_or_label_in_the_code() -> None:
    names = declared_names()
    assert {"russie-coree-du-nord", "official_visit", "coree_du_nord", "visite officielle"} <= names
    found = [f"{path.relative_to(REPO)}:{line}: {text!r}"
             for root in ("pipeline", "connectors") for path in sorted((REPO / root).rglob("*.py"))
             for line, text in code_strings(path) if text in names]
    assert found == []


def test_the_scan_sees_a_name_in_code_but_not_in_a_docstring(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Example: official_visit."""\n\nif rule.name == "official_visit":\n    coree_du_nord = 1\n',
                      encoding="utf-8")
    assert [text for _, text in code_strings(module) if text in declared_names()] == ["official_visit",
                                                                                      "coree_du_nord"]
