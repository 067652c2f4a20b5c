"""Navigation rules without a terminal: cursor, jumps, search, selection."""

from __future__ import annotations

import pytest

from reader.nlp.types import Analysis, Entity, Quote, Span
from reader.reading.state import ReadingState, find_matches

TEXT = (
    "Title line\n"
    "First sentence here. Second sentence, with “a quote,” he said.\n"
    "Third sentence about Paris. Fourth one.\n"
)


def spans_of(*parts: str) -> tuple[Span, ...]:
    return tuple(Span(TEXT.index(p), TEXT.index(p) + len(p)) for p in parts)


@pytest.fixture
def state() -> ReadingState:
    s = ReadingState(TEXT)
    sentences = spans_of(
        "Title line",
        "First sentence here.",
        "Second sentence, with “a quote,” he said.",
        "Third sentence about Paris.",
        "Fourth one.",
    )
    paris = TEXT.index("Paris")
    quote = TEXT.index("“a quote,”")
    s.set_analysis(
        Analysis(
            "test",
            sentences,
            (Entity(paris, paris + 5, "GPE", "Paris"),),
            (Quote(quote, quote + 10, "“a quote,”"),),
        )
    )
    return s


def test_paragraphs_stand_in_until_analysis_arrives() -> None:
    s = ReadingState(TEXT)
    assert s.sentence_text == "Title line"
    s.move_sentence(1)
    assert s.sentence_text.startswith("First sentence here. Second")


def test_analysis_keeps_the_cursor_in_place() -> None:
    s = ReadingState(TEXT)
    s.move_sentence(2)  # third paragraph
    s.set_analysis(Analysis("test", spans_of("Title line", "Third sentence about Paris."), (), ()))
    assert s.sentence_text == "Third sentence about Paris."


def test_partial_analysis_keeps_unanalyzed_paragraphs_reachable() -> None:
    s = ReadingState(TEXT)
    covered = TEXT.index("Third")
    s.set_analysis(
        Analysis("test", spans_of("Title line", "First sentence here."), (), ()), covered
    )
    s.to_bottom()
    assert s.sentence_text == "Third sentence about Paris. Fourth one."


def test_sentence_and_paragraph_moves(state: ReadingState) -> None:
    assert not state.move_sentence(-1)
    state.move_sentence(2)
    assert state.sentence_text.startswith("Second sentence")
    state.move_paragraph(-1)
    assert state.sentence_text == "First sentence here."
    state.move_paragraph(1)
    assert state.sentence_text == "Third sentence about Paris."
    assert not state.move_paragraph(1)
    state.to_bottom()
    assert state.sentence_text == "Fourth one."
    state.to_top()
    assert state.cursor == 0


def test_jumps_focus_spans_and_stop_at_the_ends(state: ReadingState) -> None:
    assert state.jump("quote", True)
    assert state.sentence_text.startswith("Second sentence")
    assert state.cursor_quote() == state.quotes[0]
    assert not state.jump("quote", True)
    assert state.jump("entity", True)
    assert state.focused_span == state.entities[0]
    assert not state.jump("entity", False) or state.focused_span == state.entities[0]


def test_search_finds_case_insensitively_and_wraps(state: ReadingState) -> None:
    assert state.search("SENTENCE") == 3
    assert state.match_position == (1, 3)
    state.next_match()
    state.next_match()
    assert state.match_position == (3, 3)
    state.next_match()
    assert state.match_position == (1, 3)
    state.next_match(False)
    assert state.match_position == (3, 3)
    state.clear_search()
    assert not state.matches and state.focus is None


def test_find_matches_offsets_index_the_text() -> None:
    text = "İstanbul and ISTANBUL and istanbul"
    for span in find_matches(text, "istanbul"):
        assert text[span.start : span.end].lower().endswith("stanbul")
    assert find_matches(text, "") == []


