"""Pairwise span agreement: precision, recall and F1 with exact boundaries and with overlap.

For a pair (a, b), a is the reference: precision = matched / b's spans, recall =
matched / a's spans (F1 does not depend on which is which). Spans match only when their
label keys are equal, and each span matches at most one span of the other annotator:

- exact: same (start, end, label);
- overlap: any overlap counts; exact matches are paired first, then the other spans
  greedily, largest overlap first (ties: earlier start of a's span, then of b's).

When an annotator has no spans, the fraction with their count below is taken as 1.0
(nothing they said was wrong, or nothing was there to find); F1 is then 1.0 when both
have none and 0.0 when only one has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Bounds = tuple[int, int]  # start, end
SMALL = 256  # up to this many candidate pairs, compare every pair; above, sweep


@dataclass(frozen=True)
class SpanScore:
    matched: int
    reference: int  # a's spans
    candidate: int  # b's spans

    @property
    def precision(self) -> float:
        return self.matched / self.candidate if self.candidate else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.reference if self.reference else 1.0

    @property
    def f1(self) -> float:
        total = self.reference + self.candidate
        return 2 * self.matched / total if total else 1.0

    def __add__(self, other: SpanScore) -> SpanScore:
        return SpanScore(
            self.matched + other.matched,
            self.reference + other.reference,
            self.candidate + other.candidate,
        )

    def to_json(self, digits: int = 6) -> dict[str, Any]:
        return {
            "precision": round(self.precision, digits),
            "recall": round(self.recall, digits),
            "f1": round(self.f1, digits),
            "matched": self.matched,
            "reference": self.reference,
            "candidate": self.candidate,
        }


ZERO = SpanScore(0, 0, 0)


class SpanTally:
    """Matched and total span counts by label key, added up over documents."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}  # key -> [exact, overlap, a's, b's]

    def add_document(
        self, a: Mapping[str, Sequence[Bounds]], b: Mapping[str, Sequence[Bounds]]
    ) -> None:
        """Add one document's spans of a and of b, each grouped by label key, in start
        order (a span appears once per annotator: callers drop duplicates)."""
        for key in a.keys() | b.keys():
            a_spans, b_spans = a.get(key, ()), b.get(key, ())
            counts = self.counts.get(key)
            if counts is None:
                counts = self.counts[key] = [0, 0, 0, 0]
            if a_spans and b_spans:
                exact, overlap = matches(a_spans, b_spans)
                counts[0] += exact
                counts[1] += overlap
            counts[2] += len(a_spans)
            counts[3] += len(b_spans)

    def scores(self, exact: bool) -> dict[str, SpanScore]:
        n = 0 if exact else 1
        return {key: SpanScore(c[n], c[2], c[3]) for key, c in self.counts.items()}


def total(scores: Iterable[SpanScore]) -> SpanScore:
    result = ZERO
    for score in scores:
        result = result + score
    return result


def matches(a: Sequence[Bounds], b: Sequence[Bounds]) -> tuple[int, int]:
    """(exact, overlap) one-to-one matches between two annotators' spans of one label in
    one document (each in start order, no span repeated within `a` or within `b`). Overlap matching pairs the
    exact matches first, then the rest greedily, largest overlap first (ties: earlier
    start of a's span, then of b's)."""
    exact = set(a).intersection(b)
    rest_a = [s for s in a if s not in exact] if exact else list(a)
    rest_b = [s for s in b if s not in exact] if exact else b
    if not rest_a or not rest_b:
        return len(exact), len(exact)
    candidates = overlapping_pairs(rest_a, rest_b)
    if len(candidates) <= 1:
        return len(exact), len(exact) + len(candidates)
    candidates.sort()
    used_a: set[Bounds] = set()
    used_b: set[Bounds] = set()
    for _, a_start, b_start, a_end, b_end in candidates:
        if (a_start, a_end) not in used_a and (b_start, b_end) not in used_b:
            used_a.add((a_start, a_end))
            used_b.add((b_start, b_end))
    return len(exact), len(exact) + len(used_a)


Candidate = tuple[int, int, int, int, int]  # -overlap, a's start, b's start, a's end, b's end


def overlapping_pairs(a: Sequence[Bounds], b: Sequence[Bounds]) -> list[Candidate]:
    """Every overlapping pair of a span of `a` and one of `b` (`b` in start order), as a
    tuple that sorts in greedy order."""
    if len(a) * len(b) > SMALL:
        return _sweep(a, b)
    found = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            if b_start >= a_end:
                break
            if a_start < b_end:
                cover = (a_end if a_end < b_end else b_end) - (
                    a_start if a_start > b_start else b_start
                )
                found.append((-cover, a_start, b_start, a_end, b_end))
    return found


def _sweep(a: Sequence[Bounds], b: Sequence[Bounds]) -> list[Candidate]:
    """`overlapping_pairs` in time proportional to the spans plus the pairs found."""
    events = sorted([(s, 0, e) for s, e in a] + [(s, 1, e) for s, e in b])
    active: tuple[list[Bounds], list[Bounds]] = ([], [])
    found: list[Candidate] = []
    for start, side, end in events:
        still = [span for span in active[1 - side] if span[1] > start]
        active[1 - side][:] = still
        for other_start, other_end in still:  # started no later, not ended: they overlap
            cover = min(end, other_end) - start
            if side == 0:
                found.append((-cover, start, other_start, end, other_end))
            else:
                found.append((-cover, other_start, start, other_end, end))
        active[side].append((start, end))
    return found
