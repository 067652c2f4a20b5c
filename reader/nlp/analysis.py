"""One engine's analysis from its sentences and entity finder: the steps every engine shares."""

from __future__ import annotations

from collections.abc import Callable

from .quotes import find_quotes
from .speakers import attribute_speakers
from .types import Analysis, Entity, Span

EntityFinder = Callable[[str, list[Span]], list[Entity]]


def analysis(engine: str, text: str, sentences: list[Span], find: EntityFinder) -> Analysis:
    """`text`'s analysis by `engine`: its `sentences`, the entities `find` gives, and the
    quotes with their speakers (found alike by every engine)."""
    entities = find(text, sentences)
    quotes = attribute_speakers(text, find_quotes(text), sentences, entities)
    return Analysis(engine, tuple(sentences), tuple(entities), tuple(quotes))
