"""Units for chance-corrected agreement: each annotator's value for each sentence (claims,
stances) or each word token (entities, quotes: the unit NER agreement is usually counted
in), and Cohen's kappa, Fleiss' kappa and Krippendorff's alpha over those values.

The statistics are `nltk.metrics.agreement.AnnotationTask`'s, computed in one of two ways
that give the same figures (the tests check they agree to 1e-9):

- `nltk_statistics` builds an `AnnotationTask` and asks it (`kappa_pairwise`, `Ao`,
  `pi`, `alpha`, `avg_Ao`). It is the reference, and is used for small data;
- `fast_statistics` applies the same formulas to counts of distinct value tuples. NLTK's
  methods loop over every rating in pure Python, several times per figure (about 3.5 s
  for 3 annotators x 40,000 sentences, plus 0.6 s to import nltk); the number of distinct
  tuples is tiny (at most labels ** annotators), so this takes milliseconds.

`statistics(..., method="auto")` uses NLTK up to `NLTK_MAX_RATINGS` ratings
(items x annotators), the fast formulas above that.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from ..nlp.sentences import split_sentences
from ..nlp.tokens import tokenize

NLTK_MAX_RATINGS = 20_000
SENTENCE_CACHE_SIZE = 10_000

Value = str | None  # a label key, or None for "no annotation covers this sentence"
Bounds = tuple[tuple[int, int], ...]

_sentence_cache: dict[tuple[str, str], Bounds] = {}


def sentence_bounds(doc_id: str, text: str) -> Bounds:
    """The document's sentences as (start, end) pairs, as `reader analyze` splits them;
    cached by document (the key includes the text, so a reused id cannot go stale)."""
    key = (doc_id, text)
    found = _sentence_cache.get(key)
    if found is None:
        found = tuple((s.start, s.end) for s in split_sentences(text))
        if len(_sentence_cache) >= SENTENCE_CACHE_SIZE:
            _sentence_cache.clear()
        _sentence_cache[key] = found
    return found


def token_bounds(doc_id: str, text: str) -> Bounds:
    """The document's word tokens (no white space) as (start, end) pairs, as the CoNLL and
    Prodigy exports split them (`reader.nlp.tokens`); cached like `sentence_bounds`."""
    key = (doc_id, text)
    found = _token_cache.get(key)
    if found is None:
        found = tuple((t.start, t.end) for t in tokenize(text) if not t.is_space)
        if len(_token_cache) >= SENTENCE_CACHE_SIZE:
            _token_cache.clear()
        _token_cache[key] = found
    return found


_token_cache: dict[tuple[str, str], Bounds] = {}


def sentence_values(bounds: Bounds, spans: Sequence[tuple[int, int, str]]) -> list[Value]:
    """One annotator's value for each sentence (`bounds`, in text order) given their spans
    as (start, -end, label key) tuples in sorted order: the key of the span covering the
    largest part of the sentence (ties go to the first in that order: earliest start,
    then the longer span, then the key's alphabetical order), or None when none of their
    spans touches it."""
    values: list[Value] = [None] * len(bounds)
    if not spans:
        return values
    best = [0] * len(bounds)
    ends = [end for _, end in bounds]
    count = len(bounds)
    for start, neg_end, key in spans:
        end = -neg_end
        i = bisect_right(ends, start)  # the first sentence ending after `start`
        while i < count:
            s_start, s_end = bounds[i]
            if s_start >= end:
                break
            cover = (s_end if s_end < end else end) - (s_start if s_start > start else start)
            if cover > best[i]:  # strictly: an earlier span keeps a tie
                best[i] = cover
                values[i] = key
            i += 1
    return values


@dataclass(frozen=True)
class PairUnits:
    a: str
    b: str
    cohen_kappa: float
    observed: float


@dataclass(frozen=True)
class UnitStatistics:
    items: int
    alpha: float  # Krippendorff's alpha, nominal
    fleiss_kappa: float  # Fleiss' kappa = multi-pi (Artstein & Poesio), NLTK's `pi()`
    observed: float  # observed agreement averaged over pairs (NLTK's `avg_Ao()`)
    pairs: tuple[PairUnits, ...]
    method: str  # "nltk" or "fast"


def statistics(
    annotators: Sequence[str], rows: Sequence[tuple[Value, ...]], method: str = "auto"
) -> UnitStatistics:
    """The figures for `rows`: one tuple per item, one value per annotator (in the order of
    `annotators`, at least two). `method` is "auto", "nltk" or "fast"."""
    if method == "auto":
        method = "nltk" if len(rows) * len(annotators) <= NLTK_MAX_RATINGS else "fast"
    if method == "nltk":
        return nltk_statistics(annotators, rows)
    if method == "fast":
        return fast_statistics(annotators, rows)
    raise ValueError(f"unknown method {method!r}")


def _chance_corrected(observed: float, expected: float) -> float:
    """NLTK's `_chance_corrected_agreement`: 1.0 when both agreements are 1."""
    if math.isclose(expected, 1.0):
        return 1.0  # expected 1 with complete data means every value is the same one
    return (observed - expected) / (1.0 - expected)


def nltk_statistics(annotators: Sequence[str], rows: Sequence[tuple[Value, ...]]) -> UnitStatistics:
    from nltk.metrics.agreement import AnnotationTask

    data = [(c, i, row[n]) for i, row in enumerate(rows) for n, c in enumerate(annotators)]
    task = AnnotationTask(data=data)
    pairs = tuple(
        PairUnits(a, b, float(task.kappa_pairwise(a, b)), float(task.Ao(a, b)))
        for a, b in combinations(annotators, 2)
    )
    return UnitStatistics(
        items=len(rows),
        alpha=float(task.alpha()),
        fleiss_kappa=float(task.pi()),
        observed=float(task.avg_Ao()),
        pairs=pairs,
        method="nltk",
    )


def fast_statistics(annotators: Sequence[str], rows: Sequence[tuple[Value, ...]]) -> UnitStatistics:
    """NLTK's formulas for complete data (every annotator has a value for every item),
    over the counts of distinct rows."""
    tuples = Counter(rows)
    n_items = len(rows)
    coders = len(annotators)
    marginals: list[Counter[Value]] = [Counter() for _ in annotators]
    for row, count in tuples.items():
        for n, value in enumerate(row):
            marginals[n][value] += count
    pairs = []
    for x, y in combinations(range(coders), 2):
        agree = sum(count for row, count in tuples.items() if row[x] == row[y])
        observed = agree / n_items
        expected = sum(
            (marginals[x][k] / n_items) * (marginals[y][k] / n_items) for k in marginals[x]
        )
        pairs.append(
            PairUnits(annotators[x], annotators[y], _chance_corrected(observed, expected), observed)
        )
    avg_observed = sum(p.observed for p in pairs) / len(pairs)
    totals: Counter[Value] = Counter()
    for marginal in marginals:
        totals.update(marginal)
    ratings = n_items * coders
    fleiss = _chance_corrected(avg_observed, sum((f / ratings) ** 2 for f in totals.values()))
    return UnitStatistics(
        items=n_items,
        alpha=_alpha(tuples, totals, coders),
        fleiss_kappa=fleiss,
        observed=avg_observed,
        pairs=tuple(pairs),
        method="fast",
    )


def _alpha(tuples: Counter[tuple[Value, ...]], totals: Counter[Value], coders: int) -> float:
    """Krippendorff's alpha (nominal) as NLTK computes it: 1 - Do / De, where an item's
    disagreement is the share of ordered pairs of its ratings that differ."""
    if len(totals) == 1:
        return 1.0
    ratings = sum(totals.values())
    pairs_per_item = coders * (coders - 1)
    total_do = 0.0
    for row, count in tuples.items():
        same = sum(n * n for n in Counter(row).values())
        total_do += (coders * coders - same) / pairs_per_item * coders * count
    observed = total_do / ratings
    expected = (ratings * ratings - sum(n * n for n in totals.values())) / (ratings * (ratings - 1))
    return 1.0 - observed / expected
