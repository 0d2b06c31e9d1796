from __future__ import annotations

from pipeline.domain.records import Claim, Figure, PriorFigure
from pipeline.judging.novelty import PREVIOUS_SHOWN, History, dates_match, is_known, judge, judge_article, record

T = "russie-coree-du-nord"


def q(predicate: str, low: float | None = None, high: float | None = None, *, by: str | None = None,
      sentence: int = 0, unit: str = "soldiers") -> Claim:
    figure = Figure(low, high if high is not None else low, unit) if low is not None else None
    return Claim(T, predicate, f"evidence {predicate} {low}", quantitative=True, figure=figure, attributed_to=by,
                 sentence=sentence)


def prior(low: float, high: float | None = None, by: str | None = None) -> PriorFigure:
    return PriorFigure(low, high if high is not None else low, "soldiers", by, "2025-08-21T04:28:00+00:00", "u")


def test_a_figure_is_known_inside_the_widened_union() -> None:
    before = [prior(10_000), prior(15_000)]
    assert is_known(Figure(11_000, 11_000, "soldiers"), before, 0.1)  # inside [9000, 11000]
    assert is_known(Figure(16_500, 16_500, "soldiers"), before, 0.1)  # inside [13500, 16500]
    assert not is_known(Figure(12_000, 12_000, "soldiers"), before, 0.1)  # in the gap
    assert not is_known(Figure(10_000, 15_000, "soldiers"), before, 0.1)  # spans the gap
    assert is_known(Figure(10_000, 15_000, "soldiers"), [*before, prior(11_000, 14_000)], 0.1)  # union closes it
    assert not is_known(Figure(40, 40, "percent"), before, 0.1)  # another unit is another quantity


def test_first_figure_is_a_new_claim_then_a_new_figure_with_previous() -> None:
    assert judge(q("troops_killed", 600), History()).kind == "new_claim"
    history = History(figures=(prior(600, by="Séoul"),), mentioned=True)
    judged = judge(q("troops_killed", 2000, by="NIS"), history)
    assert judged.kind == "new_figure" and judged.previous == history.figures
    assert judge(q("troops_killed", 650, by="Séoul"), history).kind == "known"


def test_an_alert_lists_the_latest_earlier_figures_only() -> None:
    # Figures far apart, so each is news; the history is in the order they were first seen.
    history = History(figures=tuple(prior(100 * 2**n) for n in range(PREVIOUS_SHOWN + 5)), mentioned=True)
    judged = judge(q("troops_killed", 100 * 2**30), history)
    assert judged.kind == "new_figure"
    assert judged.previous == history.figures[-PREVIOUS_SHOWN:]
    # Every figure still counts for the judgement, the oldest too.
    assert judge(q("troops_killed", 100), history).kind == "known"


def test_a_known_figure_from_a_new_source_is_a_corroboration() -> None:
    history = History(figures=(prior(600, by="Séoul"),), mentioned=True)
    assert judge(q("troops_killed", 600, by="NIS"), history).kind == "corroboration"
    assert not judge(q("troops_killed", 600, by="NIS"), history).alerts


def test_a_mention_without_figure_alerts_once() -> None:
    assert judge(q("troops_wounded"), History()).kind == "new_claim"
    assert judge(q("troops_wounded"), History(mentioned=True)).kind == "known"


def test_a_figure_after_a_figureless_mention_is_still_a_new_claim() -> None:
    # The predicate was seen, but had no figure: the first figure is a new claim, not a new figure.
    assert judge(q("troops_killed", 600), History(mentioned=True)).kind == "new_claim"


def visit(place: str | None, date: str | None) -> Claim:
    return Claim(T, "official_visit", "e", place=place, event_date=date, identity=("place", "month"))


