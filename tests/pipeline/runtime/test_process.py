"""PerProcess: one object per key, made once however many users race for it, closed after the last user only."""

from __future__ import annotations

import threading
import time

from pipeline.runtime.process import PerProcess


class Resource:
    made = 0

    def __init__(self, name: str) -> None:
        time.sleep(0.01)  # a slow open, so that racing users would each make one without the lock
        Resource.made += 1
        self.name = name
        self.closed = False


def test_users_racing_for_a_key_share_one_object_closed_by_the_last() -> None:
    Resource.made = 0
    closed: list[Resource] = []
    shared: PerProcess[str, Resource] = PerProcess(close=closed.append)
    got: list[Resource] = []
    start = threading.Barrier(8)

    def user() -> None:
        start.wait()
        got.append(shared.acquire("a", lambda: Resource("a")))

    threads = [threading.Thread(target=user) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Resource.made == 1 and len({id(r) for r in got}) == 1
    assert shared.users("a") == 8

    for _ in range(7):
        shared.release("a")
    assert closed == [] and shared.users("a") == 1
    shared.release("a")
    assert closed == got[:1] and shared.users("a") == 0

    # Released for good: the next user opens a new one, and a release too many changes nothing.
    again = shared.acquire("a", lambda: Resource("a"))
    assert again is not got[0] and Resource.made == 2
    shared.release("a")
    shared.release("a")
    assert closed == [got[0], again]


def test_keys_are_independent_and_closing_is_optional() -> None:
    shared: PerProcess[str, Resource] = PerProcess()
    a = shared.acquire("a", lambda: Resource("a"))
    b = shared.acquire("b", lambda: Resource("b"))
    assert a is not b and (a.name, b.name) == ("a", "b")
    shared.release("a")
    assert shared.users("a") == 0 and shared.users("b") == 1
    assert shared.acquire("b", lambda: Resource("other")) is b
