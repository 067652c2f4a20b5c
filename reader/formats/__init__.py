"""Export and import formats: native JSONL, Prodigy, doccano and brat standoff.

Every format works on `ExportDocument`s: a document's text, meta and id with its
annotations. Readers return what they could read and a list of `LineProblem`s, so
that the import command can refuse a file with any problem (or skip the bad lines).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..annotate.annotations import (
    Annotation,
    record_problem,
    record_sort_key,
    span_context,
    text_problem,
    time_problem,
)
from ..corpus import dropped_positions, moved_offset, normalise, text_id
from ..errors import ReaderError

FORMATS = ("native", "prodigy", "doccano", "brat")
PROGRESS_MIN_ITEMS = 200

KindOf = Callable[[str], str]


class FormatError(ReaderError):
    """A file cannot be read in the format asked for."""


@dataclass
class ExportDocument:
    doc_id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: list[Annotation] = field(default_factory=list)
    line: int = 0  # where it was read (1-based line of a JSONL file; 0: not a line)


@dataclass
class RawDocument:
    """An `ExportDocument` whose annotations are still checked JSON records (fast path).

    `review` holds a gold store's reviewer decisions on the document (native export)."""

    doc_id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    line: int = 0  # where it was read (1-based line of a JSONL file; 0: not a line)

    def to_document(self) -> ExportDocument:
        annotations = [Annotation.from_json(r, check=False) for r in self.records]
        return ExportDocument(self.doc_id, self.text, self.meta, annotations, self.line)


def checked_record(record: dict[str, Any], text: str, where: str) -> dict[str, Any]:
    """`record` when the store's codec (`record_problem`) and `text` accept it; else
    ValueError naming `where` (`label 2`, `span 1`): nothing reaches a store that it
    would refuse."""
    problem = record_problem(record) or time_problem(record) or text_problem(record, text)
    if problem:
        raise ValueError(f"{where}: {problem}")
    return record


def on_normalised_text(
    text: str, records: list[dict[str, Any]]
) -> tuple[str, str, list[dict[str, Any]]]:
    """The text as reader reads every text (`corpus.normalise`: BOM dropped, `\\r\\n` read
    as `\\n`), its id, and `records` (checked against `text`) moved onto it: offsets follow
    the dropped characters, span text, context and doc_id are the new text's. The records
    are returned as they are when the text does not change. ValueError for a span that
    held nothing but a dropped character."""
    plain = normalise(text)
    if plain == text:
        return text, text_id(text), records
    dropped = dropped_positions(text)
    doc_id = text_id(plain)
    moved = []
    for number, record in enumerate(records, start=1):
        start = moved_offset(record["start"], dropped)
        end = moved_offset(record["end"], dropped)
        if end <= start:
            raise ValueError(
                f"annotation {number}: its span {record['start']}:{record['end']} holds only "
                "a character that reader drops from every text (a BOM or the \\r of \\r\\n)"
            )
        prefix, suffix = span_context(plain, start, end)
        moved.append(
            {
                **record,
                "doc_id": doc_id,
                "start": start,
                "end": end,
                "text": plain[start:end],
                "prefix": prefix,
                "suffix": suffix,
            }
        )
    return plain, doc_id, moved


def merge_raw(groups: Iterable[Iterable[RawDocument]]) -> list[RawDocument]:
    """One entry per doc_id (first seen first), records from all (the latest version of
    each id), in text order; documents without annotations are left out."""
    merged: dict[str, RawDocument] = {}
    by_id: dict[str, dict[str, dict[str, Any]]] = {}
    for documents in groups:
        for document in documents:
            if document.doc_id not in merged:
                merged[document.doc_id] = RawDocument(
                    document.doc_id, document.text, dict(document.meta)
                )
                by_id[document.doc_id] = {}
            found = by_id[document.doc_id]
            for record in document.records:
                known = found.get(record["id"])
                if known is None or record["updated"] >= known["updated"]:
                    found[record["id"]] = record
            merged[document.doc_id].review.extend(document.review)
    for doc_id, document in merged.items():
        document.records = sorted(by_id[doc_id].values(), key=record_sort_key)
    return [d for d in merged.values() if d.records or d.review]


def at_line(document: Any, number: int) -> Any:
    """`document` (an ExportDocument or RawDocument, or None) marked as read at line
    `number`: the `convert` step of `reader.jsonl.read_jsonl` for every JSONL format."""
    if document is not None:
        document.line = number
    return document


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based; 0 when the problem is not on one line
    message: str
    where: str = ""  # a file name when the format has several files (brat)

    def __str__(self) -> str:
        place = self.where or "line"
        return f"{place} {self.line}: {self.message}" if self.line else f"{place}: {self.message}"


@dataclass
class ReadOutcome:
    documents: list[ExportDocument] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    skipped: int = 0  # records deliberately not imported (e.g. rejected Prodigy tasks)
    raw: list[RawDocument] = field(default_factory=list)  # the same, as checked records


@dataclass(frozen=True)
class ReadOptions:
    """How to fill in what a foreign format does not say."""

    annotator: str  # used when a record names no annotator
    override_annotator: bool = False  # use `annotator` even when a record names one
    kind_of: KindOf = lambda label: "claim"


def annotation_sort_key(annotation: Annotation) -> tuple:
    return (annotation.start, annotation.end, annotation.kind, annotation.created, annotation.id)


def merge_documents(groups: Iterable[Iterable[ExportDocument]]) -> list[ExportDocument]:
    """One entry per doc_id (first seen first), annotations from all, in text order."""
    merged: dict[str, ExportDocument] = {}
    by_id: dict[str, dict[str, Annotation]] = {}
    for documents in groups:
        for document in documents:
            if document.doc_id not in merged:
                merged[document.doc_id] = ExportDocument(
                    document.doc_id, document.text, dict(document.meta)
                )
                by_id[document.doc_id] = {}
            found = by_id[document.doc_id]
            for annotation in document.annotations:
                known = found.get(annotation.id)
                if known is None or annotation.updated >= known.updated:
                    found[annotation.id] = annotation
    for doc_id, document in merged.items():
        document.annotations = sorted(by_id[doc_id].values(), key=annotation_sort_key)
    return [d for d in merged.values() if d.annotations]


def kinds_from_schema(labels: Mapping[str, str]) -> KindOf:
    """label -> kind, `claim` for labels the schema does not know."""
    return lambda label: labels.get(label, "claim")


@contextmanager
def progress(total: int, description: str, enabled: bool | None = None) -> Iterator[Any]:
    """A rich progress bar on stderr for long jobs on a terminal; yields `advance(n=1)`."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total < PROGRESS_MIN_ITEMS:
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
