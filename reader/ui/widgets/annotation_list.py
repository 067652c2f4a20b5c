"""The annotation panel: the current document's annotations in text order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.widgets.option_list import Option

from ...printable import inert
from ...reading.marks import describe
from .overlay_list import OverlayList

if TYPE_CHECKING:
    from ...annotate.annotations import Annotation


class AnnotationList(OverlayList):
    """Toggled with `L`; Enter posts `Chosen` (`chosen(event)` is the annotation)."""

    BINDINGS = [Binding("L", "close", "Close the list", show=False)]

    annotations: Sequence[Annotation] = ()

    def show(self, annotations: Sequence[Annotation]) -> None:
        highlighted = self.highlighted
        self.annotations = list(annotations)
        self.clear_options()
        self.add_options(
            Option(Text.assemble((f"{a.kind[0].upper()} ", "dim"), inert(describe(a, 40))))
            for a in annotations
        )
        self.border_title = f"{len(annotations)} annotations"
        if annotations:
            self.highlighted = min(highlighted or 0, len(annotations) - 1)

    def chosen(self, event: OverlayList.Chosen) -> Annotation:
        """The annotation `event` chose."""
        return self.annotations[event.index]
