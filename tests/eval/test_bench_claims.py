"""How benchmarks.claims matches claims and reads a corpus: the rules its figures rest on."""

from __future__ import annotations

from pathlib import Path

from benchmarks.claims import CorpusResult, Tally, article_of, quantitative_of, tally_claims
from benchmarks.gold import Score
from pipeline.domain.records import Claim, Figure

EVIDENCE = "Environ 600 soldats nord-coréens ont été tués, selon Séoul."


def killed(low: float, evidence: str = EVIDENCE) -> Claim:
    return Claim("russie-coree-du-nord", "troops_killed", evidence, quantitative=True,
                 figure=Figure(low, low, "soldiers"))


def test_a_claim_matches_by_predicate_sentence_and_figure_within_ten_percent() -> None:
    result = CorpusResult("c", "russie-coree-du-nord", Score())
    expected = {"predicate": "troops_killed", "low": 600, "high": 600, "unit": "soldiers",
                "evidence": "Environ 600 soldats nord-coréens ont été tués"}
    entry = {"id": "001", "claims": [expected, dict(expected)]}
    tally_claims(result, entry, [killed(640), killed(700)])
    assert (result.claims["troops_killed"].hit, result.claims["troops_killed"].missed,
            result.claims["troops_killed"].extra) == (1, 1, 1)  # 640 is within 10% of 600, 700 is not


def test_a_claim_of_another_sentence_or_topic_is_no_match() -> None:
    result = CorpusResult("c", "russie-coree-du-nord", Score())
    expected = {"predicate": "troops_killed", "low": 600, "high": 600, "unit": "soldiers", "evidence": EVIDENCE}
    other_topic = Claim("autre", "troops_killed", EVIDENCE, quantitative=True, figure=Figure(600, 600, "soldiers"))
    tally_claims(result, {"id": "001", "claims": [expected]},
                 [killed(600, "Un autre bilan fait état de 600 morts."), other_topic])
    assert result.claims["troops_killed"].hit == 0 and result.claims["troops_killed"].missed == 1


def test_tally_scores() -> None:
    tally = Tally(hit=3, missed=1, extra=1)
    assert (tally.precision(), tally.recall(), round(tally.f1(), 3)) == (0.75, 0.75, 0.75)


def test_an_article_is_its_headline_then_its_body(tmp_path: Path) -> None:
    (tmp_path / "001-x.txt").write_text("Le titre\n\nLe corps, premier paragraphe.\n\nLe second.\n", encoding="utf-8")
    article = article_of(tmp_path, {"id": "001", "file": "001-x.txt", "published": "2025-03-01T10:00:00+01:00"})
    assert article.title == "Le titre" and article.text.startswith("Le corps") and article.text.endswith("second.")
    assert article.published.utcoffset() is not None


def test_quantitative_predicates_come_from_the_gold_when_it_declares_them() -> None:
    assert quantitative_of({"predicates": {"crossings": {"kind": "quantitative"}, "agreement": {"kind": "x"}}}) == {
        "crossings"}
    assert "troops_killed" in quantitative_of({})
