"""The Poller's per-feed gauges, which the staleness alerts read: interval, failures, last success, across a restart."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from connectors.feeds.source import HttpFeedSource
from connectors.http.client import HttpClient
from connectors.stores import open_store
from pipeline.config.schema import load_settings
from pipeline.ingest import schedule
from pipeline.ingest.polling import Poller, PollResult
from pipeline.ports.metrics import Metrics
from pipeline.runtime.process import poll_pool

NOW = 1_750_000_000.0


def poller(tmp_path: Path) -> tuple[Poller, CollectorRegistry]:
    config = tmp_path / "g.toml"
    config.write_text(
        '[store]\npath = "g.db"\n'
        '[[feeds]]\nname = "daily"\nurl = "https://example.org/daily.xml"\ninterval = "5m"\n'
        '[[feeds]]\nname = "wire"\nurl = "https://example.org/wire.xml"\ninterval = "30s"\n'
        '[[sinks]]\ntype = "jsonl"\npath = "alerts.jsonl"\n', encoding="utf-8")
    settings = load_settings(config)
    metrics = Metrics(CollectorRegistry())
    store = open_store(str(tmp_path / "g.db"))
    return Poller(settings, HttpFeedSource(HttpClient(settings.http)), store, metrics, poll_pool(2)), metrics.registry


def gauge(registry: CollectorRegistry, name: str, feed: str) -> float | None:
    return registry.get_sample_value(name, {"feed": feed})


def test_each_feed_exports_its_interval_failures_and_last_success(tmp_path: Path) -> None:
    p, registry = poller(tmp_path)
    assert gauge(registry, "guetteur_feed_poll_interval_seconds", "daily") == 300
    assert gauge(registry, "guetteur_feed_poll_interval_seconds", "wire") == 30
    assert gauge(registry, "guetteur_feed_last_success_timestamp_seconds", "daily") is None  # never polled

    daily, wire = p.states["daily"], p.states["wire"]
    p._absorb("daily", PollResult(schedule.after_success(daily, NOW, 300, etag=None, last_modified=None,
                                                         full_fetch=True), "ok"), NOW)
    for attempt in (1, 2):
        wire = schedule.after_failure(wire, NOW + attempt, 30, "http_503")
        p._absorb("wire", PollResult(wire, "http_503"), NOW + attempt)
    assert gauge(registry, "guetteur_feed_last_success_timestamp_seconds", "daily") == NOW
    assert gauge(registry, "guetteur_feed_consecutive_failures", "daily") == 0
    assert gauge(registry, "guetteur_feed_consecutive_failures", "wire") == 2
    assert gauge(registry, "guetteur_feed_last_success_timestamp_seconds", "wire") is None


def test_a_gone_feed_loses_its_interval_and_a_restart_keeps_the_last_success(tmp_path: Path) -> None:
    p, registry = poller(tmp_path)
    p._absorb("daily", PollResult(schedule.after_success(p.states["daily"], NOW, 300, etag=None,
                                                         last_modified=None, full_fetch=True), "ok"), NOW)
    p._absorb("wire", PollResult(schedule.after_gone(p.states["wire"], NOW), "gone"), NOW)
    # Not polled any more: no staleness to compute, GuetteurFeedsGone speaks for it.
    assert gauge(registry, "guetteur_feed_poll_interval_seconds", "wire") is None
    assert registry.get_sample_value("guetteur_feeds_gone") == 1
    p.store.close()

    restarted, registry = poller(tmp_path)
    # A feed failing since before the restart must still look stale: its last success comes from the store.
    assert gauge(registry, "guetteur_feed_last_success_timestamp_seconds", "daily") == NOW
    assert gauge(registry, "guetteur_feed_poll_interval_seconds", "daily") == 300
    assert gauge(registry, "guetteur_feed_poll_interval_seconds", "wire") is None
    restarted.store.close()
