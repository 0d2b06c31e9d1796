"""Deliver the outbox to the sinks outside any Beam bundle (a retried bundle would send twice): a worker per sink.

Within a sink, alerts go strictly in the order they were created: the oldest pending alert is the head of the
sink's queue, and while it waits for a retry the later ones wait behind it. Failures are nearly always the
receiver's (down, overloaded, throttling), so the alerts behind would fail too; sending them meanwhile would only
shuffle the order and multiply the requests to a receiver that is struggling. The price: an alert that one
receiver rejects for good holds that sink until it becomes a dead letter (about 27 hours on the default schedule).
Sinks never wait for each other: each has its own thread, so a hanging webhook holds back nothing but itself.
Delivery is at least once: a crash between a send and its record sends the alert again, with the same id.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from pipeline.config import defaults as settings
from pipeline.ports.metrics import Metrics
from pipeline.ports.sink import Sink, SinkError
from pipeline.ports.store import Pending, Store

log = logging.getLogger(__name__)

_BATCH = settings.DELIVERY_BATCH
_IDLE_RECHECK = settings.DELIVERY_IDLE_RECHECK


def next_delay(schedule: tuple[float, ...] | None, failures: int, rng: random.Random,
               retry_after: float | None = None) -> float | None:
    """Seconds from a failure to the next attempt, or None when the retries are exhausted (a dead letter).

    `failures` counts the failed attempts so far, this one included. A schedule of None retries for ever,
    doubling from 1 s up to a minute. Each delay gets jitter; a Retry-After is a floor the jitter never goes under.
    """
    if schedule is None:
        base = min(settings.LOCAL_RETRY_CAP, 2.0 ** min(failures - 1, 16))
    elif failures > len(schedule):
        return None
    else:
        base = schedule[failures - 1]
    delay = base * rng.uniform(1 - settings.RETRY_JITTER, 1 + settings.RETRY_JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.RETRY_AFTER_CAP))
    return delay


def attempt(store: Store, sink: Sink, item: Pending, metrics: Metrics, rng: random.Random) -> bool:
    """One attempt to deliver one outbox row, its outcome recorded in the store and the metrics; True if delivered."""
    try:
        sink.send(item.alert_id, item.body)
    except SinkError as exc:
        _failed(store, sink, item, metrics, rng, exc)
        return False
    except Exception as exc:
        log.exception("sink %s: alert %s: unexpected failure", sink.key, item.alert_id)
        _failed(store, sink, item, metrics, rng, SinkError(f"unexpected {type(exc).__name__}: {exc}"))
        return False
    store.mark_delivered(item.alert_id, sink.key, datetime.now(UTC))
    metrics.delivery_attempts.labels(sink_type=sink.kind, result="delivered").inc()
    return True


def _failed(store: Store, sink: Sink, item: Pending, metrics: Metrics, rng: random.Random, exc: SinkError) -> None:
    metrics.delivery_attempts.labels(sink_type=sink.kind, result=exc.result).inc()
    error = str(exc)
    if exc.gone:
        # The alert spends no retry on it: it goes first once a person enables the sink again.
        store.disable_sink(sink.key, error, datetime.now(UTC))
        store.record_failure(item.alert_id, sink.key, error=error, next_attempt=time.time(), counted=False)
        log.error("sink %s: %s; the sink is disabled, its alerts wait in the outbox: "
                  "`guetteur alerts enable-sink %s` sends them again", sink.key, error, sink.key)
        return
    failures = item.attempts + 1
    delay = next_delay(sink.retry_schedule, failures, rng, exc.retry_after)
    if delay is None:
        store.record_failure(item.alert_id, sink.key, error=error, next_attempt=None)
        log.error("sink %s: alert %s: %s; a dead letter after %d attempts (`guetteur alerts retry` sends it again)",
                  sink.key, item.alert_id, error, failures)
        return
    store.record_failure(item.alert_id, sink.key, error=error, next_attempt=time.time() + delay)
    log.warning("sink %s: alert %s: %s; attempt %d failed, next in %.3g s", sink.key, item.alert_id, error,
                failures, delay)


class SinkWorker(threading.Thread):
    """Delivers one sink's outbox in creation order until stopped."""

    def __init__(self, store: Store, sink: Sink, metrics: Metrics, *, poll: float, rng: random.Random) -> None:
        super().__init__(name=f"guetteur-deliver-{sink.kind}", daemon=True)
        self.store = store
        self.sink = sink
        self.metrics = metrics
        self.poll = poll
        self.rng = rng
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                wait = self.step()
            except Exception:
                if self.stopping.is_set():
                    return  # the store was closed under a send that outlived the stop: nothing to report
                log.exception("sink %s: delivery failed; its alerts stay in the outbox", self.sink.key)
                wait = _IDLE_RECHECK
            self.stopping.wait(wait)

    def step(self) -> float:
        """Deliver what is due, in order; return how long to wait before looking again."""
        if self.sink.key in self.store.disabled_sinks():
            return _IDLE_RECHECK
        batch = self.store.pending(self.sink.key, _BATCH)
        for item in batch:
            if self.stopping.is_set():
                return 0.0
            wait = item.next_attempt - time.time()
            if wait > 0:
                return min(wait, _IDLE_RECHECK)  # the head waits for its retry, and the rest behind it
            if not attempt(self.store, self.sink, item, self.metrics, self.rng):
                return 0.0  # read the head again: it now carries its next attempt, or it is a dead letter
        return 0.0 if len(batch) == _BATCH else self.poll

    def settled(self, until: float) -> bool:
        """Nothing of this sink can be delivered before `until` (POSIX time): empty, disabled, or waiting past it."""
        if self.sink.key in self.store.disabled_sinks():
            return True
        head = self.store.pending(self.sink.key, 1)
        return not head or head[0].next_attempt > until


