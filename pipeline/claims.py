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
from pipeline.nlp.dates import EventDate, resolve_dates
from pipeline.nlp.numbers import Quantity, find_figures, vague_quantity
from pipeline.records import Article, Claim, Figure
from pipeline.topic_rules import Topic

SPACY_MODEL = "fr_core_news_sm"
Phrase = tuple[str, ...]

_NEGATORS = frozenset({"pas", "jamais", "plus", "aucun", "aucune", "guere", "nullement", "ni"})
# "dement": the lookup table reads the present tense "dément" as the adjective.
_DENIALS = frozenset({"dementir", "nier", "refuter", "dementi", "infirmer", "dement"})
# "a évité de rencontrer", "a renoncé à envoyer": the event did not happen.
_AVOIDANCE = frozenset({"eviter", "refuser", "renoncer", "annuler", "reporter", "ajourner", "exclure"})
_PLACE_PREPOSITIONS = frozenset({"à", "au", "aux", "dans"})
_CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–"})
_ASIDES = frozenset({"selon", "d'après", "d’après", "citant", "comme"})
# Clauses that say why or against what, never what became of the counted men: "3 000 soldats envoyés pour
# compenser ses pertes" are sent, not lost.
_PURPOSE_MARKERS = frozenset({"pour", "afin", "avant"})  # "avant de le reconnaître" opens a new clause too
_CONTRAST_MARKERS = frozenset({"alors", "tandis"})
# "selon des informations non confirmées": the sentence says itself that nobody vouches for the claim.
_UNCONFIRMED = (("non", "confirmer"), ("non", "verifier"), ("pas", "ete", "confirmer"), ("pas", "etre", "confirmer"),
                ("inverifiable",), ("non", "confirme"), ("non", "verifie"))
# Subjects that name nobody: "il a indiqué" reports a speaker named in an earlier sentence, if any.
_PRONOUNS = frozenset({"il", "elle", "ils", "elles", "on", "nous", "je", "qui", "celui-ci", "celle-ci", "ceux-ci",
                       "lui", "cela", "ce", "c'", "c’"})
_HEDGE_LEMMAS = frozenset({"presume", "presumer", "suppose", "supposer", "pretendu", "pretendre", "accuser",
                           "soupconner", "soupconne", "allegue", "eventuel", "probablement", "vraisemblablement"})
_DETERMINERS = frozenset({"le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "ce", "cette", "ces",
                          "son", "sa", "ses", "leur", "leurs", "certains", "certaines", "plusieurs"})
_REPORTING = frozenset({"indiquer", "affirmer", "declarer", "rapporter", "estimer", "annoncer", "assurer",
                        "confirmer", "reveler", "rapporter", "ajouter", "souligner", "avancer", "evaluer",
                        "chiffrer", "precise", "preciser", "signaler", "reconnaitre", "admettre"})
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{1,9})\)")
_TITLE_SPLIT = re.compile(r"\s+[/|]\s+")
_TOTAL_WORDS = ("nombre", "total", "bilan")
# The pronoun of a reflexive verb ("s'est rendu", "s'ajoutent"), seen as a dependent of the verb.
_REFLEXIVE = frozenset({"se", "s'", "s’"})
# "arrivé en Corée du Nord", "sa visite à Pyongyang", "s'est rendu dans la capitale nord-coréenne".
_DESTINATION_PREPOSITIONS = frozenset({"en", "à", "a", "au", "aux", "dans", "vers"})
_TRIP_WINDOW = 6  # tokens from a travel cue to its destination: "est arrivé mardi soir en Corée du Nord"
# Verbs that set the cue in the future (pipeline.claims._planned), by lemma without accents.
_PLANNING = frozenset({"prevoir", "projeter", "envisager", "programmer", "planifier"})
_PLANNING_WITH_INFINITIVE = frozenset({"devoir", "aller", "compter", "prevoir", "envisager"})
_PLANNING_PASSIVE = frozenset({"attendre"})
# What a source publishes, not who it is: "selon les chiffres du ministère" names the ministère.
_FIGURE_NOUNS = frozenset({"estimation", "estimations", "chiffre", "chiffres", "évaluation", "évaluations",
                           "evaluation", "evaluations", "bilan", "bilans", "décompte", "décomptes", "données",
                           "calculs"})
# How French past participles end ("publiées", "cités", "admis", "faits"), to tell them from name parts.
_PARTICIPLE_END = re.compile(r"(?:é|i|u|[ia]t|is)(?:e?s?)$")
# Words that open an adjunct after a source, whatever the tagger calls them ("lors" is an adverb to it).
_ADJUNCT_STARTS = frozenset({"lors", "pendant", "durant", "depuis", "avant", "après", "alors", "tandis", "mais",
                             "devant", "hier", "aujourd'hui", "aujourd’hui"})
# Prepositions that stay inside a source's name: "ministère de la Défense", "Institute for the Study of War".
_SOURCE_LINKS = frozenset({"de", "du", "des", "d'", "d’", "for", "of", "pour", "la", "le", "l'", "l’"})
_RAIT_NOUNS = frozenset({"portrait", "portraits", "retrait", "retraits", "attrait", "attraits", "extrait", "extraits",
                         "trait", "traits", "abstrait", "distrait", "soustrait", "autoportrait"})
