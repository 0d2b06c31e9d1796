"""Politeness: a bound on requests in flight, overall and per host, shared by every client of the process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Limiter:
    """At most `total` requests at once, and at most `per_host` to any one host."""

    def __init__(self, total: int, per_host: int) -> None:
        self.total = total
        self.per_host = per_host
        self._in_flight = 0
        self._hosts: dict[str, int] = {}  # only hosts with a request in flight: the map cannot grow for weeks
        self._cond = threading.Condition()

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._in_flight < self.total and self._hosts.get(host, 0) < self.per_host)
            self._in_flight += 1
            self._hosts[host] = self._hosts.get(host, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                if self._hosts[host] == 1:
                    del self._hosts[host]
                else:
                    self._hosts[host] -= 1
                self._cond.notify_all()

    def in_flight(self) -> tuple[int, dict[str, int]]:
        with self._cond:
            return self._in_flight, dict(self._hosts)
