"""Word-wise selection: a span grown from an anchor word by moving its other end.

Pure Python. Words are found around a position with a regex, never by listing every
word of the document, so selecting in a 50 MB text costs the same as in a short one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..nlp.types import Span

WORD = re.compile(r"\w+(?:[’'.\-]\w+)*")
_LOOK_BACK = 400


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def word_at_or_after(text: str, offset: int) -> Span | None:
    """The word containing `offset`, else the next word after it."""
    start = offset
    while start > 0 and _is_word_char(text[start - 1]):
        start -= 1
    m = WORD.match(text, start)
    if m and m.end() > offset:
        return Span(m.start(), m.end())
    return next_word(text, offset)


def next_word(text: str, offset: int) -> Span | None:
    """The first word starting at or after `offset`."""
    m = WORD.search(text, offset)
    return Span(m.start(), m.end()) if m else None


def previous_word(text: str, offset: int) -> Span | None:
    """The last whole word ending at or before `offset`."""
    window = max(0, offset - _LOOK_BACK)
    matches = list(WORD.finditer(text, window, offset))
    cut = offset < len(text) and _is_word_char(text[offset])
    if matches and cut and matches[-1].end() == offset:
        matches.pop()  # a word the search window cut at `offset`
    if not matches:
        return None
    last = matches[-1]
    return (
        word_at_or_after(text, last.start())
        if last.start() == window
        else Span(last.start(), last.end())
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """An anchor word and a head word; the span runs from the earlier to the later.
    The anchor stays where the selection began (`v`: the cursor's word, or a suggestion's
    first word); the head is the end the selection keys move."""

    anchor: Span
    head: Span

    @property
    def span(self) -> Span:
        return Span(min(self.anchor.start, self.head.start), max(self.anchor.end, self.head.end))

    def move_head_by_word(self, text: str, forward: bool) -> Selection:
        word = next_word(text, self.head.end) if forward else previous_word(text, self.head.start)
        return Selection(self.anchor, word) if word else self

    def move_head_to(self, text: str, offset: int, forward: bool) -> Selection:
        """Forward: end the selection exactly at `offset` (a sentence end, with its
        closing punctuation). Backward: move the head to the first word at `offset`."""
        if forward:
            word = previous_word(text, offset)
            head = Span(word.start, offset) if word else None
        else:
            head = next_word(text, offset)
        return Selection(self.anchor, head) if head else self
