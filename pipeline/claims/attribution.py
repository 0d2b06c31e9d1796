"""Who a claim's sentence says it comes from, and whether it hedges or denies it.

Read from the parse of one sentence (pipeline.claims.parsing): 'citant X', 'selon X', an inverted incise ('...,
a indiqué X'), the subject of a reporting verb; the conditional mood and its kin; negations and denials.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from pipeline.claims.lexicon import Lexicon
from pipeline.claims.parsing import CLAUSE_BREAKS, REFLEXIVE, Sentence, clause_start, contains
from pipeline.language.lemmas import normalise, strip_accents
from pipeline.language.words import french

_FR = french().attribution  # the words, from pipeline/language/data/fr.toml
_NEGATORS = _FR.negators
# "dement": the lookup table reads the present tense "dément" as the adjective.
_DENIALS = _FR.denials
# "a évité de rencontrer", "a renoncé à envoyer": the event did not happen.
_AVOIDANCE = _FR.avoidance
# "selon des informations non confirmées": the sentence says itself that nobody vouches for the claim.
_UNCONFIRMED = _FR.unconfirmed
# Subjects that name nobody: "il a indiqué" reports a speaker named in an earlier sentence, if any.
_PRONOUNS = _FR.pronouns
_HEDGE_LEMMAS = _FR.hedges
_DETERMINERS = _FR.determiners
_REPORTING = _FR.reporting_verbs
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{1,9})\)")
# What a source publishes, not who it is: "selon les chiffres du ministère" names the ministère.
_FIGURE_NOUNS = _FR.figure_nouns
# How French past participles end ("publiées", "cités", "admis", "faits"), to tell them from name parts.
_PARTICIPLE_END = re.compile(r"(?:é|i|u|[ia]t|is)(?:e?s?)$")
# Words that open an adjunct after a source, whatever the tagger calls them ("lors" is an adverb to it).
_ADJUNCT_STARTS = _FR.adjunct_starts
# Prepositions that stay inside a source's name: "ministère de la Défense", "Institute for the Study of War".
_SOURCE_LINKS = _FR.source_links
_RAIT_NOUNS = _FR.rait_nouns


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
        if any(contains(lemmas, name) for name in names):
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


def _unconfirmed(lemmas: Sequence[str]) -> bool:
    return any(contains(lemmas, marker) for marker in _UNCONFIRMED)


def _phrase_after(doc: Doc, index: int) -> str:
    """The noun phrase after a token ('selon X'): up to punctuation, a verb or a subordinate clause.

    A negated participle stays ("des informations non confirmées"), so that a source which is none is read as
    such; any other participle ends the phrase ("des estimations publiées le 2", "des responsables cités par").
    """
    words: list[str] = []
    nouns: list[Token] = []  # the phrase's nouns, one of which a participle describing it agrees with
    for token in doc[index + 1 :]:
        participle = bool(words) and token.pos_ == "VERB" and "Part" in token.morph.get("VerbForm", None)
        if participle and nouns and not any(_agrees(token, noun) for noun in nouns):
            words.append(token.text_with_ws)  # "l'état-major interarmées": an adjective the tagger took for a verb
            continue
        if participle and doc[token.i - 1].lower_ != "non" and _PARTICIPLE_END.search(token.lower_) and doc[
                token.i - 1].whitespace_:
            break  # a French participle of its own; the small model also tags name parts so ("Seong-kweun")
        if (token.is_punct and token.text not in ("(", ")", "-", "‑", "'", "’")) or (
                token.pos_ in ("VERB", "AUX") and not participle):
            break
        if token.lower_ in ("que", "qu'", "qu’", "qui", "dont"):
            break  # ", affirme qu'environ 50 %...": what follows the verb is what is said, not who says it
        if token.pos_ == "ADP" and token.lower_ not in _SOURCE_LINKS and words:
            break  # "a annoncé Sergueï Choïgou à l'issue de son entretien": the adjunct is not the source
        if words and (token.lower_ in _ADJUNCT_STARTS or is_day_word(token)):
            break  # "a déclaré le président ukrainien lors d'une conférence de presse", "... mardi"
        words.append(token.text_with_ws)
        if token.pos_ in ("NOUN", "PROPN"):
            nouns.append(token)
        if participle:
            break
    return "".join(words)


def _agrees(word: Token, noun: Token) -> bool:
    """Whether a word may describe a noun: the same number and gender, where the tagger gives both."""
    return all(not (a := word.morph.get(f, None)) or not (b := noun.morph.get(f, None)) or a == b
               for f in ("Number", "Gender"))


def _reports(sentence: Sentence, token: Token) -> bool:
    """A reporting verb ('indiquer', 'estimer'): by any of the token's lemmas, or, for a verb whose present form
    the lookup table reads as a noun ("estime", "précise", "annonce"), by the infinitive of that form."""
    if token.pos_ != "VERB":
        return False
    following = sentence.lemmas[token.i + 1] if token.i + 1 < len(sentence.lemmas) else ()
    if "faire" in sentence.lemmas[token.i] and {"savoir", "etat"} & set(following):
        return True  # "a fait savoir", "a fait état de": the parse hangs the subject on either word
    if token.i > 0 and "faire" in sentence.lemmas[token.i - 1] and "savoir" in sentence.lemmas[token.i]:
        return True
    if any(child.lower_ in REFLEXIVE and child.i < token.i for child in token.children):
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
        while start + 1 < len(doc) and (doc[start + 1].pos_ == "ADV" or is_day_word(doc[start + 1])):
            start += 1  # "a rapporté jeudi l'agence KCNA", "a également indiqué le ministère"
        if found := _clean_source(_phrase_after(doc, start), lexicon):
            return found
    return None


def is_day_word(token: Token) -> bool:
    return token.lower_ in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "hier",
                            "soir", "matin")


def subject_spans(verb: Token) -> list[tuple[int, int]]:
    """Token ranges of who does what a verb says: its agent in the passive ('confirmé par Kiev'), else its subject.

    Pronouns are left out ("il a indiqué" names nobody here), but the small model splits "Kim Jong-un" and takes
    "un" for a pronoun subject: then the words before the verb, back to the clause start, stand for it.
    """
    doc = verb.doc
    passive = any(c.dep_ == "aux:pass" for c in verb.children)  # "l'effectif est estimé à": no speaker
    subjects = [c for c in verb.children if c.dep_ == "obl:agent" or (c.dep_ == "nsubj" and not passive)]
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
            while start > 0 and doc[start - 1].text not in CLAUSE_BREAKS and doc[start - 1].pos_ not in (
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
        for start, end in subject_spans(token):
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
            if marker not in group or (i + 1 < len(doc) and doc[i + 1].lower_ == "par"):
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
        if "Cnd" in token.morph.get("Mood", None) or _conditional_form(token):
            return True
    if _unconfirmed(sentence.flat):
        return True
    return any(set(group) & _HEDGE_LEMMAS for group in sentence.lemmas[start:end])


def _conditional_form(token: Token) -> bool:
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
    if any(set(group) & _DENIALS for group in sentence.lemmas[clause_start(sentence.doc, start, 0) : end]):
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


def _negated_verb(token: Token) -> bool:
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
