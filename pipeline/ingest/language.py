"""Detect an article's language with langdetect, seeded so the same text always gets the same answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from pipeline.config import defaults as settings

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined"

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 as langdetect names it ("fr", "en", "zh-cn"), or "und"
    probability: float


def detect_language(title: str, text: str) -> Language:
    """The language of a headline and body; 'und' when the text is too short or too mixed to tell."""
    sample = f"{title}\n{text}"[: settings.LANGUAGE_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < settings.LANGUAGE_MIN_CHARS:
        return Language(UNDETERMINED, 0.0)
    # langdetect draws random samples; the seed makes it deterministic, and it lives on a shared factory.
    with _lock:
        DetectorFactory.seed = 0
        try:
            ranked = detect_langs(sample)
        except LangDetectException:
            return Language(UNDETERMINED, 0.0)
    best = ranked[0]
    if best.prob < settings.LANGUAGE_MIN_PROBABILITY:
        return Language(UNDETERMINED, round(best.prob, 3))
    return Language(best.lang, round(best.prob, 3))
