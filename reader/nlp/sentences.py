"""Sentence spans. PLACEHOLDER: to be replaced by the real splitter."""

from __future__ import annotations

import re

from .types import Span

_SENTENCE = re.compile(r"[^\n.!?]+(?:[.!?]+|$)", re.MULTILINE)


def split_sentences(text: str) -> list[Span]:
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(Span(start, end))
    return spans
