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

log = logging.getLogger(__name__)

# Cancelled alarms are left in the heap (removing one from the middle costs a scan) until they are the majority and
# at least this many; then the heap is rebuilt without them. asyncio's event loop treats its cancelled timers alike.
COMPACT_AT_LEAST = 100


class Alarm:
    """A callback due at `when` (time.monotonic()); `cancel()` before then and it never runs."""

    __slots__ = ("_callback", "_cancelled", "_owner", "seq", "when")  # one per request: no dict each

    def __init__(self, when: float, seq: int, callback: Callable[[], None], owner: Watchdog) -> None:
        self.when = when
        self.seq = seq
        self._callback: Callable[[], None] | None = callback
        self._cancelled = False
        self._owner: Watchdog | None = owner  # while the alarm is in its watchdog's heap

    def __lt__(self, other: Alarm) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        # The callback is let go at once: it is usually a bound method of the object that holds this alarm, and
        # the cycle would keep both alive until the deadline passed, long enough for the cycle collector's oldest
        # generation, which runs rarely. At 20 requests a second the monitor piled up tens of thousands of dead
        # requests between two full collections.
        self._callback = None
        owner = self._owner
        if owner is None:  # fired or dropped: out of the heap for good
            self._cancelled = True
        else:
            owner._cancel(self)


class Watchdog:
    def __init__(self) -> None:
        self._seq = itertools.count()
        self._forget()

    def _forget(self) -> None:
        """No alarm, no thread, a new lock: what a forked child needs. It inherits the parent's alarms, whose
        callbacks would shut down sockets it shares with the parent, and maybe a lock held by a thread it lacks."""
        for inherited in getattr(self, "_heap", ()):
            inherited._owner = None
        self._heap: list[Alarm] = []
        self._cancelled_in_heap = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, callback: Callable[[], None]) -> Alarm:
        alarm = Alarm(when, next(self._seq), callback, self)
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
            return len(self._heap) - self._cancelled_in_heap

    def held(self) -> int:
        """Alarms in the heap, cancelled ones not yet dropped included: what the watchdog costs in memory."""
        with self._cond:
            return len(self._heap)

    def _cancel(self, alarm: Alarm) -> None:
        with self._cond:
            if alarm._cancelled:
                return
            alarm._cancelled = True
            if alarm._owner is not self:  # left the heap meanwhile
                return
            self._cancelled_in_heap += 1
            # Deadlines are a minute away and requests last milliseconds: without this, the heap would hold every
            # request of the last minute.
            if self._cancelled_in_heap >= COMPACT_AT_LEAST and 2 * self._cancelled_in_heap > len(self._heap):
                kept = []
                for queued in self._heap:
                    if queued._cancelled:
                        queued._owner = None
                    else:
                        kept.append(queued)
                heapq.heapify(kept)
                self._heap = kept
                self._cancelled_in_heap = 0

    def _pop(self) -> Alarm:
        alarm = heapq.heappop(self._heap)
        alarm._owner = None
        if alarm.cancelled:
            self._cancelled_in_heap -= 1
        return alarm

    def _next_due(self) -> Alarm:
        with self._cond:
            while True:
                while self._heap and self._heap[0].cancelled:
                    self._pop()
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0].when - time.monotonic()
                if delay <= 0:
                    return self._pop()
                self._cond.wait(delay)

    def _run(self) -> None:
        while True:
            _fire(self._next_due())


def _fire(alarm: Alarm) -> None:
    # A function of its own, so that no variable of the thread's loop holds the callback while it waits for the next.
    callback, alarm._callback = alarm._callback, None  # fired: the alarm no longer keeps its owner alive
    if callback is None:  # cancelled between leaving the heap and now
        return
    try:
        callback()
    except Exception:
        log.exception("a deadline callback failed")


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG._forget)
