"""Laying text out as visual lines: offsets, widths, subheads, titles."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.reading.layout import (
    BLANK,
    BODY,
    HEADING,
    SUBHEAD,
    TITLE,
    LineIndex,
    is_subhead,
    wrap_range,
)


def test_wrap_keeps_words_whole_and_within_width() -> None:
    text = "The quick brown fox jumps over the lazy dog near the river bank."
    lines = wrap_range(text, 0, len(text), 20)
    assert [text[s:e] for s, e in lines] == [
        "The quick brown fox",
        "jumps over the lazy",
        "dog near the river",
        "bank.",
    ]


def test_long_word_is_cut_and_wide_characters_take_two_cells() -> None:
    assert wrap_range("abcdefghij", 0, 10, 4) == [(0, 4), (4, 8), (8, 10)]
    text = "日本語の文章です"  # 8 wide characters = 16 cells
    lines = wrap_range(text, 0, len(text), 6)
    assert all(cell_len(text[s:e]) <= 6 for s, e in lines)
    assert "".join(text[s:e] for s, e in lines) == text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab c\u00e9\u65e5 ’\t"), max_size=300), st.integers(1, 40))
def test_wrapping_loses_nothing_but_spaces(text: str, width: int) -> None:
    lines = wrap_range(text, 0, len(text), width)
    position = 0
    for start, end in lines:
        assert text[position:start].strip(" ") == ""  # only spaces skipped between lines
        assert start < end and cell_len(text[start:end]) <= max(width, 2)
        position = end
    assert text[position:].strip(" ") == ""


def test_subheads_titles_and_blank_lines() -> None:
    text = "Big news today\nFirst paragraph here.\n‘HANDS ARE DIRTY”\nSecond one."
    index = LineIndex(text, 40, title="Big news today")
    kinds = list(index.kinds)
    assert kinds == [HEADING, BLANK, BODY, BLANK, SUBHEAD, BLANK, BODY]
    assert text[index.starts[4] : index.ends[4]] == "‘HANDS ARE DIRTY”"
    other = LineIndex(text, 40, title="From meta")
    assert list(other.kinds[:2]) == [TITLE, BLANK]
    assert is_subhead("VOTE OF CONFIDENCE") and not is_subhead("Vote of confidence")
    assert not is_subhead("A")


def test_line_of_maps_offsets_back_to_lines() -> None:
    text = "one two three four five six\n\nseven eight"
    index = LineIndex(text, 10)
    for offset, char in enumerate(text):
        if not char.isspace():
            line = index.line_of(offset)
            assert index.starts[line] <= offset < index.ends[line]
