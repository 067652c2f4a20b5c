"""The `claims` list of `reader analyze --json`: one score per sentence the analysis has."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ReaderError
from ..printable import inert

Scorer = Callable[[str], float]


class ClaimScorer:
    """A scorer of sentences: called with one sentence, its score; `many(sentences)` scores
    a document's sentences together (what `claim_scores` uses)."""

    def __init__(self, many: Callable[[Sequence[str]], list[float]]) -> None:
        self.many = many

    def __call__(self, sentence: str) -> float:
        return self.many([sentence])[0]


def scorer_for(db: str | Path | None) -> ClaimScorer:
    """The shipped model's probability, or with `db` the store's learned model's score
    (the shipped model's until the store has learned something). A `db` that names no
    file is refused: scores from a store that is not there would be mistaken for its own."""
    if db is None:
        from .model import score_sentences

        return ClaimScorer(score_sentences)
    if not Path(db).is_file():
        raise ReaderError(f"{inert(str(db))}: no such annotation store")
    from .persist import load_learner

    return ClaimScorer(load_learner(db).scores)


def claim_scores(
    text: str, sentences: Iterable[tuple[int, int]], score: Scorer
) -> list[dict[str, Any]]:
    """`{"start", "end", "score"}` for each sentence's `(start, end)` in `text` (scored
    together when `score` is a `ClaimScorer`, else one by one)."""
    spans = list(sentences)
    texts = [text[a:b] for a, b in spans]
    scores = score.many(texts) if isinstance(score, ClaimScorer) else map(score, texts)
    return [
        {"start": a, "end": b, "score": shown_score(s)}
        for (a, b), s in zip(spans, scores, strict=True)
    ]


def shown_score(score: float) -> float:
    """`score` cut (not rounded) to four decimals: short to print, and on the same side
    of the threshold 0.5 as the score itself (0.49996 stays below it)."""
    return min(1.0, max(0.0, math.floor(score * 10_000) / 10_000))
