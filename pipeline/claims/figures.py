"""Claims with figures: the number, the noun it counts, the predicate whose cue governs it, and mentions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pipeline.claims.attribution import hedged, negated, subject_spans
from pipeline.claims.lexicon import PredicateRule
from pipeline.claims.parsing import (
    Sentence,
    anaphoric,
    clause_end,
    clause_start,
    contains,
    linked,
    object_of_verb,
    one_of,
)
from pipeline.claims.reader import Reader
from pipeline.config import defaults as settings
from pipeline.domain.records import Claim, Figure
from pipeline.language.lemmas import normalise_phrase
from pipeline.language.numbers import MONEY, Quantity, currency_of, find_figures, vague_quantity
from pipeline.language.words import french

_FR = french().claims  # the words, from pipeline/language/data/fr.toml
_TOTAL_WORDS = _FR.total_words
_GENERIC_PEOPLE = tuple(normalise_phrase(noun) for noun in _FR.generic_people)
_SAME_AS_BEFORE = "same as before"  # a bare figure that counts the noun of the figure before it


@dataclass(frozen=True)
class _Span:
    start: int  # token indices
    end: int
    quantity: Quantity | None  # None for a vague quantity ("des milliers")


class FigureReader(Reader):
    """The quantitative predicates of a sentence."""

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
        if span.quantity is not None and span.quantity.unit == MONEY:
            return self._money_unit(span.quantity), span.end
        window_end = min(span.end + 4, len(sentence.doc))
        best: tuple[int, str] | None = None
        for unit, nouns in self.lexicon.nouns.items():
            if unit == "percent":
                continue
            hit = sentence.first(nouns, span.end, window_end)
            if hit is not None and (best is None or hit < best[0]):
                best = (hit, unit)
        if best is None and span.quantity is not None:
            best = self._apposition(sentence, span.end, window_end)
        if best is not None:
            return self._role_of(sentence, best[0]) or best[1], best[0] + 1
        if span.quantity is not None:
            if total := self._total_of(sentence, span.start):
                return total, span.end  # "le nombre de soldats tués s'élève à 600"
            if anaphoric(sentence.doc, span.end) or self._counts_a_cue(sentence, span.end) or sentence.has_any(
                    [(w,) for w in _TOTAL_WORDS], max(span.start - 4, 0), span.start):
                return _SAME_AS_BEFORE, span.end  # "dont 1 200 ont été tués", "portant leur nombre total à 13 000"
        return None, span.end

    def _apposition(self, sentence: Sentence, start: int, window_end: int) -> tuple[int, str] | None:
        """A figure of "personnes" that a comma then names: "1 500 personnes, en majorité des ouvriers".

        The apposition's counted noun gives the unit; it must follow the comma within a few words."""
        generic = sentence.first(_GENERIC_PEOPLE, start, window_end)
        doc = sentence.doc
        if generic is None or generic + 1 >= len(doc) or doc[generic + 1].text != ",":
            return None
        end = min(generic + 7, len(doc))
        found = [(hit, unit) for unit, nouns in self.lexicon.nouns.items() if unit != "percent"
                 if (hit := sentence.first(nouns, generic + 2, end)) is not None]
        return min(found) if found else None

    def _money_unit(self, quantity: Quantity) -> str | None:
        """The topic's unit of an amount, by its currency ("480 millions d'euros", "62 M€"), or none.

        An amount counts nothing else, whatever follows or came before it: "2 milliards de dollars" are no soldiers.
        """
        return next((unit for unit, nouns in self.lexicon.nouns.items()
                     if any(currency_of(" ".join(noun)) == quantity.currency for noun in nouns)), None)

    def _role_of(self, sentence: Sentence, noun: int) -> str | None:
        """The unit a counted noun's qualifiers give it: "800 militaires affectés au déminage" count workers.

        Only the words that follow the noun within its clause qualify it (`_roles` of the topic file)."""
        end = clause_end(sentence.doc, noun + 1, min(noun + 7, len(sentence.doc)))
        for unit, words in self.lexicon.roles.items():
            if sentence.has_any(words, noun + 1, end):
                return unit
        return None

    def _counts_another_noun(self, sentence: Sentence, at: int) -> bool:
        """Whether a vague quantity counts some other noun: "en quelques mois", "des dizaines de villages" count
        no men, whereas "des milliers ont été blessés" and "des milliers de blessés" do."""
        doc = sentence.doc
        if at < len(doc) and doc[at].lower_ in ("de", "d'", "d’"):
            at += 1
        if at >= len(doc) or doc[at].pos_ not in ("NOUN", "PROPN"):
            return False
        return not self._counts_a_cue(sentence, at)

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
        nationalities = (*self.lexicon.foreign, *self.lexicon.owners)
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
        return not sentence.has_any(self.lexicon.owners, noun, end)

    def _mixed(self, sentence: Sentence, noun: int) -> bool:
        """'500 soldats russes et nord-coréens': North Koreans among others, so a mention whose figure is unknown."""
        end = self._qualifiers_end(sentence, noun)
        names = self.lexicon.owners
        return sentence.has_any(self.lexicon.foreign, noun + 1, end) and sentence.has_any(names, noun + 1, end)

    def _owned_by_others(self, sentence: Sentence, noun: int) -> bool:
        """Whether a foreign subject owns the counted men: 'L'armée russe a perdu 1 200 hommes'.

        Only for the object of a verb, and never when the noun itself is North Korean ("10 000 Nord-Coréens").
        """
        names = self.lexicon.owners
        token = sentence.doc[noun]
        if not object_of_verb(token) or sentence.has_any(names, noun, self._qualifiers_end(sentence, noun)):
            return False
        for start, end in subject_spans(token.head):
            if sentence.has_any(self.lexicon.foreign, start, end) and not sentence.has_any(names, start, end):
                return True
        return False

    def _governing_rule(self, sentence: Sentence, unit: str, noun: int) -> PredicateRule | None:
        """The predicate of the word the parse makes the counted noun depend on, when it is a cue.

        The verb of which the noun is subject or object ("les forces nord-coréennes auraient perdu 4 000 hommes
        depuis leur arrivée" are losses, whatever follows), or the noun it complements ("la mort de 300 soldats").
        """
        token = sentence.doc[noun]
        governed = token.dep_ in ("nsubj", "nsubj:pass", "nmod") or object_of_verb(token)
        if token.head.i == token.i or not governed:
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
        return bool(self._cue_hits(sentence, rule, start, end))

    def _cue_hits(self, sentence: Sentence, rule: PredicateRule, start: int = 0, end: int | None = None) -> list[int]:
        """Where the rule's cues are in tokens [start, end), those a foreign qualifier gives to others left out."""
        hits = (hit for phrase in rule.cues for hit in sentence.find(phrase, start, end))
        return [hit for hit in hits if not (rule.owned and self._foreign(sentence, hit))]

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
        return not sentence.has_any(self.lexicon.owners, noun,
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
        if not object_of_verb(sentence.doc[noun]):
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
        return any(contains(sentence.before, phrase) for phrase in (*rule.default_needs, *rule.cues))

    def _figure_claims(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                       carried_unit: str | None = None) -> tuple[list[Claim], str | None]:
        """The figures and mentions of one sentence, and the unit it counted last (for "Parmi eux, 4 000 ont été
        tués" next). `carried_unit` is that unit from the sentence just before."""
        claims: list[Claim] = []
        spans = self._spans(sentence)
        own_actors = self._actors(sentence)
        previous_unit: str | None = None
        previous: tuple[int, PredicateRule] | None = None  # where the last claimed figure ends, and its rule
        counted_tokens: set[int] = set()
        for index, span in enumerate(spans):
            unit, noun_end = self._counted_unit(sentence, span)
            carried = False
            vague_of_other = span.quantity is None and self._counts_another_noun(sentence, span.end)
            if unit == _SAME_AS_BEFORE or (unit is None and span.quantity is None and not vague_of_other):
                if previous_unit:
                    unit = previous_unit  # "600 soldats ont été tués et des milliers ont été blessés"
                elif carried_unit and anaphoric(sentence.doc, span.end):
                    unit, carried = carried_unit, True  # "11 000 soldats ... . Parmi eux, 4 000 ont été tués"
            if unit in (None, _SAME_AS_BEFORE) or (
                    span.quantity is not None and span.quantity.unit not in ("count", "percent", MONEY)):
                continue
            # The noun of a figure is judged here, claim or not: no mention is drawn from it afterwards.
            counted_tokens.update(range(span.start, noun_end))
            noun = noun_end - 1 if noun_end > span.end else None
            rule, confidence = self._figure_rule(sentence, spans, index, unit, noun, carried)
            if rule is None and previous is not None and previous[1].unit == unit and linked(
                    sentence.doc, previous[0], span.start):
                rule = previous[1]  # "est passée de 30 % à 50 %": the second figure is the first one's, later
                confidence = settings.CONFIDENCE_CLAUSE
            if rule is None or not self._actors_ok(rule, actors):
                continue
            previous_unit, previous = unit, (span.end, rule)
            figure = None
            if span.quantity is not None and not (noun is not None and self._mixed(sentence, noun)):
                figure = Figure(span.quantity.low, span.quantity.high, rule.unit)
            if not self._actors_ok(rule, own_actors):
                confidence *= settings.CONFIDENCE_ACTOR_BEFORE  # the story's actor is named only before
            claims.append(Claim(
                topic=self.lexicon.topic, predicate=rule.name, label=rule.label, evidence=sentence.text,
                quantitative=True, figure=figure, attributed_to=source, hedged=hedged(sentence), sentence=position,
                confidence=round(confidence, 3),
            ))
        claims.extend(self._mentions(sentence, position, actors, source, counted_tokens,
                                     {c.predicate for c in claims}))
        claims.extend(self._suffered(sentence, position, actors, source, {c.predicate for c in claims}))
        return claims, previous_unit

    def _figure_rule(self, sentence: Sentence, spans: Sequence[_Span], index: int, unit: str, noun: int | None,
                     carried: bool) -> tuple[PredicateRule | None, float]:
        """The predicate of one figure, or None when the figure counts someone else's men or nothing claimed.

        In order: the cue the parse attaches the counted noun to, a cue in the figure's clause (after it, then
        before it), the unit's default; then the vetoes: others' men, men asked for, a negation.
        """
        doc = sentence.doc
        span = spans[index]
        if noun is not None and (self._foreign(sentence, noun) or self._referential(sentence, span, noun)):
            return None, 0.0
        noun_end = noun + 1 if noun is not None else span.end
        end = clause_end(doc, noun_end, spans[index + 1].start if index + 1 < len(spans) else len(doc))
        start = clause_start(doc, span.start, spans[index - 1].end if index else 0)
        rule = self._governing_rule(sentence, unit, noun) if noun is not None else None
        confidence = settings.CONFIDENCE_PARSED
        if rule is None:
            rule = self._quantitative_rule(sentence, unit, span.end, end, start, fallback=False)
            confidence = settings.CONFIDENCE_CLAUSE
        if rule is None and not carried and not self._others_cue(sentence, unit, start, end) \
                and self._owner_named_so_far(sentence, end):
            rule = self._quantitative_rule(sentence, unit, span.end, end, start)
            confidence = settings.CONFIDENCE_DEFAULT
        if rule is None or negated(sentence, span.start, end):
            return None, 0.0
        if carried:
            confidence = min(confidence, settings.CONFIDENCE_CARRIED)
        if noun is None:
            return rule, confidence
        if (rule.owned and self._owned_by_others(sentence, noun)) or self._requested(sentence, noun):
            return None, 0.0
        return rule, confidence

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
            figure = Figure(1, 1, rule.unit) if rule.singular and one_of(sentence.doc, hit) else None
            yield Claim(topic=self.lexicon.topic, predicate=rule.name, label=rule.label, evidence=sentence.text,
                        quantitative=True, figure=figure, attributed_to=source, hedged=hedged(sentence),
                        sentence=position, confidence=settings.CONFIDENCE_MENTION)

    def _suffered(self, sentence: Sentence, position: int, actors: set[str], source: str | None,
                  done: set[str]) -> Iterator[Claim]:
        """What counted men went through: "Les 3 000 soldats envoyés au front ont subi de lourdes pertes".

        The figure counts the men sent (the rule's `figure_excludes` keep it off the losses), and the losses are a
        claim of their own, without a figure, when no other claim of the sentence already carries them.
        """
        for rule in self.lexicon.rules:
            if not rule.figure_excludes or rule.name in done or not self._actors_ok(rule, actors):
                continue
            cues = self._cue_hits(sentence, rule)
            if not cues or not sentence.has_any(rule.figure_excludes) or sentence.has_any(rule.excludes):
                continue
            cue = min(cues)
            if negated(sentence, cue, clause_end(sentence.doc, cue + 1, len(sentence.doc))):
                continue
            done.add(rule.name)
            yield Claim(topic=self.lexicon.topic, predicate=rule.name, label=rule.label, evidence=sentence.text,
                        quantitative=True, attributed_to=source, hedged=hedged(sentence), sentence=position,
                        confidence=settings.CONFIDENCE_MENTION)

    def _mention_rule(self, sentence: Sentence, unit: str, noun: int) -> PredicateRule | None:
        """The predicate of a counted noun without a figure: a cue is needed, the unit's default is not enough."""
        doc = sentence.doc
        if self._foreign(sentence, noun):
            return None
        after = clause_end(doc, noun + 1, len(doc))
        rule = self._governing_rule(sentence, unit, noun) or self._quantitative_rule(
            sentence, unit, noun, after, clause_start(doc, noun, 0), fallback=False, figure=False)
        if rule is None or negated(sentence, noun, after):
            return None
        if (rule.owned and self._owned_by_others(sentence, noun)) or self._requested(sentence, noun):
            return None
        return rule

    def _owner_named_so_far(self, sentence: Sentence, end: int) -> bool:
        """Whether a figure without a cue may count the owner's people (`_counted.owner`) by default.

        A sentence that names the owner only after the figure's clause tells whose men these are not: "L'armée
        russe a perdu 1 200 hommes, alors que les soldats nord-coréens ...". One that names it before may go on
        ("Pyongyang a envoyé des renforts, portant le total à 15 000 hommes"); one that does not name it at all
        leans on the sentence before.
        """
        names = self.lexicon.owners
        return sentence.has_any(names, 0, end) or not sentence.has_any(names)

    def _actors_ok(self, rule: PredicateRule, actors: set[str]) -> bool:
        return all(group in actors for group in rule.actors)
