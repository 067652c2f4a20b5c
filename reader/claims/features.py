"""Sentence to hashed n-gram features: the one feature function training and scoring share.

A sentence is digit-folded (every digit becomes `0`, so "$1.5 trillion" and "$3.2 million"
share features) and lower-cased, then cut into two blocks of n-grams:

- words: unigrams, bigrams and trigrams of `\\w+` runs and single punctuation marks,
  hashed with CRC-32;
- characters: every 1- to 5-gram of the whole sentence (across word boundaries), hashed
  with a polynomial rolling hash computed for all positions at once in numpy.

Both hashes are stable across processes and machines (unlike `hash()`), and land in `DIM`
buckets. A feature's value is (1 + log count) times its inverse document frequency (the
`idf` vector shipped with the model; all ones when there is none); each block is scaled to
unit length and the two are averaged, so a vector has unit length save for collisions.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

DIM_BITS = 18
DIM = 1 << DIM_BITS
WORD_NGRAMS = 3
CHAR_NGRAMS = 5
# What a model file records, so that a model built for other features is refused.
FEATURES_VERSION = f"v2-w1{WORD_NGRAMS}-c1{CHAR_NGRAMS}-d{DIM_BITS}"

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DIGIT = re.compile(r"\d")
_MASK = DIM - 1
_SHIFT = np.uint64(64 - DIM_BITS)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: take the high bits
_BASE = np.uint64(1_000_003)
_SALTS = [np.uint64(0x51_7C_C1_B7_27_22_0A_95 * n % (1 << 64)) for n in range(CHAR_NGRAMS + 1)]
_BLOCK_SCALE = float(np.sqrt(0.5))


@dataclass(frozen=True, slots=True)
class Features:
    """A sparse vector: sorted, unique bucket indices and their values."""

    indices: np.ndarray  # int64
    values: np.ndarray  # float64


def normalise(sentence: str) -> str:
    return _DIGIT.sub("0", sentence).lower()


def word_buckets(text: str) -> np.ndarray:
    """Buckets of the word 1- to 3-grams of normalised `text`."""
    words = _TOKEN.findall(text)
    grams = list(words)
    for n in range(2, WORD_NGRAMS + 1):
        grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    crc = zlib.crc32
    return np.fromiter(
        (crc(g.encode("utf-8", "surrogatepass")) & _MASK for g in grams),
        dtype=np.int64,
        count=len(grams),
    )


def char_buckets(text: str) -> np.ndarray:
    """Buckets of every character 1- to 5-gram of normalised `text`."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    parts = []
    rolling = codes.copy()
    for n in range(1, min(CHAR_NGRAMS, len(codes)) + 1):
        if n > 1:
            rolling = rolling[:-1] * _BASE + codes[n - 1 :]
        parts.append(((rolling ^ _SALTS[n]) * _MULTIPLIER) >> _SHIFT)
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.concatenate(parts).astype(np.int64)


def _block(buckets: np.ndarray, idf: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    indices, counts = np.unique(buckets, return_counts=True)
    values = 1.0 + np.log(counts)
    if idf is not None:
        values *= idf[indices]
    norm = float(np.sqrt(values @ values))
    if norm > 0:
        values *= _BLOCK_SCALE / norm
    return indices, values


def block_buckets(sentence: str) -> tuple[np.ndarray, np.ndarray]:
    """The buckets of each block of `sentence` (a bucket once per n-gram that lands in it)."""
    text = normalise(sentence)
    return word_buckets(text), char_buckets(text)


def featurise(sentence: str, idf: np.ndarray | None = None) -> Features:
    """The feature vector of `sentence` (`idf`: a DIM vector of weights, or None)."""
    blocks = [_block(buckets, idf) for buckets in block_buckets(sentence)]
    indices, where = np.unique(np.concatenate([i for i, _ in blocks]), return_inverse=True)
    values = np.bincount(where, weights=np.concatenate([v for _, v in blocks]))
    return Features(indices, values)
