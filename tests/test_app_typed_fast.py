"""Keys typed faster than the app redraws (a fast typist, a paste, tmux send-keys) land
where the screen says they do: every key is sent at once, before any of them is handled."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pilot_support import annotating, reading, thirty_articles, until
from textual import events
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

from reader.annotate.annotations import Annotation
from reader.annotate.schema import default_schema
from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus
from reader.store import AnnotationStore
from reader.ui.app import make_app
from reader.ui.screens.reading import ReadingScreen


@pytest.fixture
def thirty(tmp_path: Path) -> Corpus:
    return thirty_articles(tmp_path)


def on_disk(db: Path) -> list[Annotation]:
    with AnnotationStore.open(db, read_only=True) as store:
        return list(store)


def key_event(key: str) -> events.Key:
    """The event a terminal driver sends for `key` (as Pilot builds it)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def typed_at_once(pilot: Pilot, *keys: str) -> None:
    """Every key queued before the app handles the first, as a terminal delivers a burst."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        event = key_event(key)
        event.set_sender(pilot.app)
        driver.send_message(event)
    for _ in range(20):
        await pilot.pause()


async def test_stance_typed_at_once_saves_target_and_holder(
    thirty: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await typed_at_once(pilot, "j", "f", *"Iran", "tab", *"Khamenei", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReadingScreen), "the save")
        found = [(a.label, a.target, a.holder, a.text) for a in on_disk(db)]
        assert found == [("FAVOR", "Iran", "Khamenei", "The council met on day 1.")]
        assert len(pilot.app.screen_stack) == 2  # no second prompt was opened behind it


async def test_label_keys_typed_at_once_after_d_go_to_the_list(
    thirty: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await typed_at_once(pilot, "d", "down", "down", "1", "x", "s", "u", "semicolon")
        assert on_disk(db) == []
        assert isinstance(pilot.app.screen, ReadingScreen)
        documents = reading(pilot).documents
        assert documents.display and documents.has_focus and documents.highlighted == 2


async def test_a_label_typed_at_once_after_escape_labels_the_article(
    thirty: Corpus, tmp_path: Path
) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await typed_at_once(pilot, "d", "escape", "j", "1")
        await until(pilot, lambda: len(on_disk(db)) == 1, "the label")
        assert [a.text for a in on_disk(db)] == ["The council met on day 1."]


async def test_note_typed_at_once_is_saved_whole(thirty: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await typed_at_once(pilot, "j", "1", "semicolon", *"a fact", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReadingScreen), "the save")
        assert [(a.label, a.note) for a in on_disk(db)] == [("FACT", "a fact")]


async def test_keys_typed_before_the_store_opens_are_saved_as_shown(
    thirty: Corpus, tmp_path: Path
) -> None:
    """The CLI opens the store after the first paint; keys typed at once before that are
    saved in order, undo and redo included, exactly as the screen ends up showing."""
    db = tmp_path / "alice.json"
    opened: list[AnnotationStore] = []

    def open_session() -> AnnotationSession:
        opened.append(AnnotationStore.open(db, "alice"))
        return AnnotationSession(opened[-1], "alice", default_schema())

    app = make_app(thirty, open_session=open_session)
    try:
        async with app.run_test(size=(110, 36)) as pilot:
            await typed_at_once(
                pilot, "j", "1", "j", "f", *"Iran", "tab", *"Kh", "enter", "u", "ctrl+r",
                "escape", "s", "escape",  # a cancelled prompt saves nothing
            )
            await until(pilot, lambda: len(on_disk(db)) == 2, "both annotations")
            shown = sorted(
                (a.label, a.text, a.target, a.holder) for a in app.reading._annotations
            )
        assert len(opened) == 1
    finally:
        for store in opened:
            store.close()
    saved = sorted((a.label, a.text, a.target, a.holder) for a in on_disk(db))
    assert saved == shown
    # (Which span a key labels depends on whether the sentences were analysed yet: before,
    # a paragraph stands in for a sentence, and that is what the cursor showed.)
    assert [(label, target, holder) for label, _, target, holder in saved] == [
        ("FACT", None, None),
        ("FAVOR", "Iran", "Kh"),
    ]


async def test_keys_typed_after_q_are_dropped_cleanly(thirty: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(thirty, db) as pilot:
        await typed_at_once(pilot, "q", "1", "j", "1")
        await until(pilot, lambda: not pilot.app.is_running, "the app to quit")
    assert on_disk(db) == []
