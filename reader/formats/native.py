"""reader's own JSONL: one document per line, with every field of every annotation.

    {"text": "...", "meta": {...}, "doc_id": "<sha256 of text>", "annotations": [{...}]}

Export → import → export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..annotations import FIELD_ORDER, new_id, now_iso, record_problem
from ..corpus import text_id
from ..jsonl import read_jsonl
from . import (
    ExportDocument,
    LineProblem,
    RawDocument,
    ReadOptions,
    ReadOutcome,
    record_sort_key,
)


def _noop(n: int = 1) -> None:
    return None


def document_line(document: RawDocument) -> str:
    record = {
        "text": document.text,
        "meta": document.meta,
        "doc_id": document.doc_id,
        "annotations": document.records,
    }
    return json.dumps(record, ensure_ascii=False)


def write_raw(
    documents: Iterable[RawDocument], out: TextIO, advance: Callable[..., Any] = _noop
) -> int:
    count = 0
    for document in documents:
        out.write(document_line(document) + "\n")
        count += 1
        advance()
    return count


def write(
    documents: Iterable[ExportDocument], out: TextIO, advance: Callable[..., Any] = _noop
) -> int:
    raw = (
        RawDocument(d.doc_id, d.text, d.meta, [a.to_json() for a in d.annotations])
        for d in documents
    )
    return write_raw(raw, out, advance)


def parse_record(record: dict[str, Any], options: ReadOptions) -> RawDocument:
    """One native record (a line's JSON object); ValueError says what is wrong with it."""
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "text"')
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    doc_id = record.get("doc_id", text_id(text))
    if doc_id != text_id(text):
        raise ValueError('"doc_id" is not the sha256 of "text"')
    items = record.get("annotations", [])
    if not isinstance(items, list):
        raise ValueError('"annotations" must be a list')
    records = [_record(item, n, text, doc_id, options) for n, item in enumerate(items, 1)]
    return RawDocument(doc_id, text, meta, sorted(records, key=record_sort_key))


def _record(item: Any, number: int, text: str, doc_id: str, options: ReadOptions) -> dict[str, Any]:
    problem = record_problem(item)
    if problem is None and item["doc_id"] != doc_id:
        problem = "its doc_id is not the document's"
    if problem is None and text[item["start"] : item["end"]] != item["text"]:
        problem = f"its text is not the document's text at {item['start']}:{item['end']}"
    if problem:
        raise ValueError(f"annotation {number}: {problem}")
    record = {name: item.get(name) for name in FIELD_ORDER}
    for name in ("note", "prefix", "suffix"):
        if record[name] is None:
            record[name] = ""
    if not record["id"]:
        record["id"] = new_id()
    if not record["created"]:
        record["created"] = now_iso()
    if not record["updated"]:
        record["updated"] = record["created"]
    if options.override_annotator:
        record["annotator"] = options.annotator
    return record


def read_raw(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = _noop
) -> tuple[list[RawDocument], list[LineProblem]]:
    documents, bad = read_jsonl(lines, lambda record, _: parse_record(record, options), advance)
    return documents, [LineProblem(p.line, p.message) for p in bad]


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = _noop
) -> ReadOutcome:
    documents, problems = read_raw(lines, options, advance)
    return ReadOutcome([d.to_document() for d in documents], problems)
