from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.config.schema import ConfigError, load_settings, parse_duration, settings_from_dict

CONTRACT_CONFIG = """
languages = ["fr"]

[store]
path = "guetteur.db"

[http]
allow_private_networks = false
user_agent = "guetteur/0.1 (+https://example.org/bot)"

[metrics]
port = 9108

[runner]
name = "local"
options = []

[[feeds]]
name = "lemonde-international"
url = "https://www.lemonde.fr/international/rss_full.xml"
outlet = "Le Monde"
interval = "5m"

[[sinks]]
type = "jsonl"
path = "alerts.jsonl"

[[sinks]]
type = "webhook"
url = "https://hooks.example.org/guetteur"
secret = "${GUETTEUR_TEST_SECRET}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guetteur.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_contract_example_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUETTEUR_TEST_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    settings = load_settings(write(tmp_path, CONTRACT_CONFIG))
    assert settings.feeds[0].interval == timedelta(minutes=5)
    assert settings.feeds[0].outlet == "Le Monde"
    assert settings.sinks[1].secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # type: ignore[union-attr]
    assert settings.store.location == "guetteur.db"
    assert settings.runner.name == "local"


def test_an_unset_environment_variable_names_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUETTEUR_TEST_SECRET", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, CONTRACT_CONFIG))
    assert "sinks[1].secret: environment variable GUETTEUR_TEST_SECRET is not set" in caught.value.problems


def problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        settings_from_dict(raw)
    return caught.value.problems


def feed(**overrides: object) -> dict:
    return {"name": "f", "url": "https://example.org/rss", **overrides}


def test_unknown_keys_are_errors_naming_the_key() -> None:
    assert problems({"languages": ["fr"], "colour": "blue"}) == ["colour: unknown key"]
    assert problems({"feeds": [feed(intervall="5m")]}) == ["feeds[0].intervall: unknown key"]
    assert problems({"http": {"allow_private_network": True}}) == ["http.allow_private_network: unknown key"]


def test_one_line_per_problem_each_naming_its_key() -> None:
    found = problems({
        "languages": ["fr", "xx"],
        "feeds": [feed(), feed(name="g"), feed(name="h"), feed(name="k", url="file:///etc/passwd")],
        "metrics": {"port": 70000},
        "sinks": [{"type": "webhook", "url": "https://h.example", "secret": "nope!"}, {"type": "smtp"}],
    })
    assert any(p.startswith("languages: ") and "xx" in p for p in found)
    assert any(p.startswith("feeds[3].url: only http and https") for p in found)
    assert any(p.startswith("metrics.port: ") for p in found)
    assert any(p.startswith("sinks[0].secret: not a Standard Webhooks secret") for p in found)
    assert any(p.startswith("sinks[1]: unknown type 'smtp'") for p in found)
    assert len(found) == 5


def test_durations_and_duplicates() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration(30) == timedelta(seconds=30)
    assert problems({"feeds": [feed(interval="soon")]})[0].startswith("feeds[0].interval: not a duration")
    assert problems({"feeds": [feed(interval="0s")]}) == ["feeds[0].interval: must be positive"]
    assert problems({"feeds": [feed(), feed()]}) == ["feeds[1].name: duplicate feed name 'f'"]
    assert problems({"store": {"path": "a.db", "url": "postgresql://db/g"}}) == [
        "store: give either path or url, not both"]
    # A database URL of another kind is refused without echoing its password into a log or a terminal.
    assert problems({"store": {"url": "mysql://guetteur:s3cret@db/g"}}) == [
        "store: url: only postgresql:// stores are supported, got a 'mysql' URL"]


def test_bad_toml_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "languages = [fr]\n"))
    assert len(caught.value.problems) == 1 and "not valid TOML" in caught.value.problems[0]


def guetteur(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.app.cli", *args], capture_output=True, text=True, timeout=60)


def test_check_config_exits_2_with_one_line_per_error(tmp_path: Path) -> None:
    bad = write(tmp_path, '[[feeds]]\nname = "a"\nurl = "ftp://x.org/rss"\n[[feeds]]\nname = "b"\nurl = "https://x.org"\n'
                          'colour = 1\n')
    done = guetteur("check-config", str(bad))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in done.stderr
    assert lines[0].startswith("feeds[0].url: ") and lines[1] == "feeds[1].colour: unknown key"


def test_check_config_accepts_a_good_file_without_network(tmp_path: Path) -> None:
    good = write(tmp_path, CONTRACT_CONFIG.replace("${GUETTEUR_TEST_SECRET}", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
    done = guetteur("check-config", str(good))
    assert done.returncode == 0, done.stderr
    assert "1 feeds, 2 sinks" in done.stdout


def test_bad_usage_is_exit_2_and_one_line() -> None:
    done = guetteur("frobnicate")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    missing = guetteur("check-config", "/nonexistent/guetteur.toml")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
