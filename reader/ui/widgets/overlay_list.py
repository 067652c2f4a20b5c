"""A list shown over the article (documents, annotations, disagreements).

While it has focus its keys are its own: `j`/`k` move like the arrows, `Tab` stays in
the list instead of handing the focus (and every key after it) to the article behind,
Enter posts `Chosen` (with the option's index; a list may say more) and the key that
opened it (each list binds its own to `close`) posts `Closed`. Match them with
`@on(OverlayList.Chosen, "#its-id")`. The screens refuse their own article actions while
such a list has focus.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList


class _FromList(Message):
    """A message from an overlay list; `control` is the list (for `@on`'s selector)."""

    def __init__(self, overlay: OverlayList) -> None:
        super().__init__()
        self.overlay = overlay

    @property
    def control(self) -> OverlayList:
        return self.overlay


class OverlayList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("tab,shift+tab", "stay", "Stay in the list", show=False),
    ]

    class Closed(_FromList):
        """The list's own key asks for it to be closed (the screen hides it)."""

    class Chosen(_FromList):
        """Enter on the option at `index`."""

        def __init__(self, overlay: OverlayList, index: int) -> None:
            super().__init__(overlay)
            self.index = index

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, event.option_index))

    def action_stay(self) -> None:
        """Tab keeps the focus here (the list is closed with Esc or its own key)."""

    def action_close(self) -> None:
        self.post_message(self.Closed(self))
