"""The annotation record: one labelled span of one document by one annotator.

Field names are a contract (exports, imports and users' scripts rely on them).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import itemgetter, lt
from typing import Any

from ..errors import ReaderError
from .kinds import KINDS

CONTEXT_CHARS = 32

# The order fields are written in (exports, the store): the order the issue lists them.
FIELD_ORDER = (
    "id",
    "doc_id",
    "start",
    "end",
    "text",
    "kind",
    "label",
    "target",
    "holder",
    "note",
    "annotator",
    "created",
    "updated",
    "prefix",
    "suffix",
)
REQUIRED_FIELDS = ("doc_id", "start", "end", "text", "kind", "label", "annotator")
_STR_FIELDS = ("id", "doc_id", "text", "kind", "label", "annotator", "created", "updated")
_REQUIRED_STR_FIELDS = tuple(name for name in REQUIRED_FIELDS if name in _STR_FIELDS)
_DEFAULTED_STR_FIELDS = tuple(name for name in _STR_FIELDS if name not in REQUIRED_FIELDS)
_OPTIONAL_STR_FIELDS = ("target", "holder")
_CONTEXT_FIELDS = ("note", "prefix", "suffix")
# Written only when set, after FIELD_ORDER's fields, so records without them (every store
# and export before them) are unchanged: `source` says an annotation came from a
# suggestion, accepted as it was ("suggested") or relabelled ("corrected"); `speaker`, on a
# quote only, is the span of who says it: {"start", "end", "text"}, indexing the same text.
OPTIONAL_FIELDS = ("source", "speaker")
SOURCES = ("suggested", "corrected")
SPEAKER_KINDS = ("quote",)


@dataclass(frozen=True, slots=True)
class Speaker:
    """The span of the person (or body) a quote is attributed to: the quote's relation."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Speaker:
        return cls(value["start"], value["end"], value["text"])


class AnnotationError(ReaderError, ValueError):
    """An annotation record or request is invalid (bad span, kind, field type...)."""


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
    kind: str  # one of KINDS
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
    source: str | None = None  # "suggested" or "corrected": made from a suggestion
    speaker: Speaker | None = None  # quote only: who says it

    def __post_init__(self) -> None:
        if not self.updated:
            object.__setattr__(self, "updated", self.created)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object, fields in the documented order."""
        record = {name: getattr(self, name) for name in FIELD_ORDER}
        if self.source is not None:
            record["source"] = self.source
        if self.speaker is not None:
            record["speaker"] = self.speaker.to_json()
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any], *, check: bool = True) -> Annotation:
        """Build from a JSON object, checking field types (unless `check` is False, for
        records already checked); unknown fields are ignored."""
        if check:
            problem = record_problem(record)
            if problem:
                raise AnnotationError(problem)
        known = {name: record[name] for name in FIELD_ORDER if name in record}
        if record.get("source") is not None:
            known["source"] = record["source"]
        if record.get("speaker") is not None:
            known["speaker"] = Speaker.from_json(record["speaker"])
        for name in _CONTEXT_FIELDS:
            if name in known and known[name] is None:
                del known[name]
        return cls(**known)

    def changed(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and `updated` set to now."""
        return replace(self, **changes, updated=now_iso())

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def record_problem(record: Any) -> str | None:
    """Why `record` is not a valid annotation record, or None when it is."""
    try:  # the common case, quickly
        start, end = record["start"], record["end"]
        if (
            type(start) is int
            and type(end) is int
            and 0 <= start < end
            and record["kind"] in KINDS
            and all(type(record[name]) is str for name in _REQUIRED_STR_FIELDS)
            and all(type(record.get(name, "")) is str for name in _DEFAULTED_STR_FIELDS)
            and record["label"]
            and all(
                type(record.get(n)) in _OPTIONAL for n in _OPTIONAL_STR_FIELDS + _CONTEXT_FIELDS
            )
            and record.get("source") in _SOURCES
            and record.get("speaker") is None
        ):
            return None
    except (KeyError, TypeError):
        pass
    return _explain(record)


_OPTIONAL = (str, type(None))
_SOURCES = (None, *SOURCES)
_OPTIONAL_TYPES = frozenset(_OPTIONAL)
_KINDS = frozenset(KINDS)


def records_sound(items: list[Any]) -> bool:
    """`record_problem` finds nothing in any of `items` and each has every string field,
    checked a field at a time over all of them: the codec's fast path for a stored list
    (four times faster than record by record; on False, check them one by one)."""
    try:
        if set(map(type, items)) != {dict}:
            return False
        starts = list(map(itemgetter("start"), items))
        ends = list(map(itemgetter("end"), items))
        if set(map(type, starts)) != {int} or set(map(type, ends)) != {int}:
            return False
        if min(starts) < 0 or not all(map(lt, starts, ends)):
            return False
        for name in _STR_FIELDS:
            if set(map(type, map(itemgetter(name), items))) != {str}:
                return False
        if not set(map(itemgetter("kind"), items)) <= _KINDS:
            return False
        if "" in set(map(itemgetter("label"), items)):
            return False
        for name in _OPTIONAL_STR_FIELDS + _CONTEXT_FIELDS:
            if not set(map(type, (item.get(name) for item in items))) <= _OPTIONAL_TYPES:
                return False
        if not all(item.get("source") in _SOURCES for item in items):
            return False
        if any(item.get("speaker") is not None for item in items):
            return False  # rare: checked record by record
    except (KeyError, ValueError):  # a missing field, or no items at all
        return not items
    return True


def record_sort_key(record: Mapping[str, Any]) -> tuple:
    """Text order of annotation records: start, end, kind, created, id (the one order of
    annotations everywhere: stores, exports, review)."""
    return (record["start"], record["end"], record["kind"], record["created"], record["id"])


