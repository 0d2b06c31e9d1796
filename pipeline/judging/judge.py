"""Article and claims -> judgements and alerts: the novelty policy against the store, committed together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pipeline.config.schema import Settings
from pipeline.domain.alert import Alert
from pipeline.domain.records import Article, Claim
from pipeline.ingest.fingerprint import fingerprint
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store


class Judge:
    """The novelty policy against the store: claims, judgements and alerts committed together."""

    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.sinks = [s.key for s in settings.sinks]  # every alert gets an outbox row per sink

    def judge(self, article: Article, claims: Sequence[Claim]) -> list[Alert]:
        with self.metrics.stage_seconds.labels(stage="novelty").time():
            committed = self.store.commit_article(
                replace(article), fingerprint(article.text), claims, sinks=self.sinks,
                tolerance=self.settings.novelty.tolerance, now=datetime.now(UTC),
                min_confidence=self.settings.novelty.min_confidence)
        if committed.duplicate_of:
            self.metrics.duplicates.inc()
        for alert in committed.alerts:
            self.metrics.alerts.labels(kind=alert.kind).inc()
        self.metrics.outbox.set(self.store.outbox_size())
        return list(committed.alerts)
