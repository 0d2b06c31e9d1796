"""French text as accent- and case-insensitive lemmas, cheaply: a regex tokenizer plus spaCy's French lookup table."""

from __future__ import annotations

import gzip
import json
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources

# Typographic apostrophes become ASCII; the soft hyphen is invisible inside a word, so it goes.
_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u00ad": None})
# A word is letters and digits, possibly joined by apostrophes ("l'armée", "aujourd'hui"). Hyphens of every kind
# separate words: "Kim Jong-un", "Kim-Jong Un" and "Kim Jong Un" must give the same lemmas, and the parts of a
# compound inflect on their own, so "nord‑coréens" (U+2011) and "nord-coréen" both give ["nord", "coreen"].
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Elided words before an apostrophe, restored so "l'armée" and "la armée" read alike.
_ELISIONS = {
    "l": "le",
    "d": "de",
    "j": "je",
    "m": "me",
    "n": "ne",
    "s": "se",
    "t": "te",
    "c": "ce",
    "ç": "ce",
    "qu": "que",
    "jusqu": "jusque",
    "lorsqu": "lorsque",
    "puisqu": "puisque",
    "quoiqu": "quoique",
    "presqu": "presque",
}
_PARTICIPLE_ENDINGS = ("ées", "ée", "és", "é")  # longest first: the stem is what the first match leaves
_CONJUGATED_ENDINGS = ("ons", "ez", "ait", "aient", "èrent", "era", "erait")
# Participles of verbs in -re and -ir, longest ending first, and the infinitive endings their stem may take:
# "perdu" (perdre), "abattus" (abattre), "détenu" (détenir), "fournie" (fournir).
_OTHER_PARTICIPLES = (("ues", ("re", "ir")), ("ue", ("re", "ir")), ("us", ("re", "ir")), ("u", ("re", "ir")),
                      ("ies", ("ir",)), ("ie", ("ir",)), ("is", ("ir",)), ("i", ("ir",)))
_LOOKUP = ("spacy_lookups_data", "data", "fr_lemma_lookup.json.gz")

_table: dict[str, str] | None = None
_table_lock = threading.Lock()


def _nfkd_plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The Latin letters French uses, unaccented by one str.translate: five times faster than NFKD on the 200 000 words
# of the lookup table, which matters because a worker builds it before its first article.
_PLAIN = str.maketrans(
    {chr(code): _nfkd_plain(chr(code)) for code in range(0xC0, 0x180)}
    | {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}
)


def strip_accents(text: str) -> str:
    """Remove diacritics; the ligatures œ and æ are spelt out, as French spelling dictionaries allow."""
    if text.isascii():
        return text
    plain = text.translate(_PLAIN)
    return plain if plain.isascii() else _nfkd_plain(plain)


def _read_lookup() -> dict[str, list[str] | str]:
    package, folder, name = _LOOKUP
    packed = resources.files(package).joinpath(folder, name).read_bytes()
    data: dict[str, list[str] | str] = json.loads(gzip.decompress(packed))
    return data


def _unify_participles(lemmas: dict[str, str]) -> None:
    """Read every past participle as its verb, as the table already does for most.

    The table lemmatises "déployés" to "déployer" but leaves "déployé" alone, and keeps "lancé" and "lancée"
    apart from "lancer", so some forms of a word would miss a lexicon entry. The cost: a few nouns read as their verb
    ("traité" as "traiter", "armée" as "armer", "marché" as "marcher"), in texts and lexicons alike.
    """
    # Only lemmas with conjugated forms are verbs: "fer" and "mer" end in -er too.
    verbs = {base for word, base in lemmas.items() if word.endswith(_CONJUGATED_ENDINGS) and base.endswith("er")}
    fixes: dict[str, str] = {}
    for word, lemma in lemmas.items():
        if not word.endswith(_PARTICIPLE_ENDINGS) or lemma in verbs:
            continue
        stem = word[: -len(next(ending for ending in _PARTICIPLE_ENDINGS if word.endswith(ending)))]
        if stem + "er" in verbs:
            fixes[word] = stem + "er"
    lemmas.update(fixes)
    _unify_other_participles(lemmas)


