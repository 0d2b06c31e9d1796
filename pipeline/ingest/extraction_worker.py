"""Run extraction in a child process, so one pathological page costs at most a timeout and a memory cap."""

from __future__ import annotations

import multiprocessing
import resource
import threading
from multiprocessing.connection import Connection

from pipeline.config import defaults as settings

# trafilatura has no timeout and lxml can take gigabytes on a trap page: a thread cannot be stopped, a process can.
# The child lives across pages, so the cost is one pickle round-trip per page, not a spawn.
from pipeline.config.defaults import EXTRACT_CHILD_MAX_PAGES as MAX_PAGES_PER_CHILD
from pipeline.config.defaults import EXTRACT_CHILD_MAX_RSS as MAX_CHILD_RSS
from pipeline.config.defaults import EXTRACT_CHILD_MEMORY as MEMORY_LIMIT
from pipeline.ingest.extraction import Extracted, ExtractionFailure, extract_article


def _rss() -> int:
    """This process's resident memory in bytes (Linux), or 0 where /proc cannot tell."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn: Connection, memory_limit: int) -> None:
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        body, url = request
        try:
            result: Extracted | ExtractionFailure = extract_article(body, url)
        except MemoryError:
            result = ExtractionFailure("memory_limit", f"over {memory_limit // 2**20} MB")
        except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not kill the worker
            result = ExtractionFailure("extractor_error", f"{type(exc).__name__}: {exc}"[:300])
        conn.send((result, _rss()))


class BoundedExtractor:
    """extract_article with a per-page deadline: on timeout the child is killed and a fresh one started."""

    def __init__(self, timeout: float = settings.EXTRACT_TIMEOUT, memory_limit: int = MEMORY_LIMIT,
                 max_pages: int = MAX_PAGES_PER_CHILD, max_rss: int = MAX_CHILD_RSS) -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.max_pages = max_pages
        self.max_rss = max_rss
        self.pages = 0  # pages extracted by the current child
        self.recycled = 0  # children replaced because of their age or their memory
        # spawn, not fork: the parent runs threads (Beam, the HTTP client) and fork would copy their locks.
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, self.memory_limit), daemon=True,
                                        name="guetteur-extract")
        process.start()
        child.close()
        self.pages = 0
        self._process, self._conn = process, parent
        return parent

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def extract(self, body: bytes, url: str = "") -> Extracted | ExtractionFailure:
        with self._lock:
            conn = self._conn or self._start()
            try:
                conn.send((body, url))
                # The first call also pays the child's imports (about a second): not the page's fault.
                if conn.poll(self.timeout):
                    result: Extracted | ExtractionFailure
                    result, rss = conn.recv()
                    self.pages += 1
                    if self.pages >= self.max_pages or rss > self.max_rss:
                        self._retire()
                    return result
            except (EOFError, OSError, BrokenPipeError) as exc:
                self._kill()
                return ExtractionFailure("worker_crashed", str(exc)[:200])
            self._kill()
            return ExtractionFailure("timeout", f"over {self.timeout:g} s")

    def _stop_child(self) -> None:
        """Ask the child to exit, then make sure it has (called with the lock held)."""
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        if self._process is not None:
            self._process.join(2)
        self._kill()

    def _retire(self) -> None:
        """Replace a child that is old or heavy: the next page starts a fresh one."""
        self._stop_child()
        self.recycled += 1

    def warm_up(self) -> None:
        """Start the child and load trafilatura now, so the first page is timed fairly."""
        self.extract(b"<html><body><p>warm up</p></body></html>")

    def close(self) -> None:
        with self._lock:
            self._stop_child()

    def __enter__(self) -> BoundedExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
