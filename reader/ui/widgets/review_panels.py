"""The review screen's panels: the legend, who said what, the disagreement list, the status.

Rendering only: what to show comes from `reader.review` objects; the screen decides.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets.option_list import Option

from ...annotate.annotations import Annotation
from ...printable import inert
from ...review.disagreements import Disagreement
from .overlay_list import OverlayList
from .status_line import StatusLine

# Okabe–Ito: distinct for the common kinds of colour blindness. Yellow is kept for gold.
ANNOTATOR_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#999999")
GOLD_COLOR = "#F0E442"
SNIPPET = 60


def annotator_color(index: int) -> str:
    return ANNOTATOR_COLORS[index % len(ANNOTATOR_COLORS)]


def _snippet(text: str, limit: int = SNIPPET) -> str:
    text = inert(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def boundaries(text: str, limit: int = 44) -> str:
    """A span's text with both of its ends exactly as they are (spaces, punctuation),
    the middle elided: `Iran’s supreme leader … on Monday.` and `… on Monday` differ."""
    shown = inert(text, keep_lines=False)
    if len(shown) <= limit:
        return shown
    half = (limit - 3) // 2
    head, tail = shown[:half], shown[-half:]
    # Cut at a word boundary inside each end when there is one, never at the ends.
    if " " in head[half // 2 :]:
        head = head[: head.rindex(" ")]
    if " " in tail[: half // 2]:
        tail = tail[tail.index(" ") + 1 :]
    return f"{head} … {tail}"


def legend(
    annotators: Sequence[str],
    hidden: set[str],
    gold_hidden: bool,
    swatch: Callable[[str, str], Text] | None = None,
) -> Text:
    """Each annotator in their colour with the key that shows/hides them, then gold."""
    line = Text()
    line.append("Annotators: ", style="dim")  # (a style given to Text() would dim it all)
    entries = [(f"F{i + 1}", name, annotator_color(i)) for i, name in enumerate(annotators[:9])]
    entries += [("F10", "gold", GOLD_COLOR)]
    for key, name, color in entries:
        off = gold_hidden if name == "gold" and key == "F10" else name in hidden
        line.append(f"{key} ", style="dim")
        if off:
            line.append(f" {inert(name)} ", style="dim strike")
        elif swatch is not None:
            line.append_text(swatch(inert(name), color))  # the article's own tint
        else:
            line.append(f" {inert(name)} ", style=f"bold {color}")
        line.append("  ")
    if len(annotators) > 9:
        line.append(f"(+{len(annotators) - 9} more, always shown)", style="dim")
    return line


def _describe(annotation: Annotation) -> Text:
    part = Text()
    part.append(inert(annotation.label), style="bold")
    if annotation.kind == "stance":
        target, holder = inert(annotation.target or "—"), inert(annotation.holder or "—")
        part.append(f"  target: {target}  holder: {holder}")
    part.append(f"  {annotation.start}–{annotation.end} ", "bold")
    part.append(f"“{boundaries(annotation.text)}”", "dim")
    if annotation.note:
        part.append(f"  note: {_snippet(annotation.note, 50)}", style="italic")
    return part


def who_said_what(
    disagreement: Disagreement,
    position: tuple[int, int],
    colors: Mapping[str, str],
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
    text.append(inert(disagreement.summary), style="italic")
    text.append(" · ")
    text.append(state[0], style=f"bold {state[1]}")
    if decision:
        text.append(f" ({inert(_decision_text(decision))})", style="dim")
    for index, version in enumerate(disagreement.versions, start=1):
        color = colors.get(version.annotator, "white")
        text.append("\n")
        key = "!@#$%^&*("[index - 1] if index <= 9 else " "
        text.append(f" {key} ", style="dim")
        text.append(f"{inert(version.annotator):<12}", style=f"bold {color}")
        if version.is_empty:
            text.append("nothing marked here", style="dim italic")
        for n, annotation in enumerate(version.annotations):
            if n:
                text.append("\n" + " " * 16)
            text.append_text(_describe(annotation))
    text.append("\n")
    text.append("   gold        ", style=f"bold {GOLD_COLOR}")
    if not gold:
        text.append("nothing yet", style="dim italic")
    for n, annotation in enumerate(gold):
        if n:
            text.append("\n" + " " * 16)
        text.append_text(_describe(annotation))
    if note:
        text.append("\n   review note: ", style="bold")
        text.append(inert(note), style="italic")
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
    """The document's disagreements (`l` / `d`); Enter posts `Chosen` with its index."""

    BINDINGS = [Binding("l,d", "close", "Close the list", show=False)]

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
                boundaries(text[d.start : d.end], 28),
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


class ReviewStatus(StatusLine):
    """The review screen's status bar: the reading screen's `StatusLine`, with the
    review's parts (`show_parts`: document, progress here and overall, the gold store)."""
