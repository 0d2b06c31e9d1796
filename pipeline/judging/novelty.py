"""The novelty policy of CONTRACT.md: is a claim new, given everything seen before for its topic and predicate?"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.config.defaults import PREVIOUS_SHOWN
from pipeline.config.defaults import TOLERANCE as DEFAULT_TOLERANCE  # the one home of the value: [novelty] tolerance
from pipeline.domain.records import Claim, Figure, Judgement, PriorFigure


@dataclass(frozen=True, slots=True)
class Identity:
    """What makes two qualitative claims the same event."""

    place: str | None = None
    act: str | None = None
    date: str | None = None  # "2025" or "2025-06" (see dates_match)

    def matches(self, seen: Identity) -> bool:
        """Whether this new identity is one already seen.

        Unknown parts of the new claim cannot tell it apart from anything ("une visite" matches every visit of
        the month); unknown parts of an old claim cannot make a precise new one known ("une visite à Pyongyang"
        after a visit whose city was never said is news).
        """
        return _covered(self.place, seen.place) and _covered(self.act, seen.act) and (
            self.date is None or (seen.date is not None and dates_match(self.date, seen.date)))


@dataclass(frozen=True, slots=True)
class History:
    """What was recorded before for one (topic, predicate), as far as judging a claim needs it.

    A store gives, for a claim with a figure, the earlier figures of its unit that can bear on it (those whose
    widened interval meets it) and the latest PREVIOUS_SHOWN ones, not all of them: what is read per article stays
    bounded by what is near, not by months of history.
    """

    figures: tuple[PriorFigure, ...] = ()
    mentioned: bool = False
    identities: tuple[Identity, ...] = ()


def _covered(new: str | None, seen: str | None) -> bool:
    return new is None or (seen is not None and new.casefold() == seen.casefold())


def dates_match(a: str | None, b: str | None) -> bool:
    """Two dates match when one contains the other: '2024' contains '2024-06', which contains '2024-06-12'."""
    if a is None or b is None:
        return True
    return a.startswith(b) or b.startswith(a)


def recorded(place: str | None, act: str | None, event_date: str | None) -> Identity:
    """An event as the store recorded it: every part it has, its date to the month."""
    return Identity(place=place, act=act, date=event_date[:7] if event_date else None)


def identity(claim: Claim) -> Identity:
    """The parts that tell two events of a qualitative predicate apart, as the topic declares them.

    A visit is its city and month, a treaty its act and month (their topic file's `identity`); a predicate that
    names no part is the predicate alone, whatever the claim's date.
    """
    whole = recorded(claim.place, claim.act, claim.event_date)
    return Identity(place=whole.place if "place" in claim.identity else None,
                    act=whole.act if "act" in claim.identity else None,
                    date=whole.date if "month" in claim.identity else None)


def widened(figure: PriorFigure | Figure, tolerance: float) -> tuple[float, float]:
    return figure.low * (1 - tolerance), figure.high * (1 + tolerance)


def meets(before: PriorFigure, figure: Figure, tolerance: float) -> bool:
    """Whether an earlier figure, widened, touches this one: only such figures can help make it known.

    (A union of closed intervals covers [low, high] exactly when the intervals that meet [low, high] cover it.)
    Stores select with the same comparison in SQL: `low * (1 - tolerance) <= high' AND high * (1 + tolerance) >= low'`.
    """
    low, high = widened(before, tolerance)
    return low <= figure.high and high >= figure.low


def is_known(figure: Figure, before: Iterable[PriorFigure], tolerance: float) -> bool:
    """True when the figure lies entirely inside the union of the earlier figures, each widened by the tolerance."""
    spans = sorted(widened(f, tolerance) for f in before if f.unit == figure.unit)
    merged: list[list[float]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return any(low <= figure.low and figure.high <= high for low, high in merged)


def judge(claim: Claim, history: History, tolerance: float = DEFAULT_TOLERANCE, min_confidence: float = 0.0
          ) -> Judgement:
    if claim.confidence < min_confidence:
        # A reading the engine doubts neither alerts nor makes anything known: one misreading must not silence a
        # true alert later, nor raise a false one.
        return Judgement(claim, "doubtful")
    if not claim.quantitative:
        mine = identity(claim)
        if any(mine.matches(seen) for seen in history.identities):
            return Judgement(claim, "known")
        return Judgement(claim, "new_claim")
    if claim.figure is None:
        # "des milliers ont été blessés": news the first time the predicate is seen at all, then nothing.
        return Judgement(claim, "known" if history.mentioned else "new_claim")
    figures = tuple(f for f in history.figures if f.unit == claim.figure.unit)
    if not figures:
        return Judgement(claim, "new_claim")
    if is_known(claim.figure, figures, tolerance):
        covering = [f for f in figures if is_known(claim.figure, [f], tolerance)]
        # No one figure covers it, several together do: their sources are the ones it repeats.
        sources = {f.attributed_to for f in (covering or [f for f in figures if meets(f, claim.figure, tolerance)])}
        if claim.attributed_to and claim.attributed_to not in sources:
            return Judgement(claim, "corroboration")
        return Judgement(claim, "known")
    return Judgement(claim, "new_figure", previous=figures[-PREVIOUS_SHOWN:])


def record(history: History, claim: Claim, *, article_url: str, seen_at: str) -> History:
    """The history once this claim is recorded too, so later claims of the same article are judged against it."""
    if not claim.quantitative:
        return replace(history, mentioned=True, identities=(*history.identities, identity(claim)))
    figures = history.figures
    if claim.figure is not None:
        figures = (*figures, PriorFigure(claim.figure.low, claim.figure.high, claim.figure.unit, claim.attributed_to,
                                         seen_at, article_url))
    return replace(history, mentioned=True, figures=figures)


def joined(stored: History, own: History) -> History:
    """The store's history followed by what the article being judged recorded before this claim."""
    return History(figures=stored.figures + own.figures, mentioned=stored.mentioned or own.mentioned,
                   identities=stored.identities + own.identities)


def judging_order(claims: Sequence[Claim]) -> list[Claim]:
    """Claims with a figure first, then the others, each in text order.

    An article that says "des centaines de tués" and then "environ 600 soldats tués" reports one new figure,
    not a figure-less claim followed by a figure.
    """
    return sorted(claims, key=lambda c: (not (c.quantitative and c.figure is not None), c.sentence))


def judge_article(
    claims: Sequence[Claim],
    history_of: Callable[[Claim], History],
    *,
    article_url: str,
    seen_at: str,
    tolerance: float = DEFAULT_TOLERANCE,
    min_confidence: float = 0.0,
    corroborated: Callable[[Claim], bool] | None = None,
) -> list[Judgement]:
    """Judge an article's claims in order, each against the store's history plus the article's earlier claims.

    `history_of(claim)` is the store's history of the claim's topic and predicate, as far as judging it needs;
    `corroborated(claim)` says whether another outlet already reported a doubtful claim as this one.
    """
    own: dict[tuple[str, str], History] = {}  # what this article's earlier claims recorded
    judgements = []
    for claim in judging_order(claims):
        key = (claim.topic, claim.predicate)
        mine = own.get(key, History())
        history = joined(history_of(claim), mine)
        judgement = judge(claim, history, tolerance, min_confidence)
        if judgement.kind == "doubtful" and corroborated is not None and corroborated(claim):
            # Another outlet's doubtful report of the same claim promotes it: judged as any claim, against the store
            # and this article's earlier claims, so one article never raises the same alert twice.
            judgement = judge(claim, history, tolerance)
        judgements.append(judgement)
        if judgement.kind != "doubtful":
            own[key] = record(mine, claim, article_url=article_url, seen_at=seen_at)
    return judgements
