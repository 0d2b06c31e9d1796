"""Claims from an article's headline and body: predicate, figure, attribution, hedging and date, sentence by sentence.

The lexicon of each predicate lives in its topic file (pipeline/topics/*.toml, table `predicates`); this module only
knows how French news sentences are built. Sentences are split cheaply, a lemma filter keeps those that carry a
cue, and only those go through spaCy's French pipeline (morphology for the conditional mood, entities and the
parse for attributions).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.lemmas import normalise, normalise_phrase, strip_accents
from pipeline.nlp.dates import first_event_date
from pipeline.nlp.numbers import Quantity, find_figures, vague_quantity
from pipeline.records import Article, Claim, Figure
from pipeline.topic_rules import Topic

SPACY_MODEL = "fr_core_news_sm"
Phrase = tuple[str, ...]

_NEGATORS = frozenset({"pas", "jamais", "plus", "aucun", "aucune", "guere", "nullement"})
_DENIALS = frozenset({"dementir", "nier", "refuter", "dementi", "infirmer"})
# "a évité de rencontrer", "a renoncé à envoyer": the event did not happen.
_AVOIDANCE = frozenset({"eviter", "refuser", "renoncer", "annuler", "reporter", "ajourner", "exclure"})
_PLACE_PREPOSITIONS = frozenset({"à", "au", "aux", "dans"})
_CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–"})
_ASIDES = frozenset({"selon", "d'après", "d’après", "citant", "comme"})
_HEDGE_LEMMAS = frozenset({"presume", "presumer", "suppose", "supposer", "pretendu", "pretendre", "accuser",
                           "soupconner", "soupconne", "allegue", "eventuel", "probablement", "vraisemblablement"})
_DETERMINERS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "ce", "cette", "ces",
                          "son", "sa", "ses", "leur", "leurs", "certains", "certaines", "plusieurs"})
_REPORTING = frozenset({"indiquer", "affirmer", "declarer", "rapporter", "estimer", "annoncer", "assurer",
                        "confirmer", "reveler", "rapporter", "ajouter", "souligner", "avancer", "evaluer",
                        "chiffrer", "precise", "preciser", "faire savoir", "signaler"})
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{1,9})\)")
_TITLE_SPLIT = re.compile(r"\s+[/|]\s+")


@dataclass(frozen=True)
class PredicateRule:
    """One predicate's lexicon, read from the topic file."""

    name: str
    quantitative: bool
    unit: str = ""
    cues: tuple[Phrase, ...] = ()
    objects: tuple[Phrase, ...] = ()  # a qualitative cue counts only with one of these in the sentence, if given
    excludes: tuple[Phrase, ...] = ()
    actors: tuple[str, ...] = ()  # actor groups of the topic that must appear in the sentence
    priority: int = 50  # lower wins when several quantitative cues fit one figure
    default: bool = False  # the predicate of a counted noun that no other cue claims ("10 000 soldats")
    acts: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    topic: str
    rules: tuple[PredicateRule, ...]
    nouns: Mapping[str, tuple[Phrase, ...]]  # unit -> counted nouns ("soldiers": soldat, troupe, ...)
    actors: Mapping[str, tuple[Phrase, ...]]
    places: Mapping[str, tuple[Phrase, ...]]  # canonical city -> its names ("Moscou": moscou, kremlin)
    sources: Mapping[str, tuple[Phrase, ...]]  # canonical source label -> its names

    @property
    def cue_lemmas(self) -> frozenset[str]:
        return frozenset(p[0] for r in self.rules for p in (*r.cues, *r.objects) if p)


def _phrases(values: Iterable[str]) -> tuple[Phrase, ...]:
    return tuple(p for p in (normalise_phrase(v) for v in values) if p)


def _table(raw: Mapping[str, Any], key: str) -> dict[str, tuple[Phrase, ...]]:
    return {name: _phrases(values) for name, values in dict(raw.get(key, {})).items()}


