""""Who is annotating?": the first page of a served tab when `--annotator` is unset.

The name typed opens that annotator's own store (through `open_store`, which the command
gives); a store that cannot be opened for that name (another annotator's file, a damaged
one) is said under the field, and another name can be tried. Nothing is annotated until
a store is open, and nothing else takes keys meanwhile: the screen is modal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...errors import ReaderError
from ...printable import inert

if TYPE_CHECKING:
    from ...annotate.session import AnnotationSession


class AnnotatorNameScreen(ModalScreen["AnnotationSession"]):
    """Ask for the annotator's name; dismissed with the session of their store."""

    DEFAULT_CSS = """
    AnnotatorNameScreen { align: center middle; }
    AnnotatorNameScreen #name-box {
        width: 64; height: auto; padding: 1 2;
        border: round $accent; background: $panel;
    }
    AnnotatorNameScreen #name-title { text-style: bold; }
    AnnotatorNameScreen #name-problem { color: $error; height: auto; }
    """

    def __init__(self, open_store: Callable[[str], AnnotationSession]) -> None:
        super().__init__()
        self.open_store = open_store

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Static("Who is annotating?", id="name-title")
            yield Static("Your annotations are kept in your own store, under this name.")
            yield Input(placeholder="your name", id="annotator-name")
            yield Static("", id="name-problem")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#annotator-name")
    def _named(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self._problem("Type your name first (then Enter).")
            return
        try:
            session = self.open_store(name)
        except ReaderError as exc:
            self._problem(f"{exc} — try another name.")
            return
        self.dismiss(session)

    def _problem(self, text: str) -> None:
        self.query_one("#name-problem", Static).update(inert(text))
