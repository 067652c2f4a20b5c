"""The article view: a Line API widget that renders only the visible lines.

Text is laid out once per width (`LineIndex`); `render_line(y)` styles one visual line
from the spans that overlap it, so a 1 MB article costs no more per keystroke than a
short one. Rendered lines are kept (an `LRUCache`, as Textual's `Log` does); a cursor
move drops and repaints only the lines of what moved (`refresh_lines`), anything else
(marks, analysis, search, theme, width) all of them. Colours come from the component
classes in `styles/reader.tcss`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...printable import inert
from ...reading.layout import BLANK, HEADING, SUBHEAD, TITLE, LineIndex
from ...reading.marks import Mark
from ...reading.span_index import OverlapIndex
from ...reading.state import ReadingState

MEASURE = 80  # readable line length in cells
GUTTER = 2  # columns left of the text for per-line marks
# A suggestion's text (`Mark.key` is its kind): a claim's sentence in italics, a suggested
# entity or quote underlined; an accepted annotation is tinted in its label's colour.
_SUGGESTED = {"claim": Style(italic=True)}
_SUGGESTED_SPAN = Style(underline=True)

ENTITY_CLASS = {
    "PERSON": "article--person",
    "ORG": "article--org",
    "GPE": "article--place",
    "LOC": "article--place",
}
OTHER_ENTITY_CLASS = "article--other"
# What the status shows for the entity under the cursor.
ENTITY_KINDS = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "NORP": "nationality or group",
}
TINT = 0.4  # how far an annotation's colour is blended into the background
LEGEND = (
    ("article--person", "person"),
    ("article--org", "organisation"),
    ("article--place", "place"),
    ("article--other", "other"),
    ("article--quote", "“quote”"),
    ("article--speaker", "speaker"),
)
_NO_LINES = LineIndex("", MEASURE)
# Control characters (C0, DEL, C1) take one blank cell on screen, and lone surrogates
# (which no terminal can be sent) one `�`, so offsets and columns stay aligned and
# nothing in an article can drive the terminal.
_VISIBLE = (
    {c: " " for c in range(32)}
    | {c: " " for c in range(0x7F, 0xA0)}
    | {c: "\ufffd" for c in range(0xD800, 0xE000)}
)
CACHED_LINES = 1024
# Layers drawn as a background over the text (blended, so what is under them still shows).
_BACKGROUND_LAYERS = ("article--cursor", "article--selection", "article--match")


def _foreground(style: Style) -> Style:
    """`style` without its background: its colour and attributes only."""
    return style.without_color + Style(color=style.color) if style.bgcolor else style


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """Scrolling keys belong to the reading screen, which moves the cursor with them."""

    COMPONENT_CLASSES = {
        "article--title",
        "article--subhead",
        "article--body",
        "article--person",
        "article--org",
        "article--place",
        "article--other",
        "article--quote",
        "article--speaker",
        "article--cursor",
        "article--match",
        "article--focus",
        "article--selection",
    }

    def __init__(self, title: str, state: ReadingState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.state = state
        self._lines: LineIndex | None = None
        self._cache: LRUCache[int, Strip] = LRUCache(CACHED_LINES)
        self._cache_key: tuple[int, int, int, Style | None] = (-1, -1, -1, None)
        self.revision = 0  # bumped when every line must be drawn again
        self._layers_painted: tuple[object, ...] = ()
        self._spans_painted: list[tuple[int, int]] = []
        self._tints: dict[tuple[Color, str], Color] = {}
        self._layers: dict[str, Color | None] = {}
        self._base_style: Style | None = None
        self.suggested: OverlapIndex[Mark] = OverlapIndex([])  # claim, entity, quote

    def show_suggestions(self, marks: list[Mark]) -> None:
        """Draw `marks` as suggestions (each `key` its kind): a `┆` in the label's colour
        in the margin and the text in italics (a claim) or underlined (an entity or a
        quote), unlike an accepted annotation's `▌` and tint."""
        self.suggested = OverlapIndex(marks)
        self.repaint()

    # --- document and state changes -------------------------------------------------
    def show(self, title: str, state: ReadingState) -> None:
        """Show another document from its top."""
        self.title = title
        self.state = state
        self._lines = None
        self._relayout()
        self.scroll_to(0, 0, animate=False)
        self.state_changed()

    def state_changed(self, scroll: bool = True) -> None:
        """Repaint after the state changed, and (unless told not to) bring the cursor into
        view. When only the cursor, focus, selection or speaker moved, only their lines
        (before and after) are drawn again."""
        layers, spans = self._painted()
        same = len(layers) == len(self._layers_painted) and all(
            new is old for new, old in zip(layers, self._layers_painted, strict=True)
        )  # by identity: the objects are held, so an id is never reused
        if not same or self._lines is None:
            self.revision += 1
            self.refresh()
        else:
            for start, end in set(spans) ^ set(self._spans_painted):
                first, last = self.line_span(start, end)
                self.refresh_lines(first, last - first + 1)
        self._layers_painted, self._spans_painted = layers, spans
        if scroll:
            self.call_after_refresh(self.scroll_cursor_visible)
            self.scroll_cursor_visible()

    def repaint(self) -> None:
        """Draw every line again (the theme changed)."""
        self.revision += 1
        self.refresh()

    def _painted(self) -> tuple[tuple[object, ...], list[tuple[int, int]]]:
        """What the lines are drawn from: the layers over the whole text (compared by
        identity: the state makes a new one for every change), and the spans that move
        with the cursor."""
        state = self.state
        layers = (state, state.sentences, state.marks, state.quotes, state.entities, state.matches)
        spans = [(s.start, s.end) for s in (state.sentence, state.focused_span) if s is not None]
        if state.selection is not None:
            spans.append((state.selection.span.start, state.selection.span.end))
        quote = state.cursor_quote()
        if quote is not None and quote.speaker is not None:
            spans.append((quote.speaker.start, quote.speaker.end))
        return layers, spans

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        """Draw lines `y_start`… again (they changed)."""
        for y in range(y_start, y_start + line_count):
            self._cache.discard(y)
        super().refresh_lines(y_start, line_count)

    # --- layout ------------------------------------------------------------------------
    @property
    def measure(self) -> int:
        return max(10, min(MEASURE, self.scrollable_content_region.width - GUTTER - 1))

    @property
    def left_margin(self) -> int:
        free = self.scrollable_content_region.width - self.measure - GUTTER
        return max(0, free // 2)

    def on_resize(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0:
            self.virtual_size = Size(width, len(self._layout()))

    def _layout(self) -> LineIndex:
        """Wrap the text for the current width (again only when the width changed)."""
        if self.scrollable_content_region.width <= 0:
            return _NO_LINES  # not laid out yet: never wrap a big text at a made-up width
        if self._lines is None or self._lines.width != self.measure:
            self._lines = LineIndex(self.state.text, self.measure, self.title)
            self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))
            self.revision += 1
            self.refresh()
        return self._lines

    @property
    def lines(self) -> LineIndex:
        return self._layout()

    def line_span(self, offset_start: int, offset_end: int) -> tuple[int, int]:
        """First and last visual line of a text range."""
        return self.lines.line_of(offset_start), self.lines.line_of(
            max(offset_start, offset_end - 1)
        )

    def scroll_cursor_visible(self) -> None:
        """Scroll as little as needed to show the cursor span (all of it when it fits,
        else any part of it)."""
        span = self.state.focused_span or self.state.sentence
        if span is None:
            return
        first, last = self.line_span(span.start, span.end)
        if first <= 2:
            first = 0  # show the title above the first paragraph
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        bottom = top + height - 1
        if last - first + 1 > height:
            if last < top or first > bottom:
                self.scroll_to(y=first, animate=False)
        elif first < top:
            self.scroll_to(y=first, animate=False)
        elif last > bottom:
            self.scroll_to(y=min(first, last - height + 1 + min(2, height // 4)), animate=False)

    def first_visible_offset(self, top: int) -> int:
        """The first text offset at or below line `top` (to move the cursor after a page scroll)."""
        lines = self.lines
        for y in range(top, len(lines)):
            if lines.kinds[y] not in (TITLE, BLANK):
                return lines.starts[y]
        return 0

    # --- rendering -----------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks every ancestor's styles (milliseconds each time): work it out
        # once per repaint, not once per line.
        self._base_style = self.rich_style
        self._layers = {}  # the theme may have changed
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        key = (self.revision, self.size.width, int(self.scroll_x), self._base_style)
        if key != self._cache_key:  # new layers, width, or theme: every line changed
            self._cache.clear()
            self._cache_key = key
        strip = self._cache.get(index)
        if strip is None:
            strip = self._render_visual_line(index)
            self._cache[index] = strip
        return strip

    def _render_visual_line(self, index: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        lines = self.lines
        if index >= len(lines):
            return Strip.blank(width, base)
        kind = lines.kinds[index]
        margin = [Segment(" " * self.left_margin, base)]
        if kind not in (TITLE, BLANK):
            margin.extend(self._gutter(lines.starts[index], lines.ends[index], base))
        else:
            margin.append(Segment(" " * GUTTER, base))
        if kind == TITLE:
            style = base + self.get_component_rich_style("article--title")
            title = inert(self.title)[: self.measure]
            segments = [*margin, Segment(title, style)]
        elif kind == BLANK:
            segments = []
        else:
            segments = margin + list(
                self._text_segments(lines.starts[index], lines.ends[index], kind)
            )
        return Strip(segments).adjust_cell_length(width, base)

    def _gutter(self, start: int, end: int, base: Style) -> list[Segment]:
        """One `▌` per distinct mark colour on the line (at most GUTTER), then padding."""
        colors: list[str] = []
        for mark in self.state.marks.overlapping(start, max(end, start + 1)):
            if mark.color not in colors:
                colors.append(mark.color)
                if len(colors) == GUTTER:
                    break
        segments = [Segment("▌", base + Style(color=color)) for color in colors]
        if len(colors) < GUTTER:
            for mark in self.suggested.overlapping(start, max(end, start + 1)):
                segments.append(Segment("┆", base + Style(color=mark.color)))
                colors.append(mark.color)
                break
        if len(colors) < GUTTER:
            segments.append(Segment(" " * (GUTTER - len(colors)), base))
        return segments

    def _tint(self, background: Color, color: str) -> Color:
        """`background` blended towards `colour` (an annotation's tint)."""
        key = (background, color)
        tint = self._tints.get(key)
        if tint is None:
            try:
                tint = background.blend(Color.parse(color), TINT)
            except ColorParseError:  # a colour Textual cannot parse: leave the text as it is
                tint = background
            self._tints[key] = tint
        return tint

    def _layer(self, name: str) -> Color | None:
        """A background layer's colour with its alpha (`$primary 22%`), to blend over
        whatever is already there instead of replacing it."""
        color = self._layers.get(name)
        if color is None and name not in self._layers:
            try:
                found = self.get_component_styles(name).background
            except KeyError:
                found = None
            color = found if found is not None and found.a > 0 else None
            self._layers[name] = color
        return color

    def _text_segments(self, start: int, end: int, kind: int) -> Iterable[Segment]:
        """Backgrounds (cursor, annotation tints, selection, match) are blended one over
        the other and foregrounds (entity colours, quotes, the speaker) only set the
        text's colour and attributes, so every layer shows on every character it covers:
        an entity never hides an annotation's tint or the cursor."""
        state = self.state
        role = {SUBHEAD: "article--subhead", HEADING: "article--title"}.get(kind, "article--body")
        base = self._base_style or self.rich_style
        count = end - start
        ground = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        backs: list[Color] = [ground] * count
        fronts: list[Style] = [
            _foreground(base + self.get_component_rich_style(role, partial=True))
        ] * count

        def under(span_start: int, span_end: int, color: Color | None) -> None:
            if color is None:
                return
            for i in range(max(span_start, start) - start, min(span_end, end) - start):
                backs[i] = backs[i] + color

        def over(span_start: int, span_end: int, css_class: str) -> None:
            style = _foreground(self.get_component_rich_style(css_class, partial=True))
            for i in range(max(span_start, start) - start, min(span_end, end) - start):
                fronts[i] += style

        sentence = state.sentence
        if sentence is not None:
            under(sentence.start, sentence.end, self._layer("article--cursor"))
        for mark in state.marks.overlapping(start, end):
            for i in range(max(mark.start, start) - start, min(mark.end, end) - start):
                backs[i] = self._tint(backs[i], mark.color)
        selection = state.selection
        if selection is not None:
            span = selection.span
            under(span.start, span.end, self._layer("article--selection"))
            over(span.start, span.end, "article--selection")
        for quote in state.quotes.overlapping(start, end):
            over(quote.start, quote.end, "article--quote")
        for entity in state.entities.overlapping(start, end):
            over(entity.start, entity.end, ENTITY_CLASS.get(entity.label, OTHER_ENTITY_CLASS))
        current = state.cursor_quote()
        if current is not None and current.speaker is not None:
            over(current.speaker.start, current.speaker.end, "article--speaker")
        for suggestion in self.suggested.overlapping(start, end):
            look = _SUGGESTED.get(suggestion.key, _SUGGESTED_SPAN)
            for i in range(max(suggestion.start, start) - start, min(suggestion.end, end) - start):
                fronts[i] = fronts[i] + look
        for match in state.matches.overlapping(start, end):
            under(match.start, match.end, self._layer("article--match"))
        focused = state.focused_span
        if focused is not None:
            over(focused.start, focused.end, "article--focus")
        text = state.text[start:end].translate(_VISIBLE)
        # One segment per run of equal styles. A style is made once per run of the same
        # (foreground, background), not once per character (most of a line's cost).
        runs: list[int] = []  # where each segment starts
        styles: list[Style] = []
        previous: tuple[Style, Color] | None = None
        for i, layers in enumerate(zip(fronts, backs, strict=True)):
            if layers != previous:
                previous = layers
                style = layers[0] + Style(bgcolor=layers[1].rich_color)
                if not styles or style != styles[-1]:
                    runs.append(i)
                    styles.append(style)
        runs.append(count)
        for k, style in enumerate(styles):
            yield Segment(text[runs[k] : runs[k + 1]], style)

    def swatch(self, text: str, color: str, pad: bool = True) -> Text:
        """`text` (with a space either side, unless not `pad`) on `colour` blended into
        the article's background exactly as an annotation is tinted, so the legend's
        colours look like the article's."""
        base = self._base_style or self.rich_style
        ground = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        tint = self._tint(ground, color)
        shown = f" {text} " if pad else text
        return Text(shown, Style(color=base.color, bgcolor=tint.rich_color, bold=True))

    def legend(self) -> Text:
        """A one-line key to the colours: each name shown in its own style."""
        legend = Text()
        legend.append("Legend: ", style="dim")  # (a style given to Text() would dim it all)
        for css_class, name in LEGEND:
            legend.append(name, self.get_component_rich_style(css_class))
            legend.append("  ")
        return legend
