"""Score alerts against ../shared/seeds/gold.json with the rules at the end of CONTRACT.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QUANTITATIVE = {"troops_deployed", "troops_killed", "troops_wounded", "troops_casualties", "troops_captured",
                "workers_deployed", "munitions_share"}


def _close(actual: float, expected: float) -> bool:
    return abs(actual - expected) <= 0.1 * abs(expected)


def figure_matches(alert: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Within 10%; a range whose upper end is the expected figure also matches (gold.json's note on 003)."""
    if expected.get("low") is None:
        return alert.get("figure") is None
    figure = alert.get("figure")
    if figure is None or figure["unit"] != expected["unit"]:
        return False
    point = _close(figure["low"], expected["low"]) and _close(figure["high"], expected["high"])
    ranged = figure["low"] <= expected["low"] and _close(figure["high"], expected["high"])
    return point or ranged


@dataclass
class Score:
    matched: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    missing: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    extra: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    alerts_matched: int = 0  # alerts that meet an expectation (several may meet one qualitative expectation)

    @property
    def expected(self) -> int:
        return len(self.matched) + len(self.missing)

    def precision(self) -> float:
        raised = self.alerts_matched + len(self.extra)
        return self.alerts_matched / raised if raised else 1.0

    def recall(self) -> float:
        return len(self.matched) / self.expected if self.expected else 1.0

    def report(self) -> str:
        lines = [f"matched {len(self.matched)}/{self.expected}, extra {len(self.extra)}"]
        lines += [f"  missing {seed} {e['predicate']} {e['kind']} {e.get('low')}" for seed, e in self.missing]
        lines += [f"  extra   {seed} {a['predicate']} {a['kind']} {a.get('figure')} « {a['evidence'][:90]} »"
                  for seed, a in self.extra]
        return "\n".join(lines)


def score(gold: dict[str, Any], alerts_by_seed: dict[str, list[dict[str, Any]]], others: list[dict[str, Any]],
          quantitative: frozenset[str] | set[str] = QUANTITATIVE) -> Score:
    """Quantitative alerts by article, predicate, kind and figure, one to one; qualitative by article, predicate
    and kind, several alerts allowed for one expectation. Alerts from any other article are extra."""
    result = Score(extra=[("other", a) for a in others])
    for article in gold["articles"]:
        seed = article["id"]
        alerts = list(alerts_by_seed.get(seed, []))
        for expected in article["expected_alerts"]:
            if expected["predicate"] in quantitative:
                hit = next((a for a in alerts if a["predicate"] == expected["predicate"] and
                            a["kind"] == expected["kind"] and figure_matches(a, expected)), None)
                if hit is None:
                    result.missing.append((seed, expected))
                else:
                    alerts.remove(hit)
                    result.matched.append((seed, expected))
                    result.alerts_matched += 1
            else:
                hits = [a for a in alerts if a["predicate"] == expected["predicate"] and a["kind"] == expected["kind"]]
                if hits:
                    result.matched.append((seed, expected))
                    result.alerts_matched += len(hits)
                    for hit in hits:
                        alerts.remove(hit)
                else:
                    result.missing.append((seed, expected))
        result.extra.extend((seed, a) for a in alerts)
    return result


def by_seed(alerts: list[dict[str, Any]], items: dict[str, Any]) -> tuple[dict[str, list[dict[str, Any]]],
                                                                        list[dict[str, Any]]]:
    """Alerts grouped by the seed article they came from (fixture items by URL); the rest, from any other page."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    others = []
    for alert in alerts:
        item = items.get(alert["article"]["url"])
        if item is not None and item.expect == "on-topic-seed":
            grouped.setdefault(item.seed, []).append(alert)
        else:
            others.append(alert)
    return grouped, others