def lexicon_from_topic(topic: Topic) -> Lexicon:
    """Build the lexicon from a topic's `predicates` table (its `_nouns`, `_places`, `_sources` sub-tables apart)."""
    raw = topic.predicates
    rules = []
    for name, spec in raw.items():
        if name.startswith("_"):
            continue
        rules.append(PredicateRule(
            name=name,
            quantitative=spec.get("kind", "qualitative") == "quantitative",
            unit=spec.get("unit", ""),
            cues=_phrases(spec.get("cues", [])),
            objects=_phrases(spec.get("objects", [])),
            excludes=_phrases(spec.get("excludes", [])),
            actors=tuple(spec.get("actors", [])),
            priority=int(spec.get("priority", 50)),
            default=bool(spec.get("default", False)),
            acts={act: _phrases(words) for act, words in dict(spec.get("acts", {})).items()},
        ))
    return Lexicon(
        topic=topic.id,
        rules=tuple(rules),
        nouns=_table(raw, "_nouns"),
        actors={group.name: tuple(lemmas for _, lemmas in group.entries) for group in topic.actors}
        | _table(raw, "_actors"),
        places=_table(raw, "_places"),
        sources=_table(raw, "_sources"),
    )


# --- sentences -------------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…»\"])\s+(?=[«\"A-ZÀÂÉÈÊÎÔÛÇ0-9])")
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
        pending = ""
        for piece in _SENTENCE_END.split(paragraph):
            pending = f"{pending} {piece}".strip() if pending else piece
            if _ABBREVIATIONS.search(pending):
                continue
            out.append(pending)
            pending = ""
        if pending:
            out.append(pending)
    return out


# --- spaCy -------------------------------------------------------------------------------------------------------

_nlp: Any = None
_nlp_lock = threading.Lock()


