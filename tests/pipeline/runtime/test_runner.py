from __future__ import annotations

import pytest

from pipeline.config.schema import settings_from_dict
from pipeline.domain.errors import GuetteurError
from pipeline.runtime.runner import pipeline_options


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


def test_flink_runs_on_the_fetched_job_server_with_an_embedded_flink_unless_told(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    jar = tmp_path / "job-server.jar"
    jar.write_bytes(b"PK")
    monkeypatch.setenv("GUETTEUR_FLINK_JOB_SERVER", str(jar))
    view = pipeline_options(settings_from_dict({"runner": {"name": "flink"}}), streaming=False).get_all_options()
    assert view["runner"] == "FlinkRunner" and view["flink_job_server_jar"] == str(jar)
    assert view["flink_master"] == "[local]" and view["environment_type"] == "LOOPBACK"
    cluster = settings_from_dict({"runner": {"name": "flink", "options": ["--flink_master=flink:8081"]}})
    assert pipeline_options(cluster, streaming=True).get_all_options()["flink_master"] == "flink:8081"


def test_a_missing_flink_job_server_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUETTEUR_FLINK_JOB_SERVER", "/nonexistent/job-server.jar")
    with pytest.raises(GuetteurError, match=r"GUETTEUR_FLINK_JOB_SERVER=/nonexistent/job-server\.jar"):
        pipeline_options(settings_from_dict({"runner": {"name": "flink"}}), streaming=False)
