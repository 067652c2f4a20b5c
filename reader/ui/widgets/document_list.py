"""The document list: titles of a multi-document corpus, which ones have annotations,
and where you are in it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from ...corpus import Document
from ...printable import inert
from .overlay_list import OverlayList

ANNOTATED = "●"


class DocumentList(OverlayList):
    """Toggled with `d`; Enter posts `Chosen` with the document's index in the corpus."""

    BINDINGS = [Binding("d", "close", "Close the list", show=False)]

    def __init__(self, documents: list[Document], **kwargs: Any) -> None:
        self.titles = [inert(doc.title) for doc in documents]
        self.annotated: set[int] = set()
        options = [Option(self._prompt(n), id=str(n)) for n in range(len(documents))]
        super().__init__(*options, **kwargs)
        self.total = len(documents)
        self.current = 0

    def _prompt(self, index: int) -> Text:
        width = len(str(len(self.titles)))
        mark = (ANNOTATED, "green") if index in self.annotated else (" ", "")
        return Text.assemble(mark, (f" {index + 1:>{width}} ", "dim"), self.titles[index])

    def set_annotated(self, indices: set[int]) -> None:
        changed = indices ^ self.annotated
        self.annotated = set(indices)
        for index in changed:
            self.replace_option_prompt_at_index(index, self._prompt(index))
        self._update_title()

    def mark_annotated(self, index: int, annotated: bool) -> None:
        if annotated:
            self.annotated.add(index)
        else:
            self.annotated.discard(index)
        self.replace_option_prompt_at_index(index, self._prompt(index))
        self._update_title()

    def mark_current(self, index: int) -> None:
        self.current = index
        self.highlighted = index
        self._update_title()

    def _update_title(self) -> None:
        self.border_title = f"{self.current + 1}/{self.total}"
        self.border_subtitle = f"annotated {len(self.annotated)}/{self.total}"
