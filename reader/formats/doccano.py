"""doccano's JSONL, in both of its shapes, one line per document:

- sequence labelling (`--format doccano`): `{"text", "label": [[start, end, label]], "meta"}`;
- relation projects (`--format doccano-entities`): `{"text", "entities": [{"id", "label",
  "start_offset", "end_offset"}], "relations": [], "meta"}`.

doccano has no annotator field, so a file holds one annotator's labels (the export command
writes one file per annotator). `meta` (the title...) is kept: doccano stores the fields
of a line it does not know as the example's meta and exports them back as they were.
A project that does not allow overlapping spans keeps only one of each overlap, so
`overlaps` finds them before export and `without_overlaps` keeps the longest.

Reading also accepts doccano's other spellings: `labels` for `label`, and `entities`
as a list of `{"start_offset", "end_offset", "label"}` objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..annotate.annotations import Annotation, annotation_sort_key, make_annotation
from ..corpus import text_id
from ..jsonl import read_jsonl
from . import (
    ExportDocument,
    LineProblem,
    ReadOptions,
    ReadOutcome,
    at_line,
    checked_record,
    on_normalised_text,
)
from .offsets import CODEPOINT, doccano_record


def _noop(n: int = 1) -> None:
    return None


def line_of(document: ExportDocument, entities: bool = False, first_id: int = 1) -> dict[str, Any]:
    """A document as one doccano record: `label` triples, or with `entities` the entity
    objects (ids from `first_id`) and no relations (reader has none)."""
    if entities:
        found = [
            {"id": first_id + n, "label": a.label, "start_offset": a.start, "end_offset": a.end}
            for n, a in enumerate(document.annotations)
        ]
        return {"text": document.text, "entities": found, "relations": [], "meta": document.meta}
    labels = [[a.start, a.end, a.label] for a in document.annotations]
    return {"text": document.text, "label": labels, "meta": document.meta}


def write(
    documents: Iterable[ExportDocument],
    out: TextIO,
    advance: Callable[..., Any] = _noop,
    entities: bool = False,
    offsets: str = CODEPOINT,
) -> int:
    """One line per document, every annotation of it (one annotator's: see the module);
    offsets in `offsets` units (UTF-16 code units for doccano's web page, on request)."""
    count = 0
    next_id = 1
    for document in documents:
        record = doccano_record(line_of(document, entities, next_id), offsets, reading=False)
        next_id += len(document.annotations)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
        advance()
    return count


def overlaps(document: ExportDocument) -> list[tuple[Annotation, Annotation]]:
    """Each pair of the document's annotations whose spans overlap (a project that does
    not allow overlapping spans keeps one of them), in text order."""
    found = []
    ordered = sorted(document.annotations, key=lambda a: (a.start, a.end))
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b.start >= a.end:
                break
            found.append((a, b))
    return found


def without_overlaps(document: ExportDocument) -> tuple[ExportDocument, list[Annotation]]:
    """The document keeping, of overlapping annotations, the longest (the earlier on a
    tie), and the annotations it dropped."""
    kept: list[Annotation] = []
    dropped: list[Annotation] = []
    by_length = sorted(document.annotations, key=lambda a: (a.start - a.end, a.start, a.label))
    for a in by_length:
        if any(a.start < k.end and k.start < a.end for k in kept):
            dropped.append(a)
        else:
            kept.append(a)
    kept.sort(key=annotation_sort_key)
    return ExportDocument(document.doc_id, document.text, document.meta, kept), dropped


def _triples(record: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    if "entities" in record:
        entities = record["entities"]
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise ValueError('"entities" must be a list of objects')
        return [(e.get("start_offset"), e.get("end_offset"), e.get("label")) for e in entities]
    labels = record.get("label", record.get("labels", []))
    if not isinstance(labels, list):
        raise ValueError('"label" must be a list of [start, end, label]')
    triples = []
    for number, item in enumerate(labels, start=1):
        if not isinstance(item, list) or len(item) != 3:
            raise ValueError(f"label {number}: expected [start, end, label]")
        triples.append((item[0], item[1], item[2]))
    return triples


def parse_record(record: dict[str, Any], options: ReadOptions) -> ExportDocument:
    """One doccano record (a line's JSON object); ValueError says what is wrong with it.
    Each label is checked with the store's codec (JSON booleans are not offsets); the
    text is read as reader reads every text and the labels move with it."""
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "text"')
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        meta = {}
    raw_id = text_id(text)
    records = []
    for number, (start, end, label) in enumerate(_triples(record), start=1):
        where = f"label {number}"
        if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
            raise ValueError(f"{where}: start and end must be a span of the text")
        if not isinstance(label, str) or not label:
            raise ValueError(f"{where}: the label must be a non-empty string")
        kind = options.kind_of(label)
        made = make_annotation(text, raw_id, start, end, kind, label, options.annotator)
        records.append(checked_record(made.to_json(), text, where))
    text, doc_id, records = on_normalised_text(text, records)
    annotations = [Annotation.from_json(r, check=False) for r in records]
    return ExportDocument(doc_id, text, meta, sorted(annotations, key=annotation_sort_key))


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = _noop
) -> ReadOutcome:
    documents, bad = read_jsonl(
        lines, lambda record, number: at_line(parse_record(record, options), number), advance
    )
    return ReadOutcome(documents, [LineProblem(p.line, p.message) for p in bad])
