"""Claims from an article's headline and body: predicate, figure, attribution, hedging and date, sentence by sentence.

The lexicon of each predicate lives in its topic file (pipeline.claims.lexicon); this module only knows how French news
sentences state a claim. Sentences are split cheaply, a lemma filter keeps those that carry a cue, and only those
go through spaCy's French pipeline (pipeline.claims.parsing); who says so, and whether it is hedged or denied, is
pipeline.claims.attribution.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from spacy.tokens import Doc, Token

from pipeline.claims.attribution import attribution, hedged, is_day_word, negated, subject_spans
from pipeline.claims.lexicon import Lexicon, PredicateRule
from pipeline.claims.parsing import Sentence, clause_break, clause_end, clause_start, contains, parsed, sentences
from pipeline.config import defaults as settings
from pipeline.domain.records import Article, Claim, Figure
from pipeline.language.dates import DateMention, EventDate, resolve_dates
from pipeline.language.lemmas import normalise, normalise_phrase
from pipeline.language.numbers import MONEY, Quantity, find_figures, vague_quantity
from pipeline.language.text import fold, month_number
from pipeline.language.words import french

_FR = french().claims  # the words, from pipeline/language/data/fr.toml
_PLACE_PREPOSITIONS = _FR.place_prepositions
_TOTAL_WORDS = _FR.total_words
# "arrivé en Corée du Nord", "sa visite à Pyongyang", "s'est rendu dans la capitale nord-coréenne".
_DESTINATION_PREPOSITIONS = _FR.destination_prepositions
_TRIP_WINDOW = 6  # tokens from a travel cue to its destination: "est arrivé mardi soir en Corée du Nord"
# Verbs that set the cue in the future (pipeline.claims.extractor._planned), by lemma without accents.
_PLANNING = _FR.planning
_PLANNING_WITH_INFINITIVE = _FR.planning_with_infinitive
_PLANNING_PASSIVE = _FR.planning_passive
_RECENT = tuple(normalise_phrase(marker) for marker in _FR.recent_markers)
_SAME_AS_BEFORE = "same as before"  # a bare figure that counts the noun of the figure before it


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
                if any(contains(lemmas, name) for name in names)}

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
        # An amount carries its currency inside the figure ("480 millions d'euros"): its noun is there or nowhere,
        # so that "2 milliards de dollars pour 3 000 soldats" is no count of soldiers.
        money = span.quantity is not None and span.quantity.unit == MONEY
        best: tuple[int, str] | None = None
        for unit, nouns in self.lexicon.nouns.items():
            if unit == "percent":
                continue
            hit = sentence.first(nouns, span.start, span.end) if money else sentence.first(nouns, span.end, window_end)
            if hit is not None and (best is None or hit < best[0]):
                best = (hit, unit)
        if best is not None:
            return self._role_of(sentence, best[0]) or best[1], best[0] + 1
        if span.quantity is not None:
            if total := self._total_of(sentence, span.start):
                return total, span.end  # "le nombre de soldats tués s'élève à 600"
            if _anaphoric(sentence.doc, span.end) or self._counts_a_cue(sentence, span.end) or sentence.has_any(
                    [(w,) for w in _TOTAL_WORDS], max(span.start - 4, 0), span.start):
                return _SAME_AS_BEFORE, span.end  # "dont 1 200 ont été tués", "portant leur nombre total à 13 000"
        return None, span.end

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
        if not _object_of_verb(token) or sentence.has_any(names, noun, self._qualifiers_end(sentence, noun)):
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
        governed = token.dep_ in ("nsubj", "nsubj:pass", "nmod") or _object_of_verb(token)
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
        return any(contains(sentence.before, phrase) for phrase in (*rule.default_needs, *rule.cues))

    def _sentence_claims(self, sentence: Sentence, position: int, actors: set[str], published: datetime,
                         carried_unit: str | None = None, before: set[str] | frozenset[str] = frozenset()
                         ) -> tuple[list[Claim], str | None]:
        """The claims of one sentence, and the unit it counted last (for "Parmi eux, 4 000 ont été tués" next).

        `carried_unit` is that unit from the sentence just before, `before` the actor groups that sentence names.
        """
        claims: list[Claim] = []
        source = attribution(sentence, self.lexicon)
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
                elif carried_unit and _anaphoric(sentence.doc, span.end):
                    unit, carried = carried_unit, True  # "11 000 soldats ... . Parmi eux, 4 000 ont été tués"
            if unit in (None, _SAME_AS_BEFORE) or (
                    span.quantity is not None and span.quantity.unit not in ("count", "percent", MONEY)):
                continue
            # The noun of a figure is judged here, claim or not: no mention is drawn from it afterwards.
            counted_tokens.update(range(span.start, noun_end))
            noun = noun_end - 1 if noun_end > span.end else None
            rule, confidence = self._figure_rule(sentence, spans, index, unit, noun, carried)
            if rule is None and previous is not None and previous[1].unit == unit and _linked(
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
        claims.extend(self._qualitative(sentence, position, source, published, before))
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
                and self._north_korean_so_far(sentence, end):
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
            figure = Figure(1, 1, rule.unit) if rule.singular and _one_of(sentence.doc, hit) else None
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

    def _north_korean_so_far(self, sentence: Sentence, end: int) -> bool:
        """Whether a figure without a cue may be North Korean troops by default.

        A sentence that names North Korea only after the figure's clause tells whose men these are not: "L'armée
        russe a perdu 1 200 hommes, alors que les soldats nord-coréens ...". One that names it before may go on
        ("Pyongyang a envoyé des renforts, portant le total à 15 000 hommes"); one that does not name it at all
        leans on the sentence before.
        """
        names = self.lexicon.owners
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
        trips = [hit for phrase in rule.travel for hit in sentence.find(phrase)]
        for phrase in rule.destinations.get(group, ()):
            for hit in sentence.find(phrase):
                if hit and sentence.doc[hit - 1].lower_ in _DESTINATION_PREPOSITIONS and any(
                        0 < hit - trip <= _TRIP_WINDOW for trip in trips):
                    return True
        return False

    def _earlier(self, sentence: Sentence, cue: int) -> bool:
        """An event told in the pluperfect, unless it is the eve of the news ("était arrivé la veille")."""
        return _pluperfect(sentence.doc, cue) and not sentence.has_any(_RECENT)

    def _capital(self, sentence: Sentence, rule: PredicateRule) -> str | None:
        """A trip to a country meets in its capital: "Poutine est arrivé en Corée du Nord" (`_capitals`)."""
        trips = [hit for phrase in rule.travel for hit in sentence.find(phrase)]
        for city, names in self.lexicon.capitals.items():
            for phrase in names:
                for hit in sentence.find(phrase):
                    if hit and sentence.doc[hit - 1].lower_ in _DESTINATION_PREPOSITIONS and any(
                            0 < hit - trip <= _TRIP_WINDOW for trip in trips):
                        return city
        return None

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


def _pluperfect(doc: Doc, cue: int) -> bool:
    """Whether the cue's verb is told in the pluperfect ("avait rencontré", "s'était rendu"): an earlier event."""
    token = doc[cue]
    verb = token if token.pos_ in ("VERB", "AUX") else token.head
    return any(child.dep_.startswith("aux") and "Imp" in child.morph.get("Tense", None) for child in verb.children)


def _one_of(doc: Doc, noun: int) -> bool:
    """'un soldat', 'une recrue': a singular noun right after the indefinite article, which also means one.

    Not "l'un des soldats" (the noun is plural) nor "un de ses soldats" (the article is not next to it).
    """
    token = doc[noun]
    return (noun > 0 and doc[noun - 1].lower_ in ("un", "une") and "Plur" not in token.morph.get("Number", None)
            and not token.lower_.endswith(("s", "x")))


def _linked(doc: Doc, end: int, start: int) -> bool:
    """Whether two figures are the two ends of one change or span: "de 30 % à 50 %", "de 11 000 à 15 000"."""
    between = [token.lower_ for token in doc[end:start]]
    return between in (["à"], ["a"], ["%", "à"], ["%", "a"])


def _object_of_verb(token: Token) -> bool:
    """Whether a noun is what its verb acts on: after the verb and attached to it as an object or an oblique, since
    the small model reads "a perdu 1 200 hommes" as obj, obl:arg or obl:mod from one sentence to the next."""
    head = token.head
    return head.pos_ in ("VERB", "AUX") and head.i < token.i and (token.dep_ == "obj" or token.dep_.startswith("obl"))


def _anaphoric(doc: Doc, end: int) -> bool:
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
