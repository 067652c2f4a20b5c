"""reader's own JSONL: one document per line, with every field of every annotation.

    {"text": "...", "meta": {...}, "doc_id": "<sha256 of text>", "annotations": [{...}]}

Export → import → export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..annotate.annotations import (
    AnnotationError,
    normalise_record,
    record_problem,
    record_sort_key,
    span_context,
    text_problem,
    time_problem,
    validate_records,
)
from ..corpus import normalise, text_id
from ..jsonl import read_jsonl
from . import ExportDocument, LineProblem, RawDocument, ReadOptions, ReadOutcome
from .incoming import at_line, on_normalised_text
from .writing import no_progress


def document_line(document: RawDocument) -> str:
    """The document's line; `review` only for a gold store's decisions, and a document
    whose text the gold store never held (only rejections) is `doc_id` and `review`."""
    record: dict[str, Any] = {
        "text": document.text,
        "meta": document.meta,
        "doc_id": document.doc_id,
        "annotations": document.records,
    }
    if not document.text:
        del record["text"], record["meta"]
    if document.review:
        record["review"] = document.review
    return json.dumps(record, ensure_ascii=False)


def write_raw(
    documents: Iterable[RawDocument], out: TextIO, advance: Callable[..., Any] = no_progress
) -> int:
    count = 0
    for document in documents:
        out.write(document_line(document) + "\n")
        count += 1
        advance()
    return count


def write(
    documents: Iterable[ExportDocument], out: TextIO, advance: Callable[..., Any] = no_progress
) -> int:
    raw = (
        RawDocument(d.doc_id, d.text, d.meta, [a.to_json() for a in d.annotations])
        for d in documents
    )
    return write_raw(raw, out, advance)


def parse_record(record: dict[str, Any], options: ReadOptions) -> RawDocument | None:
    """One native record (a line's JSON object); ValueError says what is wrong with it.

    Every annotation is checked with the store's codec against the text; the text is
    read as reader reads every text (`corpus.normalise`) and annotations made on the
    text as the file holds it move with it. None for a line that only carries a gold
    store's review decisions of a document whose text the store never held."""
    text = record.get("text")
    if text is None and "review" in record and not record.get("annotations"):
        return None
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "text"')
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    given = record.get("doc_id")
    items = record.get("annotations", [])
    if not isinstance(items, list):
        raise ValueError('"annotations" must be a list')
    annotator = options.annotator if options.override_annotator else None
    plain, doc_id, records = checked_records(
        text, given, items, annotator, fill_annotator=options.annotator
    )
    return RawDocument(doc_id, plain, meta, records)


def checked_records(
    text: str,
    given_id: Any,
    items: list[Any],
    annotator: str | None = None,
    fill_annotator: str | None = None,
) -> tuple[str, str, list[dict[str, Any]]]:
    """A native document's text as reader reads it (`corpus.normalise`), its id, and its
    annotation records checked with the store's codec and normalised (every field, in
    text order); ValueError says what is wrong (`annotation N: ...`).

    `given_id` (None: absent) must be the sha256 of the text as the file holds it or as
    reader reads it; so must each record's `doc_id`, and its offsets index that text
    (records on the text as the file holds it are moved onto the normalised text).
    `annotator` replaces every record's annotator; `fill_annotator` is given to records
    that name none; a record with no `doc_id` is on the line's text as the file holds it."""
    raw_id = text_id(text)
    plain = normalise(text)
    plain_id = raw_id if plain == text else text_id(plain)
    if given_id is not None and given_id != raw_id and given_id != plain_id:
        raise ValueError('"doc_id" is not the sha256 of "text"')
    if fill_annotator is not None:
        items = [
            {**item, "annotator": fill_annotator}
            if isinstance(item, dict) and item.get("annotator") is None
            else item
            for item in items
        ]
    # An annotation that names no document is on the line's own text, as the file holds it.
    own_id = given_id if given_id is not None else raw_id
    items = [
        {**item, "doc_id": own_id} if isinstance(item, dict) and "doc_id" not in item else item
        for item in items
    ]
    if plain_id == raw_id:  # the usual case: one text, checked in one pass
        try:
            validate_records(items, text, raw_id)
        except AnnotationError as exc:
            raise ValueError(str(exc)) from None
        records = [normalise_record(item, annotator) for item in items]
        return text, raw_id, sorted(with_context(records, text), key=record_sort_key)
    # Records may index the text as the file holds it (doc_id of that) or as reader
    # reads it (doc_id of the normalised text): check each on its own text, then move.
    on_raw: list[dict[str, Any]] = []
    on_plain: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        problem = record_problem(item) or time_problem(item)
        own = False
        if problem is None and item["doc_id"] not in (raw_id, plain_id):
            problem = "its doc_id is not the document's"
        if problem is None:
            own = item["doc_id"] == raw_id
            problem = text_problem(item, text if own else plain)
        if problem:
            raise ValueError(f"annotation {number}: {problem}")
        (on_raw if own else on_plain).append(normalise_record(item, annotator))
    _, _, moved = on_normalised_text(text, on_raw)
    return plain, plain_id, sorted(with_context(moved + on_plain, plain), key=record_sort_key)


def with_context(records: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Records that came with no context (no `prefix` nor `suffix`) get it from `text`, so
    re-anchoring can place them when the article is edited later."""
    for record in records:
        if not record["prefix"] and not record["suffix"]:
            record["prefix"], record["suffix"] = span_context(text, record["start"], record["end"])
    return records


def read_raw(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> tuple[list[RawDocument], list[LineProblem]]:
    documents, bad = read_jsonl(
        lines, lambda record, number: at_line(parse_record(record, options), number), advance
    )
    return [d for d in documents if d is not None], [LineProblem(p.line, p.message) for p in bad]


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    documents, problems = read_raw(lines, options, advance)
    return ReadOutcome([d.to_document() for d in documents], problems)
