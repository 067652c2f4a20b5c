"""CSV for spreadsheets: one row per annotation, RFC 4180 (comma-separated, `"`-quoted
where needed, `\\r\\n` between rows, UTF-8), with a header row:

    doc_id,title,start,end,text,kind,label,target,holder,note,annotator,id,created,updated,speaker_start,speaker_end,speaker

The first eleven columns are a contract (in this order: the record's fields, with the
title after `doc_id`); `id`, `created` and `updated` follow so that an import gives back
the same annotations, then a quote's speaker (`speaker_start`, `speaker_end`, `speaker`:
its span and text, empty when there is none). `title` is the document's
`meta.title`; `target` and `holder` are empty when not set. A cell may hold commas,
quotes and line breaks (quoted, as the csv module and every spreadsheet read them).

Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula. Every text cell that starts with one of
these, or with `'`, is written with one `'` before it, which spreadsheets show as text
and do not run; reading drops one leading `'` from every text cell that has it, so the
round trip is exact. Offsets are whole numbers, never guarded.

A CSV row does not hold its document's text: importing takes the texts from the store
imported into and from `--docs` (articles or JSONL corpora), by `doc_id`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TextIO

from ..annotate.annotations import (
    FIELD_ORDER,
    KINDS,
    Annotation,
    Speaker,
    annotation_sort_key,
    make_annotation,
)
from . import ExportDocument, FormatError, LineProblem, ReadOptions, ReadOutcome
from .incoming import checked_record
from .offsets import OffsetCounter, OffsetError
from .writing import PLAIN, Writing, no_progress

# The record's fields from doc_id to annotator (FIELD_ORDER), the title after doc_id.
COLUMNS = (
    "doc_id",
    "title",
    *FIELD_ORDER[FIELD_ORDER.index("start") : FIELD_ORDER.index("annotator") + 1],
)
SPEAKER_COLUMNS = ("speaker_start", "speaker_end", "speaker")
EXTRA_COLUMNS = ("id", "created", "updated", *SPEAKER_COLUMNS)
TEXT_COLUMNS = ("doc_id", "title", "text", "kind", "label", "target", "holder", "note", "annotator")
_RISKY = ("=", "+", "-", "@", "\t", "\r", "'")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

Texts = Callable[[str], "tuple[str, Mapping[str, Any]] | None"]


NO_TEXT = "CSV rows hold no document text: an import takes it from the store or --docs"
NO_META = "CSV keeps only the title of a document's meta"


def guard(cell: str) -> str:
    """`cell` as written: a `'` before one a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_RISKY) else cell


def unguard(cell: str) -> str:
    """The cell's text as exported (one leading `'` dropped)."""
    return cell[1:] if cell.startswith("'") else cell


def row_of(document: ExportDocument, a: Annotation, counter: OffsetCounter) -> list[str]:
    title = document.meta.get("title")
    cells = {
        "doc_id": document.doc_id,
        "title": title if isinstance(title, str) else "",
        "text": a.text,
        "kind": a.kind,
        "label": a.label,
        "target": a.target or "",
        "holder": a.holder or "",
        "note": a.note,
        "annotator": a.annotator,
    }
    row = []
    for name in COLUMNS:
        if name == "start":
            row.append(str(counter.from_index(a.start)))
        elif name == "end":
            row.append(str(counter.from_index(a.end)))
        else:
            row.append(guard(cells[name]))
    speaker = a.speaker
    if speaker is None:
        return [*row, a.id, a.created, a.updated, "", "", ""]
    start, end = str(counter.from_index(speaker.start)), str(counter.from_index(speaker.end))
    return [*row, a.id, a.created, a.updated, start, end, guard(speaker.text)]


