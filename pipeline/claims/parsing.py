"""French news sentences: split cheaply, parsed by spaCy, matched on lemmas, cut into clauses.

Sentences are split without spaCy, so that the claim reader parses only those a cheap lemma filter keeps; a parse
runs inside a spaCy memory zone (parsed()), so that weeks of new names and figures do not fill its string store.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from pipeline.claims.lexicon import Phrase
from pipeline.domain.records import Article
from pipeline.language.lemmas import normalise, strip_accents
from pipeline.language.words import french

SPACY_MODEL = "fr_core_news_sm"
_FR = french().parsing  # the words, from pipeline/language/data/fr.toml
CLAUSE_BREAKS = _FR.clause_breaks
_ASIDES = _FR.asides
# Clauses that say why or against what, never what became of the counted men: "3 000 soldats envoyés pour
# compenser ses pertes" are sent, not lost.
_PURPOSE_MARKERS = _FR.purpose_markers  # "avant de le reconnaître" opens a new clause too
_CONTRAST_MARKERS = _FR.contrast_markers
_TITLE_SPLIT = re.compile(r"\s+[/|]\s+")
# The pronoun of a reflexive verb ("s'est rendu", "s'ajoutent"), seen as a dependent of the verb.
REFLEXIVE = _FR.reflexive
# A sentence ends at a full stop and a space before a capital; or, in text pasted without the space, between a
# word of two lower-case letters or more, its full stop and a capitalised word ("à Koursk.Le NIS"), which neither
# "M.Poutine" nor "lemonde.fr" nor "10.5" is.
_SENTENCE_END = re.compile(r"(?<=[.!?…»\"])\s+(?=[«\"A-ZÀÂÉÈÊÎÔÛÇ0-9])"
                           r"|(?<=[a-zàâçéèêëîïôûùüÿœ]{2}[.!?])(?=[A-ZÀÂÉÈÊÎÔÛÇ][a-zàâçéèêëîïôûùüÿœ])")
_ABBREVIATIONS = re.compile(r"\b(?:M|MM|Mme|Mmes|Dr|Pr|St|Ste|av|apr|J\.-C|etc|cf|env|art|p|n°)\.$")


def sentences(article: Article) -> list[str]:
    """The headline, then the body's sentences, split per paragraph without breaking after 'M.' or 'Mme'."""
    out = [part for part in _TITLE_SPLIT.split(article.title.strip()) if part] if article.title.strip() else []
    if out:
        out = [" / ".join(out)]  # the headline is one sentence; its halves share their subject
    for paragraph in article.text.splitlines():
        paragraph = paragraph.strip()
        if not paragraph or paragraph == article.title.strip():
            continue
        # Pieces and the text between them: a piece rejoined after "M." keeps what separated it, so that a claim's
        # evidence stays the article's own words.
        cuts = list(_SENTENCE_END.finditer(paragraph))
        starts = [0, *(cut.end() for cut in cuts)]
        ends = [*(cut.start() for cut in cuts), len(paragraph)]
        pending_start: int | None = None
        for start, end in zip(starts, ends, strict=True):
            if pending_start is None:
                pending_start = start
            if _ABBREVIATIONS.search(paragraph[pending_start:end]):
                continue
            out.append(paragraph[pending_start:end])
            pending_start = None
        if pending_start is not None:
            out.append(paragraph[pending_start:])
    return out


