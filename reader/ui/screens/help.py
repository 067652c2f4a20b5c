"""The help screen: every key binding, generated from the bindings themselves; and what
both apps share (their global keys, the command palette's entries, inert notifications)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TypeVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ...printable import inert

S = TypeVar("S", bound=Screen)  # any screen, whatever its result type

# Where reader's help words a key differently from Textual's footer (`textual.keys.format_key`
# names the rest: `right_parenthesis` is `)`, `down` is `↓`).
_KEY_WORDS = {"escape": "Esc", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp"}


# Keys every reader app has, wherever you are.
GLOBAL_BINDINGS = [
    Binding("question_mark", "help", "Help"),
    Binding("q", "quit", "Quit"),
    Binding("ctrl+p", "command_palette", "Commands", show=False),
]


def palette_commands(screen: Screen, bindings: Iterable[Binding]) -> Iterator[SystemCommand]:
    """One command-palette entry per described action of `screen` (each description once)."""
    seen: set[str] = set()
    for binding in bindings:
        if binding.description in seen:
            continue
        seen.add(binding.description)
        yield SystemCommand(
            inert(binding.description),
            f"Key: {binding.key.split(',')[0]}",
            partial(screen.run_action, binding.action),
        )


def key_label(keys: str) -> str:
    """`j,down` -> `j / ↓`; `right_parenthesis` -> `)`, `ctrl+r` -> `Ctrl+R`."""
    return " / ".join(map(key_display, keys.split(",")))


def key_display(key: str) -> str:
    """One Textual key name as the help shows it: a character as itself (Textual's public
    `format_key`), a named key as a capitalised word (`f5` stays), modifiers as `Ctrl+`/`Shift+`."""
    *modifiers, name = key.split("+") if key != "+" else [key]
    shown = _KEY_WORDS.get(name) or format_key(name)
    if modifiers or len(shown) > 1 and shown.isascii() and shown.isalpha():
        shown = shown[0].upper() + shown[1:]
    return "+".join([*(m.capitalize() for m in modifiers), shown])


def bindings_table(sections: Iterable[tuple[str, Iterable[Binding]]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2), expand=True)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("action")
    for title, bindings in sections:
        table.add_row(f"[b u]{title}[/]", "")
        for binding in bindings:
            table.add_row(inert(key_label(binding.key)), Text(inert(binding.description)))
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

    def action_dismiss(self) -> None:  # type: ignore[override]  # Escape closes it with no result
        self.dismiss(None)


class InertNotifications:
    """For an App: every notification is shown inertly and never read as markup, since
    most name a file or carry a message about one (warnings, store errors)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        super().notify(  # type: ignore[misc]  # a mixin: the App after it in the MRO has notify
            inert(str(message)), title=inert(title), severity=severity, timeout=timeout,
            markup=False,
        )


def screen_below(stack: Iterable[Screen], kind: type[S]) -> S:
    """The app's screen of `kind` (the reading or the review screen), wherever it is in
    the screen `stack` (a prompt or the help may be above it)."""
    for screen in stack:
        if isinstance(screen, kind):
            return screen
    raise LookupError(f"no {kind.__name__}")
