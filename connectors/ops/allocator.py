"""Tune glibc's malloc for a process that runs for weeks.

The monitor's resident memory grew while its live heap (heaptrack) and its Python heap (tracemalloc) stayed flat
(README, "Soak figures"): memory freed but kept by glibc. Two of glibc's defaults suit short programs, not this:

- Threads get arenas of their own, up to eight per core, and an arena is never given back. Beam's SDK harness ends
  and starts bundle threads as it goes, so the threads wander over many arenas, each keeping the fragments its last
  user left. The monitor's threads mostly wait on the network or on the GIL: two arenas are enough.
- Blocks over 128 kB are mapped on their own and unmapped when freed, but freeing one raises that threshold to its
  size, for good. After the first large page or spaCy array, blocks of up to 32 MB come from the arenas, where
  the different sizes of every article leave holes. A fixed threshold keeps them out.
- Free memory inside an arena goes back to the system only from the top of the main arena. Pages left free
  between live blocks (an article's buffers, freed around longer-lived ones) stay resident for good; glibc returns
  them only when asked, with malloc_trim, which `give_back_every` does once a minute.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading

log = logging.getLogger(__name__)

ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's own starting value, kept instead of raised
GIVE_BACK_EVERY = 60.0  # seconds between two malloc_trim calls: a few milliseconds of work on the monitor's heap

# (mallopt parameter from glibc's malloc.h, the value we set, the environment variable and the tunable that set it)
_SETTINGS = (
    (-8, ARENAS, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max"),
    (-3, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"),
)


@functools.cache  # looked up once: give_back runs every minute for weeks
def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded in this process: its own C library
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it, and only glibc's mallopt knows these parameters
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
        return libc
    except (OSError, AttributeError, TypeError):
        return None


def give_back() -> bool:
    """Return the free pages of every arena to the system (glibc's malloc_trim); False when nothing was returned
    or the C library is not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    return libc.malloc_trim(0) == 1


def give_back_every(seconds: float = GIVE_BACK_EVERY) -> threading.Event:
    """Call give_back() every `seconds` in a daemon thread, until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(seconds):
            give_back()

    if _glibc() is not None:
        threading.Thread(target=loop, name="malloc-trim", daemon=True).start()
    return stop


def tune_malloc() -> list[str]:
    """Apply the settings above to this process; return the environment names of those applied.

    Call it before the process starts its threads: glibc fixes its arena limit when the ninth arena is made. A
    setting the user chose (environment variable or GLIBC_TUNABLES) wins, and another C library (musl) is left as is.
    """
    libc = _glibc()
    if libc is None:
        return []
    mallopt = libc.mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    applied = []
    for parameter, value, variable, tunable in _SETTINGS:
        if variable in os.environ or tunable in tunables:
            continue
        if mallopt(parameter, value) == 1:
            applied.append(variable)
        else:
            log.warning("mallopt refused %s=%d: memory may creep while the monitor runs", variable, value)
    return applied
