"""The one-line status bar at the bottom of the reading and the review screens."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from ...printable import inert

WARNING_CHARS = 70  # of the input's warning, kept in the status line while the app runs


class StatusLine(Static):
    """The status bar: a brief message first (so it is never cut off; a failed save in
    red), then any warning about the input, then the parts (position, cursor, engine,
    where annotations are saved...). Everything is shown inertly: messages name files,
    labels and targets. The review screen's `ReviewStatus` is one too."""

    def show_parts(self, parts: Sequence[str], message: str = "", warning: str = "") -> None:
        line = Text()
        if message:
            style = "bold red" if message.startswith("NOT saved") else "bold"
            line.append(inert(message), style)
            line.append(" · ")
        if warning:
            line.append(f"⚠ {inert(warning)}", "bold yellow")
            line.append(" · ")
        line.append(" · ".join(inert(part) for part in parts))
        self.update(line)

    def show_status(
        self,
        *,
        position: tuple[int, int],
        words: int,
        sentence: tuple[int, int],
        engine: str,
        extra: str = "",
        annotations: str = "",
        warning: str = "",
    ) -> None:
        """The reading screen's status."""
        doc_number, doc_total = position
        sentence_number, sentence_total = sentence
        parts = [f"doc {doc_number}/{doc_total}", f"sentence {sentence_number}/{sentence_total}"]
        if annotations:
            parts.append(annotations)  # before the rest, so narrow terminals still show it
        parts += [f"{words:,} words", f"engine: {engine}"]
        self.show_parts(parts, extra, warning)


def shorten(text: str, limit: int = WARNING_CHARS) -> str:
    """The end of a long warning (where the count is: "…: skipped 3 malformed line(s)")."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def warning_summary(warnings: list[str]) -> str:
    """One line for the status bar: the last warning, and how many others there are."""
    if not warnings:
        return ""
    more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
    return shorten(warnings[-1], WARNING_CHARS - len(more)) + more


NOTIFIED_WARNINGS = 5


def warnings_to_notify(warnings: list[str], limit: int = NOTIFIED_WARNINGS) -> list[str]:
    """The warnings worth a notification each: all of a few; of many, the first ones and
    the last (the loader's summary, "skipped N malformed line(s)"), and how many more."""
    if len(warnings) <= limit:
        return list(warnings)
    hidden = len(warnings) - limit
    return [
        *warnings[: limit - 1],
        f"… and {hidden} more warning(s) (reader prints them all on stderr)",
        warnings[-1],
    ]
