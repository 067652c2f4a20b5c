"""Where the reader is in a document: sentence cursor, focused span, search matches.

Pure Python, no Textual: the article view shows this state and key bindings call its
methods, so every navigation rule is testable without a terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..nlp.types import Analysis, Entity, Quote, Span
from .layout import paragraphs
from .selection import Selection, previous_word, word_at_or_after
from .span_index import OverlapIndex, SpanIndex

if TYPE_CHECKING:
    from .marks import Mark

FocusKind = Literal["quote", "entity", "match"]


@dataclass(frozen=True, slots=True)
class Focus:
    kind: FocusKind
    index: int


def find_matches(text: str, query: str) -> list[Span]:
    """Case-insensitive, non-overlapping occurrences of `query`, as offsets into `text`."""
    if not query:
        return []
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    return [Span(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


class ReadingState:
    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs: SpanIndex[Span] = SpanIndex(
            [Span(p.start, p.end) for p in paragraphs(text)]
        )
        # Until the analysis arrives, each paragraph stands in for a sentence.
        self.sentences: SpanIndex[Span] = self.paragraphs
        self.entities: SpanIndex[Entity] = SpanIndex([])
        self.quotes: SpanIndex[Quote] = SpanIndex([])
        self.matches: SpanIndex[Span] = SpanIndex([])
        self.marks: OverlapIndex[Mark] = OverlapIndex([])
        self.query = ""
        self.analysis: Analysis | None = None
        self.cursor = 0
        self.focus: Focus | None = None
        self.selection: Selection | None = None
        self._picked: tuple[str, Span] | None = None
        self._at_bottom = False  # `G`: stays at the last sentence as the analysis grows

    # --- what is under the cursor -------------------------------------------------
    @property
    def sentence(self) -> Span | None:
        return self.sentences[self.cursor] if len(self.sentences) else None

    @property
    def sentence_text(self) -> str:
        span = self.sentence
        return self.text[span.start : span.end] if span else ""

    @property
    def focused_span(self) -> Span | Entity | Quote | None:
        if self.focus is None:
            return None
        return self._layer(self.focus.kind)[self.focus.index]

    @property
    def target_span(self) -> Span | None:
        """What a label key applies to: the selection, else a focused quote, else the
        sentence under the cursor."""
        if self.selection is not None:
            return self.selection.span
        focused = self.focused_span
        if focused is not None and self.focus and self.focus.kind == "quote":
            return Span(focused.start, focused.end)
        return self.sentence

    def target_for(self, kind: str | None) -> Span | None:
        """What a label of `kind` applies to: an entity label to the focused entity (when
        nothing is selected), any other as `target_span` says."""
        focused = self.focused_span
        if self.selection is None and kind == "entity" and isinstance(focused, Entity):
            return Span(focused.start, focused.end)
        return self.target_span

    @property
    def focused_entity_or_quote(self) -> tuple[str, Span] | None:
        """The focused entity or quote: its kind and span (a search match is neither)."""
        focused = self.focused_span
        if self.focus is None or focused is None or self.focus.kind == "match":
            return None
        return self.focus.kind, Span(focused.start, focused.end)

    def cursor_quote(self) -> Quote | None:
        """The focused quote, else the first quote touching the cursor sentence."""
        if self.focus and self.focus.kind == "quote":
            return self.quotes[self.focus.index]
        span = self.sentence
        if span is None:
            return None
        return next(self.quotes.overlapping(span.start, span.end), None)

    def speaker_of(self, span: Span) -> str:
        """The speaker of the quote `span` is (inside), when it has one; else ""."""
        for quote in self.quotes.overlapping(span.start, span.end):
            if quote.speaker is not None and quote.start <= span.start and span.end <= quote.end:
                return quote.speaker.resolved or quote.speaker.text
        return ""

    def hint(self) -> str:
        """What the status line says of the state when no message is up: the selection's
        size, else where the search is; "" for neither."""
        if self.selection is not None:
            span = self.selection.span
            words = len(self.text[span.start : span.end].split())
            return f"selecting {words} words: a label key applies, Esc cancels"
        if self.query:
            number, total = self.match_position
            return f"/{self.query}: match {number}/{total}" if total else f"/{self.query}: no match"
        return ""

    # --- analysis -----------------------------------------------------------------
    def set_analysis(self, analysis: Analysis, covered: int | None = None) -> None:
        """Show a new analysis, keeping the cursor on the same place in the text.

        `covered`: how far a partial analysis reaches; paragraphs beyond it stand in for
        sentences until the rest arrives, so the cursor can still go everywhere."""
        anchor = self.sentence.start if self.sentence else 0
        self.analysis = analysis
        sentences = list(analysis.sentences)
        if covered is not None and covered < len(self.text):
            reach = sentences[-1].end if sentences else 0
            for paragraph in self.paragraphs.overlapping(max(covered, reach), len(self.text)):
                start = max(paragraph.start, covered, reach)
                while start < paragraph.end and self.text[start].isspace():
                    start += 1
                if start < paragraph.end:
                    sentences.append(Span(start, paragraph.end))
        if sentences:
            self.sentences = SpanIndex(sentences)
        self.entities = SpanIndex(analysis.entities)
        self.quotes = SpanIndex(analysis.quotes)
        self.focus = None
        if self._at_bottom:
            self._set_cursor(len(self.sentences) - 1)
            self._at_bottom = True
        else:
            self._move_cursor_to_offset(anchor)

    def set_marks(self, marks: list[Mark]) -> None:
        """Replace the coloured spans drawn over the text (annotations)."""
        self.marks = OverlapIndex(marks)

    # --- moves (each returns False when there is nowhere to go) --------------------
    def move_sentence(self, delta: int) -> bool:
        return self._set_cursor(self.cursor + delta)

    def move_paragraph(self, delta: int) -> bool:
        span = self.sentence
        if span is None:
            return False
        here = self.paragraphs.index_before_or_at(span.start)
        if delta < 0 and span.start > self.paragraphs[max(here, 0)].start:
            target = here  # first go back to the start of this paragraph
        else:
            target = here + delta
        if not 0 <= target < len(self.paragraphs):
            return False
        return self._move_cursor_to_offset(self.paragraphs[target].start)

    def to_top(self) -> bool:
        return self._set_cursor(0)

    def to_bottom(self) -> bool:
        moved = self._set_cursor(len(self.sentences) - 1)
        self._at_bottom = True
        return moved

    def to_offset(self, offset: int) -> bool:
        """Put the cursor on the sentence holding `offset` (the first visible one on scroll)."""
        return self._move_cursor_to_offset(offset)

    def to_first_sentence_from(self, offset: int) -> bool:
        """Put the cursor on the first sentence starting at or after `offset` (after a page
        scroll, the first one wholly on screen), else the one holding it."""
        index = self.sentences.first_starting_after(offset - 1)
        if index is None:
            return self._move_cursor_to_offset(offset)
        return self._set_cursor(index)

    def jump(self, kind: FocusKind, forward: bool) -> bool:
        """Focus the next/previous quote, entity or search match."""
        layer = self._layer(kind)
        if not len(layer):
            return False
        if self.focus and self.focus.kind == kind:
            here = layer[self.focus.index].start
            index = (
                layer.first_starting_after(here) if forward else layer.last_starting_before(here)
            )
        else:
            start = self.sentence.start if self.sentence else 0
            index = (
                layer.first_starting_after(start - 1)
                if forward
                else layer.last_starting_before(start)
            )
        if index is None:
            return False
        self._focus(Focus(kind, index))
        return True

    # --- selection ----------------------------------------------------------------------
    def start_selection(self) -> bool:
        """`v`: select the word at the cursor (the start of the focused span or sentence)."""
        span = self.focused_span or self.sentence
        if span is None:
            return False
        word = word_at_or_after(self.text, span.start)
        if word is None:
            return False
        self.selection = Selection(word, word)
        return True

    def select_exactly(self, start: int, end: int) -> bool:
        """Select exactly `start:end` (a suggestion's span, to fix its boundaries): the
        anchor is its first word, the head its last, so `l`/`h` move its end word by word."""
        if not 0 <= start < end <= len(self.text):
            return False
        first = word_at_or_after(self.text, start)
        last = previous_word(self.text, end)
        anchor = Span(start, first.end) if first and first.end <= end else Span(start, end)
        head = Span(max(last.start, start), end) if last and last.start >= start else anchor
        self.selection = Selection(anchor, Span(head.start, end))
        return True

    def extend_selection_by_word(self, forward: bool) -> bool:
        if self.selection is None:
            return False
        moved = self.selection.move_head_by_word(self.text, forward)
        changed = moved != self.selection
        self.selection = moved
        return changed

    def extend_selection_by_sentence(self, forward: bool) -> bool:
        """Move the selection's end to the end of the next sentence / start of the previous."""
        if self.selection is None or not len(self.sentences):
            return False
        head = self.selection.head
        if forward:
            index = self.sentences.first_starting_after(head.end - 1)
            if index is None:
                return False
            moved = self.selection.move_head_to(self.text, self.sentences.ends[index], True)
        else:
            index = self.sentences.last_starting_before(head.start)
            if index is None:
                return False
            moved = self.selection.move_head_to(self.text, self.sentences.starts[index], False)
        changed = moved != self.selection
        self.selection = moved
        return changed

    def pick(self, key: str, span: Span) -> None:
        """Select `span` as the annotation `key` (chosen in the annotation list), so a
        delete or a note acts on that one even when another has the same span."""
        self._move_cursor_to_offset(span.start)
        self.selection = Selection(span, span)
        self._picked = (key, span)

    @property
    def picked(self) -> str | None:
        """The annotation chosen in the list, while its selection is still the one made."""
        if self._picked is None or self.selection is None:
            return None
        key, span = self._picked
        return key if self.selection.span == span else None

    def clear_selection(self) -> bool:
        had = self.selection is not None
        self.selection = None
        return had

    # --- search -------------------------------------------------------------------
    def search(self, query: str, origin: int | None = None) -> int:
        """Find `query`; focus the first match at or after `origin`. Returns the count."""
        self.query = query
        self.matches = SpanIndex(find_matches(self.text, query))
        if self.focus and self.focus.kind == "match":
            self.focus = None
        if not len(self.matches):
            return 0
        start = origin if origin is not None else (self.sentence.start if self.sentence else 0)
        index = self.matches.first_starting_after(start - 1)
        self._focus(Focus("match", index if index is not None else 0))
        return len(self.matches)

    def clear_search(self) -> None:
        self.query = ""
        self.matches = SpanIndex([])
        if self.focus and self.focus.kind == "match":
            self.focus = None

    def next_match(self, forward: bool = True) -> bool:
        """Go to the next/previous match, wrapping around the document."""
        if not len(self.matches):
            return False
        if not self.jump("match", forward):
            self._focus(Focus("match", 0 if forward else len(self.matches) - 1))
        return True

    @property
    def match_position(self) -> tuple[int, int]:
        """(1-based number of the focused match, total)."""
        current = self.focus.index + 1 if self.focus and self.focus.kind == "match" else 0
        return current, len(self.matches)

    # --- internals ----------------------------------------------------------------
    def _layer(self, kind: FocusKind) -> SpanIndex[Quote] | SpanIndex[Entity] | SpanIndex[Span]:
        if kind == "quote":
            return self.quotes
        return self.entities if kind == "entity" else self.matches

    def _focus(self, focus: Focus) -> None:
        self._move_cursor_to_offset(self._layer(focus.kind)[focus.index].start)
        self.focus = focus

    def _set_cursor(self, index: int) -> bool:
        if not len(self.sentences):
            return False
        index = max(0, min(index, len(self.sentences) - 1))
        moved = index != self.cursor or self.focus is not None
        self._at_bottom = False
        self.cursor = index
        self.focus = None
        self.selection = None
        return moved

    def _move_cursor_to_offset(self, offset: int) -> bool:
        return self._set_cursor(max(0, self.sentences.index_before_or_at(offset)))
