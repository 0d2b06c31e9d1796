"""What the deploy files query: the PromQL of the dashboard and the rules, and the metric names it reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "guetteur.json"
RULES = DEPLOY / "prometheus" / "rules.yml"

# Words of PromQL that look like metric names: operators, modifiers, and the label lists that follow some.
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring",
                       "group_left", "group_right"})
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![\w$:.])([a-zA-Z_:][\w:]*)(\s*\()?")
_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.*),\s*(?P<label>\w+)\s*\)\s*$")

# Grafana's variables, as the tests give them: every instance and feed, and windows that fit a 1 s scrape.
GRAFANA_VARIABLES = {"$__rate_interval": "10s", "$__interval": "2s", "$__range": "5m", "$instance": ".*",
                     "$feed": ".*"}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (not functions, keywords or label names)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings first: they may hold braces
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = _LABEL_LISTS.sub(" ", text)
    return {name for name, call in _NAME.findall(text) if not call and name not in _KEYWORDS}


def substitute(expr: str) -> str:
    for variable in sorted(GRAFANA_VARIABLES, key=len, reverse=True):  # $__rate_interval before $__range
        expr = expr.replace(variable, GRAFANA_VARIABLES[variable])
    assert "$" not in expr, f"a Grafana variable the tests do not know: {expr}"
    return expr


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])


def panel_queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title and refId, expr) of every query of every panel."""
    return [(f"{p['title']} [{t['refId']}]", t["expr"]) for p in panels(board) for t in p.get("targets", [])]


def variable_queries(board: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(variable, selector, label) of each label_values() variable."""
    found = []
    for variable in board["templating"]["list"]:
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        match = _LABEL_VALUES.match(query)
        assert match, f"variable {variable['name']}: only label_values(selector, label) is expected, got {query}"
        found.append((variable["name"], match["selector"], match["label"]))
    return found


def rule_queries() -> list[tuple[str, str]]:
    """(alert, expr) of every rule of rules.yml."""
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [(rule.get("alert") or rule["record"], rule["expr"]) for group in groups for rule in group["rules"]]
