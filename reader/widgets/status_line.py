"""The one-line status bar at the bottom of the reading screen."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """A brief message first (so it is never cut off), then the document position, the
    cursor, the engine and where annotations are saved."""

    def show_status(
        self,
        *,
        position: tuple[int, int],
        words: int,
        sentence: tuple[int, int],
        engine: str,
        extra: str = "",
        annotations: str = "",
    ) -> None:
        doc_number, doc_total = position
        sentence_number, sentence_total = sentence
        line = Text()
        if extra:
            style = "bold red" if extra.startswith("NOT saved") else "bold"
            line.append(extra, style)
            line.append(" · ")
        parts = [f"doc {doc_number}/{doc_total}", f"sentence {sentence_number}/{sentence_total}"]
        if annotations:
            parts.append(annotations)  # before the rest, so narrow terminals still show it
        parts += [f"{words:,} words", f"engine: {engine}"]
        line.append(" · ".join(parts))
        self.update(line)
