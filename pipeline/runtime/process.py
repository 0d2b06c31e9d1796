"""One object per process and key, shared by every DoFn instance that uses it, closed by the last one.

Beam's SDK harness unpickles a fresh instance of every DoFn for each bundle processor, and adds bundle processors as
the stream runs (the soak saw 7, then 11, after 70 minutes); an instance is torn down only when its processor is
dropped. Anything an instance opens for itself (a store connection, an extraction child, a feed schedule) is
therefore held as many times as there are processors. The stages hold one per process instead, counted by users.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from connectors.stores import open_store
from pipeline.ports.store import Store

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PerProcess(Generic[K, V]):
    """A keyed, counted registry: acquire() makes the object on first use, release() closes it after the last user."""

    def __init__(self, close: Callable[[V], None] | None = None) -> None:
        self._close = close
        self._held: dict[K, tuple[V, int]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: K, make: Callable[[], V]) -> V:
        """The object for `key`, made by `make` if no one holds it (under the lock: two first users make one)."""
        with self._lock:
            value, users = self._held[key] if key in self._held else (make(), 0)
            self._held[key] = (value, users + 1)
            return value

    def release(self, key: K) -> None:
        """One user fewer; the last one closes the object. Releasing a key no one holds does nothing."""
        with self._lock:
            if key not in self._held:
                return
            value, users = self._held[key]
            if users > 1:
                self._held[key] = (value, users - 1)
                return
            del self._held[key]
            if self._close is not None:
                self._close(value)

    def users(self, key: K) -> int:
        """How many hold the object for `key` (0: none is open)."""
        with self._lock:
            return self._held[key][1] if key in self._held else 0


# One store per process and location, shared by every stage instance (both stores serialise their threads). Beam's
# SDK harness keeps a DoFn instance for every bundle that ever ran beside another: with a connection each, the soak
# held 14 SQLite connections, each with its own page cache, growing with the number of instances.
_stores: PerProcess[str, Store] = PerProcess(close=lambda store: store.close())


def acquire_store(location: str) -> Store:
    """The process's store for `location`, opened on first use (without the integrity check: run_command did it)."""
    return _stores.acquire(location, lambda: open_store(location, check_integrity=False))


def release_store(location: str) -> None:
    """One user fewer; the last one closes the store."""
    _stores.release(location)
