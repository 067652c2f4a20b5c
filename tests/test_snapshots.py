"""Snapshot tests of what the reader looks like (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from reader.corpus import load_corpus
from reader.resources import seeds_dir
from reader.ui.app import make_app

SIZE = (110, 36)


def seed_app(theme: str = "textual-dark"):  # noqa: ANN201
    app = make_app(load_corpus([seeds_dir()]))
    app.theme = theme
    return app


async def analyzed(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def on_a_quote(pilot: Pilot) -> None:
    await analyzed(pilot)
    await pilot.press("tab", "tab")
    await pilot.pause()


def test_article_view_dark(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(seed_app("textual-dark"), terminal_size=SIZE, run_before=on_a_quote)


def test_article_view_light(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(seed_app("textual-light"), terminal_size=SIZE, run_before=on_a_quote)


def test_help_screen(snap_compare) -> None:  # noqa: ANN001
    async def open_help(pilot: Pilot) -> None:
        await analyzed(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(seed_app(), terminal_size=SIZE, run_before=open_help)


def test_search_and_document_list(snap_compare, article_folder) -> None:  # noqa: ANN001
    async def search(pilot: Pilot) -> None:
        await analyzed(pilot)
        await pilot.press("d", "escape", "slash", *"said", "enter")
        await pilot.pause()

    app = make_app(load_corpus([article_folder]))
    assert snap_compare(app, terminal_size=SIZE, run_before=search)


def annotating_app(tmp_path, monkeypatch, suggest: bool = False):  # noqa: ANN001, ANN201
    """The seed with alice's store open (a relative path, so the status line is stable),
    and the `saved:` message kept however slow the run (it is cleared by a timer)."""
    from reader.annotate.schema import default_schema
    from reader.annotate.session import AnnotationSession
    from reader.store import AnnotationStore
    from reader.ui.screens import reading

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(reading, "SAVED_MESSAGE_SECONDS", 24 * 3600)
    store = AnnotationStore.open("alice.json", "alice")
    return make_app(
        load_corpus([seeds_dir()]),
        session=AnnotationSession(store, "alice", default_schema()),
        suggest=suggest,
    )


def test_annotated_article(snap_compare, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Labels tinted in their colours with gutter marks, a selection, the saved message."""

    async def label(pilot: Pilot) -> None:
        await analyzed(pilot)
        await pilot.press("j", "j", "1", "j", "v", "l", "l", "3", "j", "v", "l")
        await pilot.pause()

    app = annotating_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=label)


def test_entity_suggestions(snap_compare, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """`--suggest`: the engine's entities and quotes underlined with a `┆` in the label's
    colour (an accepted one tinted, with a `▌`), the focused one's suggestion described."""

    async def suggest(pilot: Pilot) -> None:
        screen = pilot.app.reading
        for _ in range(2000):
            if screen._span_suggestions and all(w.is_finished for w in pilot.app.workers):
                break
            await pilot.pause()
        await pilot.press("e", "enter", "e", "e")  # TEHRAN accepted; the third entity focused
        await pilot.pause()

    app = annotating_app(tmp_path, monkeypatch, suggest=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=suggest)


def test_stance_prompt(snap_compare, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    async def stance(pilot: Pilot) -> None:
        await analyzed(pilot)
        await pilot.press("tab", "tab", "s", "a", *"talks")
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a blinking cursor would make the picture timing-bound
        await pilot.pause()

    app = annotating_app(tmp_path, monkeypatch)
    assert snap_compare(app, terminal_size=SIZE, run_before=stance)
