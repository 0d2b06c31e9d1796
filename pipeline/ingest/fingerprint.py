"""Near-duplicate fingerprints of article texts (MinHash with LSH bands), so syndicated copies are recognised."""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS, ROWS = 16, 8  # LSH: candidates from about 0.7 Jaccard up; BANDS * ROWS == NUM_PERM
SHINGLE = 5  # words per shingle: wire copies share long runs, different stories on one topic do not
DUPLICATE_JACCARD = 0.8  # estimated Jaccard at or above which two texts are copies of one story
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    signature: bytes  # NUM_PERM little-endian uint64
    bands: tuple[int, ...]  # one signed 64-bit hash per band, for an indexed lookup in any SQL store

    def similarity(self, other: bytes) -> float:
        mine = np.frombuffer(self.signature, dtype="<u8")
        theirs = np.frombuffer(other, dtype="<u8")
        return float(np.mean(mine == theirs)) if len(mine) == len(theirs) else 0.0


def fingerprint(text: str) -> Fingerprint:
    words = [w.lower() for w in _WORD.findall(text)]
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(len(words) - SHINGLE + 1, 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1)  # a fixed seed: fingerprints must compare across runs
    minhash.update_batch([s.encode() for s in shingles])
    values = minhash.hashvalues.astype("<u8")
    bands = tuple(
        struct.unpack("<q", hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8).digest())[0]
        for b in range(BANDS)
    )
    return Fingerprint(values.tobytes(), bands)