def nlp() -> Any:
    """spaCy's French pipeline, loaded once per process (about 4 s)."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy

                _nlp = spacy.load(SPACY_MODEL)
    return _nlp


# --- matching on lemmas --------------------------------------------------------------------------------------------


@dataclass
class Sentence:
    """A parsed sentence and its lemmas, matched two ways.

    Each token gives its lemmas from the lookup table (what the topic files are normalised with) and, when it is a
    single word, spaCy's own lemma as an alternative: the lookup table cannot tell "demande" the verb from the noun,
    nor read "s'" or "entretenu", which the parser, knowing the part of speech, can.
    """

    text: str
    doc: Any
    lemmas: list[tuple[str, ...]]  # per token
    flat: list[str]  # every lookup lemma in order
    alt: list[str | None]  # spaCy's lemma, unaccented, for flat entries that are a whole token
    owner: list[int]  # the token each flat lemma comes from

    @classmethod
    def of(cls, doc: Any) -> Sentence:
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
            lemmas.append(group + ((spacy_lemma,) if group_alt[0] else ()) if group else group)
            flat.extend(group)
            alt.extend(group_alt)
            owner.extend([index] * len(group))
        return cls(doc.text, doc, lemmas, flat, alt, owner)

    def _at(self, i: int, lemma: str) -> bool:
        return self.flat[i] == lemma or self.alt[i] == lemma

    def find(self, phrase: Phrase, start: int = 0, end: int | None = None) -> list[int]:
        """Token indices where the phrase starts, within tokens [start, end)."""
        hits = []
        n = len(phrase)
        for i in range(len(self.flat) - n + 1):
            if all(self._at(i + k, phrase[k]) for k in range(n)):
                token = self.owner[i]
                if token >= start and (end is None or token < end):
                    hits.append(token)
        return hits

    def has_any(self, phrases: Iterable[Phrase], start: int = 0, end: int | None = None) -> bool:
        return any(self.find(p, start, end) for p in phrases)

    def first(self, phrases: Iterable[Phrase], start: int = 0, end: int | None = None) -> int | None:
        hits = [h for p in phrases for h in self.find(p, start, end)]
        return min(hits) if hits else None


# --- attribution, hedging, negation ----------------------------------------------------------------------------


def _clean_source(text: str, lexicon: Lexicon) -> str | None:
    text = text.strip(" ,;:.«»\"'()")
    if not text:
        return None
    if acronym := _ACRONYM.search(text):
        return acronym.group(1)
    lemmas = tuple(normalise(text))
    for label, names in lexicon.sources.items():
        if any(_contains(lemmas, name) for name in names):
            return label
    words = text.split()
    while words and words[0].lower().strip("’'") in _DETERMINERS | {"l", "d"}:
        words = words[1:]
    if words and words[0].lower().startswith(("l’", "l'", "d’", "d'")):
        words[0] = words[0][2:]
    cleaned = " ".join(words)
    return cleaned[:80] or None


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def _phrase_after(doc: Any, index: int) -> str:
    """The noun phrase after a token ('selon X'): up to punctuation, a verb or a subordinate clause."""
    words = []
    for token in doc[index + 1 :]:
        if token.is_punct and token.text not in ("(", ")", "-", "‑", "'", "’") or token.pos_ in ("VERB", "AUX"):
            break
        if token.lower_ in ("que", "qu'", "qu’", "qui", "dont") and words:
            break
        words.append(token.text_with_ws)
    return "".join(words)


def attribution(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """Who the sentence says the claim comes from: 'citant X' beats 'selon X', which beats 'X a indiqué'."""
    doc = sentence.doc
    for marker in ("citant", "citer"):
        for i, group in enumerate(sentence.lemmas):
            if marker in group:
                if found := _clean_source(_phrase_after(doc, i), lexicon):
                    return found
    for i, token in enumerate(doc):
        low = token.lower_
        if low in ("selon", "d'après", "d’après") or (low == "de" and i + 1 < len(doc) and doc[i + 1].lower_ ==
                                                       "source"):
            if found := _clean_source(_phrase_after(doc, i + (1 if low == "de" else 0)), lexicon):
                return found
    for token in doc:
        if token.pos_ == "VERB" and sentence.lemmas[token.i] and sentence.lemmas[token.i][0] in _REPORTING:
            subjects = [c for c in token.children if c.dep_.startswith("nsubj")]
            for subject in subjects:
                phrase = "".join(t.text_with_ws for t in subject.subtree)
                if subject.pos_ in ("PROPN", "NOUN") and (found := _clean_source(phrase, lexicon)):
                    return found
    for ent in doc.ents:  # "a rapporté jeudi l'agence KCNA": the source after its verb
        if ent.label_ == "ORG" and ent.start > 0 and any(
                sentence.lemmas[t.i] and sentence.lemmas[t.i][0] in _REPORTING for t in doc[: ent.start]):
            return _clean_source(ent.text, lexicon)
    return None


def hedged(sentence: Sentence, start: int = 0, end: int | None = None) -> bool:
    """Conditional mood ('auraient été tués'), or 'présumé', 'accusé de' and their kin."""
    for token in sentence.doc[start:end]:
        if "Cnd" in token.morph.get("Mood"):
            return True
    return any(set(group) & _HEDGE_LEMMAS for group in sentence.lemmas[start:end])


def negated(sentence: Sentence, start: int, end: int) -> bool:
    """'aucun soldat', 'n'ont pas été envoyés', or a denial of the whole sentence."""
    if any(set(group) & _DENIALS for group in sentence.lemmas):
        return True
    window = sentence.lemmas[max(start - 3, 0) : end]
    flat = [lemma for group in window for lemma in group]
    if "aucun" in flat or _AVOIDANCE & set(flat[:4]):
        return True
    return "ne" in flat and any(w in _NEGATORS for w in flat)


def _clause_end(doc: Any, start: int, limit: int) -> int:
    """Where the clause that follows a counted noun ends: at punctuation, unless it opens an aside.

    "15 000 troupes, avec des pertes importantes" must not read the losses as the troops' fate, while
    "10 000 soldats, selon Séoul, ont été tués" must read past the attribution.
    """
    index = start
    while index < limit:
        if doc[index].text in _CLAUSE_BREAKS:
            following = doc[index + 1].lower_ if index + 1 < len(doc) else ""
            if following not in _ASIDES:
                return index
            closing = next((j for j in range(index + 1, limit) if doc[j].text in _CLAUSE_BREAKS), limit)
            index = closing + 1
            continue
        index += 1
    return limit


