from __future__ import annotations

from pipeline.ingest.language import detect_language

FR = ("Le président russe a reçu la ministre nord-coréenne des Affaires étrangères au Kremlin, "
      "alors que les combats se poursuivent dans l'est de l'Ukraine.")
EN = ("The Russian president received North Korea's foreign minister at the Kremlin "
      "as fighting continued in eastern Ukraine, officials said on Tuesday.")


def test_french_and_english_are_told_apart_every_time() -> None:
    for _ in range(20):  # seeded: the same text always gets the same answer
        assert detect_language("Poutine reçoit Choe Son Hui", FR).code == "fr"
        assert detect_language("Putin meets Choe Son Hui", EN).code == "en"


def test_too_little_text_is_undetermined() -> None:
    assert detect_language("", "").code == "und"
    assert detect_language("G7", "OTAN 2025").code == "und"


def test_a_long_text_is_sampled_not_read_whole() -> None:
    assert detect_language("Titre", FR * 500).code == "fr"
