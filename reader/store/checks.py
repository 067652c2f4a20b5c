"""What the store checks before it believes a record or a journal operation.

A record is sound when `record_problem` finds nothing, it names the document it is
stored under, and its offsets (and a quote's speaker's) cut exactly its text out of that
document's text. A
record that does not fit is never loaded as if it were sound: the store is reported
damaged (by name) instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..annotate.annotations import record_problem, text_problem
from .snapshot import document_problem

OPS = ("batch", "put", "move", "delete", "document")


def fit_problem(record: Mapping[str, Any], doc_id: str, text: str | None) -> str | None:
    """Why a (field-checked) record does not belong to document `doc_id` of `text`."""
    if not record.get("id"):
        return "an annotation has no id"
    if record["doc_id"] != doc_id:
        return f"annotation {str(record['id'])[:8]} names another document"
    if text is None:
        return f"annotation {str(record['id'])[:8]} has no document text"
    start, end = record["start"], record["end"]
    if end > len(text) or text[start:end] != record["text"]:
        return (
            f"annotation {str(record['id'])[:8]} ({start}-{end}) does not fit its "
            f"document's text of {len(text)} characters"
        )
    if record.get("speaker") is not None:
        problem = text_problem(record, text)  # the span fits: this is about the speaker
        if problem:
            return f"annotation {str(record['id'])[:8]}: {problem}"
    return None


def records_problem(items: Any, doc_id: str, text: str | None, count: int | None) -> str | None:
    """Why the decoded records of one document are not sound (None: they are)."""
    if not isinstance(items, list):
        return "not a list"
    for item in items:
        problem = record_problem(item) or fit_problem(item, doc_id, text)
        if problem:
            return problem
    if len({item["id"] for item in items}) != len(items):
        return "two annotations share an id"
    if count is not None and count != len(items):
        return f"the count says {count} but there are {len(items)} annotations"
    return None


def op_problem(op: Mapping[str, Any], texts: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why a (non-batch) journal operation cannot be applied; `texts` are the documents
    known at that point."""
    kind = op.get("op")
    if kind == "document":
        if not isinstance(op.get("doc_id"), str):
            return "a document without a string doc_id"
        problem = document_problem(op.get("value"))
        return f"document {op['doc_id'][:12]} {problem}" if problem else None
    if kind in ("put", "move"):
        record = op.get("record")
        problem = record_problem(record)
        if problem:
            return problem
        assert isinstance(record, Mapping)  # record_problem refuses anything else
        if kind == "move" and not isinstance(op.get("from"), str):
            return "a move without a string 'from' document"
        value = texts.get(record["doc_id"])
        return fit_problem(record, record["doc_id"], value.get("text") if value else None)
    if kind == "delete":
        if not isinstance(op.get("doc_id"), str) or not isinstance(op.get("id"), str):
            return "a delete without string doc_id and id"
        return None
    return f"unknown operation {str(kind)[:20]!r}"
