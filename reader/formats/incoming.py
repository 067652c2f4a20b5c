"""Records read from another tool's file, made fit for a store: checked with the store's
codec, and moved onto the text as reader reads every text."""

from __future__ import annotations

from typing import Any

from ..annotate.annotations import record_problem, span_context, text_problem, time_problem
from ..corpus import dropped_positions, moved_offset, normalise, text_id


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
        speaker = record.get("speaker")
        if speaker is not None:
            s_start = moved_offset(speaker["start"], dropped)
            s_end = moved_offset(speaker["end"], dropped)
            moved[-1]["speaker"] = {"start": s_start, "end": s_end, "text": plain[s_start:s_end]}
    return plain, doc_id, moved


def at_line(document: Any, number: int) -> Any:
    """`document` (an ExportDocument or RawDocument, or None) marked as read at line
    `number`: the `convert` step of `reader.jsonl.read_jsonl` for every JSONL format."""
    if document is not None:
        document.line = number
    return document
