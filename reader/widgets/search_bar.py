"""The incremental search prompt opened with `/`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label


class SearchBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield Label("/", id="search-label")
        yield Input(placeholder="search (Enter to keep, Esc to cancel)", id="search-input")

    @property
    def input(self) -> Input:
        return self.query_one(Input)
