"""The "rules" engine: word lists and hand-written rules, no trained model."""

from __future__ import annotations

from .entities import find_entities
from .quotes import find_quotes
from .sentences import split_sentences
from .speakers import attribute_speakers
from .types import Analysis


class RulesEngine:
    name = "rules"

    def analyze(self, text: str) -> Analysis:
        sentences = split_sentences(text)
        entities = find_entities(text, sentences)
        quotes = find_quotes(text)
        quotes = attribute_speakers(text, quotes, sentences, entities)
        return Analysis(self.name, tuple(sentences), tuple(entities), tuple(quotes))
