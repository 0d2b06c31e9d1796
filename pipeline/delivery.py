"""Drain the outbox to the sinks, outside any Beam bundle, so a retried bundle never sends an alert twice."""

from __future__ import annotations

import logging
import threading
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


class Deliverer(threading.Thread):
    """Drains the outbox every `period` seconds while the pipeline runs, and once more when told to stop."""

    def __init__(self, store: Store, sinks: Sequence[Sink], *, period: float = 0.5) -> None:
        super().__init__(name="guetteur-deliver", daemon=True)
        self.store = store
        self.sinks = sinks
        self.period = period
        self.finish = threading.Event()

    def run(self) -> None:
        while not self.finish.wait(self.period):
            self._once()
        self._once()

    def _once(self) -> None:
        try:
            deliver_pending(self.store, self.sinks)
        except Exception:  # noqa: BLE001 - a failing sink must not kill delivery for the others
            log.exception("delivery failed; alerts stay in the outbox")
