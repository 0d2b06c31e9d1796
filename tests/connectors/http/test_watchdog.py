"""The process's deadline thread: alarms fire in time order, a cancelled one never, a failing one stops nothing."""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref

import pytest

from connectors.http.watchdog import COMPACT_AT_LEAST, WATCHDOG, Watchdog


def wait_for(condition: threading.Event, seconds: float = 5.0) -> None:
    assert condition.wait(seconds), "the watchdog did not fire in time"


def test_alarms_fire_in_deadline_order_not_registration_order() -> None:
    watchdog, fired, done = Watchdog(), [], threading.Event()
    now = time.monotonic()
    watchdog.call_at(now + 0.30, lambda: (fired.append("late"), done.set()))
    watchdog.call_at(now + 0.05, lambda: fired.append("early"))
    watchdog.call_at(now + 0.15, lambda: fired.append("middle"))
    wait_for(done)
    assert fired == ["early", "middle", "late"]


def test_an_alarm_never_fires_before_its_time() -> None:
    watchdog, done = Watchdog(), threading.Event()
    when = time.monotonic() + 0.2
    fired_at: list[float] = []
    watchdog.call_at(when, lambda: (fired_at.append(time.monotonic()), done.set()))
    wait_for(done)
    assert fired_at[0] >= when


def test_a_cancelled_alarm_never_fires() -> None:
    watchdog, fired, done = Watchdog(), [], threading.Event()
    now = time.monotonic()
    watchdog.call_at(now + 0.05, lambda: fired.append("cancelled")).cancel()
    watchdog.call_at(now + 0.10, done.set)
    wait_for(done)
    assert fired == [] and watchdog.pending() == 0


def test_a_failing_callback_does_not_stop_the_next(caplog: pytest.LogCaptureFixture) -> None:
    watchdog, done = Watchdog(), threading.Event()

    def broken() -> None:
        raise RuntimeError("boom")

    now = time.monotonic()
    watchdog.call_at(now + 0.01, broken)
    watchdog.call_at(now + 0.05, done.set)
    wait_for(done)
    assert "a deadline callback failed" in caplog.text


def test_many_alarms_use_one_thread(thread_starts: list[str]) -> None:
    watchdog, done = Watchdog(), threading.Event()
    alarms = [watchdog.call_at(time.monotonic() + 30, lambda: None) for _ in range(200)]
    watchdog.call_at(time.monotonic() + 0.05, done.set)
    wait_for(done)
    assert thread_starts == ["guetteur-watchdog"]
    assert watchdog.pending() == 200
    for alarm in alarms:
        alarm.cancel()
    assert watchdog.pending() == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_inherits_no_alarm_and_gets_its_own_thread() -> None:
    # The parent's alarms would shut down sockets the child shares with it; the child starts from nothing.
    inherited = WATCHDOG.call_at(time.monotonic() + 60, lambda: None)
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only if it has no inherited alarm and its own alarms still fire
        done = threading.Event()
        fresh = WATCHDOG.pending() == 0
        WATCHDOG.call_at(time.monotonic() + 0.05, done.set)
        os._exit(0 if fresh and done.wait(5) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not inherited.cancelled and WATCHDOG.pending() >= 1  # the parent's are untouched
    inherited.cancel()


def test_cancelled_alarms_do_not_pile_up_until_their_deadline() -> None:
    # Each request arms a deadline a minute away and cancels it milliseconds later: left in the heap, the cancelled
    # alarms of the last minute (over a thousand at 20 requests a second) would all be held.
    watchdog = Watchdog()
    keeper = watchdog.call_at(time.monotonic() + 60, lambda: None)  # a request still in flight
    for _ in range(5000):
        watchdog.call_at(time.monotonic() + 60, lambda: None).cancel()
    assert watchdog.pending() == 1
    assert watchdog.held() <= 2 * COMPACT_AT_LEAST
    keeper.cancel()
    assert watchdog.pending() == 0


def test_an_alarm_lets_go_of_its_callback_once_cancelled_or_fired() -> None:
    # The callback is usually a method of the object holding the alarm: kept, the pair would be a reference cycle.
    class Request:
        def __init__(self, watchdog: Watchdog, seconds: float) -> None:
            self.alarm = watchdog.call_at(time.monotonic() + seconds, self.expire)
            self.expired = threading.Event()

        def expire(self) -> None:
            self.expired.set()

    watchdog = Watchdog()
    gc.disable()
    try:
        cancelled = Request(watchdog, 60)
        cancelled.alarm.cancel()
        fired = Request(watchdog, 0.01)
        wait_for(fired.expired)
        deadline = time.monotonic() + 5
        while fired.alarm._callback is not None and time.monotonic() < deadline:  # the thread lets go just after
            time.sleep(0.01)
        refs = [weakref.ref(cancelled), weakref.ref(fired)]
        del cancelled, fired
        assert [ref() for ref in refs] == [None, None]
    finally:
        gc.enable()
