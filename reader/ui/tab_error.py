"""A served tab whose app cannot start (the gold store is open in another tab, a store is
damaged): the page says why, in one line, instead of staying blank. `q` ends the tab."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ..printable import inert


class TabErrorApp(App[None]):
    TITLE = "reader"
    BINDINGS = [Binding("q", "quit", "Close")]
    CSS = """
    Screen { align: center middle; }
    #tab-error { width: 80; height: auto; padding: 1 2; border: round $error; }
    #tab-error-why { color: $error; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="tab-error"):
            yield Static("This tab cannot open the app:")
            yield Static(inert(self.message), id="tab-error-why")
            yield Static("Press q to close it; reload the page to try again.")
