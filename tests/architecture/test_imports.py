"""The rules of the house (docs/architecture.md), read from the import statements of pipeline/ and connectors/."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("pipeline", "connectors")

# What each room of pipeline/ may import from the others; every room may import itself. app and runtime assemble
# the rest, so they may import anything. connectors may import the domain, the ports, config and the functions of
# the domain they serve (commit_article, the renderings, the feed schedule), never the runtime or the app.
ALLOWED: dict[str, set[str]] = {
    "pipeline.domain": set(),
    "pipeline.config": set(),
    "pipeline.ports": {"pipeline.domain", "pipeline.config"},
    "pipeline.language": {"pipeline.domain", "pipeline.config"},
    "pipeline.ingest": {"pipeline.domain", "pipeline.config", "pipeline.ports"},
    "pipeline.topics": {"pipeline.domain", "pipeline.config", "pipeline.language"},
    "pipeline.claims": {"pipeline.domain", "pipeline.config", "pipeline.ports", "pipeline.language",
                        "pipeline.topics"},
    "pipeline.judging": {"pipeline.domain", "pipeline.config", "pipeline.ports", "pipeline.ingest"},
    "connectors": {"pipeline.domain", "pipeline.config", "pipeline.ports", "pipeline.judging", "pipeline.ingest"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def graph() -> dict[str, set[str]]:
    """Each module's imports of other modules of the two packages, function-level imports included."""
    files = {_module(p): p for root in ROOTS for p in (REPO / root).rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        edges[name] = {dep for dep in found if dep in files and dep != name}
    return edges


def room(module: str) -> str:
    if module.startswith("connectors"):
        return "connectors"
    return ".".join(module.split(".")[:2])


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets, each as the path that closes it."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return cycles


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Imports that cross into a room the importing room may not use."""
    wrong = []
    for module, deps in edges.items():
        allowed = ALLOWED.get(room(module))
        if allowed is None:
            continue  # runtime and app assemble everything
        wrong += [f"{module} -> {dep}" for dep in sorted(deps)
                  if room(dep) != room(module) and room(dep) not in allowed and dep != "pipeline"]
    return wrong


def test_no_import_cycle() -> None:
    assert find_cycles(graph()) == []


def test_a_room_imports_only_what_it_may() -> None:
    assert violations(graph()) == []


@pytest.mark.parametrize("library", ["apache_beam"])
def test_beam_is_imported_only_under_the_runtime(library: str) -> None:
    users = []
    for root in ROOTS:
        for path in (REPO / root).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n == library or n.startswith(library + ".") for n in names):
                    users.append(_module(path))
    assert users and all(user.startswith("pipeline.runtime") for user in users), users


def test_the_rules_cover_every_room() -> None:
    rooms = {room(m) for m in graph()} - {"pipeline", "pipeline.runtime", "pipeline.app"}
    assert rooms <= set(ALLOWED), rooms - set(ALLOWED)


def test_the_checks_see_what_they_look_for() -> None:
    # On made-up graphs: a ring of three, and the store port importing a connector, must both be caught.
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert violations({"pipeline.ports.store": {"connectors.stores.sqlite"}}) == [
        "pipeline.ports.store -> connectors.stores.sqlite"]
    assert violations({"connectors.stores.sqlite": {"pipeline.runtime.process"}}) != []
