"""The entity model's state scores for a document, from weight sums cached per word type.

`entity_features.document_features` gives each token its features as strings (what crfsuite
trains on); a token's state score is the sum of those features' weights. Most of that sum
depends only on one word: the word's own features, and the word as a neighbour one or two
to the left or right. `ScoreTables` keeps these five sums per word type (and the sums for
each rules' tag, bigram and set of document features), so scoring a document is a few
array look-ups per token instead of building and matching twenty strings.
`tests/test_entity_model.py` checks that the sums equal those of the string features.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from .crf_weights import Weights
from .entity_features import (
    Token,
    WordFeatures,
    after_pair,
    before_pair,
    document_word_features,
    rule_features,
)

_LOW = (1 << 32) - 1  # a pair's code: the first word's row in the high 32 bits


class _Rows:
    """Score rows computed once per key, in one growing array: for each key, `groups(key)`
    gives `width` lists of feature names, and its row holds each list's summed weights."""

    def __init__(
        self, weights: Weights, width: int, groups: Callable[[Any], Sequence[Sequence[str]]]
    ) -> None:
        self.weights = weights
        self.groups = groups
        self.ids: dict[Hashable, int] = {}
        self.keys: list[Hashable] = []  # row number -> key
        self.table = np.zeros((64, width, len(weights.labels)))

    def ids_of(self, keys: Sequence[Hashable]) -> list[int]:
        """The row numbers of `keys` (rows computed for keys not met before)."""
        missing = [k for k in keys if k not in self.ids]
        if missing:
            self._add(missing)
        return list(map(self.ids.__getitem__, keys))

    def rows_of(self, keys: Sequence[Hashable]) -> np.ndarray:
        """The rows of `keys`, one after the other."""
        ids = self.ids_of(keys)  # first: it may grow the table
        return self.table[ids]

    def _add(self, keys: Sequence[Hashable]) -> None:
        new = list(dict.fromkeys(keys))
        groups = [g for k in new for g in self.groups(k)]
        sizes = np.array([len(g) for g in groups])
        sums = np.zeros((len(groups), self.table.shape[2]))
        flat = self.weights.rows(chain.from_iterable(groups))
        if flat:  # one sum per non-empty group, in one pass
            starts = np.cumsum(sizes) - sizes
            sums[sizes > 0] = np.add.reduceat(self.weights.state[flat], starts[sizes > 0])
        n = len(self.ids)
        while n + len(new) > len(self.table):
            self.table = np.concatenate([self.table, np.zeros_like(self.table)])
        self.table[n : n + len(new)] = sums.reshape(len(new), *self.table.shape[1:])
        self.ids.update(zip(new, range(n, n + len(new)), strict=True))
        self.keys.extend(new)


class ScoreTables:
    """Per-type weight sums of one model's features, filled as words are met."""

    def __init__(self, weights: Weights, words: WordFeatures) -> None:
        self.weights = weights
        self.words = words
        self.types = _Rows(weights, 5, self._type_groups)
        self.tags = _Rows(weights, 3, lambda tag: [[f] for f in rule_features(tag)])
        self.doc = _Rows(weights, 1, lambda feats: [feats])
        self.pairs: dict[int, int] = {}  # see _pair_rows
        fixed = (self._sum([f]) for f in ("bias", "BOS", "-2BOS", "EOS"))
        self.bias, self.bos, self.bos2, self.eos = fixed

    def _sum(self, names: Iterable[str]) -> np.ndarray:
        return self.weights.score(names)

    def _type_groups(self, word: str) -> Sequence[Sequence[str]]:
        """The word's own features; as the word before (-1), two before, after, two after."""
        c = self.words.context(word)
        return (self.words(word), c[0:2], c[2:4], c[4:6], c[6:8])

    def _pair_rows(self, word_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each token but the last (`word_ids`: their rows in `types`), the rows of its
        bigram with the next token: as the next token's `-1|0` feature and as its own
        `0|+1` feature. A pair and its two rows are each one int (two halves of 32 bits)."""
        codes = ((word_ids[:-1] << 32) | word_ids[1:]).tolist()
        found = list(map(self.pairs.get, codes))
        if None in found:
            self._add_pairs({c for c, got in zip(codes, found, strict=True) if got is None})
            found = list(map(self.pairs.get, codes))
        rows = np.array(found, dtype=np.int64)
        return rows >> 32, rows & _LOW

    def _add_pairs(self, codes: Iterable[int]) -> None:
        index, unknown = self.weights.index, self.weights.unknown
        word_of: list[Any] = self.types.keys  # the words, by their rows in `types`
        features = self.words.cache  # filled for every word that has a row
        for code in codes:
            a, b = features[word_of[code >> 32]][0], features[word_of[code & _LOW]][0]
            before = index.get(before_pair(a, b), unknown)
            self.pairs[code] = before << 32 | index.get(after_pair(a, b), unknown)

    def document_scores(
        self,
        sentences: Sequence[Sequence[Token]],
        rules: Sequence[Sequence[str]],
        doc: Mapping[str, Sequence[str]] | None = None,
    ) -> np.ndarray:
        """State scores (tokens, labels) of every token of the document, in order: the sums
        of the weights of the features `document_features` gives it. `doc` is the
        document's `document_word_features`, when the caller has them already."""
        texts = [t.text for sent in sentences for t in sent]
        tags = [tag for sent in rules for tag in sent]
        lengths = np.array([len(s) for s in sentences], dtype=np.intp)
        pos = np.arange(len(texts)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        left = np.repeat(lengths, lengths) - pos - 1  # tokens after this one in its sentence
        word_ids = np.array(self.types.ids_of(texts), dtype=np.int64)
        words = self.types.table[word_ids]
        ruled = self.tags.rows_of(tags)
        scores = words[:, 0] + ruled[:, 0] + self.bias
        state = self.weights.state
        pair_before, pair_after = self._pair_rows(word_ids)
        i = np.flatnonzero(pos >= 1)  # has a word before it
        scores[i] += words[i - 1, 1] + ruled[i - 1, 1] + state[pair_before[i - 1]]
        scores[pos == 0] += self.bos
        i = np.flatnonzero(pos >= 2)
        scores[i] += words[i - 2, 2]
        scores[pos == 1] += self.bos2
        i = np.flatnonzero(left >= 1)  # has a word after it
        scores[i] += words[i + 1, 3] + ruled[i + 1, 2] + state[pair_after[i]]
        i = np.flatnonzero(left >= 2)
        scores[i] += words[i + 2, 4]
        scores[left == 0] += self.eos
        if doc is None:
            doc = document_word_features(sentences, rules)
        if doc:
            known = {w: tuple(f) for w, f in doc.items() if f}
            keys = [known.get(w, ()) for w in texts]
            scores += self.doc.rows_of(keys)[:, 0]
        return scores
