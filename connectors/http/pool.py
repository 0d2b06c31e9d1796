"""Connections pinned to a checked address, and the kept-alive ones awaiting their next request."""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from urllib3.connection import HTTPConnection, HTTPSConnection

from connectors.http.url import Target
from pipeline.config import defaults as settings

_IDLE_SECONDS = settings.HTTP_IDLE_SECONDS


class _ReportsSocket:
    """Reports a connection's socket the moment it exists, so the deadline watchdog can shut it down."""

    on_socket: Callable[[socket.socket], None] | None = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.on_socket is not None:
            self.on_socket(sock)
        return sock


class PinnedHTTPConnection(_ReportsSocket, HTTPConnection):
    """A connection to an IP the guard checked."""


class PinnedHTTPSConnection(_ReportsSocket, HTTPSConnection):
    """The TLS twin of PinnedHTTPConnection; SNI and the certificate check use the URL's hostname."""


Connection = PinnedHTTPConnection | PinnedHTTPSConnection
PoolKey = tuple[str, str, int, str]  # scheme, IP, port, TLS hostname


def pool_key(target: Target, ip: str) -> PoolKey:
    # Plain HTTP connections serve any Host; a TLS one is bound to the name its certificate was checked for.
    return target.scheme, ip, target.port, target.host if target.scheme == "https" else ""


class IdleConnections:
    """Kept-alive connections awaiting their next request: bounded, oldest closed first, thread-safe."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: deque[tuple[PoolKey, Connection, float]] = deque()
        self._lock = threading.Lock()

    def take(self, key: PoolKey) -> Connection | None:
        while True:
            with self._lock:
                found = next((i for i in reversed(range(len(self._items))) if self._items[i][0] == key), None)
                if found is None:
                    return None
                _, conn, since = self._items[found]
                del self._items[found]
            # A server may have closed it while it waited.
            if time.monotonic() - since < _IDLE_SECONDS and conn.is_connected:
                return conn
            conn.close()

    def put(self, key: PoolKey, conn: Connection) -> None:
        conn.on_socket = None
        with self._lock:
            self._items.append((key, conn, time.monotonic()))
            evicted = self._items.popleft() if len(self._items) > self._limit else None
        if evicted is not None:
            evicted[1].close()

    def close(self) -> None:
        with self._lock:
            items = list(self._items)
            self._items.clear()
        for _, conn, _ in items:
            conn.close()
