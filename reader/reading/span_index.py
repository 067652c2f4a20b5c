"""Fast look-ups over a sorted list of non-overlapping spans (pure Python)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import Generic, Protocol, TypeVar


class HasSpan(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...



class Extent(HasSpan, Protocol):
    """Where an annotation of one kind is: a span with its kind. What code comparing
    annotations needs of one: `Annotation` fits it, and so do the lighter records made
    for speed (`reader.review.disagreements.LightSpan`, `reader.review.workspace.Place`).
    The protocols of `reader.agreement.agreement` and `reader.review` add their own fields."""

    @property
    def kind(self) -> str: ...


class Marked(Extent, Protocol):
    """An extent with its label."""

    @property
    def label(self) -> str: ...


T = TypeVar("T", bound=HasSpan)


class SpanIndex(Generic[T]):
    """Spans sorted by start; they must not overlap, so their ends are sorted too."""

    def __init__(self, spans: Sequence[T]) -> None:
        self.spans: list[T] = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.spans]
        self.ends = [s.end for s in self.spans]

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, index: int) -> T:
        return self.spans[index]

    def overlapping(self, start: int, end: int) -> Iterator[T]:
        """Spans that share at least one character with `[start, end)`."""
        index = bisect_right(self.ends, start)
        while index < len(self.spans) and self.spans[index].start < end:
            yield self.spans[index]
            index += 1

    def index_at(self, offset: int) -> int | None:
        """The index of the span containing `offset`, if any."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return index
        return None

    def index_before_or_at(self, offset: int) -> int:
        """The index of the last span starting at or before `offset` (-1 if none)."""
        return bisect_right(self.starts, offset) - 1

    def first_starting_after(self, offset: int) -> int | None:
        index = bisect_right(self.starts, offset)
        return index if index < len(self.spans) else None

    def last_starting_before(self, offset: int) -> int | None:
        index = bisect_left(self.starts, offset) - 1
        return index if index >= 0 else None


class OverlapIndex(Generic[T]):
    """Spans that may overlap or nest (annotations): sorted by start, with the running
    maximum of their ends so a look-up skips everything that ends before the range."""

    def __init__(self, spans: Sequence[T]) -> None:
        self.spans: list[T] = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.spans]
        self._reach: list[int] = []
        reach = -1
        for span in self.spans:
            reach = max(reach, span.end)
            self._reach.append(reach)

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, index: int) -> T:
        return self.spans[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self.spans)

    def overlapping(self, start: int, end: int) -> Iterator[T]:
        """Spans sharing at least one character with `[start, end)`, in start order."""
        index = bisect_right(self._reach, start)
        stop = bisect_left(self.starts, end)
        for span in self.spans[index:stop]:
            if span.end > start:
                yield span
