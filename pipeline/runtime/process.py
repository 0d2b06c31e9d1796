"""The one owner of what a process holds once: the stop flag, settings, store, extractor, polling, metrics, limiter.

Beam's SDK harness unpickles a fresh instance of every DoFn for each bundle processor, and adds bundle processors as
the stream runs (the soak saw 7, then 11, after 70 minutes); an instance is torn down only when its processor is
dropped. Anything an instance opened for itself (a store connection, an extraction child, a feed schedule) would be
held as many times as there are processors. The stages hold one per process instead, from here, counted by users.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from connectors.feeds.source import HttpFeedSource
from connectors.http.client import HttpClient
from connectors.http.limits import Limiter
from connectors.stores import open_store
from pipeline.config.schema import HttpSettings, Settings
from pipeline.ingest.extraction_worker import BoundedExtractor
from pipeline.ingest.polling import Poller
from pipeline.ports.metrics import Metrics
from pipeline.ports.store import Store

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Set by the signal handler of the process that runs the pipeline (LOOPBACK: the same process as the DoFns); the
# sources see it, claim the rest of their range and return, so the pipeline drains and finishes.
STOP = threading.Event()


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


# --- settings: frozen, so any holder may share the process's one copy

_settings: dict[str, Settings] = {}
_settings_lock = threading.Lock()


def shared_settings(settings: Settings) -> Settings:
    """The process's one copy of these settings.

    With 200 feeds, each DoFn's unpickled copy held 200 feed objects, times the bundle processors Beam keeps. A DoFn
    trades its copy for this one in setup, and its own is freed. A process runs one pipeline, the tests a few: the
    copies kept are as many as the configs run.
    """
    key = settings.model_dump_json()
    with _settings_lock:
        return _settings.setdefault(key, settings)


# --- metrics: Beam pickles DoFns, so a DoFn looks its metrics up here at run time rather than carry a copy

_metrics: Metrics | None = None
_metrics_lock = threading.Lock()


def process_metrics() -> Metrics:
    """The metrics of this process, shared by every stage that runs in it and served on /metrics."""
    global _metrics
    with _metrics_lock:
        if _metrics is None:
            _metrics = Metrics()
        return _metrics


# --- the store: one connection per process and location (both stores serialise their threads); with one per DoFn
# instance the soak held 14 SQLite connections, each with its own page cache.

_stores: PerProcess[str, Store] = PerProcess(close=lambda store: store.close())


def acquire_store(location: str) -> Store:
    """The process's store for `location`, opened on first use (without the integrity check: run_command did it)."""
    return _stores.acquire(location, lambda: open_store(location, check_integrity=False))


def release_store(location: str) -> None:
    """One user fewer; the last one closes the store."""
    _stores.release(location)


# --- the extraction child: with one per DoFn instance the soak grew by one ~80 MB child every few minutes. The
# child's lock already serialises pages; fetches, the slow part, stay concurrent.

_extractors: PerProcess[None, BoundedExtractor] = PerProcess(close=lambda extractor: extractor.close())


def _started() -> BoundedExtractor:
    extractor = BoundedExtractor()
    extractor.warm_up()  # start the child and its imports now, not on the first article
    return extractor


def acquire_extractor() -> BoundedExtractor:
    """The process's extractor, started on first use; give it back with release_extractor()."""
    return _extractors.acquire(None, _started)


def release_extractor() -> None:
    """One user fewer; the last one stops the child (the end of a --once run, a torn-down pipeline)."""
    _extractors.release(None)


# --- HTTP politeness: every stage's client draws on the same slots

_limiters: dict[tuple[int, int], Limiter] = {}
_limiters_lock = threading.Lock()


def limiter(http: HttpSettings) -> Limiter:
    """The process's limiter for these bounds: requests in flight overall and per host."""
    with _limiters_lock:
        return _limiters.setdefault((http.max_in_flight, http.max_per_host), Limiter(http.max_in_flight,
                                                                                   http.max_per_host))


def feed_source(settings: Settings) -> HttpFeedSource:
    """Feeds and pages through an HTTP client that shares the process's limiter."""
    return HttpFeedSource(HttpClient(settings.http, limiter=limiter(settings.http)))


# --- polling

_poll_pools: dict[int, ThreadPoolExecutor] = {}
_poll_pools_lock = threading.Lock()


def poll_pool(workers: int) -> ThreadPoolExecutor:
    """The process's polling threads, `workers` at most (the bound on requests in flight): every Poller shares them.

    A pool per look started and ended up to 16 threads several times a second, and the churn alone made the
    monitor's resident memory grow; a pool per Poller kept 8 x 16 idle threads. The pool lives as long as the process.
    """
    with _poll_pools_lock:
        if workers not in _poll_pools:
            _poll_pools[workers] = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="guetteur-poll")
        return _poll_pools[workers]


def new_poller(settings: Settings, store: Store) -> Poller:
    """A Poller on the process's polling threads, limiter and metrics."""
    return Poller(settings, feed_source(settings), store, process_metrics(), poll_pool(settings.http.max_in_flight))


class LockedPoller:
    """The process's schedule of the feeds, and a lock so that one look at it runs at a time."""

    def __init__(self, poller: Poller) -> None:
        self.poller = poller
        self.lock = threading.Lock()


_pollers: PerProcess[str, LockedPoller] = PerProcess()


def acquire_poller(settings: Settings, store: Store) -> LockedPoller:
    """The one schedule of this process for these settings, made on first use.

    Beam's SDK harness makes a new instance of the source whenever a resume starts before the last one has handed
    its instance back, keeps them all, and resumes on any of them. Each with a schedule of its own, the one resumed
    next knew nothing of the polls of the others: it polled those feeds again, with stale validators.
    """
    return _pollers.acquire(settings.model_dump_json(), lambda: LockedPoller(new_poller(settings, store)))


def release_poller(settings: Settings) -> None:
    _pollers.release(settings.model_dump_json())
