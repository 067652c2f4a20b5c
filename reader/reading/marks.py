"""How annotations show on screen, without Textual: colours, the one under the cursor,
one-line descriptions for the panel and the status line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..annotate.schema import PALETTE, Schema
from ..nlp.types import Span

if TYPE_CHECKING:
    from ..annotate.annotations import Annotation

FALLBACK_COLOR = "#9e9e9e"


@dataclass(frozen=True, slots=True)
class Mark:
    """A span drawn over the text in a colour: an annotation (or, in review, an
    annotator's annotation). `key` says what it belongs to (an id or an annotator)."""

    start: int
    end: int
    color: str  # a Rich colour, e.g. "#4caf50"
    label: str = ""
    key: str = ""


def label_color(schema: Schema | None, label: str) -> str:
    """The schema's colour for `label`; labels it does not know (imported from elsewhere)
    get a palette colour chosen by their name, so they look the same every time."""
    color = schema.color_of(label) if schema else None
    if color:
        return color
    return PALETTE[sum(map(ord, label)) % len(PALETTE)] if label else FALLBACK_COLOR


def marks_for(annotations: Iterable[Annotation], schema: Schema | None) -> list[Mark]:
    return [
        Mark(a.start, a.end, label_color(schema, a.label), a.label, a.id) for a in annotations
    ]


def annotations_here(
    annotations: Sequence[Annotation], span: Span | None, picked: str | None = None
) -> list[Annotation]:
    """The annotations a delete or a note may act on, never a guess between them:

    the one `picked` (chosen in the annotation list) when it is among them; else every
    annotation exactly on `span`; else those sharing most characters with it (the
    shortest, on a tie). More than one: the person is asked which."""
    if span is None:
        return []
    exact = [a for a in annotations if (a.start, a.end) == (span.start, span.end)]
    best: list[Annotation] = exact
    if not exact:
        best_key: tuple[int, int] = (0, 0)
        for annotation in annotations:
            shared = min(annotation.end, span.end) - max(annotation.start, span.start)
            if shared <= 0:
                continue
            key = (shared, -(annotation.end - annotation.start))
            if key > best_key:
                best, best_key = [annotation], key
            elif key == best_key:
                best.append(annotation)
    if picked is not None:
        chosen = [a for a in best if a.id == picked]
        if chosen:
            return chosen
    return best


QUOTE_MARKS = "\"'“”‘’«»„"


def quoted(words: str) -> str:
    """`words` in quotation marks, unless it is already a quotation."""
    if words[:1] in QUOTE_MARKS or words[-1:] in QUOTE_MARKS:
        return words
    return f"“{words}”"


def describe(annotation: Annotation, width: int = 60) -> str:
    """`FACT "The minister said…"` or `AGAINST → tax (holder: Smith)`, plus the note."""
    words = " ".join(annotation.text.split())
    if len(words) > width:
        words = words[: width - 1] + "…"
    parts = [annotation.label]
    if annotation.kind == "stance":
        parts.append(f"→ {annotation.target or '(no target)'}")
        if annotation.holder:
            parts.append(f"(holder: {annotation.holder})")
    parts.append(quoted(words))
    if annotation.note:
        parts.append(f"— note: {annotation.note}")
    return " ".join(parts)