def _unify_other_participles(lemmas: dict[str, str]) -> None:
    """The same for verbs in -re and -ir, which the table leaves as adjectives: "perdu" stays "perdu", so "la Corée
    du Nord aurait perdu 4 000 soldats" missed the cue "perdre" whenever the tagger read "perdu" as a noun.

    A participle is read as its verb when the table knows that verb by its conjugated forms ("perdait",
    "perdons"), which leaves "vie", "rue" or "Paris" alone. Irregular ones ("mort", "pris", "reçu") are not derived.
    """
    verbs = {base for word, base in lemmas.items()
             if word.endswith(("ons", "ez", "ait", "aient")) and base.endswith(("re", "ir"))}
    fixes: dict[str, str] = {}
    for word, lemma in lemmas.items():
        if lemma in verbs:
            continue
        for ending, infinitives in _OTHER_PARTICIPLES:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                stem = word[: -len(ending)]
                verb = next((stem + end for end in infinitives if stem + end in verbs), None)
                if verb is not None:
                    fixes[word] = verb
                break
    lemmas.update(fixes)


def _build_table() -> dict[str, str]:
    """Lowercase form -> lemma, from spaCy's table; then unaccented forms -> unaccented lemmas, for accentless text."""
    raw = _read_lookup()
    lemmas = {word: lemma[0] if isinstance(lemma, list) else lemma for word, lemma in raw.items()}
    for word in [word for word in lemmas if not word.islower()]:  # a few dozen abbreviations and demonyms
        lemmas.setdefault(word.lower(), lemmas.pop(word).lower())
    _unify_participles(lemmas)
    plain = {lemma: strip_accents(lemma.lower()) for lemma in set(lemmas.values())}
    table = {word: plain[lemma] for word, lemma in lemmas.items()}
    # Base forms are rarely keys of the table: add them as their own lemma, or the unaccented pass below would
    # read "soldat" as "soldât", a form of "solder".
    for lemma, unaccented in plain.items():
        table.setdefault(lemma.lower(), unaccented)
        table.setdefault(unaccented, unaccented)
    # Accented forms are inserted first and win: "salé" keeps its own lemma, "sale" the one of "sale".
    for word, lemma in lemmas.items():
        if not word.isascii():
            table.setdefault(strip_accents(word), plain[lemma])
    return table


def _lookup() -> dict[str, str]:
    global _table
    if _table is None:
        with _table_lock:  # several threads of one worker may normalise their first article at once
            if _table is None:
                _table = _build_table()
    return _table


@lru_cache(maxsize=65_536)
def lemma(word: str) -> str:
    """The unaccented lemma of one lowercase word; unknown words (names, rare words) are only unaccented."""
    table = _lookup()
    found = table.get(word)
    if found is not None:
        return found
    plain = strip_accents(word)
    # The table lacks many rarer words ("hypersoniques", "buteurs"): a final -s after a consonant or an e is then
    # the plural. Names lose it too ("Athènes" -> "athene"), harmlessly, since lexicon entries go through the same
    # function; after other vowels it is rarely a plural ("nous", "Nicolas", "Paris", "Marcos") and stays.
    if len(plain) >= 4 and plain[-1] == "s" and plain[-2] not in "aiosuy" and plain.isalpha():
        return table.get(plain[:-1]) or plain[:-1]
    return plain


def _words(token: str) -> list[str]:
    if token.isascii() and token.isdigit():
        # A number is its own lemma. Through the cache, every new figure, date and serial of the news would push a
        # word out of it, and it would fill to its bound months before words alone could.
        return [token]
    if "'" not in token or token in _lookup():  # "aujourd'hui" is one word
        return [lemma(token)]
    *elided, last = token.split("'")
    return [lemma(_ELISIONS.get(part, part)) for part in elided if part] + [lemma(last)]


def normalise(text: str) -> list[str]:
    """The lemmas of a French text, in order: lowercase, unaccented, hyphenated words split, elisions restored."""
    prepared = unicodedata.normalize("NFC", text).translate(_CHARS).lower()
    out: list[str] = []
    for token in _WORD.findall(prepared):
        out.extend(_words(token))
    return out


def normalise_phrase(phrase: str) -> tuple[str, ...]:
    """A lexicon entry as the lemma sequence `normalise` would produce for it in a text."""
    return tuple(normalise(phrase))


def warm_up() -> None:
    """Load the lookup table now rather than on the first article (under a second)."""
    _lookup()
