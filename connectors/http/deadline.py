"""One request's clock: a deadline that a watchdog enforces by shutting the request's sockets down."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from connectors.http.response import FetchError
from connectors.http.watchdog import WATCHDOG


class Fetch:
    """One request's clock: its deadline, and a watchdog that shuts its sockets down when the deadline passes.

    Per-read socket timeouts cannot bound a fetch: a server sending one byte a second, in the headers or the
    body, never lets a read time out. So the process's watchdog (connectors.http.watchdog) shuts down the sockets in
    use when the deadline passes, which wakes any blocked read wherever it is; the code that was reading then
    sees `over()` and reports "deadline". Sockets are watched through duplicate descriptors: TLS wrapping
    detaches the socket object a connection starts with, while a shutdown through any descriptor of a socket
    ends it for all. Connect is bounded by its timeout shortened to what is left of the deadline, and so is
    the TLS handshake, which CPython times as a whole.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()  # also serialises shutdown and close of the duplicates
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._finished = False
        self._alarm = WATCHDOG.call_at(self._end, self._expire)

    def elapsed(self) -> float:
        return self.seconds - (self._end - time.monotonic())

    def over(self) -> bool:
        return self._expired or time.monotonic() >= self._end

    def error(self, url: str) -> FetchError:
        return FetchError("deadline", url, f"not done within {self.seconds:g} s")

    def check(self, url: str) -> None:
        if self.over():
            raise self.error(url)

    def timeout(self, per_operation: float, url: str) -> float:
        """`per_operation`, shortened to what is left of the deadline."""
        self.check(url)
        return min(per_operation, self._end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        twin = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            self._sockets.append(twin)
            if self._expired:
                _shutdown(twin)

    def release(self) -> None:
        """Stop watching the sockets of the exchange that just ended."""
        with self._lock:
            for twin in self._sockets:
                twin.close()
            self._sockets.clear()

    def finish(self) -> None:
        self._alarm.cancel()
        with self._lock:
            self._finished = True
        self.release()

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._expired = True
            for twin in self._sockets:
                _shutdown(twin)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer: nothing left to wake
        sock.shutdown(socket.SHUT_RDWR)