# --- the extractor ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    start: int  # token indices
    end: int
    quantity: Quantity | None  # None for a vague quantity ("des milliers")


class ClaimExtractor:
    """Claims of one topic in an article. Holds no state between articles."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._cues = lexicon.cue_lemmas

    def candidates(self, article: Article) -> list[tuple[int, str]]:
        """The cheap filter: sentences with at least one cue lemma, and their position."""
        kept = []
        for index, text in enumerate(sentences(article)):
            if self._cues & set(normalise(text)):
                kept.append((index, text))
        return kept

    def extract(self, article: Article) -> list[Claim]:
        kept = self.candidates(article)
        docs = list(nlp().pipe([text for _, text in kept])) if kept else []
        claims: list[Claim] = []
        previous_actor: set[str] = set()
        for (position, _), doc in zip(kept, docs, strict=True):
            sentence = Sentence.of(doc)
            actors = self._actors(sentence)
            claims.extend(self._sentence_claims(sentence, position, actors | previous_actor, article.published))
            previous_actor = actors
        return claims

    def _actors(self, sentence: Sentence) -> set[str]:
        return {group for group, names in self.lexicon.actors.items() if sentence.has_any(names)}

    # quantitative
    def _spans(self, sentence: Sentence) -> list[_Span]:
        doc = sentence.doc
        spans = []
        for quantity in find_figures(doc.text):
            span = doc.char_span(quantity.start, quantity.end, alignment_mode="expand")
            if span is not None:
                spans.append(_Span(span.start, span.end, quantity))
        for start, end, _ in vague_quantity(doc.text):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and not any(s.start <= span.start < s.end for s in spans):
                spans.append(_Span(span.start, span.end, None))
        return sorted(spans, key=lambda s: s.start)

    def _counted_unit(self, sentence: Sentence, span: _Span) -> tuple[str | None, int]:
        """The unit of the noun a quantity counts, and where that noun ends ('10 000 soldats nord-coréens')."""
        if span.quantity is not None and span.quantity.unit == "percent":
            return "percent", span.end
        window_end = min(span.end + 4, len(sentence.doc))
        best: tuple[int, str] | None = None
        for unit, nouns in self.lexicon.nouns.items():
            if unit == "percent":
                continue
            hit = sentence.first(nouns, span.end, window_end)
            if hit is not None and (best is None or hit < best[0]):
                best = (hit, unit)
        if best is not None:
            return best[1], best[0] + 1
        return None, span.end

    def _quantitative_rule(self, sentence: Sentence, unit: str, start: int, end: int, before: int
                           ) -> PredicateRule | None:
        """The predicate whose cue sits in this clause: after the quantity first, then before it."""
        rules = sorted((r for r in self.lexicon.rules if r.quantitative and r.unit == unit), key=lambda r: r.priority)
        for lo, hi in ((start, end), (before, start)):
            for rule in rules:
                if rule.cues and sentence.has_any(rule.cues, lo, hi) and not sentence.has_any(rule.excludes, lo, hi):
                    if rule.objects and not sentence.has_any(rule.objects, lo, hi + 6):
                        continue
                    return rule
        defaults = [r for r in rules if r.default]
        return defaults[0] if defaults else None

    def _sentence_claims(self, sentence: Sentence, position: int, actors: set[str], published: datetime
                         ) -> list[Claim]:
        claims: list[Claim] = []
        source = attribution(sentence, self.lexicon)
        spans = self._spans(sentence)
        previous_unit: str | None = None
        counted_tokens: set[int] = set()
        for index, span in enumerate(spans):
            unit, noun_end = self._counted_unit(sentence, span)
            if unit is None and span.quantity is None and previous_unit:
                unit = previous_unit  # "600 soldats ont été tués et des milliers ont été blessés"
            if unit is None or (span.quantity is not None and span.quantity.unit not in ("count", "percent")):
                continue
            clause_end = spans[index + 1].start if index + 1 < len(spans) else len(sentence.doc)
            clause_end = _clause_end(sentence.doc, noun_end, clause_end)
            clause_start = spans[index - 1].end if index else 0
            rule = self._quantitative_rule(sentence, unit, span.end, clause_end, clause_start)
            if rule is None or not self._actors_ok(rule, actors):
                continue
            if negated(sentence, span.start, clause_end):
                continue
            previous_unit = unit
            counted_tokens.update(range(span.start, noun_end))
            figure = None
            if span.quantity is not None:
                figure = Figure(span.quantity.low, span.quantity.high, rule.unit)
            claims.append(Claim(
                topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=True,
                figure=figure, attributed_to=source, hedged=hedged(sentence), sentence=position,
            ))
        claims.extend(self._mentions(sentence, position, actors, source, counted_tokens,
                                     {c.predicate for c in claims}))
        claims.extend(self._qualitative(sentence, position, actors, source, published))
        return claims

    def _mentions(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                  counted: set[int], done: set[str]) -> Iterator[Claim]:
        """A counted noun with no number ('des soldats nord-coréens ont combattu'): a mention without figure."""
        for unit, nouns in self.lexicon.nouns.items():
            for noun in nouns:
                for hit in sentence.find(noun):
                    if hit in counted:
                        continue
                    rule = self._quantitative_rule(sentence, unit, hit, len(sentence.doc), 0)
                    if rule is None or rule.name in done or rule.default and not rule.cues:
                        continue
                    if not rule.cues or not sentence.has_any(rule.cues):
                        continue
                    if not self._actors_ok(rule, actors) or negated(sentence, hit, len(sentence.doc)):
                        continue
                    done.add(rule.name)
                    yield Claim(topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text,
                                quantitative=True, attributed_to=source, hedged=hedged(sentence), sentence=position)

    def _actors_ok(self, rule: PredicateRule, actors: set[str]) -> bool:
        return all(group in actors for group in rule.actors)

    # qualitative
    def _qualitative(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                     published: datetime) -> Iterator[Claim]:
        own_actors = self._actors(sentence)
        for rule in self.lexicon.rules:
            if rule.quantitative:
                continue
            cue = sentence.first(rule.cues)
            if cue is None or sentence.has_any(rule.excludes):
                continue
            if rule.objects and not sentence.has_any(rule.objects):
                continue
            if not all(group in own_actors for group in rule.actors):
                continue  # qualitative claims need their actors in the sentence itself
            if negated(sentence, cue, min(cue + 6, len(sentence.doc))):
                continue
            act = None
            if rule.acts:
                act = next((name for name, words in rule.acts.items() if sentence.has_any(words)), None)
                if act is None:
                    continue  # a treaty named without an act (signed, ratified, invoked) is not news
            date = first_event_date(sentence.text, published)
            event_date = str(date) if date is not None else None
            if rule.name == "official_visit" and event_date is None:
                event_date = published.strftime("%Y-%m")  # a visit reported without a date is the day's news
            yield Claim(
                topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=False,
                attributed_to=source, hedged=hedged(sentence), place=self._place(sentence), act=act,
                event_date=event_date, sentence=position,
            )

    def _place(self, sentence: Sentence) -> str | None:
        """The city where the meeting is: a known city after 'à', 'au' or 'dans' ('au Kremlin', 'à Pékin').

        A city named otherwise ("les liens entre Moscou et Pyongyang") says nothing of where anyone met.
        """
        doc = sentence.doc
        best: tuple[int, str] | None = None
        for city, names in self.lexicon.places.items():
            for name in names:
                for hit in sentence.find(name):
                    before = {t.lower_ for t in doc[max(hit - 2, 0) : hit]}
                    if before & _PLACE_PREPOSITIONS and (best is None or hit < best[0]):
                        best = (hit, city)
        return best[1] if best else None
