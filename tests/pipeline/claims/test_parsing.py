"""pipeline.claims.parsing: parses made inside parsed() leave spaCy's string store as they found it."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.claims.extractor import ClaimExtractor
from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.claims.parsing import nlp, parsed
from pipeline.domain.records import Article
from pipeline.topics.matching import builtin_topics


def fresh_sentences(seed: int, count: int) -> list[str]:
    # Figures and names no text has used: each would add strings to the vocabulary for good outside a zone.
    return [f"Quelque {seed * 1000 + i} 317 soldats nord-coréens du général Zorgblatt{seed}x{i} ont été tués "
            f"à Quarnovsk{seed}y{i}, selon Séoul." for i in range(count)]


def test_a_parse_inside_the_zone_adds_no_string_for_good() -> None:
    strings = nlp().vocab.strings
    with parsed(fresh_sentences(1, 3)):
        pass  # warm whatever spaCy adds once per process
    before = len(strings)
    with parsed(fresh_sentences(2, 20)) as docs:
        assert len(docs) == 20 and docs[0][0].text == "Quelque"  # the parses are there to read inside the block
    assert len(strings) == before
    # The control: the same kind of sentences parsed outside a zone do add strings.
    list(nlp().pipe(fresh_sentences(3, 5)))
    assert len(strings) > before


def test_articles_full_of_new_figures_and_names_leave_the_vocabulary_as_it_was() -> None:
    topic = next(t for t in builtin_topics() if t.id == "russie-coree-du-nord")
    extractor = ClaimExtractor(lexicon_from_topic(topic))
    published = datetime(2025, 6, 18, 8, 0, tzinfo=UTC)

    def article(seed: int) -> Article:
        return Article(url=f"https://example.org/{seed}", outlet="Test", title="", published=published,
                       language="fr", text="\n".join(fresh_sentences(seed, 5)))

    extractor.extract(article(10))
    before = len(nlp().vocab.strings)
    claims = [claim for seed in range(11, 31) for claim in extractor.extract(article(seed))]
    assert len(claims) >= 100  # every sentence was parsed and read
    assert len(nlp().vocab.strings) == before


def test_sentences_pasted_without_a_space_are_still_two() -> None:
    from datetime import UTC, datetime

    from pipeline.claims.parsing import sentences
    from pipeline.domain.records import Article

    text = "Les combats continuent à Koursk.Le NIS estime les pertes à 600 soldats. M.Poutine a parlé de 10.5 %."
    article = Article(url="u", outlet="o", title="", text=text, published=datetime(2025, 1, 1, tzinfo=UTC))
    assert sentences(article) == ["Les combats continuent à Koursk.", "Le NIS estime les pertes à 600 soldats.",
                                  "M.Poutine a parlé de 10.5 %."]


def test_a_sentence_rejoined_after_an_abbreviation_keeps_the_articles_own_words() -> None:
    from datetime import UTC, datetime

    from pipeline.claims.parsing import sentences
    from pipeline.domain.records import Article

    text = "Selon Mme.Dupont, les pertes sont lourdes. M.  Poutine a parlé."
    article = Article(url="u", outlet="o", title="", text=text, published=datetime(2025, 1, 1, tzinfo=UTC))
    assert sentences(article) == ["Selon Mme.Dupont, les pertes sont lourdes.", "M.  Poutine a parlé."]
