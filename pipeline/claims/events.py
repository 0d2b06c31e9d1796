"""Claims of events: the cue, its actors and speakers, and the identity of the event (place, act, date)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from spacy.tokens import Doc, Token

from pipeline.claims.attribution import hedged, is_day_word, negated, subject_spans
from pipeline.claims.lexicon import Phrase, PredicateRule
from pipeline.claims.parsing import Sentence, clause_break, clause_start
from pipeline.claims.reader import Reader
from pipeline.config import defaults as settings
from pipeline.domain.records import Claim
from pipeline.language.dates import DateMention, EventDate, resolve_dates
from pipeline.language.lemmas import normalise_phrase
from pipeline.language.text import fold, month_number
from pipeline.language.words import french

_FR = french().claims  # the words, from pipeline/language/data/fr.toml
_PLACE_PREPOSITIONS = _FR.place_prepositions
# "arrivé en Corée du Nord", "sa visite à Pyongyang", "s'est rendu dans la capitale nord-coréenne".
_DESTINATION_PREPOSITIONS = _FR.destination_prepositions
_TRIP_WINDOW = 6  # tokens from a travel cue to its destination: "est arrivé mardi soir en Corée du Nord"
# Verbs that set the cue in the future (_planned below), by lemma without accents.
_PLANNING = _FR.planning
_PLANNING_WITH_INFINITIVE = _FR.planning_with_infinitive
_PLANNING_PASSIVE = _FR.planning_passive
_RECENT = tuple(normalise_phrase(marker) for marker in _FR.recent_markers)


class EventReader(Reader):
    """The qualitative predicates of a sentence."""

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
            if cue is None or (rule.objects and not sentence.has_any(rule.objects)):
                cue = self._given_cue(sentence, rule)  # needs no object: who gives to whom says it all
            if cue is None:
                continue
            missing = [group for group in rule.actors if group not in own_actors]
            confidence = settings.CONFIDENCE_INFERRED if missing else settings.CONFIDENCE_PARSED
            if missing and not (len(missing) == 1 and (
                    (missing[0] in before and _pronoun_subject(sentence, cue)) or self._went_to(sentence, rule,
                                                                                              missing[0]))):
                continue  # qualitative claims need their actors in the sentence itself, or one as its "il" or goal
            if negated(sentence, cue, min(cue + 6, len(sentence.doc))):
                continue
            if rule.speakers and not self._spoken_by(sentence, cue, rule.speakers):
                continue
            act, anchor, rivals = None, cue, tuple[int, ...]()
            if rule.acts:
                found = self._act(sentence, rule)
                if found is None:
                    continue  # a treaty named without an act (signed, ratified, invoked) is not news
                act, anchor, rivals = found
            date = _date_of(sentence, anchor, published, rivals)
            event_date = str(date) if date is not None else None
            if event_date is None and rule.undated == "publication" and not self._earlier(sentence, anchor):
                # A reported event is of the day, unless told as earlier ("s'était rendu"): a flashback to a
                # known visit then matches it, whatever its month, and one never seen still alerts.
                event_date = published.strftime("%Y-%m")
            place = (self._place(sentence, cue) or self._capital(sentence, rule)) if "place" in rule.identity else None
            yield Claim(
                topic=self.lexicon.topic, predicate=rule.name, label=rule.label, evidence=sentence.text,
                quantitative=False, identity=rule.identity, confidence=confidence,
                attributed_to=source, hedged=hedged(sentence), place=place, act=act,
                event_date=event_date, sentence=position,
            )

    def _hosting_cue(self, sentence: Sentence, rule: PredicateRule) -> int | None:
        """A hosting verb whose object is a person: the first noun after it, a place or a date apart, is a guest's
        title or a person's name ('a reçu au Kremlin le dirigeant nord-coréen', 'a reçu le 17 juin Kim Jong-un')."""
        doc = sentence.doc
        for hit in sorted(h for phrase in rule.hosting for h in sentence.find(phrase)):
            index = hit + 1
            while index < len(doc) and not clause_break(doc, index):
                token = doc[index]
                if token.pos_ in ("NOUN", "PROPN") and not is_day_word(token) and not month_number(fold(token.text)):
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
        spans = subject_spans(sentence.doc[cue])
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
                    spans = subject_spans(verb)
                    if not spans and not {"Inf", "Part"} & set(verb.morph.get("VerbForm", None)):
                        spans = [(clause_start(sentence.doc, hit, 0), hit)]
                    if any(sentence.has_any(names, start, end) for start, end in spans):
                        return hit
        return None

    def _went_to(self, sentence: Sentence, rule: PredicateRule, group: str) -> bool:
        """Whether the sentence tells of a trip to a place of this side: "est arrivé en Corée du Nord", "sa visite
        en Russie". "a discuté de la situation en Corée du Nord" goes nowhere: a travel cue must come just before."""
        return _trip_to(sentence, rule, rule.destinations.get(group, ()))

    def _earlier(self, sentence: Sentence, cue: int) -> bool:
        """An event told in the pluperfect, unless it is the eve of the news ("était arrivé la veille")."""
        return _pluperfect(sentence.doc, cue) and not sentence.has_any(_RECENT)

    def _capital(self, sentence: Sentence, rule: PredicateRule) -> str | None:
        """A trip to a country meets in its capital: "Poutine est arrivé en Corée du Nord" (`_capitals`)."""
        return next((city for city, names in self.lexicon.capitals.items() if _trip_to(sentence, rule, names)), None)

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


