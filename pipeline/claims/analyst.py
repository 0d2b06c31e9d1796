"""Article -> Claims: the topics an article is about, then the claims of each matched topic that declares some."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.claims.extractor import ClaimExtractor
from pipeline.claims.lexicon import lexicon_from_topic
from pipeline.claims.parsing import nlp
from pipeline.domain.records import Article, Claim, Drop
from pipeline.language import lemmas
from pipeline.ports.metrics import Metrics
from pipeline.topics.matching import Topic, match_topics

TOPIC_STAGE = "topics"


def warm_up() -> None:
    """Load spaCy's French model and the lemma table now (about 5 s), not on the first article."""
    nlp()
    lemmas.warm_up()


class Analyst:
    """Topics and claims of one article."""

    def __init__(self, topics: Sequence[Topic], metrics: Metrics) -> None:
        self.topics = tuple(topics)
        self.metrics = metrics
        self.extractors = {t.id: ClaimExtractor(lexicon_from_topic(t)) for t in topics if t.predicates}

    def analyse(self, article: Article) -> tuple[Article, tuple[Claim, ...]] | Drop:
        with self.metrics.stage_seconds.labels(stage="topics").time():
            matches = [m for m in match_topics(self.topics, article.title, article.text) if m.matched]
        if not matches:
            return Drop(TOPIC_STAGE, "off_topic", article.entry_id or article.url, article.url)
        claims: list[Claim] = []
        with self.metrics.stage_seconds.labels(stage="claims").time():
            for match in matches:
                self.metrics.topic_matches.labels(topic=match.topic).inc()
                if (extractor := self.extractors.get(match.topic)) is not None:
                    claims.extend(extractor.extract(article))
        for claim in claims:
            self.metrics.claims.labels(predicate=claim.predicate).inc()
        return article, tuple(claims)
