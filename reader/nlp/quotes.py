"""Quote spans: from the opening to the closing mark, marks included.

One compiled regex finds every quote-like mark; each is classified from its neighbours as
an opening mark, a closing mark or an apostrophe (`Iran’s`, `don’t`, `’90s`, `students’`),
and a small stack machine pairs them, paragraph by paragraph (a paragraph is a line):

- the outermost quote is reported; an inner `‘...’` inside `“...”` is part of it, and an
  inner quote left unclosed is closed by its outer quote's closing mark (PTB text:
  ``` ``I told them, `Here... ,'' ```);
- a closing double mark with no matching opener closes whatever is open
  (`‘HANDS ARE DIRTY”`), so mismatched marks never reach past their paragraph;
- a closing single mark with no single opener is an apostrophe;
- a double quote still open at the end of its paragraph is reported up to the paragraph's
  end: in news text a multi-paragraph quote has no closing mark until its last paragraph,
  and each later paragraph opens with a new mark, so every paragraph gets its own span.

Families nest at most once each, so the stack is bounded and the scan is linear.
"""

from __future__ import annotations

import re

from .types import Quote

_MARK = re.compile(r"'''|``|''|[“”„‟«»‹›\"‘’`']")
_DOUBLE_OPEN = frozenset("“„‟«") | {"``"}
_DOUBLE_CLOSE = frozenset("”»") | {"''"}
_FAMILY = {
    "“": "dq", "”": "dq", "„": "dq", "‟": "dq", "``": "dq", "''": "dq",
    "«": "gq", "»": "gq", '"': "st",
    "‘": "sq", "’": "sq", "`": "sq", "'": "sq", "‹": "sq", "›": "sq",
}  # fmt: skip
_SINGLE_FAMILIES = frozenset({"sq"})
_ELISIONS = re.compile(r"(?:em|til|tis|twas|n|cause|bout|round)\b", re.IGNORECASE)
_SPACE_BEFORE = " \t\n\r\u00a0([{—–-/"
_OPEN, _CLOSE, _TOGGLE, _APOS = 0, 1, 2, 3


def _classify(text: str, mark: str, start: int, end: int) -> int:
    prev = text[start - 1] if start > 0 else "\n"
    nxt = text[end] if end < len(text) else "\n"
    if mark in _DOUBLE_OPEN:
        return _OPEN
    if mark in _DOUBLE_CLOSE:
        if mark == "''" and (prev in _SPACE_BEFORE) and not nxt.isspace():
            return _TOGGLE  # ''word: a PTB-style mark typed as an opener
        return _CLOSE
    if mark == '"':
        if prev.isdigit() and not nxt.isalnum():
            return _TOGGLE if nxt in ",.;:!?" else _APOS  # inches: 12" pipe
        before_space = prev in _SPACE_BEFORE or prev in "“‘«"
        after_space = nxt.isspace() or nxt in ",.;:!?)]}—–”’»"
        if before_space and not after_space:
            return _OPEN
        if after_space and not before_space:
            return _CLOSE
        return _TOGGLE
    if mark in "‘`‹":
        if prev.isalnum() or nxt.isdigit() or nxt.isspace():
            return _APOS  # Shi‘ite, ‘90s
        return _OPEN
    # ’ ' ›
    if prev.isalnum() and nxt.isalnum():
        return _APOS  # Iran’s, don’t, Shi’ite
    if prev in _SPACE_BEFORE or prev in '“«"':
        if nxt.isdigit() or nxt.isspace() or _ELISIONS.match(text, end):
            return _APOS  # ’90s, 'em
        return _OPEN if mark == "'" else _APOS
    return _CLOSE


class _Entry:
    __slots__ = ("children", "family", "mark", "start")

    def __init__(self, start: int, family: str, mark: str) -> None:
        self.start = start
        self.family = family
        self.mark = mark
        self.children: list[tuple[int, int]] = []  # closed quotes nested directly inside


def _is_possessive(text: str, start: int, end: int, line_end: int) -> bool:
    """`students’ union`: a plural possessive inside a single quote, not its closing mark."""
    if text[start - 1] not in "sS" or end + 1 >= line_end or text[end] != " ":
        return False
    nxt = text[end + 1]
    return nxt.isalnum() and nxt.islower()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []

    def line(self, start: int, end: int) -> None:
        text = self.text
        stack: list[_Entry] = []
        for m in _MARK.finditer(text, start, end):
            mark, ms, me = m.group(), m.start(), m.end()
            if mark == "'''":
                # an inner single quote's closer and the outer double's, or the other way
                if stack and stack[-1].family == "sq":
                    self.close(stack, "sq", ms + 1)
                    mark, ms = "''", ms + 1
                else:
                    mark, me = "''", me - 1
            kind = _classify(text, mark, ms, me)
            family = _FAMILY[mark]
            if kind == _APOS:
                continue
            if kind == _TOGGLE:
                kind = _CLOSE if any(e.family == family for e in stack) else _OPEN
            if kind == _OPEN:
                if family == "st" and any(e.family == "st" for e in stack):
                    self.close(stack, family, me)
                    continue
                self.abandon(stack, family)
                stack.append(_Entry(ms, family, mark))
                continue
            if any(e.family == family for e in stack):
                if family == "sq" and _is_possessive(text, ms, me, end):
                    continue
                self.close(stack, family, me)
            elif family not in _SINGLE_FAMILIES and stack:
                self.close(stack, stack[0].family, me)  # ‘HANDS ARE DIRTY”
        self.finish(stack, end)

    def close(self, stack: list[_Entry], family: str, end: int) -> None:
        while stack:
            entry = stack.pop()
            if entry.family == family:
                self.add(stack, (entry.start, end))
                return
            self.orphan(stack, entry)

    def abandon(self, stack: list[_Entry], family: str) -> None:
        """A second opener of an open family: the first one was never closed; drop it."""
        if not any(e.family == family for e in stack):
            return
        while stack:
            entry = stack.pop()
            self.orphan(stack, entry)
            if entry.family == family:
                return

    def orphan(self, stack: list[_Entry], entry: _Entry) -> None:
        """An unclosed entry is dropped; the quotes it held move up a level."""
        if stack:
            stack[-1].children.extend(entry.children)
        else:
            self.spans.extend(entry.children)

    def add(self, stack: list[_Entry], span: tuple[int, int]) -> None:
        if stack:
            stack[-1].children.append(span)
        else:
            self.spans.append(span)

    def finish(self, stack: list[_Entry], end: int) -> None:
        """The paragraph ends: the outermost double quote still open runs to its end."""
        text = self.text
        while end > 0 and text[end - 1].isspace():
            end -= 1
        for i, entry in enumerate(stack):
            if entry.family not in _SINGLE_FAMILIES and end > entry.start + len(entry.mark):
                del stack[i:]
                self.add(stack, (entry.start, end))
                break
        while stack:
            self.orphan(stack, stack.pop())


_LINE = re.compile(r"[^\n]+")


def find_quotes(text: str) -> list[Quote]:
    """Quoted passages of `text`, in order and not overlapping, without speakers."""
    scanner = _Scanner(text)
    for line in _LINE.finditer(text):
        scanner.line(line.start(), line.end())
    spans = sorted(scanner.spans)
    return [Quote(s, e, text[s:e]) for s, e in spans]
