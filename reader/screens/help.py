"""The help screen: every key binding, generated from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "slash": "/",
    "question_mark": "?",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "space": "Space",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "escape": "Esc",
    "home": "Home",
    "end": "End",
    "enter": "Enter",
    "semicolon": ";",
    "ctrl+p": "Ctrl+P",
    "ctrl+r": "Ctrl+R",
}


def key_label(keys: str) -> str:
    """`j,down` -> `j / ↓`."""
    return " / ".join(_KEY_NAMES.get(key, key) for key in keys.split(","))


def bindings_table(sections: Iterable[tuple[str, Iterable[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("action")
    for title, bindings in sections:
        table.add_row(f"[b u]{title}[/]", "")
        for binding in bindings:
            table.add_row(key_label(binding.key), binding.description)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help"),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "reader — keys (Esc to close)"
            yield Static(bindings_table(self.sections), id="help-table")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
