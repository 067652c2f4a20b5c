"""The review screen's panels: the legend, who said what, the disagreement list, the status.

Rendering only: what to show comes from `reader.review` objects; the screen decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static
from textual.widgets.option_list import Option

from ..annotations import Annotation
from ..review.disagreements import Disagreement
from .overlay_list import OverlayList

# Okabe–Ito: distinct for the common kinds of colour blindness. Yellow is kept for gold.
ANNOTATOR_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#999999")
GOLD_COLOUR = "#F0E442"
SNIPPET = 60


def annotator_colour(index: int) -> str:
    return ANNOTATOR_COLOURS[index % len(ANNOTATOR_COLOURS)]


def _snippet(text: str, limit: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def legend(annotators: Sequence[str], hidden: set[str], gold_hidden: bool) -> Text:
    """Each annotator in their colour with the key that shows/hides them, then gold."""
    line = Text("Annotators: ", style="dim")
    entries = [(f"F{i + 1}", name, annotator_colour(i)) for i, name in enumerate(annotators[:9])]
    entries += [("F10", "gold", GOLD_COLOUR)]
    for key, name, colour in entries:
        off = gold_hidden if name == "gold" and key == "F10" else name in hidden
        line.append(f"{key} ", style="dim")
        line.append("■ ", style=f"{colour}" if not off else "dim")
        line.append(name, style=f"bold {colour}" if not off else "dim strike")
        line.append("   ")
    if len(annotators) > 9:
        line.append(f"(+{len(annotators) - 9} more, always shown)", style="dim")
    return line


def _describe(annotation: Annotation) -> Text:
    part = Text()
    part.append(annotation.label, style="bold")
    if annotation.kind == "stance":
        part.append(f"  target: {annotation.target or '—'}  holder: {annotation.holder or '—'}")
    part.append(f"  {annotation.start}–{annotation.end} “{_snippet(annotation.text, 40)}”", "dim")
    if annotation.note:
        part.append(f"  note: {_snippet(annotation.note, 50)}", style="italic")
    return part


def who_said_what(
    disagreement: Disagreement,
    position: tuple[int, int],
    colours: Mapping[str, str],
    gold: Sequence[Annotation],
    decision: Mapping[str, object] | None,
    note: str,
    resolved: bool,
) -> Text:
    """The current disagreement: why it is one, every annotator's version, gold's."""
    number, total = position
    text = Text()
    state = ("✓ resolved", "green") if resolved else ("open", "yellow")
    text.append(f"Disagreement {number}/{total}", style="bold")
    text.append(f" · {disagreement.kind} {disagreement.start}–{disagreement.end} · ")
    text.append(disagreement.summary, style="italic")
    text.append(" · ")
    text.append(state[0], style=f"bold {state[1]}")
    if decision:
        text.append(f" ({_decision_text(decision)})", style="dim")
    for index, version in enumerate(disagreement.versions, start=1):
        colour = colours.get(version.annotator, "white")
        text.append("\n")
        key = "!@#$%^&*("[index - 1] if index <= 9 else " "
        text.append(f" {key} ", style="dim")
        text.append(f"{version.annotator:<12}", style=f"bold {colour}")
        if version.is_empty:
            text.append("nothing marked here", style="dim italic")
        for n, annotation in enumerate(version.annotations):
            if n:
                text.append("\n" + " " * 16)
            text.append_text(_describe(annotation))
    text.append("\n")
    text.append("   gold        ", style=f"bold {GOLD_COLOUR}")
    if not gold:
        text.append("nothing yet", style="dim italic")
    for n, annotation in enumerate(gold):
        if n:
            text.append("\n" + " " * 16)
        text.append_text(_describe(annotation))
    if note:
        text.append("\n   review note: ", style="bold")
        text.append(note, style="italic")
    return text


def _decision_text(decision: Mapping[str, object]) -> str:
    action = decision.get("action")
    if action == "accept":
        return f"accepted {decision.get('annotator')}"
    if action == "majority":
        return "accepted the majority"
    if action == "edit":
        return f"edited: {decision.get('label')}"
    if action == "reject":
        return "rejected"
    return str(action)


class DisagreementList(OverlayList):
    """The document's disagreements (`l` / `d`); Enter jumps to one."""

    DEFAULT_CSS = """
    DisagreementList {
        width: 44;
        height: 1fr;
        border-right: vkey $primary 50%;
        display: none;
    }
    """

    def show_items(
        self, disagreements: Sequence[Disagreement], resolved: Sequence[bool], text: str
    ) -> None:
        self.clear_options()
        options = []
        for n, (d, done) in enumerate(zip(disagreements, resolved, strict=True), start=1):
            label = Text.assemble(
                ("✓ " if done else "· ", "green" if done else "yellow"),
                (f"{n:>3} ", "dim"),
                (f"{d.kind[:6]:<6} ", "bold"),
                _snippet(text[d.start : d.end], 28),
            )
            options.append(Option(label, id=str(n - 1)))
        self.add_options(options)
        self.border_title = f"{sum(resolved)}/{len(disagreements)} resolved"


class DetailPanel(Static):
    DEFAULT_CSS = """
    DetailPanel {
        height: auto;
        max-height: 12;
        padding: 0 1;
        background: $panel;
    }
    """


class ReviewStatus(Static):
    """The one-line status bar of the review screen."""

    DEFAULT_CSS = """
    ReviewStatus {
        height: 1;
        padding: 0 1;
        background: $panel-lighten-1;
        color: $text;
    }
    """

    def show_status(self, parts: Sequence[str], message: str = "") -> None:
        """A brief message first (so narrow terminals never cut it off), then `parts`,
        as the reading screen's `StatusLine` does."""
        line = Text()
        if message:
            line.append(message, "bold")
            line.append(" · ")
        line.append(" · ".join(parts))
        self.update(line)