_SAME_AS_BEFORE = "same as before"  # a bare figure that counts the noun of the figure before it


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
    # Actor groups, one of which must be the subject or agent of the cue verb when the parse shows one:
    # "Pyongyang a confirmé l'envoi" is an acknowledgement, "Kiev a confirmé la mort de 300 soldats" is not.
    speakers: tuple[str, ...] = ()
    # Cues that count only with a person as their object: "a reçu Kim Jong-un" is a visit, "a reçu de la
    # technologie" is not.
    hosting: tuple[Phrase, ...] = ()
    guests: tuple[Phrase, ...] = ()
    # The subject of the verb owns the counted men (who sends or loses them): "L'armée russe a perdu 1 200 hommes"
    # counts Russians, whereas "les forces ukrainiennes ont tué 300 soldats" may well count North Koreans.
    owned: bool = False
    # Words that, next to a figure, make it count something else: "3 000 soldats ... ont subi de lourdes pertes"
    # counts those who suffered the losses. A mention ("les troupes ont subi de lourdes pertes") is still one.
    figure_excludes: tuple[Phrase, ...] = ()
    # Figures under this qualitative cue are asked for or planned, not sent: "Moscou a demandé 30 000 soldats".
    hypothetical: bool = False
    # One man is news for this predicate: "un soldat nord-coréen a été capturé" counts one, where "un soldat
    # nord-coréen déployé en Russie a raconté" tells of one among thousands and stays a mention.
    singular: bool = False
    # For a `default` rule: words one of which the sentence must have (besides the cues) to take a figure by
    # default, such as the places of the war for troops sent to it.
    default_needs: tuple[Phrase, ...] = ()
    # A trip names its host by where it goes: "Poutine est arrivé en Corée du Nord" meets the North Korean side.
    # Actor group -> places that stand for it after a preposition, a few words after one of the `travel` cues.
    destinations: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    travel: tuple[Phrase, ...] = ()
    # Actor group -> verbs of giving that are a cue when that group is their subject, with no object needed: "La
    # Russie aurait aidé la Corée du Nord à moderniser ses missiles".
    given_by: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    topic: str
    rules: tuple[PredicateRule, ...]
    nouns: Mapping[str, tuple[Phrase, ...]]  # unit -> counted nouns ("soldiers": soldat, troupe, ...)
    actors: Mapping[str, tuple[Phrase, ...]]
    places: Mapping[str, tuple[Phrase, ...]]  # canonical city -> its names ("Moscou": moscou, kremlin)
    sources: Mapping[str, tuple[Phrase, ...]]  # canonical source label -> its names
    foreign: tuple[Phrase, ...] = ()  # nationalities that make a counted noun someone else's ("soldats ukrainiens")

    @property
    def cue_lemmas(self) -> frozenset[str]:
        return frozenset(p[0] for r in self.rules
                         for p in (*r.cues, *r.objects, *r.hosting, *r.travel, *(v for vs in r.given_by.values()
                                                                                 for v in vs)) if p)


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
            speakers=tuple(spec.get("speakers", [])),
            hosting=_phrases(spec.get("hosting", [])),
            guests=_phrases(spec.get("guests", [])),
            owned=bool(spec.get("owned", False)),
            figure_excludes=_phrases(spec.get("figure_excludes", [])),
            hypothetical=bool(spec.get("hypothetical", False)),
            singular=bool(spec.get("singular", False)),
            default_needs=_phrases(spec.get("default_needs", [])),
            destinations={group: _phrases(names) for group, names in dict(spec.get("destinations", {})).items()},
            travel=_phrases(spec.get("travel", [])),
            given_by={group: _phrases(verbs) for group, verbs in dict(spec.get("given_by", {})).items()},
        ))
    return Lexicon(
        topic=topic.id,
        rules=tuple(rules),
        nouns=_table(raw, "_nouns"),
        actors={group.name: tuple(lemmas for _, lemmas in group.entries) for group in topic.actors}
        | _table(raw, "_actors"),
        places=_table(raw, "_places"),
        sources=_table(raw, "_sources"),
        foreign=_phrases(raw.get("_foreign", {}).get("nationalities", [])),
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
_zone_lock = threading.Lock()


# "10 000", "10'000", "10.000": one number that the tokenizer cuts in two; not the "1 000" of "2,1 000" nor a decimal.
_GROUPED_DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}([ \u00a0\u202f'’.])\d{3}(?:\1\d{3})*(?!\d|[.,]\d)")


def merge_grouped_digits(doc: Any) -> Any:
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


def nlp() -> Any:
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
    before: list[str] = field(default_factory=list)  # the lookup lemmas of the sentence before, for context

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
        """Token indices where the phrase starts, within tokens [start, end).

        A reflexive verb ("se rendre") also matches across its auxiliary ("s'est rendu", "se sont rencontrés"),
        found by the parse: the verb with its reflexive pronoun among its dependents.
        """
        hits = []
        n = len(phrase)
        for i in range(len(self.flat) - n + 1):
            if all(self._at(i + k, phrase[k]) for k in range(n)):
                token = self.owner[i]
                if token >= start and (end is None or token < end):
                    hits.append(token)
        if n == 2 and phrase[0] == "se":
            for token in self.doc:
                if phrase[1] not in self.lemmas[token.i]:
                    continue
                for child in token.children:
                    if child.lower_ in _REFLEXIVE and child.i < token.i and child.i not in hits and (
                            child.i >= start and (end is None or child.i < end)):
                        hits.append(child.i)
            hits.sort()
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
    if _unconfirmed(lemmas):
        return None  # "selon des informations non confirmées" names no source
    for label, names in lexicon.sources.items():
        if any(_contains(lemmas, name) for name in names):
            return label
    words = _without_determiners(text.split())
    if len(words) > 2 and words[0].lower() in _FIGURE_NOUNS and (
            words[1].lower() in ("de", "du", "des") or words[1].lower().startswith(("d'", "d’"))):
        words = _without_determiners(words[1:])  # "des estimations du Pentagone" come from the Pentagone
    if all(word.lower() in _PRONOUNS for word in words):
        return None
    cleaned = " ".join(words)
    return cleaned[:80] or None


def _without_determiners(words: list[str]) -> list[str]:
    while words and words[0].lower().strip("’'") in _DETERMINERS | {"l", "d"}:
        words = words[1:]
    if words and words[0].lower().startswith(("l’", "l'", "d’", "d'")):
        words = [words[0][2:], *words[1:]]
    return words


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i : i + n]) == tuple(needle) for i in range(len(haystack) - n + 1))


def _unconfirmed(lemmas: Sequence[str]) -> bool:
    return any(_contains(lemmas, marker) for marker in _UNCONFIRMED)


def _phrase_after(doc: Any, index: int) -> str:
    """The noun phrase after a token ('selon X'): up to punctuation, a verb or a subordinate clause.

    A negated participle stays ("des informations non confirmées"), so that a source which is none is read as
    such; any other participle ends the phrase ("des estimations publiées le 2", "des responsables cités par").
    """
    words: list[str] = []
    nouns: list[Any] = []  # the phrase's nouns, one of which a participle describing it agrees with
    for token in doc[index + 1 :]:
        participle = bool(words) and token.pos_ == "VERB" and "Part" in token.morph.get("VerbForm")
        if participle and nouns and not any(_agrees(token, noun) for noun in nouns):
            words.append(token.text_with_ws)  # "l'état-major interarmées": an adjective the tagger took for a verb
            continue
        if participle and doc[token.i - 1].lower_ != "non" and _PARTICIPLE_END.search(token.lower_) and doc[
                token.i - 1].whitespace_:
            break  # a French participle of its own; the small model also tags name parts so ("Seong-kweun")
        if token.is_punct and token.text not in ("(", ")", "-", "‑", "'", "’") or (
                token.pos_ in ("VERB", "AUX") and not participle):
            break
        if token.lower_ in ("que", "qu'", "qu’", "qui", "dont"):
            break  # ", affirme qu'environ 50 %...": what follows the verb is what is said, not who says it
        if token.pos_ == "ADP" and token.lower_ not in _SOURCE_LINKS and words:
            break  # "a annoncé Sergueï Choïgou à l'issue de son entretien": the adjunct is not the source
        if words and (token.lower_ in _ADJUNCT_STARTS or _is_day_word(token)):
            break  # "a déclaré le président ukrainien lors d'une conférence de presse", "... mardi"
        words.append(token.text_with_ws)
        if token.pos_ in ("NOUN", "PROPN"):
            nouns.append(token)
        if participle:
            break
    return "".join(words)


