"""A readable rendering of an alert, in French, for consoles and chat webhooks."""

from __future__ import annotations

from typing import Any

PREDICATES_FR = {
    "troops_deployed": "soldats nord-coréens déployés",
    "troops_killed": "soldats nord-coréens tués",
    "troops_wounded": "soldats nord-coréens blessés",
    "troops_casualties": "pertes nord-coréennes (tués et blessés)",
    "troops_captured": "soldats nord-coréens capturés",
    "workers_deployed": "travailleurs nord-coréens envoyés",
    "munitions_share": "part des munitions russes fournie par Pyongyang",
    "official_visit": "visite officielle",
    "treaty": "traité de partenariat",
    "arms_supply": "livraisons d'armes nord-coréennes",
    "military_aid_to_nk": "aide russe à la Corée du Nord",
    "deployment_confirmed": "déploiement reconnu officiellement",
    "troop_request": "demande de troupes supplémentaires",
}
UNITS_FR = {"soldiers": "soldats", "persons": "personnes", "percent": "%"}


def _number(value: float) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")


def figure_fr(figure: dict[str, Any]) -> str:
    low, high, unit = figure["low"], figure["high"], figure["unit"]
    span = _number(low) if low == high else f"{_number(low)} à {_number(high)}"
    return f"{span} %" if unit == "percent" else f"{span} {UNITS_FR.get(unit, unit)}"


def render_line(alert: dict[str, Any]) -> str:
    """One line: kind, predicate, figure, source, outlet and link."""
    what = PREDICATES_FR.get(alert["predicate"], alert["predicate"])
    parts = ["NOUVEAU CHIFFRE" if alert["kind"] == "new_figure" else "NOUVEAU", what]
    if alert.get("figure"):
        parts.append(figure_fr(alert["figure"]))
    if alert.get("previous"):
        parts.append("(avant : " + ", ".join(figure_fr(p) for p in alert["previous"]) + ")")
    if alert.get("attributed_to"):
        parts.append(f"selon {alert['attributed_to']}")
    if alert.get("hedged"):
        parts.append("[conditionnel]")
    article = alert["article"]
    parts.append(f"— {article['outlet']} {article['url']}")
    return " ".join(parts)
