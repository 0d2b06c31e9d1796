"""The arena cap: a process with a dozen live threads keeps to two glibc arenas, unless the user chose a limit.

Each case runs in a fresh interpreter: glibc fixes its arena limit once per process, so only a new process shows
what a call at start-up does. glibc's malloc_stats() prints one "Arena N:" block per arena on stderr.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="arenas and M_ARENA_MAX are glibc's")

THREADS = 12

_CHILD = f"""
import ctypes, sys, threading
from connectors.allocator import cap_malloc_arenas
if sys.argv[1] == "cap":
    print(cap_malloc_arenas(), flush=True)
barrier = threading.Barrier({THREADS} + 1)
held = []

def work():
    held.append(bytearray(50_000))  # under glibc's mmap threshold: served by the thread's arena
    barrier.wait()  # every thread alive at once, so none inherits the arena of one that ended

threads = [threading.Thread(target=work) for _ in range({THREADS})]
for thread in threads:
    thread.start()
barrier.wait()
ctypes.CDLL(None).malloc_stats()
for thread in threads:
    thread.join()
"""


def arenas_used(mode: str, **env: str) -> tuple[str, int]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")} | env
    done = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True, timeout=60,
                          check=True, cwd=Path(__file__).parents[2], env=environment)
    return done.stdout.strip(), sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_without_the_cap_each_live_thread_gets_an_arena_of_its_own() -> None:
    # What the cap is for; if glibc ever shares arenas by itself, this says the cap no longer matters.
    _, arenas = arenas_used("none")
    assert arenas > 2  # up to 8 per core, so at least 8 here


def test_the_cap_keeps_a_dozen_threads_to_two_arenas() -> None:
    said, arenas = arenas_used("cap")
    assert said == "True"
    assert arenas <= 2


def test_a_limit_the_user_set_wins() -> None:
    said, arenas = arenas_used("cap", MALLOC_ARENA_MAX="4")
    assert said == "False"
    assert 2 < arenas <= 4
