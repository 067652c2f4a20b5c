"""The "rules" engine: word lists and hand-written rules, no trained model."""

from __future__ import annotations

from .analysis import analysis
from .entities import find_entities
from .sentences import split_sentences
from .types import Analysis


class RulesEngine:
    name = "rules"

    def analyze(self, text: str) -> Analysis:
        return analysis(self.name, text, split_sentences(text), find_entities)