def test_target_is_selection_then_quote_then_sentence(state: ReadingState) -> None:
    state.move_sentence(1)
    assert state.target_span == spans_of("First sentence here.")[0]
    state.start_selection()
    state.extend_selection_by_word(True)
    span = state.target_span
    assert span is not None and TEXT[span.start : span.end] == "First sentence"
    state.extend_selection_by_sentence(True)
    span = state.target_span
    assert span is not None and TEXT[span.start : span.end].endswith("he said.")
    state.extend_selection_by_word(False)
    state.clear_selection()
    state.jump("quote", True)
    span = state.target_span
    assert span is not None and TEXT[span.start : span.end] == "“a quote,”"
    state.move_sentence(1)  # moving the cursor drops the focus and selection
    assert state.target_span == spans_of("Third sentence about Paris.")[0]


def test_a_picked_annotation_lasts_while_its_selection_does() -> None:
    state = ReadingState("One two three. Four five six.")
    state.pick("a1", Span(0, 14))
    assert state.picked == "a1"
    assert state.selection is not None and state.selection.span == Span(0, 14)
    state.extend_selection_by_word(True)  # the selection changed: no longer the pick
    assert state.picked is None
    state.pick("a1", Span(0, 14))
    state.clear_selection()
    assert state.picked is None


def test_bottom_stays_at_the_last_sentence_while_the_analysis_grows() -> None:
    text = "One two. Three four. Five six. Seven eight."
    state = ReadingState(text)
    partial = Analysis("rules", (Span(0, 8),), (), ())
    state.set_analysis(partial, covered=9)  # the rest is one stand-in "sentence"
    state.to_bottom()
    assert state.sentence == Span(9, len(text))
    whole = Analysis("rules", (Span(0, 8), Span(9, 20), Span(21, 30), Span(31, 43)), (), ())
    state.set_analysis(whole, covered=len(text))
    assert state.sentence == Span(31, 43)  # still the end, not where the stand-in began
    state.move_sentence(-1)
    state.set_analysis(whole, covered=len(text))
    assert state.sentence == Span(21, 30)  # once moved away, the cursor stays put


def test_the_status_hint_names_the_selection_then_the_search(state: ReadingState) -> None:
    assert state.hint() == ""
    state.search("sentence")
    assert state.hint() == "/sentence: match 1/3"
    state.search("nowhere")
    assert state.hint() == "/nowhere: no match"
    state.clear_search()
    state.to_offset(TEXT.index("Second"))
    state.start_selection()
    state.extend_selection_by_word(True)
    assert state.hint() == "selecting 2 words: a label key applies, Esc cancels"


def test_the_speaker_of_a_span_inside_a_quote_only() -> None:
    from reader.nlp.types import Speaker

    quote = TEXT.index("“a quote,”")
    he = TEXT.index("he said")
    s = ReadingState(TEXT)
    s.set_analysis(
        Analysis(
            "test",
            spans_of("Second sentence, with “a quote,” he said."),
            (),
            (Quote(quote, quote + 10, "“a quote,”", Speaker(he, he + 2, "he", "Mr Smith")),),
        )
    )
    assert s.speaker_of(Span(quote, quote + 10)) == "Mr Smith"
    assert s.speaker_of(Span(quote + 1, quote + 8)) == "Mr Smith"  # inside the quote
    assert s.speaker_of(Span(quote - 5, quote + 10)) == ""  # wider than the quote


def test_a_suggestions_span_is_selected_exactly_and_its_end_moves_by_words() -> None:
    text = "He said “We will win the vote” to Ana Smith today."
    state = ReadingState(text)
    start, end = text.index("“"), text.index("”") + 1
    assert state.select_exactly(start, end)
    assert state.selection is not None
    assert text[state.selection.span.start : state.selection.span.end] == "“We will win the vote”"
    state.extend_selection_by_word(False)
    assert text[state.selection.span.start : state.selection.span.end] == "“We will win the"
    assert not state.select_exactly(5, 5)  # an empty span is no selection
