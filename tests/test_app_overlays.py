"""While a list, panel or prompt has focus, no key reaches the article behind it.

Each test opens an overlay on a 30-article JSONL corpus with one saved annotation under
the cursor (so delete, note and undo would have something to act on), presses one
annotation key and reads the store back: it must be exactly what it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pilot_support import annotating, reading, thirty_articles, until
from textual.pilot import Pilot

from reader.annotate.annotations import Annotation
from reader.corpus import Corpus
from reader.store import AnnotationStore
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.prompts import NotePrompt, StancePrompt
from reader.ui.widgets.annotation_list import AnnotationList
from reader.ui.widgets.document_list import DocumentList
from reader.ui.widgets.search_bar import SearchBar

ANNOTATION_KEYS = ["1", "2", "3", "4", "x", "semicolon", "s", "f", "a", "o", "v", "u", "ctrl+r"]


@pytest.fixture
def thirty(tmp_path: Path) -> Corpus:
    return thirty_articles(tmp_path)


def on_disk(db: Path) -> list[Annotation]:
    with AnnotationStore.open(db, read_only=True) as store:
        return sorted(store, key=lambda a: (a.doc_id, a.start, a.kind, a.label))


async def open_documents(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("d")
    documents = reading(pilot).query_one(DocumentList)
    return lambda: documents.display and documents.has_focus


async def open_annotations(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("L")
    await pilot.pause()
    panel = reading(pilot).query_one(AnnotationList)
    return lambda: panel.display and panel.has_focus


async def open_search(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("slash")
    bar = reading(pilot).query_one(SearchBar)
    return lambda: bar.display and bar.input.has_focus


async def open_help(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help")
    return lambda: isinstance(pilot.app.screen, HelpScreen)


async def open_stance(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("s")
    await until(pilot, lambda: isinstance(pilot.app.screen, StancePrompt), "the stance prompt")
    return lambda: isinstance(pilot.app.screen, StancePrompt)


async def open_note(pilot: Pilot) -> Callable[[], bool]:
    await pilot.press("semicolon")
    await until(pilot, lambda: isinstance(pilot.app.screen, NotePrompt), "the note prompt")
    return lambda: isinstance(pilot.app.screen, NotePrompt)


OVERLAYS = {
    "document list": open_documents,
    "annotation list": open_annotations,
    "search": open_search,
    "help": open_help,
    "stance prompt": open_stance,
    "note prompt": open_note,
}


@pytest.mark.parametrize("key", ANNOTATION_KEYS)
@pytest.mark.parametrize("overlay", list(OVERLAYS))
async def test_no_annotation_key_reaches_the_article_behind_an_overlay(
    thirty: Corpus, tmp_path: Path, overlay: str, key: str
) -> None:
    db = tmp_path / "alice.json"
    # 80x24: what is checked is the store, the focus and the cursor, not the layout; a
    # smaller screen is less to draw after every key (78 app starts).
    async with annotating(thirty, db, size=(80, 24)) as pilot:
        await pilot.press("j", "1")  # FACT on the second sentence of article 1
        await until(pilot, lambda: len(on_disk(db)) == 1, "the label to be saved")
        before = on_disk(db)
        screen = reading(pilot)
        cursor, index = screen.state.cursor, screen.index
        opened = await OVERLAYS[overlay](pilot)
        top = type(pilot.app.screen)

        def still_open() -> bool:
            return opened() and type(pilot.app.screen) is top

        assert still_open(), f"the {overlay} did not open"
        await pilot.press(key)
        await pilot.pause()
        assert on_disk(db) == before
        assert still_open(), f"{key} closed the {overlay}, moved the focus or opened a prompt"
        assert screen.index == index
        if overlay != "search":  # typing into the search box moves to the first match
            assert screen.state.cursor == cursor
        assert screen.state.selection is None
        # Nothing was queued behind it either: close the overlay, the store is the same.
        await pilot.press("escape")
        await pilot.pause()
        assert on_disk(db) == before


async def test_document_list_keys_go_to_the_list(thirty: Corpus, tmp_path: Path) -> None:
    """`d Down Down 1` labels nothing; j/k move; Enter opens the highlighted document and
    only then does a label key label it (the document the user sees)."""
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        screen = reading(pilot)
        documents = screen.query_one(DocumentList)
        await pilot.press("d", "down", "down", "1")
        await pilot.pause()
        assert on_disk(db) == []
        assert documents.highlighted == 2
        await pilot.press("j", "j", "k")
        assert documents.highlighted == 3
        await pilot.press("x", "s", "f", "enter")
        await until(pilot, lambda: screen.index == 3, "article 4 to open")
        assert not documents.display
        assert screen.document.title == "Article 4"
        assert on_disk(db) == []
        await pilot.press("j", "1")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the label")
        [saved] = on_disk(db)
        assert saved.doc_id == thirty.documents[3].id
        assert saved.text == "The council met on day 4."


async def test_annotation_list_moves_with_j_and_k(thirty: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await pilot.press("j", "1", "j", "2")
        await until(pilot, lambda: len(on_disk(db)) == 2, "two labels")
        await pilot.press("L")
        await pilot.pause()
        panel = reading(pilot).query_one(AnnotationList)
        assert panel.highlighted == 0
        await pilot.press("j")
        assert panel.highlighted == 1
        await pilot.press("k")
        assert panel.highlighted == 0
