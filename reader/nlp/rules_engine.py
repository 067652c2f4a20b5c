"""The default engine: needs no downloaded data. Placeholder stages until the real ones land."""

from __future__ import annotations

import re

from .types import Analysis, Entity, Quote, Span

_SENTENCE = re.compile(r"[^\n.!?]+(?:[.!?]+|$)", re.MULTILINE)
_CAPS = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")
_QUOTE = re.compile(r"“[^”\n]*”")


class RulesEngine:
    name = "rules"

    def analyze(self, text: str) -> Analysis:
        sentences = []
        for m in _SENTENCE.finditer(text):
            start, end = m.start(), m.end()
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                sentences.append(Span(start, end))
        entities = [Entity(m.start(), m.end(), "PERSON", m.group()) for m in _CAPS.finditer(text)]
        quotes = [Quote(m.start(), m.end(), m.group()) for m in _QUOTE.finditer(text)]
        return Analysis(self.name, tuple(sentences), tuple(entities), tuple(quotes))
