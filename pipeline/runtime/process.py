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
