"""Exact and near duplicates: the same article syndicated, reprinted or lightly edited.

An exact duplicate has the same text once whitespace and case are set aside. A near duplicate shares most of
its word 5-shingles with an earlier document: a MinHash signature (datasketch) estimates that share, and
locality-sensitive hashing over bands of the signature finds the candidates without comparing every pair —
documents that agree on a whole band are compared, the rest never are. With 16 bands of 8 values, two
documents whose shingles overlap at 0.8 are found with a probability above 0.99, at 0.5 below 0.1.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterator

import numpy as np
from datasketch import MinHash

PERMUTATIONS = 128
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SHINGLE = 5
THRESHOLD = 0.8  # estimated Jaccard similarity from which a document is a near duplicate
MIN_SHINGLES = 20  # shorter texts are compared only for exact equality
_WORD = re.compile(r"\w+", re.UNICODE)
_SEED = 1  # fixed: signatures stored in a database must stay comparable across runs


def text_hash(text: str) -> str:
    """The hash of a text with case and whitespace set aside."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def shingles(text: str) -> Iterator[bytes]:
    words = _WORD.findall(text.lower())
    for k in range(len(words) - SHINGLE + 1):
        yield " ".join(words[k : k + SHINGLE]).encode("utf-8")


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text's shingles, or None when it is too short to compare."""
    grams = set(shingles(text))
    if len(grams) < MIN_SHINGLES:
        return None
    sketch = MinHash(num_perm=PERMUTATIONS, seed=_SEED)
    sketch.update_batch(list(grams))
    return np.asarray(sketch.hashvalues, dtype=np.uint64)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


def bands(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) pairs: the bucket is a signed 64-bit hash of the band's values, as SQL stores it."""
    out = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
        (bucket,) = struct.unpack("<q", hashlib.blake2b(chunk, digest_size=8).digest())
        out.append((band, bucket))
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of the shingle sets two signatures were made from."""
    return float(np.mean(a == b))