def annotation_sort_key(annotation: Annotation) -> tuple:
    """`record_sort_key` of an `Annotation`."""
    return (annotation.start, annotation.end, annotation.kind, annotation.created, annotation.id)


def text_problem(record: Mapping[str, Any], text: str) -> str | None:
    """Why a record (already passing `record_problem`) does not fit `text`, or None."""
    start, end = record["start"], record["end"]
    if end > len(text):
        return f"its span {start}:{end} is outside the document's text ({len(text)} characters)"
    if text[start:end] != record["text"]:
        return f"its text is not the document's text at {start}:{end}"
    speaker = record.get("speaker")
    if speaker is not None:
        s_start, s_end = speaker["start"], speaker["end"]
        if s_end > len(text):
            return f"its speaker's span {s_start}:{s_end} is outside the document's text"
        if text[s_start:s_end] != speaker["text"]:
            return f"its speaker's text is not the document's text at {s_start}:{s_end}"
    return None


_PLAIN_LABEL = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]+")


def time_problem(record: Mapping[str, Any]) -> str | None:
    """What an imported record has that the store takes but nothing else can use, or
    None: a `created` or `updated` that is not an ISO 8601 time (Prodigy exports and
    merges by `updated` rely on them), a label with white space or control characters
    (brat types are one word; a line break would cut an export's line)."""
    if not _PLAIN_LABEL.fullmatch(record["label"]):
        return (
            f"annotation label {record['label'][:40]!r} must be one word with no control characters"
        )
    for name in ("created", "updated"):
        value = record.get(name)
        if value:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return f"annotation field {name!r} is not an ISO 8601 time ({value[:40]!r})"
    return None


def normalise_record(item: Mapping[str, Any], annotator: str | None = None) -> dict[str, Any]:
    """A checked record with every field, in `FIELD_ORDER`: a missing `id` is made, missing
    times are now (`updated` defaults to `created`), null note/prefix/suffix become "";
    `annotator`, when given, replaces the record's."""
    if (  # the common case (reader's own exports): every field there, in order
        tuple(item) == FIELD_ORDER
        and item["id"]
        and item["created"]
        and item["updated"]
        and item["note"] is not None
        and item["prefix"] is not None
        and item["suffix"] is not None
    ):
        record = dict(item)
    else:
        record = {name: item.get(name) for name in FIELD_ORDER}
        for name in _CONTEXT_FIELDS:
            if record[name] is None:
                record[name] = ""
        record["id"] = record["id"] or new_id()
        record["created"] = record["created"] or now_iso()
        record["updated"] = record["updated"] or record["created"]
    if item.get("source") is not None:
        record["source"] = item["source"]
    if item.get("speaker") is not None:
        record["speaker"] = dict(item["speaker"])
    if annotator is not None:
        record["annotator"] = annotator
    return record


def validate_records(
    items: Iterable[Any], text: str | None = None, doc_id: str | None = None
) -> list[dict[str, Any]]:
    """Every item checked with the store's codec (`record_problem`, and `time_problem`),
    against `text` and `doc_id` when given; AnnotationError names the first bad one (`annotation N: ...`,
    1-based). Returns the items as they are (not copied)."""
    records = items if isinstance(items, list) else list(items)
    for number, item in enumerate(records, start=1):
        problem = record_problem(item) or time_problem(item)
        if problem is None and doc_id is not None and item["doc_id"] != doc_id:
            problem = "its doc_id is not the document's"
        if problem is None and text is not None:
            problem = text_problem(item, text)
        if problem:
            raise AnnotationError(f"annotation {number}: {problem}")
    return records


def _explain(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "an annotation must be a JSON object"
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        return f"annotation is missing {', '.join(repr(m) for m in missing)}"
    for name in _STR_FIELDS:
        if name in record and not isinstance(record[name], str):
            return f"annotation field {name!r} must be a string"
    for name in _OPTIONAL_STR_FIELDS + _CONTEXT_FIELDS:
        if record.get(name) is not None and not isinstance(record[name], str):
            return f"annotation field {name!r} must be a string or null"
    for name in ("start", "end"):
        value = record[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"annotation field {name!r} must be a non-negative integer"
    if record["end"] <= record["start"]:
        return "annotation 'end' must be greater than 'start'"
    if record["kind"] not in KINDS:
        return f"annotation kind must be one of {', '.join(KINDS)}, not {record['kind']!r}"
    if record.get("source") not in _SOURCES:
        return f"annotation source must be one of {', '.join(SOURCES)} or null"
    if not record["label"]:
        return "annotation label must not be empty"
    return _speaker_problem(record)


def _speaker_problem(record: Mapping[str, Any]) -> str | None:
    speaker = record.get("speaker")
    if speaker is None:
        return None
    if record["kind"] not in SPEAKER_KINDS:
        return f"only a quote may have a speaker, not a {record['kind']}"
    if not isinstance(speaker, dict) or set(speaker) != {"start", "end", "text"}:
        return "annotation speaker must be an object with start, end and text"
    start, end, text = speaker["start"], speaker["end"], speaker["text"]
    if any(type(v) is not int for v in (start, end)) or not 0 <= start < end:
        return "annotation speaker's start and end must be integers, 0 <= start < end"
    if not isinstance(text, str):
        return "annotation speaker's text must be a string"
    return None


def span_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix that let a span be found again if its text moves."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


def check_span(text: str, start: int, end: int) -> None:
    """Raise AnnotationError unless `start:end` is a non-empty span inside `text`."""
    if not (0 <= start < end <= len(text)):
        raise AnnotationError(
            f"span {start}:{end} is not a non-empty span of a {len(text)}-character text"
        )


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
    check_span(text, start, end)
    if kind not in KINDS:
        raise AnnotationError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
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
