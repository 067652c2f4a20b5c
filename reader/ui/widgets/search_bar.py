"""The incremental search prompt opened with `/`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label


class SearchBar(Horizontal):
    # Tab stays in the box: the keys typed next are search text, never article keys.
    BINDINGS = [Binding("tab,shift+tab", "stay", "Stay in the search box", show=False)]

    def action_stay(self) -> None:
        """Keep the focus in the search box until Enter or Esc."""

    def compose(self) -> ComposeResult:
        yield Label("/", id="search-label")
        yield Input(placeholder="search (Enter to keep, Esc to cancel)", id="search-input")

    @property
    def input(self) -> Input:
        return self.query_one(Input)
