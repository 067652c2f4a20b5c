"""How an export is written (`Writing`: progress, warnings, the offset unit) and the
warnings every format words alike (how many, and where)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .offsets import CODEPOINT

PLACES_SHOWN = 5

Warn = Callable[[str], None]


def no_warning(message: str) -> None:
    return None


def no_progress(n: int = 1) -> None:
    return None


@dataclass(frozen=True)
class Writing:
    """How an export is written: `advance()` after each document (a progress bar), `warn`
    for what the format cannot hold or leaves out, and the unit its offsets count in
    (`offsets.CODEPOINT` or `offsets.UTF16`)."""

    advance: Callable[..., Any] = no_progress
    warn: Warn = no_warning
    offsets: str = CODEPOINT


PLAIN = Writing()


def listed(count: int, what: str, places: list[str]) -> str:
    """`N <what>: place; place; ... (and N more)`: a warning that says how many and where."""
    shown = "; ".join(places[:PLACES_SHOWN])
    more = f" (and {len(places) - PLACES_SHOWN} more)" if len(places) > PLACES_SHOWN else ""
    return f"{count} {what}: {shown}{more}"


def span_place(document_id: str, start: int, end: int, text: str) -> str:
    """Where a span is, for a warning: document id (short), offsets and its text."""
    from ..printable import inert

    shown = text if len(text) <= 40 else text[:37] + "..."
    return f'{document_id[:12]} {start}:{end} "{inert(shown)}"'