class Deliverer:
    """The sinks' workers, plus a thread that keeps the outbox gauges current."""

    def __init__(self, store: Store, sinks: Sequence[Sink], metrics: Metrics, *,
                 poll: float = settings.DELIVERY_POLL, seed: int | None = None) -> None:
        self.store = store
        self.metrics = metrics
        rng = random.Random(seed)
        self.workers = [SinkWorker(store, sink, self.metrics, poll=poll, rng=random.Random(rng.random()))
                        for sink in sinks]
        self._stop = threading.Event()
        self._gauges = threading.Thread(target=self._refresh_loop, name="guetteur-outbox-gauges", daemon=True)

    def start(self) -> None:
        for worker in self.workers:
            worker.start()
        self._gauges.start()

    def refresh_metrics(self) -> None:
        stats = self.store.outbox_stats()
        self.metrics.outbox.set(stats.pending)
        self.metrics.dead_letters.set(stats.dead)
        age = 0.0
        if stats.oldest_pending:
            age = max(0.0, time.time() - datetime.fromisoformat(stats.oldest_pending).timestamp())
        self.metrics.outbox_oldest_age.set(age)
        self.metrics.sinks_disabled.set(len(self.store.disabled_sinks()))

    def _refresh_loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.refresh_metrics()
            except Exception:
                if self._stop.is_set():
                    return
                log.exception("outbox gauges could not be read")

    def drain(self, timeout: float) -> bool:
        """Wait until nothing more can be delivered within `timeout` seconds, or until they have passed.

        True when every sink settled: what is left waits for a retry later than that, or at a disabled sink.
        """
        deadline = time.monotonic() + timeout
        while True:
            until = time.time() + max(0.0, deadline - time.monotonic())
            if all(worker.settled(until) for worker in self.workers):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def stop(self, join: float = 1.0) -> None:
        """Stop the workers; a send in flight is not waited for beyond `join` seconds (its row stays pending)."""
        self._stop.set()
        for worker in self.workers:
            worker.stopping.set()
        end = time.monotonic() + join
        for worker in self.workers:
            worker.join(max(0.0, end - time.monotonic()))
        try:
            self.refresh_metrics()
        except Exception:
            log.debug("outbox gauges could not be read at stop", exc_info=True)
