"""Tune glibc's malloc for a process that runs for weeks.

The monitor's resident memory grew while its live heap (heaptrack) and its Python heap (tracemalloc) stayed flat
(README, "Soak figures"): memory freed but kept by glibc. Two of glibc's defaults suit short programs, not this:

- Threads get arenas of their own, up to eight per core, and an arena is never given back. Beam's SDK harness ends
  and starts bundle threads as it goes, so the threads wander over many arenas, each keeping the fragments its last
  user left. The monitor's threads mostly wait on the network or on the GIL: two arenas are enough.
- Blocks over 128 kB are mapped on their own and unmapped when freed, but freeing one raises that threshold to its
  size, for good. After the first large page or spaCy array, blocks of up to 32 MB come from the arenas, where
  the different sizes of every article leave holes. A fixed threshold keeps them out.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # bytes: glibc's own starting value, kept instead of raised

# (mallopt parameter from glibc's malloc.h, the value we set, the environment variable and the tunable that set it)
_SETTINGS = (
    (-8, ARENAS, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max"),
    (-3, MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"),
)


def tune_malloc() -> list[str]:
    """Apply the settings above to this process; return the environment names of those applied.

    Call it before the process starts its threads: glibc fixes its arena limit when the ninth arena is made. A
    setting the user chose (environment variable or GLIBC_TUNABLES) wins, and another C library (musl) is left as is.
    """
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded in this process: its own C library
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it, and only glibc's mallopt knows these parameters
    except (OSError, AttributeError, TypeError):
        return []
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
