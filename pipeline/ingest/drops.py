"""Counting what leaves the flow: every drop under its stage and reason, and its entry finished for good."""

from __future__ import annotations

import logging

from pipeline.domain.records import Drop
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store

log = logging.getLogger(__name__)


def record_drop(metrics: Metrics, store: Store | None, drop: Drop) -> None:
    """Count a drop under its stage and reason; an entry that left the flow is finished, never fetched again."""
    metrics.drop(drop.stage, drop.reason)
    if store is not None:
        store.finish_entry(drop.key, f"{drop.stage}:{drop.reason}")
    log.info("dropped at %s: %s %s %s", drop.stage, drop.reason, drop.key[:100], drop.detail[:100])
