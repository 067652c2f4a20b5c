"""Lay an article's text out as visual lines of a given width.

Pure Python, no Textual. Each visual line is a `[start, end)` range of the text, so the
view can style any span by offset. Wrapping is greedy at spaces and costs one `rfind`
per line, so a 50 MB single-line file lays out in well under a second.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from rich.cells import cell_len

# Kinds of visual line. TITLE is the title drawn above the text (no offsets); HEADING is
# the text's own first line when it is the title, so it is not shown twice.
TITLE, BODY, SUBHEAD, BLANK, HEADING = 0, 1, 2, 3, 4

SUBHEAD_MAX_CHARS = 60


def is_subhead(line: str) -> bool:
    """A short line whose letters are all capitals, such as `‘HANDS ARE DIRTY”`."""
    stripped = line.strip()
    if not stripped or len(stripped) > SUBHEAD_MAX_CHARS:
        return False
    letters = [c for c in stripped if c.isalpha()]
    return len(letters) >= 2 and all(not c.islower() for c in letters)


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int


def paragraphs(text: str) -> list[Paragraph]:
    """Every non-blank line of the text is a paragraph (leading/trailing spaces excluded)."""
    result: list[Paragraph] = []
    position = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = position + (len(line) - len(line.lstrip()))
            result.append(Paragraph(start, start + len(stripped)))
        position += len(line) + 1
    return result


# Characters that take two cells (CJK, Hangul, full-width forms, most emoji). A paragraph
# without any is wrapped by counting characters, which is much faster.
_WIDE = (
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)
# Compiling _WIDE takes 2 ms (its table of the whole BMP), before the first paint. This
# class holds every character of _WIDE and compiles 4x faster: from U+1100 on, without
# U+1160-U+2E7F (no wide character there, but a news article's curly quotes and dashes);
# _WIDE is compiled only for a paragraph with a character in it.
_MAYBE_WIDE = re.compile("[^\x00-\u10ff\u1160-\u2e7f]")


@cache
def _wide() -> re.Pattern[str]:
    return re.compile(_WIDE)


def _has_wide(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` holds a character that takes two cells."""
    return (
        _MAYBE_WIDE.search(text, start, end) is not None
        and _wide().search(text, start, end) is not None
    )


def wrap_range(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of `text[start:end]` into ranges at most `width` cells wide."""
    starts, ends = _wrap(text, start, end, max(1, width))
    return list(zip(starts, ends, strict=True))


def _wrap(text: str, start: int, end: int, width: int) -> tuple[list[int], list[int]]:
    wide = _has_wide(text, start, end)
    starts: list[int] = []
    ends: list[int] = []
    rfind = text.rfind
    position = start
    while position < end:
        limit = position + width
        if limit >= end:
            limit = end
        else:
            space = rfind(" ", position, limit + 1)
            if space > position:
                limit = space
        if wide:
            limit = _fit_cells(text, position, limit, width)
        starts.append(position)
        ends.append(limit)
        position = limit
        while position < end and text[position] == " ":
            position += 1
    return starts, ends


def _fit_cells(text: str, start: int, end: int, width: int) -> int:
    """Shrink `[start, end)` until it fits in `width` cells (wide characters take two)."""
    while end > start + 1 and cell_len(text[start:end]) > width:
        end -= 1
    return end


class LineIndex:
    """The visual lines of one document at one width."""

    def __init__(self, text: str, width: int, title: str | None = None) -> None:
        self.width = width
        self.starts = array("q")
        self.ends = array("q")
        self.kinds = array("b")
        found = paragraphs(text)
        heading = bool(found) and title == text[found[0].start : found[0].end]
        if title and not heading:
            self._add(-1, -1, TITLE)
            self._add(-1, -1, BLANK)
        for number, paragraph in enumerate(found):
            if number:
                self._add(paragraph.start, paragraph.start, BLANK)
            if number == 0 and heading:
                kind = HEADING
            elif is_subhead(text[paragraph.start : paragraph.end]):
                kind = SUBHEAD
            else:
                kind = BODY
            starts, ends = _wrap(text, paragraph.start, paragraph.end, max(1, width))
            self.starts.extend(starts)
            self.ends.extend(ends)
            self.kinds.extend(bytes([kind]) * len(starts))

    def _add(self, start: int, end: int, kind: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.kinds.append(kind)

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The visual line holding `offset` (or the last one starting before it)."""
        index = bisect_right(self.starts, offset) - 1
        while index > 0 and self.kinds[index] in (BLANK, TITLE):
            index -= 1
        return max(0, index)
