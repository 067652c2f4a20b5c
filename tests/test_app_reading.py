"""Pilot tests: every reading binding, checked on the app's state and on what is shown."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pilot_support import reading, settle, until
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Static

from reader.corpus import Corpus, load_corpus
from reader.reading.layout import BLANK, TITLE
from reader.ui.app import make_app
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.reading import ReadingScreen
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.document_list import DocumentList
from reader.ui.widgets.search_bar import SearchBar
from reader.ui.widgets.status_line import StatusLine


@asynccontextmanager
async def opened(corpus: Corpus, size: tuple[int, int] = (100, 36)) -> AsyncIterator[Pilot]:
    app = make_app(corpus)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


def article_lines(pilot: Pilot) -> list[str]:
    view = reading(pilot).query_one(ArticleView)
    return [view.render_line(y).text.strip() for y in range(view.size.height)]


def shown(pilot: Pilot) -> str:
    return "\n".join(article_lines(pilot))


def status(pilot: Pilot) -> str:
    return str(reading(pilot).query_one(StatusLine).render())


def quote_line(pilot: Pilot) -> str:
    return str(reading(pilot).query_one("#quote-info", Static).render())


async def test_opens_seed_with_title_text_and_status(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        text = shown(pilot)
        assert "TEHRAN-" in text
        assert "Iran’s supreme leader said on Monday" in text
        words = seed_corpus.documents[0].word_count
        assert status(pilot).startswith("doc 1/1 · sentence 1/")
        assert f"{words:,} words" in status(pilot)
        assert "engine: model" in status(pilot)
        legend = str(reading(pilot).query_one("#legend", Static).render())
        for name in ("person", "organisation", "place", "other", "quote", "speaker"):
            assert name in legend


async def test_sentence_keys_move_the_cursor(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        assert state.sentence_text == "TEHRAN-"
        await pilot.press("j")
        assert state.sentence_text.startswith("Iran’s supreme leader said on Monday")
        await pilot.press("down")
        assert state.sentence_text.startswith("World powers meeting in Paris")
        await pilot.press("k")
        assert state.sentence_text.startswith("Iran’s supreme leader")
        await pilot.press("up", "up")  # stops at the first sentence
        assert state.sentence_text == "TEHRAN-"
        assert "sentence 1/" in status(pilot)


async def test_paragraph_keys(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        await pilot.press("J", "J")
        assert state.sentence_text.startswith("World powers meeting in Paris")
        await pilot.press("right_curly_bracket")
        assert state.sentence_text.startswith("The United States launched an air strike")
        await pilot.press("j")  # into the middle of nothing: still one sentence later
        await pilot.press("K")
        assert state.sentence_text.startswith("The United States launched")
        await pilot.press("left_curly_bracket")
        assert state.sentence_text.startswith("World powers meeting in Paris")


async def test_top_and_bottom_keep_the_cursor_visible(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        await pilot.press("G")
        await pilot.pause()
        assert state.sentence_text == "Comments are closed."
        assert "Comments are closed." in shown(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert state.sentence_text == "TEHRAN-"
        assert "TEHRAN-" in shown(pilot)
        await pilot.press("end")
        assert state.sentence_text == "Comments are closed."
        await pilot.press("home")
        assert state.cursor == 0


async def test_page_keys_scroll_and_move_the_cursor_into_view(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        view = reading(pilot).query_one(ArticleView)
        state = reading(pilot).state
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y > 0
        assert state.sentence_text[:30] in shown(pilot)
        after_one = view.scroll_y
        await pilot.press("space")
        await pilot.pause()
        assert view.scroll_y > after_one
        assert state.sentence_text[:30] in shown(pilot)
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y == after_one


async def test_tab_walks_quotes_and_shows_the_speaker(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        quotes = state.quotes
        assert len(quotes) >= 3
        await pilot.press("tab")
        assert state.focused_span == quotes[0]
        sentence = state.sentence
        assert sentence is not None and sentence.start <= quotes[0].start < sentence.end
        await pilot.press("tab", "tab")
        assert state.focused_span == quotes[2]
        assert quotes[2].text[:20] in quote_line(pilot)
        await pilot.press("shift+tab")
        assert state.focused_span == quotes[1]
        speaker = quotes[1].speaker
        if speaker is not None:
            assert speaker.text in quote_line(pilot)
        else:
            assert "no speaker" in quote_line(pilot)


async def test_e_walks_entities(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        entities = state.entities
        await pilot.press("e")
        assert state.focused_span == entities[0]
        await pilot.press("e")
        assert state.focused_span == entities[1]
        await pilot.press("E")
        assert state.focused_span == entities[0]
        await pilot.press("E")  # nothing before the first: stays, and says so
        assert state.focused_span == entities[0]
        assert "no more entities" in status(pilot)


async def test_search_is_incremental_and_n_cycles(seed_corpus: Corpus, seed_text: str) -> None:
    async with opened(seed_corpus) as pilot:
        screen = reading(pilot)
        state = screen.state
        await pilot.press("slash", "i", "r")
        assert screen.query_one(SearchBar).display
        assert len(state.matches) == seed_text.lower().count("ir")
        await pilot.press("a", "n")
        total = seed_text.lower().count("iran")
        assert len(state.matches) == total
        assert state.match_position == (1, total)
        await pilot.press("enter")
        assert not screen.query_one(SearchBar).display
        assert f"/iran: match 1/{total}" in status(pilot)
        await pilot.press("n", "n")
        assert state.match_position == (3, total)
        focused = state.focused_span
        assert focused is not None and seed_text[focused.start : focused.end].lower() == "iran"
        await pilot.press("N")
        assert state.match_position == (2, total)
        await pilot.press("G", "n")  # wraps around to the first match
        assert state.match_position == (1, total)


async def test_escape_cancels_search_and_returns(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        state = reading(pilot).state
        await pilot.press("j", "j")
        before = state.sentence_text
        await pilot.press("slash", "k", "e", "r", "r", "y")
        assert "Kerry" in state.sentence_text
        await pilot.press("escape")
        assert state.sentence_text == before
        assert not state.matches


async def test_search_with_no_match_says_so(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        await pilot.press("slash", "z", "q", "x", "enter")
        assert "/zqx: no match" in status(pilot)


async def test_document_list_and_next_previous(article_folder: Path) -> None:
    async with opened(load_corpus([article_folder])) as pilot:
        screen = reading(pilot)
        assert "Harbour reopens" in shown(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.document.title == "Rail strike ends"
        assert "Train drivers in Madrid" in shown(pilot)
        assert status(pilot).startswith("doc 2/3")
        assert screen.state.sentence_text == "Rail strike ends"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.document.title == "Museum loans a painting"
        assert "last document" in status(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.document.title == "Rail strike ends"

        await pilot.press("d")
        documents = screen.query_one(DocumentList)
        assert documents.display and documents.has_focus
        assert documents.border_title == "2/3"
        await pilot.press("up", "enter")
        await settle(pilot)
        assert screen.document.title == "Harbour reopens"
        assert not documents.display
        assert screen.query_one(ArticleView).has_focus
        await pilot.press("d", "escape")
        assert not documents.display


async def test_help_lists_every_binding(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        help_table = pilot.app.screen.query_one("#help-table")
        strips = help_table.render_lines(Region(0, 0, *help_table.size))
        table = "\n".join(strip.text for strip in strips)
        for words in ("Next sentence", "Next quote", "Search", "Next doc", "Quit", "Commands"):
            assert words in table
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReadingScreen)


async def test_help_names_keys_as_typed(seed_corpus: Corpus, tmp_path: Path) -> None:
    """Key names come from Textual (`textual.keys.format_key`): the next-unannotated key
    shows as `)`, not `right_parenthesis`; a schema label's `'` as `'`, not `apostrophe`."""
    from reader.annotate.schema import parse_schema
    from reader.annotate.session import AnnotationSession
    from reader.store import AnnotationStore

    schema = parse_schema(
        '[groups.claim]\nkind = "claim"\n[[groups.claim.labels]]\nname = "QUOTED"\nkey = "\'"\n'
    )
    store = AnnotationStore.open(tmp_path / "alice.json", "alice")
    app = make_app(seed_corpus, session=AnnotationSession(store, "alice", schema))
    try:
        async with app.run_test(size=(100, 60)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help")
            help_table = pilot.app.screen.query_one("#help-table")
            strips = help_table.render_lines(Region(0, 0, *help_table.size))
            rows = [strip.text.strip() for strip in strips]
            assert any(re.fullmatch(r"\)\s+Next unannotated doc", row) for row in rows), rows
            assert any(re.fullmatch(r"\(\s+Previous unannotated doc", row) for row in rows), rows
            assert any(re.fullmatch(r"'\s+QUOTED: claim", row) for row in rows), rows
            assert not any("parenthesis" in row or "apostrophe" in row for row in rows)
    finally:
        store.close()


async def test_command_palette_offers_the_actions(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"next quote")
        commands = pilot.app.screen.query_one(CommandList)
        await until(
            pilot,
            lambda: commands.option_count > 0
            and "Next quote" in str(commands.get_option_at_index(0).prompt),
            "the palette to find the command",
        )
        await pilot.press("enter")
        await pilot.pause()
        state = reading(pilot).state
        assert state.focused_span == state.quotes[0]


async def test_q_quits(seed_corpus: Corpus) -> None:
    async with opened(seed_corpus) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not pilot.app.is_running


@pytest.mark.slow  # a 50 MiB file: seconds of layout and analysis (it times nothing)
async def test_huge_single_line_file_opens_without_hanging(tmp_path: Path) -> None:
    line = ("The minister said talks would resume. " * 1_400_000)[: 50 * 1024 * 1024]
    path = tmp_path / "huge.txt"
    path.write_text(line, encoding="utf-8")
    corpus = load_corpus([path])
    app = make_app(corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        view = reading(pilot).query_one(ArticleView)
        await until(pilot, lambda: view.max_scroll_y > 100_000, "the text to be laid out")
        assert "The minister said talks would resume." in shown(pilot)
        await pilot.press("G")  # however far the analysis has got: the end of the text
        await until(pilot, lambda: view.scroll_y == view.max_scroll_y, "the view at the end")
        assert "resume." in shown(pilot)
        state = reading(pilot).state  # and the cursor stays on the last sentence as more
        assert state.cursor == len(state.sentences) - 1  # of the analysis arrives


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_legend_shows_the_articles_own_colors(seed_corpus: Corpus, theme: str) -> None:
    app = make_app(seed_corpus)
    app.theme = theme
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(pilot)
        legend = reading(pilot).query_one("#legend", Static)
        view = reading(pilot).query_one(ArticleView)
        segments = [s for strip in legend.render_lines(Region(0, 0, *legend.size)) for s in strip]
        for name, css_class in (("person", "article--person"), ("place", "article--place")):
            shown = next(s for s in segments if s.text.strip() == name)
            assert shown.style is not None
            assert shown.style.color == view.get_component_rich_style(css_class).color, name


async def test_a_cursor_move_draws_only_the_lines_of_the_two_sentences(
    seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`j` repaints the sentence left and the sentence reached, not the whole screen;
    what is shown is still exactly what a full repaint shows."""
    async with opened(seed_corpus, size=(100, 50)) as pilot:
        view = reading(pilot).query_one(ArticleView)
        state = reading(pilot).state
        await pilot.press("j")  # from the title's sentence into the body
        await pilot.pause()
        left = view.line_span(state.sentence.start, state.sentence.end)  # type: ignore[union-attr]
        drawn: list[int] = []
        real = view._render_visual_line

        def counted(index: int):  # type: ignore[no-untyped-def]
            drawn.append(index)
            return real(index)

        monkeypatch.setattr(view, "_render_visual_line", counted)
        await pilot.press("j")
        await pilot.pause()
        reached = view.line_span(state.sentence.start, state.sentence.end)  # type: ignore[union-attr]
        expected = set(range(left[0], left[1] + 1)) | set(range(reached[0], reached[1] + 1))
        assert drawn and set(drawn) <= expected
        after_move = article_lines(pilot)
        view.repaint()
        await pilot.pause()
        assert article_lines(pilot) == after_move  # the kept lines were still right


async def test_a_line_is_drawn_as_its_text_cut_only_where_the_style_changes(
    seed_corpus: Corpus,
) -> None:
    """A body line's segments are its text in order, each the longest run of one style
    (cursor, entities, quotes and search matches on screen): no two neighbours alike."""
    async with opened(seed_corpus) as pilot:
        await pilot.press("j", "slash", *"the", "enter")
        await pilot.pause()
        view = reading(pilot).query_one(ArticleView)
        text = reading(pilot).state.text
        lines = view.lines
        cuts = 0
        for y in range(len(lines)):
            if lines.kinds[y] in (TITLE, BLANK):
                continue
            start, end = lines.starts[y], lines.ends[y]
            segments = list(view._text_segments(start, end, lines.kinds[y]))
            assert "".join(s.text for s in segments) == text[start:end]
            assert all(a.style != b.style for a, b in zip(segments, segments[1:], strict=False))
            cuts += len(segments) - 1
        assert cuts > 100  # the seed has many styled spans
