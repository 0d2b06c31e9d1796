"""Near-duplicate fingerprints of article texts (MinHash with LSH bands), so syndicated copies are recognised."""

from __future__ import annotations

import hashlib
import re
import struct

from datasketch import MinHash

from pipeline.domain.records import Fingerprint

NUM_PERM = 128
BANDS, ROWS = 16, 8  # LSH: candidates from about 0.7 Jaccard up; BANDS * ROWS == NUM_PERM
SHINGLE = 5  # words per shingle: wire copies share long runs, different stories on one topic do not
_WORD = re.compile(r"\w+", re.UNICODE)




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
