from __future__ import annotations

import pytest

from pipeline.config import settings_from_dict
from pipeline.errors import GuetteurError
from pipeline.runner import pipeline_options


def test_the_local_runner_is_prism_pinned_in_loopback() -> None:
    options = pipeline_options(settings_from_dict({"runner": {"options": ["--job_name=x"]}}), streaming=True)
    view = options.get_all_options()
    assert view["runner"] == "PrismRunner" and view["prism_location"].endswith("prism")
    assert view["environment_type"] == "LOOPBACK" and view["streaming"] is True
    assert view["job_name"] == "x"  # the user's options are passed through


def test_a_missing_prism_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUETTEUR_PRISM", "/nonexistent/prism")
    with pytest.raises(GuetteurError, match="GUETTEUR_PRISM=/nonexistent/prism"):
        pipeline_options(settings_from_dict({}), streaming=False)


def test_an_unavailable_runner_is_named() -> None:
    with pytest.raises(GuetteurError, match="runner 'flink'"):
        pipeline_options(settings_from_dict({"runner": {"name": "flink"}}), streaming=False)
