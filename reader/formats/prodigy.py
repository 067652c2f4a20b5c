"""Prodigy span records (what `prodigy db-out` gives for span tasks), one per document
and annotator:

    {"text": "...", "meta": {...}, "spans": [{"start": 0, "end": 31, "label": "FACT"}],
     "answer": "accept", "_input_hash": ..., "_task_hash": ..., "_annotator_id": "...",
     "_session_id": "...", "_timestamp": ...}

Each task has `tokens` (`{"text", "start", "end", "id", "ws"}`, from
`reader.nlp.tokens`), and each span on token boundaries its `token_start` and `token_end`
(both inclusive, as Prodigy counts). A span that starts or ends inside a token keeps its
offsets and gets no token indices, and the export warns about it (Prodigy's NER
training would drop it). Spans also carry `text` and, when set, reader's `kind`,
`target`, `holder`, `note` and a quote's `speaker` (Prodigy keeps extra span keys). Only accepted tasks are
imported; their `tokens` and token indices are not needed (reader's offsets are the
characters'), and `_timestamp` becomes the annotations' `created` and `updated`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from ..annotate.annotations import KINDS, Annotation, Speaker, annotation_sort_key, make_annotation
from ..corpus import text_id
from ..jsonl import read_jsonl
from ..nlp.tokens import Token, tokenize
from . import ExportDocument, LineProblem, ReadOptions, ReadOutcome
from .annotators import annotations_by_annotator
from .incoming import at_line, checked_record, on_normalised_text
from .writing import PLAIN, Writing, listed, no_progress, span_place

_EXTRA = ("target", "holder", "note")
LOSS = (
    "Prodigy tasks keep no annotation ids and one time per task (the latest updated, in "
    "seconds): an import gives new ids and that time to every span"
)


def _hash32(*parts: str) -> int:
    """A stable signed 32-bit hash, the range Prodigy's own hashes have."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def _timestamp(iso: str) -> int:
    """Unix seconds of an ISO 8601 time; 0 for one that is not (a store from before
    imports checked times)."""
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def token_bounds(tokens: list[Token]) -> tuple[dict[int, int], dict[int, int]]:
    """Token number by start offset and by end offset (whitespace tokens left out: a span
    does not start or end on one)."""
    starts = {t.start: n for n, t in enumerate(tokens) if not t.is_space}
    ends = {t.end: n for n, t in enumerate(tokens) if not t.is_space}
    return starts, ends


def task(
    document: ExportDocument,
    annotator: str,
    annotations: list[Annotation],
    tokens: list[Token] | None = None,
    off_tokens: list[str] | None = None,
) -> dict:
    """The Prodigy task of `annotator`'s `annotations` on `document`; each span not on
    token boundaries is named in `off_tokens`."""
    if tokens is None:
        tokens = tokenize(document.text)
    starts, ends = token_bounds(tokens)
    spans = []
    for a in annotations:
        span: dict[str, Any] = {"start": a.start, "end": a.end, "label": a.label, "text": a.text}
        first, last = starts.get(a.start), ends.get(a.end)
        if first is not None and last is not None:
            span["token_start"], span["token_end"] = first, last
        elif off_tokens is not None:
            off_tokens.append(span_place(document.doc_id, a.start, a.end, a.text))
        span["kind"] = a.kind
        for name in _EXTRA:
            if getattr(a, name):
                span[name] = getattr(a, name)
        if a.speaker is not None:
            span["speaker"] = a.speaker.to_json()
        spans.append(span)
    input_hash = _hash32(document.text)
    return {
        "text": document.text,
        "meta": document.meta,
        "tokens": [t.to_json(n) for n, t in enumerate(tokens)],
        "spans": spans,
        "answer": "accept",
        "_input_hash": input_hash,
        "_task_hash": _hash32(str(input_hash), json.dumps(spans, sort_keys=True)),
        "_annotator_id": annotator,
        "_session_id": f"reader-{annotator}",
        "_timestamp": max(_timestamp(a.updated) for a in annotations),
    }


def write(documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN) -> int:
    count = 0
    off_tokens: list[str] = []
    for document in documents:
        by_annotator = annotations_by_annotator(document.annotations)
        tokens = tokenize(document.text)
        for annotator, spans_of in by_annotator.items():
            made = task(document, annotator, spans_of, tokens, off_tokens)
            out.write(json.dumps(made, ensure_ascii=False))
            out.write("\n")
            count += 1
        how.advance()
    if count:
        how.warn(LOSS)
    if off_tokens:
        how.warn(
            listed(
                len(off_tokens),
                "span(s) not on token boundaries, written without token_start/token_end "
                "(Prodigy's NER training drops such spans)",
                off_tokens,
            )
        )
    return count


def parse_record(record: dict[str, Any], options: ReadOptions) -> ExportDocument | None:
    """One Prodigy task (None when it was not accepted); ValueError says what is wrong."""
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "text"')
    if record.get("answer", "accept") != "accept":
        return None
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    spans = record.get("spans") or []
    if not isinstance(spans, list):
        raise ValueError('"spans" must be a list')
    named = record.get("_annotator_id")
    annotator = options.annotator
    if isinstance(named, str) and named and not options.override_annotator:
        annotator = named
    raw_id = text_id(text)
    when = _iso(record.get("_timestamp"))
    records = [
        checked_record(
            _span(s, n, text, raw_id, annotator, options, when).to_json(), text, f"span {n}"
        )
        for n, s in enumerate(spans, 1)
    ]
    text, doc_id, records = on_normalised_text(text, records)
    annotations = [Annotation.from_json(r, check=False) for r in records]
    return ExportDocument(doc_id, text, meta, sorted(annotations, key=annotation_sort_key))


def _iso(timestamp: Any) -> str | None:
    """Prodigy's `_timestamp` (Unix seconds) as reader's time; None when there is none."""
    if type(timestamp) is not int or not 0 < timestamp < 253402300800:  # before year 10000
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _span(
    span: Any,
    number: int,
    text: str,
    doc_id: str,
    annotator: str,
    options: ReadOptions,
    when: str | None = None,
) -> Annotation:
    where = f"span {number}"
    if not isinstance(span, dict):
        raise ValueError(f"{where}: expected an object")
    start, end, label = span.get("start"), span.get("end"), span.get("label")
    if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
        raise ValueError(f"{where}: start and end must be a span of the text")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: missing label")
    if "text" in span and span["text"] != text[start:end]:
        raise ValueError(f"{where}: its text is not the text at {start}:{end}")
    kind = span.get("kind") or options.kind_of(label)
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    extra: dict[str, Any] = {}
    for name in _EXTRA:
        value = span.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where}: {name} must be a string")
        if value:
            extra[name] = value
    if when is not None:
        extra["created"] = extra["updated"] = when
    speaker = span.get("speaker")
    if speaker is not None:
        if not isinstance(speaker, dict) or set(speaker) != {"start", "end", "text"}:
            raise ValueError(f"{where}: speaker must be an object with start, end and text")
        extra["speaker"] = Speaker.from_json(speaker)
    return make_annotation(text, doc_id, start, end, kind, label, annotator, **extra)


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    tasks, bad = read_jsonl(
        lines, lambda record, number: at_line(parse_record(record, options), number), advance
    )
    documents = [document for document in tasks if document is not None]
    return ReadOutcome(
        documents=documents,
        problems=[LineProblem(p.line, p.message) for p in bad],
        skipped=len(tasks) - len(documents),
    )