def write(documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN) -> int:
    """The header and one row per annotation; returns the rows written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *EXTRA_COLUMNS])
    count = 0
    lost_meta = False
    for document in documents:
        lost_meta = lost_meta or bool(set(document.meta) - {"title"})
        counter = OffsetCounter(document.text, how.offsets)
        for a in document.annotations:
            writer.writerow(row_of(document, a, counter))
            count += 1
        out.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
        how.advance()
    out.write(buffer.getvalue())
    how.warn(NO_TEXT)
    if lost_meta:
        how.warn(NO_META)
    return count


def _int(cell: str, name: str) -> int:
    if not cell.isascii() or not cell.isdigit():
        raise ValueError(f"{name} must be a whole number, not {cell!r}")
    return int(cell)


def _span(counter: OffsetCounter, start: str, end: str) -> tuple[int, int]:
    """Two cells' offsets as `str` indices (ValueError for a cell that is not one)."""
    try:
        return counter.to_index(_int(start, "start")), counter.to_index(_int(end, "end"))
    except OffsetError as exc:
        raise ValueError(str(exc)) from None


def parse_row(
    cells: dict[str, str], texts: Texts, options: ReadOptions
) -> tuple[str, str, Mapping[str, Any], Annotation]:
    """One row: its document's id, text and meta, and the annotation it holds."""
    text_cells = {name: unguard(cells[name]) for name in TEXT_COLUMNS}
    doc_id = text_cells["doc_id"]
    found = texts(doc_id)
    if found is None:
        raise ValueError(
            f"document {doc_id[:16]!r} is in neither the store nor --docs (a CSV row does "
            "not hold its document's text)"
        )
    text, meta = found
    counter = OffsetCounter(text, options.offsets)
    start, end = _span(counter, cells["start"], cells["end"])
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{cells['start']}:{cells['end']} is not a span of the document's text")
    if text[start:end] != text_cells["text"]:
        raise ValueError(f"its text is not the text at {cells['start']}:{cells['end']}")
    kind, label = text_cells["kind"], text_cells["label"]
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not label:
        raise ValueError("missing label")
    annotator = text_cells["annotator"] or options.annotator
    if options.override_annotator:
        annotator = options.annotator
    extra: dict[str, Any] = {"note": text_cells["note"]}
    for name in ("target", "holder"):
        if text_cells[name]:
            extra[name] = text_cells[name]
    if _UUID.fullmatch(cells.get("id") or ""):
        extra["id"] = cells["id"]
    created, updated = cells.get("created") or "", cells.get("updated") or ""
    if created:
        extra["created"] = created
        extra["updated"] = updated or created
    if cells.get("speaker_start") or cells.get("speaker_end"):
        s_start, s_end = _span(counter, cells["speaker_start"], cells.get("speaker_end") or "")
        extra["speaker"] = Speaker(s_start, s_end, unguard(cells.get("speaker") or ""))
    a = make_annotation(text, doc_id, start, end, kind, label, annotator, **extra)
    checked_record(a.to_json(), text, "the annotation")
    return doc_id, text, meta, a


def read_text(
    content: str, options: ReadOptions, texts: Texts, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    """A CSV export: documents (texts from `texts`) with their annotations; problems are
    named by row (the header is row 1, as a spreadsheet numbers it)."""
    rows = csv.reader(io.StringIO(content, newline=""))
    header = next(rows, None)
    if header is None or tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise FormatError("not reader's CSV: the header must start " + ",".join(COLUMNS))
    outcome = ReadOutcome()
    documents: dict[str, ExportDocument] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) < len(COLUMNS):
            outcome.problems.append(
                LineProblem(number, f"{len(row)} cells, expected {len(COLUMNS)}", where="row")
            )
            continue
        cells = dict(zip(header, row, strict=False))
        try:
            doc_id, text, meta, a = parse_row(cells, texts, options)
        except ValueError as exc:
            outcome.problems.append(LineProblem(number, str(exc), where="row"))
            continue
        document = documents.get(doc_id)
        if document is None:
            document = documents[doc_id] = ExportDocument(doc_id, text, dict(meta), line=number)
        document.annotations.append(a)
        advance()
    for document in documents.values():
        document.annotations.sort(key=annotation_sort_key)
    outcome.documents = list(documents.values())
    return outcome
