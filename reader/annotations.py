"""The annotation record: one labelled span of one document by one annotator.

Field names are a contract (exports, imports and users' scripts rely on them).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

CONTEXT_CHARS = 32
KINDS = ("claim", "stance")


def now_iso() -> str:
    """The current time, ISO 8601 in UTC with a `Z`, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Annotation:
    doc_id: str
    start: int
    end: int
    text: str
    kind: str  # "claim" or "stance"
    label: str
    annotator: str
    target: str | None = None  # stance only
    holder: str | None = None  # stance only
    note: str = ""
    prefix: str = ""  # about CONTEXT_CHARS characters before the span, for re-anchoring
    suffix: str = ""  # about CONTEXT_CHARS characters after it
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = ""

    def __post_init__(self) -> None:
        if not self.updated:
            object.__setattr__(self, "updated", self.created)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Annotation:
        known = {name: record[name] for name in cls.__dataclass_fields__ if name in record}
        return cls(**known)

    def changed(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and `updated` set to now."""
        return replace(self, **changes, updated=now_iso())


def span_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix that let a span be found again if its text moves."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


def make_annotation(
    text: str,
    doc_id: str,
    start: int,
    end: int,
    kind: str,
    label: str,
    annotator: str,
    **extra: Any,
) -> Annotation:
    """A new annotation of `text[start:end]` with its context filled in."""
    prefix, suffix = span_context(text, start, end)
    return Annotation(
        doc_id=doc_id,
        start=start,
        end=end,
        text=text[start:end],
        kind=kind,
        label=label,
        annotator=annotator,
        prefix=prefix,
        suffix=suffix,
        **extra,
    )
