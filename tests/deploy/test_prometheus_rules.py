"""deploy/prometheus through promtool: the config and rules are valid, and every alert passes its unit tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.deploy.promql import DEPLOY, RULES, metric_names, rule_queries

PROMETHEUS_DIR = DEPLOY / "prometheus"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: `make test` installs it (Debian package prometheus)", pytrace=False)
    return found


def run_promtool(*args: str) -> str:
    done = subprocess.run([promtool(), *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_config_is_valid_and_loads_the_rules() -> None:
    out = run_promtool("check", "config", "prometheus.yml")
    assert "1 rule files found" in out


def test_rules_are_valid() -> None:
    run_promtool("check", "rules", "rules.yml")


def test_every_alert_passes_its_unit_tests() -> None:
    out = run_promtool("test", "rules", "rules_test.yml")
    assert "SUCCESS" in out


def test_every_alert_is_unit_tested_and_says_what_to_do() -> None:
    rules = [r for g in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for r in g["rules"]]
    tested = {case["alertname"] for test in yaml.safe_load((PROMETHEUS_DIR / "rules_test.yml").read_text())["tests"]
              for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    for rule in rules:
        name = rule["alert"]
        assert name in tested, f"{name}: no unit test sees it fire"
        assert rule.get("for"), f"{name}: no `for:`, so one bad scrape pages someone"
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        assert rule["annotations"]["summary"] and len(rule["annotations"]["description"]) > 80, name


def test_rules_read_guetteur_series_only_by_their_exported_names() -> None:
    """The live test checks these against a running demo; this catches a typo without one."""
    for alert, expr in rule_queries():
        for name in metric_names(expr):
            assert name == "up" or name.startswith("guetteur_"), f"{alert}: {name}"
