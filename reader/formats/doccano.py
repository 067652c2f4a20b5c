"""doccano's JSONL, in both of its shapes, one line per document:

- sequence labelling (`--format doccano`): `{"text", "label": [[start, end, label]], "meta"}`;
- relation projects (`--format doccano-entities`): `{"text", "entities": [{"id", "label",
  "start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}],
  "meta"}`, a quote's speaker being an entity and a relation of type `speaker` from the
  quote to it (`relations`).

doccano has no annotator field, so a file holds one annotator's labels (the export command
writes one file per annotator). `meta` (the title...) is kept: doccano stores the fields
of a line it does not know as the example's meta and exports them back as they were.
A project that does not allow overlapping spans keeps only one of each overlap (doccano
1.8 sorts a line's spans by start and keeps each that starts at or after the end of the
last one kept), so `overlaps` finds them before export and `without_overlaps` keeps the
longest; in the relation shape the speakers' own `SPEAKER` spans count too.

Reading also accepts doccano's other spellings: `labels` for `label`, and `entities`
as a list of `{"start_offset", "end_offset", "label"}` objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple, TextIO

from ..annotate.annotations import Annotation, Speaker, annotation_sort_key, make_annotation
from ..corpus import text_id
from ..jsonl import read_jsonl
from . import ExportDocument, LineProblem, ReadOptions, ReadOutcome
from .incoming import at_line, checked_record, on_normalised_text
from .offsets import doccano_record
from .relations import SPEAKER_LABEL, speaker_links, speaker_of, with_speakers
from .writing import PLAIN, Writing, no_progress

RELATION = "speaker"  # the type of the relation from a quote to its speaker


def line_of(
    document: ExportDocument, entities: bool = False, first_id: int = 1, first_relation: int = 1
) -> dict[str, Any]:
    """A document as one doccano record: `label` triples, or with `entities` the entity
    objects (ids from `first_id`; a quote's speaker is an entity too, see
    `relations.speaker_links`) and a `speaker` relation from each quote to its speaker
    (ids from `first_relation`)."""
    annotations = document.annotations
    if not entities:
        labels = [[a.start, a.end, a.label] for a in annotations]
        return {"text": document.text, "label": labels, "meta": document.meta}
    extra, links = speaker_links(annotations)
    found = [
        {"id": first_id + n, "label": s.label, "start_offset": s.start, "end_offset": s.end}
        for n, s in enumerate(_written(annotations, extra, links))
    ]
    relations = [
        {"id": first_relation + n, "from_id": first_id + q, "to_id": first_id + s, "type": RELATION}
        for n, (q, s) in enumerate(links)
    ]
    return {"text": document.text, "entities": found, "relations": relations, "meta": document.meta}


def write(
    documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN, entities: bool = False
) -> int:
    """One line per document, every annotation of it (one annotator's: see the module);
    offsets in `how.offsets` units (UTF-16 code units for doccano's web page, on request)."""
    count = 0
    next_id = next_relation = 1
    for document in documents:
        line = line_of(document, entities, next_id, next_relation)
        next_id += len(line.get("entities", ()))
        next_relation += len(line.get("relations", ()))
        record = doccano_record(line, how.offsets, reading=False)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
        how.advance()
    return count


class Written(NamedTuple):
    """A span as a line holds it; `speaks`: it is a quote's speaker (a relation points
    at it)."""

    start: int
    end: int
    label: str
    speaks: bool = False


def _written(
    annotations: Sequence[Annotation], extra: Sequence[Speaker], links: Sequence[tuple[int, int]]
) -> list[Written]:
    """The spans of a line: the annotations', then the speakers' own `SPEAKER` spans
    (`relations.speaker_links`: `extra` and the (quote, speaker) `links`)."""
    speakers = {speaker for _, speaker in links}
    spans = [(a.start, a.end, a.label) for a in annotations]
    spans += [(s.start, s.end, SPEAKER_LABEL) for s in extra]
    return [Written(*span, n in speakers) for n, span in enumerate(spans)]


def spans_written(document: ExportDocument, entities: bool = False) -> list[Written]:
    """The spans of the document's line: its annotations' and, in the relation shape
    (`entities`), the `SPEAKER` span of each speaker that is no annotation's."""
    if not entities:
        return _written(document.annotations, [], [])
    return _written(document.annotations, *speaker_links(document.annotations))


def overlaps(document: ExportDocument, entities: bool = False) -> list[tuple[Written, Written]]:
    """Each pair of the spans of the document's line whose spans overlap (a project that
    does not allow overlapping spans keeps one of them), in text order."""
    found = []
    ordered = sorted(spans_written(document, entities), key=lambda a: (a.start, a.end))
    for index, a in enumerate(ordered):
        for b in ordered[index + 1 :]:
            if b.start >= a.end:
                break
            found.append((a, b))
    return found


def without_overlaps(
    document: ExportDocument, entities: bool = False
) -> tuple[ExportDocument, list[Written]]:
    """The document keeping, of the overlapping spans of its line, the longest (the
    earlier on a tie), and the spans it dropped, in text order. In the relation shape a
    speaker's own span takes part too: a quote whose speaker's span is dropped is kept
    without it."""
    annotations = document.annotations
    extra, links = speaker_links(annotations) if entities else ([], [])
    spans = _written(annotations, extra, links)
    quotes_of: dict[int, set[int]] = {}
    for quote, speaker in links:
        quotes_of.setdefault(speaker, set()).add(quote)
    kept: list[int] = []
    dropped: list[int] = []
    for n in sorted(range(len(spans)), key=lambda n: _longest_first(spans[n])):
        span = spans[n]
        if n >= len(annotations) and quotes_of[n] <= set(dropped):
            continue  # a speaker's own span, whose quotes are gone: not written
        if any(span.start < spans[k].end and spans[k].start < span.end for k in kept):
            dropped.append(n)
        else:
            kept.append(n)
    lost, holds = set(dropped), set(kept)
    unspoken = {quote for quote, speaker in links if speaker in lost}
    held = [
        replace(a, speaker=None) if n in unspoken else a
        for n, a in enumerate(annotations)
        if n in holds
    ]
    held.sort(key=annotation_sort_key)
    without = ExportDocument(document.doc_id, document.text, document.meta, held)
    return without, sorted(spans[n] for n in dropped)  # in text order


def _longest_first(span: Written) -> tuple[int, int, str]:
    return (span.start - span.end, span.start, span.label)


def _spans(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's spans (`{"start", "end", "label"}`, and a quote's `speaker`)."""
    if "entities" in record:
        entities = record["entities"]
        if not isinstance(entities, list) or not all(isinstance(e, dict) for e in entities):
            raise ValueError('"entities" must be a list of objects')
        spans = {
            e.get("id", f"entity {n}"): {
                "start": e.get("start_offset"),
                "end": e.get("end_offset"),
                "label": e.get("label"),
            }
            for n, e in enumerate(entities, start=1)
        }
        return list(with_speakers(spans, _speaker_relations(record)).values())
    labels = record.get("label", record.get("labels", []))
    if not isinstance(labels, list):
        raise ValueError('"label" must be a list of [start, end, label]')
    spans_of = []
    for number, item in enumerate(labels, start=1):
        if not isinstance(item, list) or len(item) != 3:
            raise ValueError(f"label {number}: expected [start, end, label]")
        spans_of.append({"start": item[0], "end": item[1], "label": item[2]})
    return spans_of


def _speaker_relations(record: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(from_id, to_id) of the record's `speaker` relations (other types are not read)."""
    relations = record.get("relations") or []
    if not isinstance(relations, list) or not all(isinstance(r, dict) for r in relations):
        raise ValueError('"relations" must be a list of objects')
    return [(r.get("from_id"), r.get("to_id")) for r in relations if r.get("type") == RELATION]


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
    for number, span in enumerate(_spans(record), start=1):
        where = f"label {number}"
        start, end, label = span["start"], span["end"], span["label"]
        if type(start) is not int or type(end) is not int or not 0 <= start < end <= len(text):
            raise ValueError(f"{where}: start and end must be a span of the text")
        if not isinstance(label, str) or not label:
            raise ValueError(f"{where}: the label must be a non-empty string")
        kind = span.get("kind") or options.kind_of(label)
        speaker = speaker_of(span, text)
        made = make_annotation(text, raw_id, start, end, kind, label, options.annotator, **speaker)
        records.append(checked_record(made.to_json(), text, where))
    text, doc_id, records = on_normalised_text(text, records)
    annotations = [Annotation.from_json(r, check=False) for r in records]
    return ExportDocument(doc_id, text, meta, sorted(annotations, key=annotation_sort_key))


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    documents, bad = read_jsonl(
        lines, lambda record, number: at_line(parse_record(record, options), number), advance
    )
    return ReadOutcome(documents, [LineProblem(p.line, p.message) for p in bad])
