"""Analyze a long text piece by piece, so highlights arrive progressively and the work
can stop between pieces (when the user opens another document or quits).

Pieces end at a paragraph break where possible, else after a sentence stop, else at the
size limit; each piece's spans are shifted back to offsets in the whole text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .pipeline import analyze, default_engine_name
from .types import Analysis, Entity, Quote, Span

CHUNK_CHARS = 200_000


def chunk_bounds(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """`[start, end)` pieces covering the text, cut at the nicest place before `size`."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = text.rfind(". ", start + size // 2, end)
                cut = cut + 1 if cut >= 0 else -1
            if cut > start:
                end = cut
        bounds.append((start, end))
        start = end
    return bounds


def _shift(analysis: Analysis, by: int) -> Analysis:
    def span(s: Span) -> Span:
        return Span(s.start + by, s.end + by)

    def entity(e: Entity) -> Entity:
        return replace(e, start=e.start + by, end=e.end + by)

    def quote(q: Quote) -> Quote:
        speaker = q.speaker and replace(
            q.speaker, start=q.speaker.start + by, end=q.speaker.end + by
        )
        return replace(q, start=q.start + by, end=q.end + by, speaker=speaker)

    return Analysis(
        analysis.engine,
        tuple(map(span, analysis.sentences)),
        tuple(map(entity, analysis.entities)),
        tuple(map(quote, analysis.quotes)),
    )


def analyze_progressively(
    text: str, engine: str | None = None, size: int = CHUNK_CHARS
) -> Iterator[tuple[Analysis, int]]:
    """Yield (analysis of the text so far, how far it reaches), one more piece each time;
    the last covers the whole text."""
    sentences: list[Span] = []
    entities: list[Entity] = []
    quotes: list[Quote] = []
    name = engine or default_engine_name()
    for start, end in chunk_bounds(text, size):
        piece = _shift(analyze(text[start:end], engine), start)
        name = piece.engine
        sentences.extend(piece.sentences)
        entities.extend(piece.entities)
        quotes.extend(piece.quotes)
        yield Analysis(name, tuple(sentences), tuple(entities), tuple(quotes)), end
