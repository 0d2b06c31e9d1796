"""`guetteur run --once` over the seed fixtures, through the real CLI, scored against gold.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from benchmarks.gold import by_seed, score
from fixtures.server import FixtureServer

pytestmark = pytest.mark.slow


def guetteur(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.app.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def read_alerts(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seeded_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("once")
    with FixtureServer() as server:
        while server.pending_stages():
            server.publish_next()
        config = server.write_config(work / "guetteur.toml", store_path=work / "guetteur.db",
                                     alerts_path=work / "alerts.jsonl")
        first = guetteur("run", "--config", str(config), "--once")
        alerts = read_alerts(work / "alerts.jsonl")
        server.clear_requests_log()
        second = guetteur("run", "--config", str(config), "--once")
        again = read_alerts(work / "alerts.jsonl")[len(alerts):]
        feed_paths = {urlsplit(server.feed_url(name)).path for name in server.feed_names()}
        pages_second = [r for r in server.requests_log() if r.path.split("?")[0] not in feed_paths]
        items = {server.page_url(item.id).split("?")[0]: item for item in server.items()}
    return {"first": first, "second": second, "alerts": alerts, "again": again, "items": items,
            "pages_second": pages_second, "work": work}


def test_the_run_succeeds(seeded_run: dict[str, Any]) -> None:
    assert seeded_run["first"].returncode == 0, seeded_run["first"].stderr[-2000:]
    assert "Traceback" not in seeded_run["first"].stderr


def test_exactly_the_16_gold_alerts_with_the_right_kind(seeded_run: dict[str, Any], gold: dict[str, Any]) -> None:
    grouped, others = by_seed(seeded_run["alerts"], seeded_run["items"])
    result = score(gold, grouped, others)
    print("\n" + result.report())
    assert result.expected == 16
    assert not result.missing and not result.extra, result.report()


def test_syndicated_copy_sidebar_trap_and_english_raise_nothing(seeded_run: dict[str, Any]) -> None:
    for alert in seeded_run["alerts"]:
        item = seeded_run["items"].get(alert["article"]["url"])
        assert item is not None and item.expect == "on-topic-seed", (item and item.expect, alert["evidence"])


def test_alerts_follow_the_contract_shape(seeded_run: dict[str, Any]) -> None:
    # CONTRACT.md's keys, and `label` (the predicate's French label from the topic file: an addition, in the
    # README's changelog).
    keys = {"id", "kind", "topic", "predicate", "label", "figure", "attributed_to", "hedged", "confidence", "evidence",
            "article", "previous", "created_at"}
    ids = set()
    for alert in seeded_run["alerts"]:
        assert set(alert) == keys
        assert alert["label"] and alert["label"] != alert["predicate"]
        assert 0.5 <= alert["confidence"] <= 1  # an alert is never a doubtful reading (min_confidence 0.5)
        assert set(alert["article"]) == {"url", "outlet", "title", "published", "language"}
        assert alert["topic"] == "russie-coree-du-nord" and alert["article"]["language"] == "fr"
        assert (alert["previous"] == []) == (alert["kind"] == "new_claim")
        ids.add(alert["id"])
    assert len(ids) == len(seeded_run["alerts"])


def test_a_second_run_raises_nothing_and_fetches_no_article_again(seeded_run: dict[str, Any]) -> None:
    assert seeded_run["second"].returncode == 0, seeded_run["second"].stderr[-2000:]
    assert seeded_run["again"] == []
    assert seeded_run["pages_second"] == []