_nlp: Language | None = None
_nlp_lock = threading.Lock()
_zone_lock = threading.Lock()
# "10 000", "10'000", "10.000": one number that the tokenizer cuts in two; not the "1 000" of "2,1 000" nor a decimal.
_GROUPED_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}([ \u00a0\u202f'’.])\d{3}(?:\1\d{3})*(?!\d|[.,]\d)")


def merge_grouped_digits(doc: Doc) -> Doc:
    """Make each number written in groups of digits one token, normalised to its plain digits, before the tagger and
    the parser see it.

    Left in pieces, "1 200 hommes" parses as "1", then "200" modifying it, then "hommes" modifying "200", and the
    verb of which the men are the object is lost; merged but unnormalised, "1 200" is tagged a verb.
    """
    with doc.retokenize() as retokenizer:
        for match in _GROUPED_DIGITS.finditer(doc.text):
            span = doc.char_span(match.start(), match.end())
            if span is not None and len(span) > 1:
                retokenizer.merge(span, attrs={"NORM": re.sub(r"\D", "", span.text)})
    return doc


def nlp() -> Language:
    """spaCy's French pipeline, loaded once per process (about 4 s), grouped digits merged first."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy
                from spacy.language import Language

                Language.component("merge_grouped_digits", func=merge_grouped_digits)
                loaded = spacy.load(SPACY_MODEL)
                loaded.add_pipe("merge_grouped_digits", first=True)
                _nlp = loaded
    return _nlp


@contextmanager
def parsed(texts: Sequence[str]) -> Iterator[list[Doc]]:
    """The parses of these sentences, valid inside the block.

    Every new token adds a string to spaCy's vocabulary for good: over weeks of news (every figure, every name) the
    monitor's memory would only grow. A memory zone frees what these parses added when the block ends; zones cannot
    overlap, so one article at a time goes through spaCy.
    """
    model = nlp()
    with _zone_lock, model.memory_zone():
        yield list(model.pipe(texts))


@dataclass
class Sentence:
    """A parsed sentence and its lemmas, matched two ways.

    Each token gives its lemmas from the lookup table (what the topic files are normalised with) and, when it is a
    single word, spaCy's own lemma as an alternative: the lookup table cannot tell "demande" the verb from the noun,
    nor read "s'" or "entretenu", which the parser, knowing the part of speech, can.
    """

    text: str
    doc: Doc
    lemmas: list[tuple[str, ...]]  # per token
    flat: list[str]  # every lookup lemma in order
    alt: list[str | None]  # spaCy's lemma, unaccented, for flat entries that are a whole token
    owner: list[int]  # the token each flat lemma comes from
    before: list[str] = field(default_factory=list)  # the lookup lemmas of the sentence before, for context

    @classmethod
    def of(cls, doc: Doc) -> Sentence:
        lemmas: list[tuple[str, ...]] = []
        flat: list[str] = []
        alt: list[str | None] = []
        owner: list[int] = []
        for index, token in enumerate(doc):
            group = tuple(normalise(token.text))
            spacy_lemma = strip_accents(token.lemma_.lower()) if token.lemma_ else None
            if len(group) == 1 and spacy_lemma and spacy_lemma != group[0]:
                group_alt: list[str | None] = [spacy_lemma]
            else:
                group_alt = [None] * len(group)
            lemmas.append((*group, spacy_lemma) if group and spacy_lemma and group_alt[0] else group)
            flat.extend(group)
            alt.extend(group_alt)
            owner.extend([index] * len(group))
        return cls(doc.text, doc, lemmas, flat, alt, owner)

    def _at(self, i: int, lemma: str) -> bool:
        return self.flat[i] == lemma or self.alt[i] == lemma

    def find(self, phrase: Phrase, start: int = 0, end: int | None = None) -> list[int]:
        """Token indices where the phrase starts, within tokens [start, end).

        A reflexive verb ("se rendre") also matches across its auxiliary ("s'est rendu", "se sont rencontrés"),
        found by the parse: the verb with its reflexive pronoun among its dependents.
        """
        hits = []
        n = len(phrase)
        for i in range(len(self.flat) - n + 1):
            if all(self._at(i + k, phrase[k]) for k in range(n)):
                owner = self.owner[i]
                if owner >= start and (end is None or owner < end):
                    hits.append(owner)
        if n == 2 and phrase[0] == "se":
            for token in self.doc:
                if phrase[1] not in self.lemmas[token.i]:
                    continue
                for child in token.children:
                    if child.lower_ in REFLEXIVE and child.i < token.i and child.i not in hits and (
                            child.i >= start and (end is None or child.i < end)):
                        hits.append(child.i)
            hits.sort()
        return hits

    def has_any(self, phrases: Iterable[Phrase], start: int = 0, end: int | None = None) -> bool:
        return any(self.find(p, start, end) for p in phrases)

    def first(self, phrases: Iterable[Phrase], start: int = 0, end: int | None = None) -> int | None:
        hits = [h for p in phrases for h in self.find(p, start, end)]
        return min(hits) if hits else None


def contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def _opens_aside(doc: Doc, index: int) -> bool:
    """'selon', 'citant', 'comme' or 'd'après' (two tokens for spaCy) at this token, or a participle in apposition:
    "1 500 soldats, déployés depuis l'automne, ont été tués" are killed, and "déployés" only describes them."""
    if index >= len(doc):
        return False
    token = doc[index]
    low = token.lower_
    morph = token.morph
    if token.pos_ == "VERB" and "Part" in morph.get("VerbForm", None) and "Past" in morph.get("Tense", None):
        return True
    return low in _ASIDES or (low in ("d'", "d’") and index + 1 < len(doc) and doc[index + 1].lower_ == "après")


def clause_break(doc: Doc, index: int) -> bool:
    """Punctuation, or the start of a purpose or contrast clause ('pour compenser', 'alors que')."""
    token = doc[index]
    if token.text in CLAUSE_BREAKS:
        return True
    following = doc[index + 1] if index + 1 < len(doc) else None
    if following is None:
        return False
    if token.lower_ in _PURPOSE_MARKERS:
        # "pour compenser", "afin de les remplacer", "avant de la reconnaître": an infinitive, maybe after a clitic.
        after = doc[index + 1 : index + 4]
        return any(t.pos_ in ("VERB", "AUX") and "Inf" in t.morph.get("VerbForm", None) for t in after)
    return token.lower_ in _CONTRAST_MARKERS and following.lower_ in ("que", "qu'", "qu’")


def clause_end(doc: Doc, start: int, limit: int) -> int:
    """Where the clause that follows a counted noun ends: at punctuation, unless it opens an aside.

    "15 000 troupes, avec des pertes importantes" must not read the losses as the troops' fate, while
    "10 000 soldats, selon Séoul, ont été tués" must read past the attribution.
    """
    index = start
    while index < limit:
        if clause_break(doc, index):
            if doc[index].text not in CLAUSE_BREAKS or not _opens_aside(doc, index + 1):
                return index
            closing = next((j for j in range(index + 1, limit) if doc[j].text in CLAUSE_BREAKS), limit)
            if closing + 1 < limit and doc[closing + 1].lower_ in ("qui", "que", "qu'", "qu’", "dont"):
                return closing  # "selon l'état-major, qui évoque aussi ...": the relative is about the source
            index = closing + 1
            continue
        index += 1
    return limit


def clause_start(doc: Doc, end: int, limit: int) -> int:
    """Where the clause before a quantity starts: after the last break, reading back over an aside.

    "Pour compenser ses pertes, Pyongyang a envoyé 3 000 soldats" must not read the losses as the soldiers',
    while "envoyant, selon les rapports, 11 000 soldats" must reach the verb before the attribution.
    """
    index = end - 1
    while index >= limit:
        if clause_break(doc, index):
            if doc[index].text not in CLAUSE_BREAKS:
                return index + 1
            opening = next((j for j in range(index - 1, limit - 1, -1) if doc[j].text in CLAUSE_BREAKS), limit - 1)
            if not _opens_aside(doc, opening + 1):
                return index + 1
            if opening < limit:
                return limit
            index = opening - 1
            continue
        index -= 1
    return limit


# --- what the parse says of a counted noun and a figure (pipeline.claims.figures)


def one_of(doc: Doc, noun: int) -> bool:
    """'un soldat', 'une recrue': a singular noun right after the indefinite article, which also means one.

    Not "l'un des soldats" (the noun is plural) nor "un de ses soldats" (the article is not next to it).
    """
    token = doc[noun]
    return (noun > 0 and doc[noun - 1].lower_ in ("un", "une") and "Plur" not in token.morph.get("Number", None)
            and not token.lower_.endswith(("s", "x")))


def linked(doc: Doc, end: int, start: int) -> bool:
    """Whether two figures are the two ends of one change or span: "de 30 % à 50 %", "de 11 000 à 15 000"."""
    between = [token.lower_ for token in doc[end:start]]
    return between in (["à"], ["a"], ["%", "à"], ["%", "a"])


def object_of_verb(token: Token) -> bool:
    """Whether a noun is what its verb acts on: after the verb and attached to it as an object or an oblique, since
    the small model reads "a perdu 1 200 hommes" as obj, obl:arg or obl:mod from one sentence to the next."""
    head = token.head
    return head.pos_ in ("VERB", "AUX") and head.i < token.i and (token.dep_ == "obj" or token.dep_.startswith("obl"))


def anaphoric(doc: Doc, end: int) -> bool:
    """Whether a bare figure stands for a noun said before: followed by its verb ('dont 1 200 ont été tués') or by
    'd'entre eux'."""
    if end >= len(doc):
        return False
    following = doc[end]
    if following.pos_ in ("AUX", "VERB") or following.lower_ == "autres":  # "600 tués et 4 700 autres blessés"
        return True
    return following.lower_ in ("d'", "d’", "de") and end + 1 < len(doc) and doc[end + 1].lower_ == "entre"
