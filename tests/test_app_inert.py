"""What comes from a file reaches the screen inertly, and the input's warnings are shown.

A JSONL corpus whose titles, text, notes, targets and file name carry terminal escapes
(clear screen, OSC 0 pane title, OSC 52 clipboard, colours, a C1 CSI) and three malformed
lines: every character the app paints is checked, with each list, panel and prompt open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pilot_support import annotating, until
from textual.pilot import Pilot

from reader.annotate.session import AnnotationSession
from reader.corpus import Corpus, load_corpus
from reader.store import AnnotationStore
from reader.ui.app import ReaderApp
from reader.ui.screens.prompts import NotePrompt, StancePrompt
from reader.ui.widgets.status_line import StatusLine

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
ESC = "\x1b"
EVIL_TITLE = f"Evil{ESC}]0;pwned\x07 title{ESC}[2J"
EVIL_TEXT = (
    f"Storm{ESC}[31m warning\n"
    f"The minister said: “We will {ESC}]52;c;aGVsbG8=\x07 win the vote\x9b2J,” "
    f"said Maria{ESC}c Costa on Monday. The port reopened.\n"
)
NOTE = f"{ESC}[2Jcheck this{ESC}]0;x\x07"
TARGET = f"{ESC}]0;t\x07Iran"


@pytest.fixture
def evil(tmp_path: Path) -> Corpus:
    path = tmp_path / f"evil{ESC}[2J.jsonl"
    lines = [
        json.dumps({"text": EVIL_TEXT, "meta": {"title": EVIL_TITLE}}),
        "{not json",
        '{"text": ""}',
        "[1, 2]",
        json.dumps({"text": "A calm second article.\nNothing happened.\n"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_corpus([path])


def painted(pilot: Pilot) -> str:
    """Every character on the screen as the terminal would get it."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def assert_inert(pilot: Pilot, where: str) -> None:
    found = CONTROL.findall(painted(pilot).replace("\n", ""))
    assert not found, f"control characters painted with {where}: {found!r}"


def seeded(corpus: Corpus) -> Callable[[AnnotationSession], None]:
    """A stance with a hostile target, holder and note on the first article."""

    def seed(session: AnnotationSession) -> None:
        document = corpus.documents[0]
        start = document.text.index("The minister")
        end = document.text.index("Monday.") + len("Monday.")
        holder = f"Maria{ESC}c Costa"
        stance = session.apply_stance(document, start, end, "FAVOR", TARGET, holder)
        session.set_note(stance, NOTE)

    return seed


def status(pilot: Pilot) -> str:
    assert isinstance(pilot.app, ReaderApp)
    return str(pilot.app.reading.query_one(StatusLine).render())


def notifications(pilot: Pilot) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


async def test_the_input_warnings_are_shown_in_the_app(evil: Corpus, tmp_path: Path) -> None:
    assert any("skipped 3 malformed line(s)" in w for w in evil.warnings)
    async with annotating(
        evil, tmp_path / "alice.json", size=(120, 40), before=seeded(evil)
    ) as pilot:
        assert any("skipped 3 malformed line(s)" in n for n in notifications(pilot))
        assert "skipped 3 malformed line(s)" in status(pilot)
        await pilot.press("j", "j")  # still there after moving about
        assert "skipped 3 malformed line(s)" in status(pilot)
        assert_inert(pilot, "the warnings")


async def test_nothing_from_a_file_reaches_the_screen_raw(evil: Corpus, tmp_path: Path) -> None:
    db = tmp_path / "alice.json"
    async with annotating(evil, db, size=(120, 40), before=seeded(evil)) as pilot:
        assert_inert(pilot, "the article, its title, the legend and the status line")
        await pilot.press("tab")  # the quote and its speaker in the quote line
        await pilot.pause()
        assert_inert(pilot, "the quote line")
        await pilot.press("d")
        await pilot.pause()
        assert_inert(pilot, "the document list")
        await pilot.press("escape", "L")
        await pilot.pause()
        assert_inert(pilot, "the annotation list")
        await pilot.press("enter")  # select the stance
        await pilot.pause()
        assert_inert(pilot, "the status line describing the annotation")
        await pilot.press("semicolon")
        await until(pilot, lambda: isinstance(pilot.app.screen, NotePrompt), "the note prompt")
        await pilot.pause()
        assert_inert(pilot, "the note prompt")
        await pilot.press("enter")  # unchanged: the stored note is kept exactly
        await until(pilot, lambda: not isinstance(pilot.app.screen, NotePrompt), "the save")
        assert_inert(pilot, "the saved message")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(pilot.app.screen, StancePrompt), "the prompt")
        await pilot.press("f")
        await pilot.pause()
        assert_inert(pilot, "the stance prompt")
        await pilot.press("escape")
    with AnnotationStore.open(db, read_only=True) as store:
        [annotation] = list(store)
    assert annotation.note == NOTE
    assert annotation.target == TARGET
