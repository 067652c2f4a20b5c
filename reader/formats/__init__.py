"""Export and import formats: native JSONL, Prodigy, doccano, brat standoff, Label Studio
JSON and CSV (both ways), and CoNLL/IOB2 and spaCy's JSONL (export only).

Every format works on `ExportDocument`s: a document's text, meta and id with its
annotations. Readers return what they could read and a list of `LineProblem`s, so
that the import command can refuse a file with any problem (or skip the bad lines).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any, Protocol, TypeVar

from ..annotate.annotations import Annotation, annotation_sort_key, record_sort_key
from ..errors import ReaderError
from .incoming import on_normalised_text as on_normalised_text  # the name other packages use
from .offsets import CODEPOINT

FORMATS = ("native", "prodigy", "doccano", "brat")
IMPORT_FORMATS = (*FORMATS, "label-studio", "csv")
EXPORT_FORMATS = (*FORMATS, "doccano-entities", "conll", "spacy", "label-studio", "csv")
# Formats whose tools may count offsets in UTF-16 code units (JavaScript web UIs,
# spreadsheets, brat's web page): the ones `--offsets utf16` applies to.
UTF16_FORMATS = ("doccano", "doccano-entities", "brat", "label-studio", "csv")
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


def merge_raw(groups: Iterable[Iterable[RawDocument]]) -> list[RawDocument]:
    """One entry per doc_id (first seen first), records from all (the latest version of
    each id), in text order; documents without annotations are left out."""
    merged = []
    for copies, latest in _latest_by_document(groups, _records_of, itemgetter("id", "updated")):
        first = copies[0]
        document = RawDocument(first.doc_id, first.text, dict(first.meta))
        document.records = sorted(latest, key=record_sort_key)
        document.review = [decision for copy in copies for decision in copy.review]
        if document.records or document.review:
            merged.append(document)
    return merged


def _records_of(document: RawDocument) -> list[dict[str, Any]]:
    return document.records


def _annotations_of(document: ExportDocument) -> list[Annotation]:
    return document.annotations


class _OfDocument(Protocol):
    @property
    def doc_id(self) -> str: ...


_Doc = TypeVar("_Doc", bound=_OfDocument)
_Item = TypeVar("_Item")


def _latest_by_document(
    groups: Iterable[Iterable[_Doc]],
    items_of: Callable[[_Doc], Iterable[_Item]],
    id_and_updated: Callable[[_Item], tuple[str, str]],
) -> list[tuple[list[_Doc], list[_Item]]]:
    """Per doc_id, first seen first: every document of that id, and its items merged by
    id (of those sharing an id, the one updated last; on a tie, the later one)."""
    copies: dict[str, list[_Doc]] = {}
    latest: dict[str, dict[str, _Item]] = {}
    for documents in groups:
        for document in documents:
            copies.setdefault(document.doc_id, []).append(document)
            found = latest.setdefault(document.doc_id, {})
            for item in items_of(document):
                item_id, updated = id_and_updated(item)
                known = found.get(item_id)
                if known is None or updated >= id_and_updated(known)[1]:
                    found[item_id] = item
    return [(copies[doc_id], list(latest[doc_id].values())) for doc_id in copies]


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
    offsets: str = CODEPOINT  # the file's offset unit: codepoint (str indices) or utf16


def merge_documents(groups: Iterable[Iterable[ExportDocument]]) -> list[ExportDocument]:
    """One entry per doc_id (first seen first), annotations from all, in text order."""
    merged = []
    for copies, latest in _latest_by_document(groups, _annotations_of, attrgetter("id", "updated")):
        first = copies[0]
        document = ExportDocument(first.doc_id, first.text, dict(first.meta))
        document.annotations = sorted(latest, key=annotation_sort_key)
        if document.annotations:
            merged.append(document)
    return merged


def kinds_from_schema(labels: Mapping[str, str]) -> KindOf:
    """label -> kind, `claim` for labels the schema does not know."""
    return lambda label: labels.get(label, "claim")


def of_kinds(documents: list[RawDocument], kinds: Iterable[str]) -> list[RawDocument]:
    """`documents` keeping only the annotation records of `kinds` (all of them when
    `kinds` is empty); documents left with none are dropped."""
    wanted = frozenset(kinds)
    if not wanted:
        return documents
    kept = []
    for document in documents:
        records = [r for r in document.records if r["kind"] in wanted]
        if records:
            kept.append(RawDocument(document.doc_id, document.text, document.meta, records))
    return kept


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
