"""guetteur's Prometheus metrics, on an injectable registry so tests read a fresh one."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

# Buckets in seconds: a feed or page fetch is 50 ms to a minute; extraction 5 ms to the 20 s timeout.
_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_EXTRACT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 20)
_STAGE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 20)


class Metrics:
    """Every series guetteur exports. Label sets are bounded: feed names come from the config only."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.polls = Counter("guetteur_polls", "Feed polls by result.", ["result"], registry=r)
        self.last_success = Gauge(
            "guetteur_feed_last_success_timestamp_seconds", "Time of the last successful poll of each feed.",
            ["feed"], registry=r,
        )
        # Beside the last success, so a rule can say "stale for twice its own interval" for each feed.
        self.poll_interval = Gauge(
            "guetteur_feed_poll_interval_seconds", "Configured poll interval of each feed that is polled.",
            ["feed"], registry=r,
        )
        self.feed_failures = Gauge(
            "guetteur_feed_consecutive_failures", "Failed polls in a row of each feed (0 after a success).",
            ["feed"], registry=r,
        )
        self.last_look = 0.0  # the heartbeat's value, read by /healthz
        self.source_heartbeat = Gauge(
            "guetteur_source_last_look_timestamp_seconds", "When the polling source last looked at the schedule.",
            registry=r,
        )
        self.feeds_gone = Gauge("guetteur_feeds_gone", "Feeds that answered 410 Gone and are no longer polled.",
                                registry=r)
        self.entries = Counter("guetteur_feed_entries", "New feed entries seen.", registry=r)
        self.entry_dates = Counter(
            "guetteur_feed_entry_bad_dates", "Entries whose date was missing or absurd (the poll time was used).",
            ["quality"], registry=r,
        )
        self.fetch_seconds = Histogram("guetteur_fetch_duration_seconds", "Duration of HTTP fetches.", ["kind"],
                                       buckets=_FETCH_BUCKETS, registry=r)
        self.extract_seconds = Histogram("guetteur_extraction_duration_seconds", "Duration of page extraction.",
                                         buckets=_EXTRACT_BUCKETS, registry=r)
        self.stage_seconds = Histogram("guetteur_stage_duration_seconds", "Time spent per article in each stage.",
                                       ["stage"], buckets=_STAGE_BUCKETS, registry=r)
        self.drops = Counter("guetteur_dropped", "Items that left the flow, by stage and reason.",
                             ["stage", "reason"], registry=r)
        self.summary_fallbacks = Counter(
            "guetteur_summary_fallbacks", "Articles built from the feed summary because the page failed, by reason.",
            ["reason"], registry=r,
        )
        self.articles = Counter("guetteur_articles", "Extracted articles by detected language.", ["language"],
                                registry=r)
        self.kept = Counter("guetteur_articles_kept", "Articles in a configured language, passed on.", registry=r)
        self.topic_matches = Counter("guetteur_topic_matches", "Articles matched, by topic.", ["topic"], registry=r)
        self.claims = Counter("guetteur_claims", "Claims extracted, by predicate.", ["predicate"], registry=r)
        self.alerts = Counter("guetteur_alerts", "Alerts raised, by kind.", ["kind"], registry=r)
        self.duplicates = Counter("guetteur_syndicated_copies", "Articles recognised as copies of an earlier one.",
                                  registry=r)
        self.outbox = Gauge("guetteur_outbox_pending", "Alert deliveries waiting in the outbox.", registry=r)
        # Sinks are labelled by type only: a webhook's URL may carry a token, and types are a bounded set.
        self.delivery_attempts = Counter(
            "guetteur_delivery_attempts", "Delivery attempts by sink type and result.", ["sink_type", "result"],
            registry=r,
        )
        self.outbox_oldest_age = Gauge(
            "guetteur_outbox_oldest_age_seconds", "Age of the oldest alert still waiting in the outbox (0 if none).",
            registry=r,
        )
        self.dead_letters = Gauge("guetteur_dead_letters", "Alert deliveries that exhausted their retries.",
                                  registry=r)
        self.sinks_disabled = Gauge("guetteur_sinks_disabled", "Sinks disabled by a 410 Gone until enabled again.",
                                    registry=r)
        # process_* (memory, CPU, open files) of this Python process; Prism and the extraction worker are apart.
        ProcessCollector(registry=r)

    def look(self) -> None:
        """The polling source looked at its schedule: the heartbeat that /healthz watches."""
        self.last_look = time.time()
        self.source_heartbeat.set(self.last_look)

    def drop(self, stage: str, reason: str) -> None:
        self.drops.labels(stage=stage, reason=reason).inc()
