"""A readable rendering of an alert, in French, for consoles and chat webhooks."""

from __future__ import annotations

from datetime import datetime

from pipeline.domain.alert import Alert
from pipeline.domain.records import Figure, PriorFigure

# Units as French readers write them; a unit not listed is shown as the topic file names it.
UNITS_FR = {"soldiers": "soldats", "persons": "personnes", "percent": "%"}


def _number(value: float) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",")


def figure_fr(figure: Figure | PriorFigure) -> str:
    low, high, unit = figure.low, figure.high, figure.unit
    span = _number(low) if low == high else f"{_number(low)} à {_number(high)}"
    return f"{span} %" if unit == "percent" else f"{span} {UNITS_FR.get(unit, unit)}"


def render_line(alert: Alert) -> str:
    """One line: kind, predicate, figure, source, outlet and link."""
    what = alert.label or alert.predicate
    parts = ["NOUVEAU CHIFFRE" if alert.kind == "new_figure" else "NOUVEAU", what]
    if alert.figure:
        parts.append(figure_fr(alert.figure))
    if alert.previous:
        parts.append("(avant : " + ", ".join(figure_fr(p) for p in alert.previous) + ")")
    if alert.attributed_to:
        parts.append(f"selon {alert.attributed_to}")
    if alert.hedged:
        parts.append("[conditionnel]")
    parts.append(f"— {alert.article.outlet} {alert.article.url}")
    return " ".join(parts)


MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def date_fr(value: str | None) -> str:
    """'2025-09-03T12:00:00+02:00' as '3 septembre 2025'; what is not an ISO date is returned as it is."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value
    day = "1er" if when.day == 1 else str(when.day)
    return f"{day} {MONTHS_FR[when.month - 1]} {when.year}"


def _previous_fr(previous: PriorFigure) -> str:
    text = figure_fr(previous)
    if previous.attributed_to:
        text += f" selon {previous.attributed_to}"
    if seen := date_fr(previous.first_seen):
        text += f" ({seen})"
    return text


def render_text(alert: Alert) -> str:
    """A few lines for a person or a chat webhook: what is new, the figure, the figures before, the source, the
    evidence and the link."""
    what = alert.label or alert.predicate
    head = ("Nouveau chiffre" if alert.kind == "new_figure" else "Nouveau") + f" : {what}"
    if alert.figure:
        head += f", {figure_fr(alert.figure)}"
    if alert.attributed_to:
        head += f", selon {alert.attributed_to}"
    if alert.hedged:
        head += " (au conditionnel)"
    lines = [head]
    if alert.previous:
        lines.append("Chiffres précédents : " + " ; ".join(_previous_fr(p) for p in alert.previous))
    article = alert.article
    source = f"Source : {article.outlet}"
    if article.title:
        source += f", « {article.title} »"
    if published := date_fr(article.published):
        source += f", {published}"
    lines += [source, f"« {alert.evidence} »", article.url]
    return "\n".join(lines)
