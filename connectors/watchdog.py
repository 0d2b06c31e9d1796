"""Deadlines fired by one thread per process, instead of a timer thread per request.

A monitor polling 200 feeds every 10 s makes about 20 requests a second. With a `threading.Timer` each, it
started and ended 20 threads a second; every new thread takes a stack and an allocator arena of its own, and
the churn showed as resident memory that grew for as long as the monitor ran while the live heap stayed flat
(measured with heaptrack and tracemalloc; README, "Soak figures"). One long-lived thread and a heap of
deadlines does the same work without the churn.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(order=True)
class Alarm:
    """A callback due at `when` (time.monotonic()); `cancel()` before then and it never runs."""

    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        # A flag, not a removal: the heap drops it when it comes up. Deadlines are seconds away, so cancelled
        # alarms waiting there number at most the requests of one deadline's span.
        self.cancelled = True


class Watchdog:
    def __init__(self) -> None:
        self._seq = itertools.count()
        self._forget()

    def _forget(self) -> None:
        """No alarm, no thread, a new lock: what a forked child needs. It inherits the parent's alarms, whose
        callbacks would shut down sockets it shares with the parent, and maybe a lock held by a thread it lacks."""
        self._heap: list[Alarm] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, callback: Callable[[], None]) -> Alarm:
        alarm = Alarm(when, next(self._seq), callback)
        with self._cond:
            heapq.heappush(self._heap, alarm)
            if self._thread is None:  # started on first use
                self._thread = threading.Thread(target=self._run, name="guetteur-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0] is alarm:  # only a new earliest deadline changes how long the thread must sleep
                self._cond.notify()
        return alarm

    def pending(self) -> int:
        """Alarms neither fired nor cancelled."""
        with self._cond:
            return sum(not alarm.cancelled for alarm in self._heap)

    def _next_due(self) -> Alarm:
        with self._cond:
            while True:
                while self._heap and self._heap[0].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0].when - time.monotonic()
                if delay <= 0:
                    return heapq.heappop(self._heap)
                self._cond.wait(delay)

    def _run(self) -> None:
        while True:
            alarm = self._next_due()
            if alarm.cancelled:  # cancelled between leaving the heap and now
                continue
            try:
                alarm.callback()
            except Exception:  # noqa: BLE001 - one failing callback must not stop every other deadline
                log.exception("a deadline callback failed")


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG._forget)
