"""Cap the number of glibc malloc arenas of a long-running process.

glibc gives threads arenas of their own, up to eight per core, and never gives an arena back. Beam's SDK harness
ends and starts bundle threads as it goes, so the monitor's threads wander over many arenas, each keeping the
fragments its last user left: resident memory grew by 5 to 10 MB every ten minutes while the live heap (heaptrack)
and the Python heap (tracemalloc) stayed flat (README, "Soak figures"). The monitor's threads mostly wait on the
network or on the GIL, so two arenas cost no measurable speed and keep the fragments in two places.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # from glibc's malloc.h


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Limit glibc to `arenas` arenas in this process; True if done.

    Call it before the process starts its threads: glibc fixes its limit when the ninth arena is made. A limit the
    user set (MALLOC_ARENA_MAX, or GLIBC_TUNABLES) wins, and another C library (musl) is left alone.
    """
    if "MALLOC_ARENA_MAX" in os.environ or "glibc.malloc.arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded in this process: its own C library
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it, and only glibc's mallopt knows M_ARENA_MAX
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    if mallopt(_M_ARENA_MAX, arenas) != 1:
        log.warning("mallopt(M_ARENA_MAX, %d) refused: memory may creep while the monitor runs", arenas)
        return False
    return True
