"""Sentences to hashed n-gram features: the one feature function training and scoring share.

A sentence is digit-folded (every digit becomes `0`, so "$1.5 trillion" and "$3.2 million"
share features) and lower-cased, then cut into two blocks of n-grams:

- words: unigrams, bigrams and trigrams of `\\w+` runs and single punctuation marks (each
  token hashed with CRC-32, an n-gram's hash rolled from its tokens' hashes);
- characters: every 1- to 5-gram of the whole sentence (across word boundaries, an
  n-gram's hash rolled from its characters' code points).

Both blocks are hashed by one polynomial rolling hash, computed in numpy for every position
of every sentence of a batch at once (an n-gram never spans two sentences). The hashes are
stable across processes and machines (unlike `hash()`), and land in `DIM` buckets. A
feature's value is (1 + log count) times its inverse document frequency (the `idf` vector
shipped with the model; all ones when there is none); each block is scaled to unit length
and the two are averaged, so a vector has unit length save for collisions.

`featurise_many(sentences)` is the batch a document's sentences are scored in together;
`featurise(sentence)` is a batch of one (what the online learner updates on).
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DIM_BITS = 18
DIM = 1 << DIM_BITS
WORD_NGRAMS = 3
CHAR_NGRAMS = 5
# What a model file records, so that a model built for other features is refused.
FEATURES_VERSION = f"v3-w1{WORD_NGRAMS}-c1{CHAR_NGRAMS}-d{DIM_BITS}"

_TOKEN = re.compile(r"\w+|[^\w\s]")
_DIGIT = re.compile(r"\d")
_MASK = np.uint64(DIM - 1)
_BITS = np.uint64(DIM_BITS)
_SHIFT = np.uint64(64 - DIM_BITS)
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: take the high bits
_BASE = np.uint64(1_000_003)
_SALT = 0x51_7C_C1_B7_27_22_0A_95
_BLOCK_SCALE = float(np.sqrt(0.5))
_NARROW_ROWS = 1 << (32 - DIM_BITS)  # rows whose (row, bucket) keys fit in 32 bits
_UTF8 = functools.partial(str.encode, encoding="utf-8", errors="surrogatepass")


@dataclass(frozen=True, slots=True)
class Features:
    """A sparse vector: sorted, unique bucket indices and their values."""

    indices: np.ndarray  # int64
    values: np.ndarray  # float64


@dataclass(frozen=True, slots=True)
class FeatureRows:
    """The feature vectors of a batch of sentences as a sparse matrix in coordinate form:
    entry k adds `values[k]` at (`rows[k]`, `indices[k]`). A (row, index) pair stands
    twice where a word and a character n-gram share a bucket; the vector is their sum."""

    count: int  # how many rows (sentences)
    rows: np.ndarray  # int64
    indices: np.ndarray  # int64
    values: np.ndarray  # float64

    def row(self, r: int) -> Features:
        """Row `r` as one vector (indices sorted, unique)."""
        mine = self.rows == r
        indices, where = np.unique(self.indices[mine], return_inverse=True)
        return Features(indices, np.bincount(where, weights=self.values[mine]))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """`weights · x` for every row `x` (a DIM weight vector)."""
        return np.bincount(self.rows, weights[self.indices] * self.values, minlength=self.count)


def normalise(sentence: str) -> str:
    return _DIGIT.sub("0", sentence).lower()


def _rolled(
    codes: np.ndarray, rows: np.ndarray, most: int, salt: int
) -> tuple[np.ndarray, np.ndarray]:
    """The row and bucket of every 1- to `most`-gram of the unit `codes` (uint64) that lies
    within one row (`rows`: each unit's row, non-decreasing)."""
    out_rows, out_buckets = [], []
    rolling = codes
    for n in range(1, min(most, len(codes)) + 1):
        if n > 1:
            rolling = rolling[:-1] * _BASE + codes[n - 1 :]
        within = rows[: len(rows) - n + 1] == rows[n - 1 :]
        mixed = (rolling[within] ^ np.uint64(salt * n % (1 << 64))) * _MULTIPLIER
        out_rows.append(rows[: len(rows) - n + 1][within])
        out_buckets.append(mixed >> _SHIFT)
    if not out_rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
    return np.concatenate(out_rows), np.concatenate(out_buckets)


def _unit_rows(lengths: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(lengths)), lengths)


@functools.lru_cache(maxsize=1 << 16)
def _token_hash(token: str) -> int:
    """A word token's CRC-32, remembered: most tokens of a text are words met before."""
    return zlib.crc32(_UTF8(token))


def word_buckets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row and bucket of every word 1- to 3-gram of each normalised text of `texts`."""
    tokens = [_TOKEN.findall(text) for text in texts]
    flat = list(itertools.chain.from_iterable(tokens))
    codes = np.fromiter(map(_token_hash, flat), dtype=np.uint64, count=len(flat))
    return _rolled(codes, _unit_rows([len(t) for t in tokens]), WORD_NGRAMS, _SALT)


def char_buckets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row and bucket of every character 1- to 5-gram of each normalised text of `texts`."""
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.uint64)
    return _rolled(codes, _unit_rows([len(t) for t in texts]), CHAR_NGRAMS, 3 * _SALT)


def block_buckets(sentences: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each block's (rows, buckets) for `sentences`: a bucket once per n-gram landing in it."""
    texts = [normalise(sentence) for sentence in sentences]
    return [word_buckets(texts), char_buckets(texts)]


def _block(
    rows: np.ndarray, buckets: np.ndarray, count: int, idf: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block's rows, buckets (unique in a row) and scaled values."""
    keys = (rows.astype(np.uint64) << _BITS) | buckets
    if count <= _NARROW_ROWS:  # a document's sentences: sorting 32-bit keys is faster
        keys = keys.astype(np.uint32)
    keys, counts = np.unique(keys, return_counts=True)
    indices = (keys & _MASK).astype(np.int64)
    values = 1.0 + np.log(counts)
    if idf is not None:
        values *= idf[indices]
    of_row = (keys >> _BITS).astype(np.int64)
    norms = np.sqrt(np.bincount(of_row, values * values, minlength=count))
    values *= _BLOCK_SCALE / norms[of_row]  # a row with a key has a positive norm
    return of_row, indices, values


def featurise_many(sentences: Sequence[str], idf: np.ndarray | None = None) -> FeatureRows:
    """The feature vectors of `sentences`, computed together (`idf`: DIM weights or None)."""
    count = len(sentences)
    blocks = [_block(rows, b, count, idf) for rows, b in block_buckets(sentences)]
    rows, indices, values = (np.concatenate(part) for part in zip(*blocks, strict=True))
    return FeatureRows(count, rows, indices, values)


def featurise(sentence: str, idf: np.ndarray | None = None) -> Features:
    """The feature vector of `sentence` (`idf`: a DIM vector of weights, or None)."""
    return featurise_many([sentence], idf).row(0)
