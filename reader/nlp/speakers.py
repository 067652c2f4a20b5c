"""Quote speakers. PLACEHOLDER: to be replaced by the real attribution."""

from __future__ import annotations

from collections.abc import Sequence

from .types import Entity, Quote, Span


def attribute_speakers(
    text: str, quotes: Sequence[Quote], sentences: Sequence[Span], entities: Sequence[Entity]
) -> list[Quote]:
    return list(quotes)