def _agrees(word: Any, noun: Any) -> bool:
    """Whether a word may describe a noun: the same number and gender, where the tagger gives both."""
    return all(not (a := word.morph.get(f)) or not (b := noun.morph.get(f)) or a == b for f in ("Number", "Gender"))


def _opens_aside(doc: Any, index: int) -> bool:
    """'selon', 'citant', 'comme' or 'd'après' (two tokens for spaCy) at this token, or a participle in apposition:
    "1 500 soldats, déployés depuis l'automne, ont été tués" are killed, and "déployés" only describes them."""
    if index >= len(doc):
        return False
    token = doc[index]
    low = token.lower_
    if token.pos_ == "VERB" and "Part" in token.morph.get("VerbForm") and "Past" in token.morph.get("Tense"):
        return True
    return low in _ASIDES or (low in ("d'", "d’") and index + 1 < len(doc) and doc[index + 1].lower_ == "après")


def _reports(sentence: Sentence, token: Any) -> bool:
    """A reporting verb ('indiquer', 'estimer'): by any of the token's lemmas, or, for a verb whose present form
    the lookup table reads as a noun ("estime", "précise", "annonce"), by the infinitive of that form."""
    if token.pos_ != "VERB":
        return False
    following = sentence.lemmas[token.i + 1] if token.i + 1 < len(sentence.lemmas) else ()
    if "faire" in sentence.lemmas[token.i] and {"savoir", "etat"} & set(following):
        return True  # "a fait savoir", "a fait état de": the parse hangs the subject on either word
    if token.i > 0 and "faire" in sentence.lemmas[token.i - 1] and "savoir" in sentence.lemmas[token.i]:
        return True
    if any(child.lower_ in _REFLEXIVE and child.i < token.i for child in token.children):
        return False  # "ces renforts s'ajoutent aux 11 000 soldats", "il s'est dit inquiet": nobody reports
    lemmas = set(sentence.lemmas[token.i])
    if token.lower_.endswith("e"):
        lemmas.add(strip_accents(token.lower_) + "r")
    return bool(lemmas & _REPORTING)


def _incise(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """The inverted subject of a reporting clause after a comma: ', a indiqué l'état-major', ', affirme Kiev'."""
    doc = sentence.doc
    for token in doc:
        if not _reports(sentence, token):
            continue
        before = token.i - 1
        while before >= 0 and doc[before].pos_ == "AUX":
            before -= 1
        if before < 0 or doc[before].text not in (",", "(", "—", "–"):
            continue
        start = token.i
        while start + 1 < len(doc) and (doc[start + 1].pos_ == "ADV" or _is_day_word(doc[start + 1])):
            start += 1  # "a rapporté jeudi l'agence KCNA", "a également indiqué le ministère"
        if found := _clean_source(_phrase_after(doc, start), lexicon):
            return found
    return None


def _is_day_word(token: Any) -> bool:
    return token.lower_ in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier",
                            "soir", "matin")


def _subject_spans(verb: Any) -> list[tuple[int, int]]:
    """Token ranges of who does what a verb says: its agent in the passive ('confirmé par Kiev'), else its subject.

    Pronouns are left out ("il a indiqué" names nobody here), but the small model splits "Kim Jong-un" and takes
    "un" for a pronoun subject: then the words before the verb, back to the clause start, stand for it.
    """
    doc = verb.doc
    passive = any(c.dep_ == "aux:pass" for c in verb.children)  # "l'effectif est estimé à": no speaker
    subjects = [c for c in verb.children if c.dep_ == "obl:agent" or c.dep_ == "nsubj" and not passive]
    subjects = [c for c in subjects if c.dep_ == "obl:agent"] or subjects
    spans = []
    for subject in subjects:
        if subject.pos_ in ("PROPN", "NOUN"):
            tokens = [t.i for t in subject.subtree if t.dep_ != "case" or t.i > subject.i]
            spans.append((min(tokens), max(tokens) + 1))
        elif subject.pos_ == "PRON" and subject.lower_ not in _PRONOUNS and len(list(subject.subtree)) > 1:
            tokens = [t.i for t in subject.subtree]  # "l'un des soldats capturés a demandé": the soldier speaks
            spans.append((min(tokens), max(tokens) + 1))
        elif subject.pos_ == "PRON" and subject.lower_ not in _PRONOUNS:
            first = min([verb.i, *(c.i for c in verb.children if c.dep_.startswith("aux"))])
            start = first
            while start > 0 and doc[start - 1].text not in _CLAUSE_BREAKS and doc[start - 1].pos_ not in (
                    "SCONJ", "VERB"):
                start -= 1
            if start < first:
                spans.append((start, first))
    return spans