def test_qualitative_identity_uses_place_and_month_with_containing_dates() -> None:
    h = record(History(), visit("Pyongyang", "2025-06-04"), article_url="u", seen_at="t")
    assert judge(visit("Pyongyang", "2025-06"), h).kind == "known"
    assert judge(visit("Pyongyang", "2025"), h).kind == "known"  # a year contains the month
    assert judge(visit("Pyongyang", "2025-03"), h).kind == "new_claim"
    assert judge(visit("Moscou", "2025-06"), h).kind == "new_claim"
    parts = ("act", "month")
    treaty = Claim(T, "treaty", "e", act="signature", event_date="2024", identity=parts)
    h2 = record(History(), treaty, article_url="u", seen_at="t")
    assert judge(Claim(T, "treaty", "e", act="signature", event_date="2024-06", identity=parts), h2).kind == "known"
    assert judge(Claim(T, "treaty", "e", act="ratification", event_date="2024-11", identity=parts),
                 h2).kind == "new_claim"
    # A predicate whose identity names no part is the predicate alone, whatever its date.
    other = Claim(T, "arms_supply", "e", event_date="2024-01")
    assert judge(Claim(T, "arms_supply", "e", event_date="2025-09"),
                 record(History(), other, article_url="u", seen_at="t")).kind == "known"


def test_dates_match_when_one_contains_the_other() -> None:
    assert dates_match("2024", "2024-06") and dates_match("2024-06", "2024") and dates_match(None, "2024")
    assert not dates_match("2024", "2025-06") and not dates_match("2024-05", "2024-06")


def test_an_article_is_judged_figures_first_against_its_own_earlier_claims() -> None:
    claims = [q("troops_killed", sentence=1), q("troops_killed", 600, sentence=5),
              q("troops_deployed", 10_000, sentence=0), q("troops_deployed", 10_500, sentence=7)]
    judged = judge_article(claims, lambda claim: History(), article_url="u", seen_at="t")
    kinds = {(j.claim.predicate, j.claim.figure.low if j.claim.figure else None): j.kind for j in judged}
    assert kinds == {("troops_killed", 600): "new_claim", ("troops_killed", None): "known",
                     ("troops_deployed", 10_000): "new_claim", ("troops_deployed", 10_500): "known"}


def test_tolerance_is_configurable() -> None:
    history = History(figures=(prior(600),), mentioned=True)
    assert judge(q("troops_killed", 700), history, tolerance=0.1).kind == "new_figure"
    assert judge(q("troops_killed", 700), history, tolerance=0.2).kind == "known"


def test_a_figure_known_from_several_together_is_theirs_alone() -> None:
    # No one earlier figure covers 10,000-15,000; 10,000, 12,000 and 14,000 together do. Kyiv's 100 is far away
    # and says nothing of it: Kyiv giving 10,000-15,000 corroborates, NIS (one of the three) repeats itself.
    history = History(figures=(prior(100, by="Kyiv"), prior(10_000, by="Séoul"), prior(12_000, by="NIS"),
                               prior(14_000, by="Séoul")), mentioned=True)
    assert judge(q("troops_killed", 10_000, 15_000, by="NIS"), history).kind == "known"
    assert judge(q("troops_killed", 10_000, 15_000, by="Kyiv"), history).kind == "corroboration"


def test_a_doubtful_claim_neither_alerts_nor_makes_anything_known() -> None:
    doubtful = Claim(T, "troops_killed", "e", quantitative=True, figure=Figure(600, 600, "soldiers"), confidence=0.4)
    assert judge(doubtful, History(), min_confidence=0.5).kind == "doubtful"
    assert judge(doubtful, History(), min_confidence=0.4).kind == "new_claim"  # the threshold is inclusive
    sure = q("troops_killed", 620, sentence=3)
    judged = judge_article([doubtful, sure], lambda claim: History(), article_url="u", seen_at="t",
                           min_confidence=0.5)
    # The sure 620 of the same article is new: the doubtful 600 before it was not recorded as known.
    assert [j.kind for j in judged] == ["doubtful", "new_claim"]
