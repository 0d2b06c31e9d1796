"""The French words of the readers are data: the file loads, every list has words, a misspelt key is refused."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from pydantic import ValidationError

from pipeline.language.words import Language, french


def test_the_shipped_file_loads_and_no_list_is_empty() -> None:
    language = french()
    for section in (language.attribution, language.claims, language.parsing):
        for name, words in section:
            assert words, name
    assert "pas" in language.attribution.negators and "selon" in language.parsing.asides


def test_a_misspelt_key_is_an_error_naming_it() -> None:
    raw = tomllib.loads(resources.files("pipeline.language").joinpath("data", "fr.toml").read_text(encoding="utf-8"))
    raw["attribution"]["negator"] = raw["attribution"].pop("negators")
    with pytest.raises(ValidationError) as caught:
        Language.model_validate(raw)
    assert {error["loc"] for error in caught.value.errors()} == {("attribution", "negators"),
                                                               ("attribution", "negator")}
