"""Drain the outbox to the sinks, outside any Beam bundle, so a retried bundle never sends an alert twice."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from connectors.sinks import Sink, SinkError
from pipeline.store import Store

log = logging.getLogger(__name__)


def deliver_pending(store: Store, sinks: Sequence[Sink], *, batch: int = 100) -> tuple[int, int]:
    """Send every pending alert, in creation order within each sink; return (delivered, failed).

    A sink that fails stops its own queue (order matters within a sink) but not the others.
    """
    delivered = failed = 0
    for sink in sinks:
        while True:
            pending = store.pending(sink.key, batch)
            if not pending:
                break
            try:
                for item in pending:
                    sink.send(item.alert_id, item.body)
                    store.mark_delivered(item.alert_id, sink.key, datetime.now(UTC))
                    delivered += 1
            except SinkError as exc:
                log.warning("sink %s: %s; %d alert(s) wait in the outbox", sink.key, exc, len(pending))
                failed += 1
                break
    return delivered, failed