def _trip_to(sentence: Sentence, rule: PredicateRule, places: Sequence[Phrase]) -> bool:
    """Whether one of these places is a trip's goal: after 'en', 'à', 'dans'..., a few words after a travel cue."""
    trips = [hit for phrase in rule.travel for hit in sentence.find(phrase)]
    return any(hit and sentence.doc[hit - 1].lower_ in _DESTINATION_PREPOSITIONS
               and any(0 < hit - trip <= _TRIP_WINDOW for trip in trips)
               for phrase in places for hit in sentence.find(phrase))


def _pluperfect(doc: Doc, cue: int) -> bool:
    """Whether the cue's verb is told in the pluperfect ("avait rencontré", "s'était rendu"): an earlier event."""
    token = doc[cue]
    verb = token if token.pos_ in ("VERB", "AUX") else token.head
    return any(child.dep_.startswith("aux") and "Imp" in child.morph.get("Tense", None) for child in verb.children)


def _date_of(sentence: Sentence, anchor: int, published: datetime, rivals: Sequence[int] = ()) -> EventDate | None:
    """The date of the claim's cue: one the parse attaches to it, else the nearest that no rival cue owns.

    "Le traité signé en juin 2024 a été ratifié en novembre": the ratification is of November; in "a approuvé la
    ratification du traité signé en juin", June dates the signature and the ratification has no date.
    """
    doc = sentence.doc
    token = doc[anchor]
    start, end = token.idx, token.idx + len(token.text)

    def governed(mention: DateMention, by: Token) -> bool:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span is not None and _governed_by(span.root, by)

    def distance(mention: DateMention) -> int:
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
            if any("Fut" in verb.morph.get("Tense", None) for verb in verbs):
                return True
            lemmas = set(sentence.lemmas[token.i])
            if lemmas & _PLANNING:
                return True
            infinitive = any(child.dep_ == "xcomp" and "Inf" in child.morph.get("VerbForm", None)
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


def _governed_by(token: Token, anchor: Token) -> bool:
    """Whether the anchor is the first verb (or itself) up the token's chain of heads."""
    while True:
        if token.i == anchor.i:
            return True
        if token.pos_ in ("VERB", "AUX") or token.head.i == token.i:
            return False
        token = token.head
