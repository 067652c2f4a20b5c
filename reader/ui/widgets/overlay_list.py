"""A list shown over the article (documents, annotations, disagreements).

While it has focus its keys are its own: `j`/`k` move like the arrows, and `Tab` stays
in the list instead of handing the focus (and every key after it) to the article behind.
The screens refuse their own article actions while such a list has focus.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class OverlayList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("tab,shift+tab", "stay", "Stay in the list", show=False),
    ]

    def action_stay(self) -> None:
        """Tab keeps the focus here (the list is closed with Esc or its own key)."""
