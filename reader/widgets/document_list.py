"""The document list: titles of a multi-document corpus and where you are in it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..corpus import Document


class DocumentList(OptionList):
    """Toggled with `d`; Enter opens the highlighted document."""

    def __init__(self, documents: list[Document], **kwargs: object) -> None:
        width = len(str(len(documents)))
        options = [
            Option(Text.assemble((f"{n:>{width}} ", "dim"), doc.title), id=str(n - 1))
            for n, doc in enumerate(documents, start=1)
        ]
        super().__init__(*options, **kwargs)  # type: ignore[arg-type]
        self.total = len(documents)

    def mark_current(self, index: int) -> None:
        self.highlighted = index
        self.border_title = f"{index + 1}/{self.total}"
