"""What the two readers of claims share: the topic's lexicon, and the actors a sentence names."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.claims.lexicon import Lexicon
from pipeline.claims.parsing import Sentence, contains


class Reader:
    """Reads one topic's claims; the figure and event readers build on it."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def _actors(self, sentence: Sentence) -> set[str]:
        return {group for group, names in self.lexicon.actors.items() if sentence.has_any(names)}

    def _text_actors(self, lemmas: Sequence[str]) -> set[str]:
        """The actor groups a sentence names, read from its lemmas alone (no parse: it may hold no cue)."""
        return {group for group, names in self.lexicon.actors.items()
                if any(contains(lemmas, name) for name in names)}
