"""glibc's malloc tuned for a long run: two arenas for any number of threads, a threshold for mapping that stays put.

Each case runs in a fresh interpreter: glibc fixes its arena limit once per process, and the threshold moves with
what the process freed before, so only a new process shows what a call at start-up does.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="arenas and mallopt's parameters are glibc's")

THREADS = 12

# glibc's malloc_stats() prints one "Arena N:" block per arena on stderr.
_ARENAS = f"""
import ctypes, sys, threading
from connectors.ops.allocator import tune_malloc
if sys.argv[1] == "tune":
    print(",".join(tune_malloc()), flush=True)
barrier = threading.Barrier({THREADS} + 1)
held = []

def work():
    held.append(bytearray(50_000))  # under the mmap threshold: served by the thread's arena
    barrier.wait()  # every thread alive at once, so none inherits the arena of one that ended

threads = [threading.Thread(target=work) for _ in range({THREADS})]
for thread in threads:
    thread.start()
barrier.wait()
ctypes.CDLL(None).malloc_stats()
for thread in threads:
    thread.join()
"""

# mallinfo2().hblks counts the blocks mapped on their own.
_MAPPED = """
import ctypes, sys
from connectors.ops.allocator import tune_malloc
if sys.argv[1] == "tune":
    print(",".join(tune_malloc()), flush=True)
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
big = bytearray(4_000_000)  # mapped on its own
del big  # and freed: by default, glibc now maps only blocks over 4 MB
before = libc.mallinfo2().hblks
block = bytearray(1_000_000)
print(libc.mallinfo2().hblks - before)
"""


def run(script: str, mode: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES")} | env
    return subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, timeout=60,
                          check=True, cwd=Path(__file__).parents[3], env=environment)


def arenas_used(mode: str, **env: str) -> tuple[str, int]:
    done = run(_ARENAS, mode, **env)
    return done.stdout.strip(), sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_without_tuning_each_live_thread_gets_an_arena_of_its_own() -> None:
    # What the limit is for; if glibc ever shares arenas by itself, this says the limit no longer matters.
    _, arenas = arenas_used("none")
    assert arenas > 2  # up to 8 per core


def test_a_dozen_threads_keep_to_two_arenas() -> None:
    applied, arenas = arenas_used("tune")
    assert applied == "MALLOC_ARENA_MAX,MALLOC_MMAP_THRESHOLD_"
    assert arenas <= 2


def test_a_limit_the_user_set_wins() -> None:
    applied, arenas = arenas_used("tune", MALLOC_ARENA_MAX="4")
    assert applied == "MALLOC_MMAP_THRESHOLD_"
    assert 2 < arenas <= 4


def test_a_freed_large_block_no_longer_draws_large_blocks_into_the_arenas() -> None:
    assert run(_MAPPED, "none").stdout.strip() == "0"  # glibc's default: the 1 MB block came from the heap
    assert run(_MAPPED, "tune").stdout.strip().splitlines() == ["MALLOC_ARENA_MAX,MALLOC_MMAP_THRESHOLD_", "1"]


# 40 MB in 4 kB blocks (served by the arena, not mapped), then all but one in fifty freed: free pages between live
# blocks, which glibc keeps resident until asked. Prints the MB returned by the end.
_HOLES = """
import os, sys, time
from connectors.ops.allocator import give_back, give_back_every, tune_malloc
tune_malloc()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
blocks = [bytearray(4000) for _ in range(10_000)]
kept = blocks[::50]
del blocks
before = rss()
if sys.argv[1] == "now":
    give_back()
elif sys.argv[1] == "every":
    give_back_every(0.1)
time.sleep(0.5)
print((before - rss()) // 2**20)
"""


def test_free_pages_between_live_blocks_stay_resident_until_given_back() -> None:
    assert int(run(_HOLES, "none").stdout) < 5  # glibc keeps them: what the monitor's resident memory grew by
    assert int(run(_HOLES, "now").stdout) > 25
    assert int(run(_HOLES, "every").stdout) > 25  # the monitor's thread does it without being asked
