"""The one-line status bar at the bottom of the reading screen."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """Document position, word count, cursor position, engine, and brief messages."""

    def show_status(
        self,
        *,
        position: tuple[int, int],
        words: int,
        sentence: tuple[int, int],
        engine: str,
        extra: str = "",
    ) -> None:
        doc_number, doc_total = position
        sentence_number, sentence_total = sentence
        parts = [
            f"doc {doc_number}/{doc_total}",
            f"{words:,} words",
            f"sentence {sentence_number}/{sentence_total}",
            f"engine: {engine}",
        ]
        if extra:
            parts.append(extra)
        self.update(" · ".join(parts))
