"""Claims from an article's headline and body: predicate, figure, attribution, hedging and date, sentence by sentence.

The lexicon of each predicate lives in its topic file (pipeline.claims.lexicon); this module only knows how French news
sentences state a claim. Sentences are split cheaply, a lemma filter keeps those that carry a cue, and only those
go through spaCy's French pipeline (pipeline.claims.parsing); who says so, and whether it is hedged or denied, is
pipeline.claims.attribution.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from pipeline.claims.attribution import attribution
from pipeline.claims.events import EventReader
from pipeline.claims.figures import FigureReader
from pipeline.claims.lexicon import Lexicon
from pipeline.claims.parsing import Sentence, parsed, sentences
from pipeline.domain.records import Article, Claim
from pipeline.language.lemmas import normalise


class ClaimExtractor(FigureReader, EventReader):
    """Claims of one topic in an article. Holds no state between articles."""

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__(lexicon)
        self._cues = lexicon.cue_lemmas

    def candidates(self, article: Article) -> list[tuple[int, str]]:
        """The cheap filter: sentences with at least one cue lemma, and their position."""
        texts = sentences(article)
        return [(index, texts[index]) for index in self._candidates([normalise(text) for text in texts])]

    def _candidates(self, lemmas: Sequence[Sequence[str]]) -> list[int]:
        return [index for index, words in enumerate(lemmas) if self._cues & set(words)]

    def extract(self, article: Article) -> list[Claim]:
        texts = sentences(article)
        lemmas = [normalise(text) for text in texts]  # once: for the filter, and as the context of the next one
        kept = [(index, texts[index]) for index in self._candidates(lemmas)]
        if not kept:
            return []
        with parsed([text for _, text in kept]) as docs:
            return self._claims(article, lemmas, kept, docs)

    def _claims(self, article: Article, lemmas: Sequence[list[str]], kept: list[tuple[int, str]], docs: list[Doc]
                ) -> list[Claim]:
        claims: list[Claim] = []
        previous_actor: set[str] = set()
        previous: tuple[int, str | None] = (-2, None)  # the last sentence's position and the unit it counted last
        for (position, _), doc in zip(kept, docs, strict=True):
            sentence = Sentence.of(doc)
            actors = self._actors(sentence)
            carried = previous[1] if previous[0] == position - 1 else None
            if position:
                sentence.before = lemmas[position - 1]
            # Who "il" or "elle" may stand for: the actors of the sentence just before, parsed or not.
            before = self._text_actors(sentence.before)
            source = attribution(sentence, self.lexicon)
            found, last_unit = self._figure_claims(sentence, position, actors | previous_actor, source, carried)
            claims.extend(found)
            claims.extend(self._qualitative(sentence, position, source, article.published, before))
            previous_actor = actors
            previous = (position, last_unit)
        return claims