def _subject_source(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """'X a indiqué que ...': the subject of a reporting verb, or the agent of a passive one ('confirmé par X')."""
    doc = sentence.doc
    for token in doc:
        if not _reports(sentence, token):
            continue
        for start, end in _subject_spans(token):
            if found := _clean_source(doc[start:end].text, lexicon):
                return found
    return None


def attribution(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """Who the sentence says the claim comes from.

    In order: 'citant X' (the source behind the source), 'selon X' / 'd'après X', the inverted subject of a
    closing incise ('..., a indiqué X'), the subject of a reporting verb ('X a affirmé que'), an organisation
    named after a reporting verb.
    """
    doc = sentence.doc
    for marker in ("citant", "citer"):
        for i, group in enumerate(sentence.lemmas):
            if marker not in group or i + 1 < len(doc) and doc[i + 1].lower_ == "par":
                continue  # "des responsables cités par la presse": the press relays, the officials are the source
            if found := _clean_source(_phrase_after(doc, i), lexicon):
                return found
    for i, token in enumerate(doc):
        low = token.lower_
        after = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        if low in ("selon", "d'après", "d’après"):
            marker_end = i
        elif low in ("d'", "d’", "de") and after in ("après", "source", "sources"):  # spaCy splits "d'après"
            marker_end = i + 1 if after == "après" else i
        else:
            continue
        if found := _clean_source(_phrase_after(doc, marker_end), lexicon):
            return found
    if found := _incise(sentence, lexicon) or _subject_source(sentence, lexicon):
        return found
    for ent in doc.ents:  # "a rapporté l'agence KCNA": the source after its verb
        if ent.label_ == "ORG" and ent.start > 0 and any(_reports(sentence, t) for t in doc[: ent.start]):
            return _clean_source(ent.text, lexicon)
    return None


def hedged(sentence: Sentence, start: int = 0, end: int | None = None) -> bool:
    """Conditional mood ('auraient été tués'), 'présumé', 'accusé de' and their kin, or 'non confirmé'."""
    for token in sentence.doc[start:end]:
        if "Cnd" in token.morph.get("Mood") or _conditional_form(token):
            return True
    if _unconfirmed(sentence.flat):
        return True
    return any(set(group) & _HEDGE_LEMMAS for group in sentence.lemmas[start:end])


def _conditional_form(token: Any) -> bool:
    """A conditional the small model missed: it tags "fournirait" as an imperfect and "aideraient" as an adverb.

    Every conditional ends in -rait or -raient; the imperfects that do too are those of verbs whose stem ends in r
    ("tirait" is "tir" + "ait", "tirer" being its infinitive), and a few nouns ("portrait", "retrait").
    """
    form = token.lower_
    ending = next((e for e in ("raient", "rait") if form.endswith(e)), None)
    if ending is None or token.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") or form in _RAIT_NOUNS:
        return False
    stem = form[: -len(ending) + 1]  # what precedes "ait" or "aient", its final r included
    return strip_accents(token.lemma_.lower()) not in (strip_accents(stem) + "er", strip_accents(stem) + "ir")


def negated(sentence: Sentence, start: int, end: int) -> bool:
    """'aucun soldat', 'n'ont pas été envoyés', 'non confirmé', or a denial earlier in the clause ('Pyongyang nie
    avoir envoyé'); "Moscou a longtemps nié leur présence, avant de la reconnaître en avril" acknowledges it."""
    if any(set(group) & _DENIALS for group in sentence.lemmas[_clause_start(sentence.doc, start, 0) : end]):
        return True
    window = sentence.lemmas[max(start - 3, 0) : end]
    flat = [lemma for group in window for lemma in group]
    if "aucun" in flat or _AVOIDANCE & set(flat[:4]):
        return True
    if start > 0 and sentence.doc[start - 1].lower_ == "non":
        return True  # "des informations non confirmées"
    if _denied_clause(sentence, start):
        return True
    if "ne" in flat and any(w in _NEGATORS for w in flat):
        return True
    return _negated_verb(sentence.doc[start])


def _denied_clause(sentence: Sentence, start: int) -> bool:
    """Whether the token sits in a clause a denial governs: "Kiev dément que des soldats aient été capturés".

    Only a complement clause: in "a longtemps nié leur présence, avant de la reconnaître", the acknowledgement is
    an adverbial clause and stands.
    """
    token = sentence.doc[start]
    for _ in range(6):
        head = token.head
        if head.i == token.i:
            return False
        if token.dep_ in ("ccomp", "xcomp") and set(sentence.lemmas[head.i]) & _DENIALS:
            return True
        token = head
    return False


def _negated_verb(token: Any) -> bool:
    """'la Corée du Nord n'avait plus envoyé de troupes': the 'ne' sits on the verb that governs the noun,
    further back than any window would reach."""
    head = token
    for _ in range(3):
        if head.pos_ in ("VERB", "AUX"):
            return any(c.lower_ in ("ne", "n'", "n’") for c in head.children)
        if head.head is head:
            return False
        head = head.head
    return False


def _clause_break(doc: Any, index: int) -> bool:
    """Punctuation, or the start of a purpose or contrast clause ('pour compenser', 'alors que')."""
    token = doc[index]
    if token.text in _CLAUSE_BREAKS:
        return True
    following = doc[index + 1] if index + 1 < len(doc) else None
    if following is None:
        return False
    if token.lower_ in _PURPOSE_MARKERS:
        # "pour compenser", "afin de les remplacer", "avant de la reconnaître": an infinitive, maybe after a clitic.
        return any(t.pos_ in ("VERB", "AUX") and "Inf" in t.morph.get("VerbForm") for t in doc[index + 1 : index + 4])
    return token.lower_ in _CONTRAST_MARKERS and following.lower_ in ("que", "qu'", "qu’")


def _clause_end(doc: Any, start: int, limit: int) -> int:
    """Where the clause that follows a counted noun ends: at punctuation, unless it opens an aside.

    "15 000 troupes, avec des pertes importantes" must not read the losses as the troops' fate, while
    "10 000 soldats, selon Séoul, ont été tués" must read past the attribution.
    """
    index = start
    while index < limit:
        if _clause_break(doc, index):
            if doc[index].text not in _CLAUSE_BREAKS or not _opens_aside(doc, index + 1):
                return index
            closing = next((j for j in range(index + 1, limit) if doc[j].text in _CLAUSE_BREAKS), limit)
            if closing + 1 < limit and doc[closing + 1].lower_ in ("qui", "que", "qu'", "qu’", "dont"):
                return closing  # "selon l'état-major, qui évoque aussi ...": the relative is about the source
            index = closing + 1
            continue
        index += 1
    return limit


def _clause_start(doc: Any, end: int, limit: int) -> int:
    """Where the clause before a quantity starts: after the last break, reading back over an aside.

    "Pour compenser ses pertes, Pyongyang a envoyé 3 000 soldats" must not read the losses as the soldiers',
    while "envoyant, selon les rapports, 11 000 soldats" must reach the verb before the attribution.
    """
    index = end - 1
    while index >= limit:
        if _clause_break(doc, index):
            if doc[index].text not in _CLAUSE_BREAKS:
                return index + 1
            opening = next((j for j in range(index - 1, limit - 1, -1) if doc[j].text in _CLAUSE_BREAKS), limit - 1)
            if not _opens_aside(doc, opening + 1):
                return index + 1
            if opening < limit:
                return limit
            index = opening - 1
            continue
        index -= 1
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
        return self._candidates(sentences(article))

    def _candidates(self, texts: Sequence[str]) -> list[tuple[int, str]]:
        return [(index, text) for index, text in enumerate(texts) if self._cues & set(normalise(text))]

    def extract(self, article: Article) -> list[Claim]:
        texts = sentences(article)
        kept = self._candidates(texts)
        if not kept:
            return []
        # Every new token adds a string to spaCy's vocabulary for good: over weeks of news (every figure, every
        # name) the monitor's memory would only grow. A memory zone frees what this article added when it closes;
        # zones cannot overlap, so one article at a time goes through spaCy.
        model = nlp()
        with _zone_lock, model.memory_zone():
            return self._claims(article, texts, kept, list(model.pipe([text for _, text in kept])))

    def _claims(self, article: Article, texts: Sequence[str], kept: list[tuple[int, str]], docs: list[Any]
                ) -> list[Claim]:
        claims: list[Claim] = []
        previous_actor: set[str] = set()
        previous: tuple[int, str | None] = (-2, None)  # the last sentence's position and the unit it counted last
        for (position, _), doc in zip(kept, docs, strict=True):
            sentence = Sentence.of(doc)
            actors = self._actors(sentence)
            carried = previous[1] if previous[0] == position - 1 else None
            if position:
                sentence.before = normalise(texts[position - 1])
            # Who "il" or "elle" may stand for: the actors of the sentence just before, parsed or not.
            before = self._text_actors(sentence.before)
            found, last_unit = self._sentence_claims(sentence, position, actors | previous_actor, article.published,
                                                     carried, before)
            claims.extend(found)
            previous_actor = actors
            previous = (position, last_unit)
        return claims

    def _actors(self, sentence: Sentence) -> set[str]:
        return {group for group, names in self.lexicon.actors.items() if sentence.has_any(names)}

    def _text_actors(self, lemmas: Sequence[str]) -> set[str]:
        """The actor groups a sentence names, read from its lemmas alone (no parse: it may hold no cue)."""
        return {group for group, names in self.lexicon.actors.items()
                if any(_contains(lemmas, name) for name in names)}

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
        if span.quantity is not None:
            if total := self._total_of(sentence, span.start):
                return total, span.end  # "le nombre de soldats tués s'élève à 600"
            if _anaphoric(sentence.doc, span.end) or self._counts_a_cue(sentence, span.end) or sentence.has_any(
                    [(w,) for w in _TOTAL_WORDS], max(span.start - 4, 0), span.start):
                return _SAME_AS_BEFORE, span.end  # "dont 1 200 ont été tués", "portant leur nombre total à 13 000"
        return None, span.end

    def _counts_a_cue(self, sentence: Sentence, at: int) -> bool:
        """A figure right before a counting cue used as a noun: "300 tués et 2 700 blessés", "600 morts"."""
        return any(sentence.find(phrase, at, at + 1) for rule in self.lexicon.rules if rule.quantitative
                   for phrase in rule.cues)

    def _total_of(self, sentence: Sentence, before: int) -> str | None:
        """The unit of 'le nombre de <noun>' or 'le total de <noun>' earlier in the sentence, for a bare figure."""
        for word in _TOTAL_WORDS:
            for hit in sentence.find((word,), 0, before):
                for unit, nouns in self.lexicon.nouns.items():
                    if unit != "percent" and sentence.first(nouns, hit + 1, min(hit + 4, before)) is not None:
                        return unit
        return None

    def _qualifiers_end(self, sentence: Sentence, noun: int) -> int:
        """Where the adjectives after a counted noun end ('soldats russes et nord-coréens').

        Nationalities count whatever the tagger makes of them: it reads "pertes russes" as a noun and a verb.
        """
        doc = sentence.doc
        nationalities = (*self.lexicon.foreign, *self.lexicon.actors.get("coree_du_nord", ()))
        end = noun + 1
        while end < len(doc) and end <= noun + 4 and (
                doc[end].pos_ in ("ADJ", "CCONJ") or sentence.has_any(nationalities, end, end + 1)):
            end += 1
        return end

    def _foreign(self, sentence: Sentence, noun: int) -> bool:
        """Whether the adjectives after a counted noun make it someone else's ('500 soldats ukrainiens').

        "soldats russes et nord-coréens" stays ours: a North Korean qualifier among them wins.
        """
        end = self._qualifiers_end(sentence, noun)
        if not sentence.has_any(self.lexicon.foreign, noun + 1, end):
            return False
        return not sentence.has_any(self.lexicon.actors.get("coree_du_nord", ()), noun, end)

    def _mixed(self, sentence: Sentence, noun: int) -> bool:
        """'500 soldats russes et nord-coréens': North Koreans among others, so a mention whose figure is unknown."""
        end = self._qualifiers_end(sentence, noun)
        names = self.lexicon.actors.get("coree_du_nord", ())
        return sentence.has_any(self.lexicon.foreign, noun + 1, end) and sentence.has_any(names, noun + 1, end)

    def _owned_by_others(self, sentence: Sentence, noun: int) -> bool:
        """Whether a foreign subject owns the counted men: 'L'armée russe a perdu 1 200 hommes'.

        Only for the object of a verb, and never when the noun itself is North Korean ("10 000 Nord-Coréens").
        """
        names = self.lexicon.actors.get("coree_du_nord", ())
        token = sentence.doc[noun]
        if not _object_of_verb(token) or sentence.has_any(names, noun, self._qualifiers_end(sentence, noun)):
            return False
        for start, end in _subject_spans(token.head):
            if sentence.has_any(self.lexicon.foreign, start, end) and not sentence.has_any(names, start, end):
                return True
        return False

    def _governing_rule(self, sentence: Sentence, unit: str, noun: int) -> PredicateRule | None:
        """The predicate of the word the parse makes the counted noun depend on, when it is a cue.

        The verb of which the noun is subject or object ("les forces nord-coréennes auraient perdu 4 000 hommes
        depuis leur arrivée" are losses, whatever follows), or the noun it complements ("la mort de 300 soldats").
        """
        token = sentence.doc[noun]
        if token.head.i == token.i or token.dep_ not in ("nsubj", "nsubj:pass", "nmod") and not _object_of_verb(token):
            return None
        head = token.head.i
        for rule in sorted((r for r in self.lexicon.rules if r.quantitative and r.unit == unit),
                           key=lambda r: r.priority):
            if self._cue_in(sentence, rule, head, head + 1) and not sentence.has_any(rule.excludes, head, head + 1):
                return rule
        return None

    def _cue_in(self, sentence: Sentence, rule: PredicateRule, start: int, end: int) -> bool:
        """A cue of the rule in tokens [start, end); for men someone owns, one that no foreign qualifier makes someone
        else's ('les pertes russes'). "Les munitions russes" are those Pyongyang supplies a share of."""
        hits = (hit for phrase in rule.cues for hit in sentence.find(phrase, start, end))
        return any(not (rule.owned and self._foreign(sentence, hit)) for hit in hits)

    def _referential(self, sentence: Sentence, span: _Span, noun: int) -> bool:
        """'Les deux hommes ont évoqué...', 'ces trois militaires': people already introduced, not a count.

        A small number in words after 'les' or 'ces', its noun not said to be North Korean; "les deux soldats
        nord-coréens capturés" stays a figure.
        """
        doc = sentence.doc
        if span.quantity is None or span.quantity.high > 10 or any(c.isdigit() for c in span.quantity.text):
            return False
        if span.start == 0 or doc[span.start - 1].lower_ not in ("les", "ces"):
            return False
        return not sentence.has_any(self.lexicon.actors.get("coree_du_nord", ()), noun,
                                    self._qualifiers_end(sentence, noun))

    def _others_cue(self, sentence: Sentence, unit: str, start: int, end: int) -> bool:
        """Whether the clause counts someone else's men by a cue ('les pertes russes s'élèvent à 1 000 hommes'), so
        that no default predicate may claim the figure."""
        return any(self._foreign(sentence, hit) for rule in self.lexicon.rules if rule.owned and rule.unit == unit
                   for phrase in rule.cues for hit in sentence.find(phrase, start, end))

    def _requested(self, sentence: Sentence, noun: int) -> bool:
        """Whether the verb that governs a counted noun, or the verb that one completes, asks for the men rather than
        sends them: "Moscou aurait demandé à Pyongyang de lui envoyer 30 000 soldats"."""
        cues = [phrase for rule in self.lexicon.rules if rule.hypothetical for phrase in rule.cues]
        if not _object_of_verb(sentence.doc[noun]):
            return False  # "deux Nord-Coréens capturés ont demandé à être transférés" ask for nothing for Moscow
        head = sentence.doc[noun].head
        for _ in range(4):  # "La Russie a demandé à la Corée du Nord de lui fournir": the parse may hang it lower
            if sentence.has_any(cues, head.i, head.i + 1):
                return True
            if head.head.i == head.i:
                break
            head = head.head
        return False

    def _quantitative_rule(self, sentence: Sentence, unit: str, start: int, end: int, before: int,
                           fallback: bool = True, figure: bool = True) -> PredicateRule | None:
        """The predicate whose cue sits in this clause: after the quantity first, then before it.

        Without a cue, the unit's default predicate ("10 000 soldats nord-coréens en Russie"), if `fallback`.
        `figure` is False for a mention, which the rules' `figure_excludes` leave alone.
        """
        rules = sorted((r for r in self.lexicon.rules if r.quantitative and r.unit == unit), key=lambda r: r.priority)
        for lo, hi in ((start, end), (before, start)):
            for rule in rules:
                excludes = (*rule.excludes, *rule.figure_excludes) if figure else rule.excludes
                if rule.cues and self._cue_in(sentence, rule, lo, hi) and not sentence.has_any(excludes, lo, hi):
                    if rule.objects and not sentence.has_any(rule.objects, lo, hi + 6):
                        continue
                    return rule
        defaults = [r for r in rules if r.default and self._default_fits(sentence, r)]
        return defaults[0] if defaults and fallback else None

    def _default_fits(self, sentence: Sentence, rule: PredicateRule) -> bool:
        """Whether a figure without a cue may take the rule by default: the sentence, or the one before it, names
        where the rule happens ("10 000 soldats nord-coréens en Russie") or has one of its cues. "La Corée du Nord
        compte 1,2 million de militaires d'active" counts the army at home, not men sent."""
        if not rule.default_needs or sentence.has_any(rule.default_needs) or sentence.has_any(rule.cues):
            return True
        return any(_contains(sentence.before, phrase) for phrase in (*rule.default_needs, *rule.cues))

    def _sentence_claims(self, sentence: Sentence, position: int, actors: set[str], published: datetime,
                         carried_unit: str | None = None, before: set[str] | frozenset[str] = frozenset()
                         ) -> tuple[list[Claim], str | None]:
        """The claims of one sentence, and the unit it counted last (for "Parmi eux, 4 000 ont été tués" next).

        `carried_unit` is that unit from the sentence just before, `before` the actor groups that sentence names.
        """
        claims: list[Claim] = []
        source = attribution(sentence, self.lexicon)
        spans = self._spans(sentence)
        previous_unit: str | None = None
        counted_tokens: set[int] = set()
        for index, span in enumerate(spans):
            unit, noun_end = self._counted_unit(sentence, span)
            carried = False
            if unit == _SAME_AS_BEFORE or unit is None and span.quantity is None:
                if previous_unit:
                    unit = previous_unit  # "600 soldats ont été tués et des milliers ont été blessés"
                elif carried_unit and _anaphoric(sentence.doc, span.end):
                    unit, carried = carried_unit, True  # "11 000 soldats ... . Parmi eux, 4 000 ont été tués"
            if unit in (None, _SAME_AS_BEFORE) or (
                    span.quantity is not None and span.quantity.unit not in ("count", "percent")):
                continue
            # The noun of a figure is judged here, claim or not: no mention is drawn from it afterwards.
            counted_tokens.update(range(span.start, noun_end))
            noun = noun_end - 1 if noun_end > span.end else None
            rule = self._figure_rule(sentence, spans, index, unit, noun, carried)
            if rule is None or not self._actors_ok(rule, actors):
                continue
            previous_unit = unit
            figure = None
            if span.quantity is not None and not (noun is not None and self._mixed(sentence, noun)):
                figure = Figure(span.quantity.low, span.quantity.high, rule.unit)
            claims.append(Claim(
                topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=True,
                figure=figure, attributed_to=source, hedged=hedged(sentence), sentence=position,
            ))
        claims.extend(self._mentions(sentence, position, actors, source, counted_tokens,
                                     {c.predicate for c in claims}))
        claims.extend(self._suffered(sentence, position, actors, source, {c.predicate for c in claims}))
        claims.extend(self._qualitative(sentence, position, source, published, before))
        return claims, previous_unit

    def _figure_rule(self, sentence: Sentence, spans: Sequence[_Span], index: int, unit: str, noun: int | None,
                     carried: bool) -> PredicateRule | None:
        """The predicate of one figure, or None when the figure counts someone else's men or nothing claimed.

        In order: the cue the parse attaches the counted noun to, a cue in the figure's clause (after it, then
        before it), the unit's default; then the vetoes: others' men, men asked for, a negation.
        """
        doc = sentence.doc
        span = spans[index]
        if noun is not None and (self._foreign(sentence, noun) or self._referential(sentence, span, noun)):
            return None
        noun_end = noun + 1 if noun is not None else span.end
        clause_end = _clause_end(doc, noun_end, spans[index + 1].start if index + 1 < len(spans) else len(doc))
        clause_start = _clause_start(doc, span.start, spans[index - 1].end if index else 0)
        rule = self._governing_rule(sentence, unit, noun) if noun is not None else None
        if rule is None:
            rule = self._quantitative_rule(sentence, unit, span.end, clause_end, clause_start, fallback=False)
        if rule is None and not carried and not self._others_cue(sentence, unit, clause_start, clause_end) \
                and self._north_korean_so_far(sentence, clause_end):
            rule = self._quantitative_rule(sentence, unit, span.end, clause_end, clause_start)
        if rule is None or negated(sentence, span.start, clause_end):
            return None
        if noun is None:
            return rule
        if rule.owned and self._owned_by_others(sentence, noun) or self._requested(sentence, noun):
            return None
        return rule

    def _mentions(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                  counted: set[int], done: set[str]) -> Iterator[Claim]:
        """A counted noun with no number ('des soldats nord-coréens ont combattu'): a mention without figure.

        The noun must be tagged one ("nord-coréens" in "ouvriers nord-coréens" qualifies another noun, and "forcer"
        shares a lemma with "force"), and the cue must sit in its own clause.
        """
        hits = sorted((hit, unit) for unit, nouns in self.lexicon.nouns.items() for noun in nouns
                      for hit in sentence.find(noun))
        for hit, unit in hits:
            if hit in counted or sentence.doc[hit].pos_ not in ("NOUN", "PROPN"):
                continue
            rule = self._mention_rule(sentence, unit, hit)
            if rule is None or rule.name in done or not self._actors_ok(rule, actors):
                continue
            done.add(rule.name)
            figure = Figure(1, 1, rule.unit) if rule.singular and _one_of(sentence.doc, hit) else None
            yield Claim(topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=True,
                        figure=figure, attributed_to=source, hedged=hedged(sentence), sentence=position)

    def _suffered(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                  done: set[str]) -> Iterator[Claim]:
        """What counted men went through: "Les 3 000 soldats envoyés au front ont subi de lourdes pertes".

        The figure counts the men sent (the rule's `figure_excludes` keep it off the losses), and the losses are a
        claim of their own, without a figure, when no other claim of the sentence already carries them.
        """
        for rule in self.lexicon.rules:
            if not rule.figure_excludes or rule.name in done or not self._actors_ok(rule, actors):
                continue
            cues = [hit for phrase in rule.cues for hit in sentence.find(phrase)
                    if not (rule.owned and self._foreign(sentence, hit))]
            if not cues or not sentence.has_any(rule.figure_excludes) or sentence.has_any(rule.excludes):
                continue
            cue = min(cues)
            if negated(sentence, cue, _clause_end(sentence.doc, cue + 1, len(sentence.doc))):
                continue
            done.add(rule.name)
            yield Claim(topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=True,
                        attributed_to=source, hedged=hedged(sentence), sentence=position)

    def _mention_rule(self, sentence: Sentence, unit: str, noun: int) -> PredicateRule | None:
        """The predicate of a counted noun without a figure: a cue is needed, the unit's default is not enough."""
        doc = sentence.doc
        if self._foreign(sentence, noun):
            return None
        after = _clause_end(doc, noun + 1, len(doc))
        rule = self._governing_rule(sentence, unit, noun) or self._quantitative_rule(
            sentence, unit, noun, after, _clause_start(doc, noun, 0), fallback=False, figure=False)
        if rule is None or negated(sentence, noun, after):
            return None
        if rule.owned and self._owned_by_others(sentence, noun) or self._requested(sentence, noun):
            return None
        return rule

    def _north_korean_so_far(self, sentence: Sentence, end: int) -> bool:
        """Whether a figure without a cue may be North Korean troops by default.

        A sentence that names North Korea only after the figure's clause tells whose men these are not: "L'armée
        russe a perdu 1 200 hommes, alors que les soldats nord-coréens ...". One that names it before may go on
        ("Pyongyang a envoyé des renforts, portant le total à 15 000 hommes"); one that does not name it at all
        leans on the sentence before.
        """
        names = self.lexicon.actors.get("coree_du_nord", ())
        return sentence.has_any(names, 0, end) or not sentence.has_any(names)

    def _actors_ok(self, rule: PredicateRule, actors: set[str]) -> bool:
        return all(group in actors for group in rule.actors)

    # qualitative
    def _qualitative(self, sentence: Sentence, position: int, source: str | None, published: datetime,
                     before: set[str] | frozenset[str]) -> Iterator[Claim]:
        own_actors = self._actors(sentence)
        for rule in self.lexicon.rules:
            if rule.quantitative:
                continue
            cue = sentence.first(rule.cues)
            if cue is None:
                cue = self._hosting_cue(sentence, rule)
            if sentence.has_any(rule.excludes):
                continue
            if cue is None or rule.objects and not sentence.has_any(rule.objects):
                cue = self._given_cue(sentence, rule)  # needs no object: who gives to whom says it all
            if cue is None:
                continue
            missing = [group for group in rule.actors if group not in own_actors]
            if missing and not (len(missing) == 1 and (
                    missing[0] in before and _pronoun_subject(sentence, cue) or self._went_to(sentence, rule,
                                                                                              missing[0]))):
                continue  # qualitative claims need their actors in the sentence itself, or one as its "il" or goal
            if negated(sentence, cue, min(cue + 6, len(sentence.doc))):
                continue
            if rule.speakers and not self._spoken_by(sentence, cue, rule.speakers):
                continue
            act, anchor, rivals = None, cue, ()
            if rule.acts:
                found = self._act(sentence, rule)
                if found is None:
                    continue  # a treaty named without an act (signed, ratified, invoked) is not news
                act, anchor, rivals = found
            date = _date_of(sentence, anchor, published, rivals)
            event_date = str(date) if date is not None else None
            place = None
            if rule.name == "official_visit":
                place = self._place(sentence, cue)
                if event_date is None:
                    event_date = published.strftime("%Y-%m")  # a visit reported without a date is the day's news
            yield Claim(
                topic=self.lexicon.topic, predicate=rule.name, evidence=sentence.text, quantitative=False,
                attributed_to=source, hedged=hedged(sentence), place=place, act=act,
                event_date=event_date, sentence=position,
            )

    def _hosting_cue(self, sentence: Sentence, rule: PredicateRule) -> int | None:
        """A hosting verb whose object is a person: the first noun after it, a place apart, is a guest's title
        or a person's name ('a reçu au Kremlin le dirigeant nord-coréen', 'a reçu Kim Jong-un')."""
        doc = sentence.doc
        for hit in sorted(h for phrase in rule.hosting for h in sentence.find(phrase)):
            index = hit + 1
            while index < len(doc) and not _clause_break(doc, index):
                token = doc[index]
                if token.pos_ in ("NOUN", "PROPN") and not _is_day_word(token):
                    place = index > 0 and doc[index - 1].lower_ in _PLACE_PREPOSITIONS
                    if not place:
                        person = any(e.label_ == "PER" and e.start <= index < e.end for e in doc.ents)
                        if person or sentence.has_any(rule.guests, index, index + 1):
                            return hit
                        break
                index += 1
        return None

    def _spoken_by(self, sentence: Sentence, cue: int, groups: Sequence[str]) -> bool:
        """Whether the subject (or the agent, in the passive) of the cue verb is one of these actors.

        A cue whose parse shows no subject ("l'envoi, confirmé lundi, de ...") is given the benefit of the doubt.
        """
        spans = _subject_spans(sentence.doc[cue])
        if not spans:
            return True  # no subject, or a pronoun ("elle a confirmé") whose speaker is in an earlier sentence
        names = [name for group in groups for name in self.lexicon.actors.get(group, ())]
        return any(sentence.has_any(names, start, end) for start, end in spans)

    def _act(self, sentence: Sentence, rule: PredicateRule) -> tuple[str, int, tuple[int, ...]] | None:
        """The act the sentence reports, where, and where the other acts are named.

        The main verb's act comes before one that only qualifies the treaty: "La Douma a ratifié le traité conclu
        avec Pyongyang" is a ratification; "conclu" describes the treaty.
        """
        found = sorted((sentence.doc[hit].dep_ in ("acl", "amod", "acl:relcl"), hit, act)
                       for act, words in rule.acts.items() for phrase in words for hit in sentence.find(phrase))
        if not found:
            return None
        _, hit, act = found[0]
        return act, hit, tuple(other for _, other, name in found if name != act)

    def _given_cue(self, sentence: Sentence, rule: PredicateRule) -> int | None:
        """A verb of giving whose subject is the rule's giver: "La Russie aurait aidé la Corée du Nord à moderniser
        ses missiles" is aid to North Korea, "les soldats nord-coréens ont aidé la Russie" is not."""
        for group, verbs in rule.given_by.items():
            names = self.lexicon.actors.get(group, ())
            for phrase in verbs:
                for hit in sentence.find(phrase):
                    # Without a subject in the parse (the small model reads "fournit" as an adjective), the words
                    # before a finite verb in its clause stand for it; an infinitive's subject is someone else's
                    # ("La Russie a demandé à la Corée du Nord de lui fournir des soldats").
                    verb = sentence.doc[hit]
                    spans = _subject_spans(verb)
                    if not spans and not {"Inf", "Part"} & set(verb.morph.get("VerbForm")):
                        spans = [(_clause_start(sentence.doc, hit, 0), hit)]
                    if any(sentence.has_any(names, start, end) for start, end in spans):
                        return hit
        return None

    def _went_to(self, sentence: Sentence, rule: PredicateRule, group: str) -> bool:
        """Whether the sentence tells of a trip to a place of this side: "est arrivé en Corée du Nord", "sa visite
        en Russie". "a discuté de la situation en Corée du Nord" goes nowhere: a travel cue must come just before."""
        trips = [hit for phrase in rule.travel for hit in sentence.find(phrase)]
        for phrase in rule.destinations.get(group, ()):
            for hit in sentence.find(phrase):
                if hit and sentence.doc[hit - 1].lower_ in _DESTINATION_PREPOSITIONS and any(
                        0 < hit - trip <= _TRIP_WINDOW for trip in trips):
                    return True
        return False

    def _place(self, sentence: Sentence, cue: int) -> str | None:
        """The city where the meeting is: a known city after 'à', 'au' or 'dans' ('au Kremlin', 'à Pékin').

        The first such city after the meeting's cue, else the last before it ("À Moscou, Choe Son Hui a rencontré"):
        in "un soutien à Moscou lors de sa rencontre avec Choïgou, mardi à Pyongyang" they met in Pyongyang.
        A city named otherwise ("les liens entre Moscou et Pyongyang") says nothing of where anyone met.
        """
        doc = sentence.doc
        found: list[tuple[int, str]] = []
        for city, names in self.lexicon.places.items():
            for name in names:
                for hit in sentence.find(name):
                    before = {t.lower_ for t in doc[max(hit - 2, 0) : hit]}
                    if before & _PLACE_PREPOSITIONS:
                        found.append((hit, city))
        after = sorted(place for place in found if place[0] > cue)
        if after:
            return after[0][1]
        return max(found)[1] if found else None


def _one_of(doc: Any, noun: int) -> bool:
    """'un soldat', 'une recrue': a singular noun right after the indefinite article, which also means one.

    Not "l'un des soldats" (the noun is plural) nor "un de ses soldats" (the article is not next to it).
    """
    token = doc[noun]
    return (noun > 0 and doc[noun - 1].lower_ in ("un", "une") and "Plur" not in token.morph.get("Number")
            and not token.lower_.endswith(("s", "x")))


def _object_of_verb(token: Any) -> bool:
    """Whether a noun is what its verb acts on: after the verb and attached to it as an object or an oblique, since
    the small model reads "a perdu 1 200 hommes" as obj, obl:arg or obl:mod from one sentence to the next."""
    head = token.head
    return head.pos_ in ("VERB", "AUX") and head.i < token.i and (token.dep_ == "obj" or token.dep_.startswith("obl"))


def _anaphoric(doc: Any, end: int) -> bool:
    """Whether a bare figure stands for a noun said before: followed by its verb ('dont 1 200 ont été tués') or by
    'd'entre eux'."""
    if end >= len(doc):
        return False
    following = doc[end]
    if following.pos_ in ("AUX", "VERB") or following.lower_ == "autres":  # "600 tués et 4 700 autres blessés"
        return True
    return following.lower_ in ("d'", "d’", "de") and end + 1 < len(doc) and doc[end + 1].lower_ == "entre"


def _date_of(sentence: Sentence, anchor: int, published: datetime, rivals: Sequence[int] = ()) -> EventDate | None:
    """The date of the claim's cue: one the parse attaches to it, else the nearest that no rival cue owns.

    "Le traité signé en juin 2024 a été ratifié en novembre": the ratification is of November; in "a approuvé la
    ratification du traité signé en juin", June dates the signature and the ratification has no date.
    """
    doc = sentence.doc
    token = doc[anchor]
    start, end = token.idx, token.idx + len(token.text)

    def governed(mention: Any, by: Any) -> bool:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span is not None and _governed_by(span.root, by)

    def distance(mention: Any) -> int:
        return max(mention.start - end, start - mention.end, 0)

    mentions = [m for m in resolve_dates(sentence.text, published, ahead=_planned(sentence, anchor))
                if not any(governed(m, doc[rival]) for rival in rivals)]
    if not mentions:
        return None
    return min(mentions, key=lambda m: (not governed(m, token), distance(m))).date


def _planned(sentence: Sentence, anchor: int) -> bool:
    """Whether the cue tells of what is to come: "se rendra", "doit se rendre", "est attendu", "est prévue", "sa
    prochaine visite". Its dates then point ahead ("en octobre" in a June paper is the coming October).

    Read up the cue's chain of heads: a future tense, a verb of planning, or "prochain" on the cue itself.
    """
    doc = sentence.doc
    token = doc[anchor]
    if any(child.dep_ == "amod" and "prochain" in sentence.lemmas[child.i] for child in token.children):
        return True
    while True:
        if token.pos_ in ("VERB", "AUX"):
            verbs = [token, *(child for child in token.children if child.dep_.startswith("aux"))]
            if any("Fut" in verb.morph.get("Tense") for verb in verbs):
                return True
            lemmas = set(sentence.lemmas[token.i])
            if lemmas & _PLANNING:
                return True
            infinitive = any(child.dep_ == "xcomp" and "Inf" in child.morph.get("VerbForm")
                             for child in token.children)
            if lemmas & _PLANNING_WITH_INFINITIVE and infinitive:
                return True  # "doit se rendre", "va signer"; not "est allé à Moscou"
            passive = any(child.dep_ == "aux:pass" for child in token.children)
            if lemmas & _PLANNING_PASSIVE and passive:
                return True  # "est attendu à Moscou"; not "a attendu"
        if token.head.i == token.i:
            return False
        token = token.head


def _pronoun_subject(sentence: Sentence, cue: int) -> bool:
    """Whether the cue's subject is "il" or "elle": "Il doit rencontrer Vladimir Poutine", after a sentence on the
    North Korean leader. The first verb up the cue's chain of heads that has a subject decides."""
    token = sentence.doc[cue]
    while True:
        subjects = [child for child in token.children if child.dep_ in ("nsubj", "nsubj:pass")]
        if subjects:
            return any(subject.lower_ in ("il", "elle") for subject in subjects)
        if token.head.i == token.i:
            return False
        token = token.head


def _governed_by(token: Any, anchor: Any) -> bool:
    """Whether the anchor is the first verb (or itself) up the token's chain of heads."""
    while True:
        if token.i == anchor.i:
            return True
        if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
            return False
        token = token.head
