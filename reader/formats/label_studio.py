"""Label Studio JSON: the array of tasks Label Studio exports ("JSON") and imports.

    [{"data": {"text": "..."}, "meta": {...},
      "annotations": [{"created_username": "alice", "created_at": "...", "updated_at": "...",
        "result": [{"id": "<annotation id>", "from_name": "claim", "to_name": "text",
                    "type": "labels",
                    "value": {"start": 0, "end": 31, "text": "...", "labels": ["FACT"]}},
                   {"id": "<annotation id>", "from_name": "note", "to_name": "text",
                    "type": "textarea", "value": {"start": 0, "end": 31, "text": ["..."]}}]}]}]

One task per document, one entry of `annotations` per annotator. A span is a `labels`
region whose `from_name` is its kind (`claim` or `stance`: the labeling config in
docs/FORMATS.md has a `<Labels>` of each name); its note, target and holder are
per-region `textarea` results with the region's `id` and `from_name` `note`, `target`,
`holder`. `value.start`/`value.end` are `str` offsets, or UTF-16 code units with
`--offsets utf16` (what Label Studio's web page counts). A quote's speaker is a relation
result (`{"from_id": <quote region>, "to_id": <speaker region>, "type": "relation",
"labels": ["speaker"]}`) to the region of the entity with the speaker's span, or to a region
of label `SPEAKER` (`from_name` `entity`) with the id `<quote id>-speaker`.

Reading takes any `from_name` (one that is not a kind gets its label's kind from the
schema), skips cancelled annotations and predictions (counted as skipped), and credits
each annotation to `created_username`, else `completed_by` (a name, an object's `email`,
or `user-N` for Label Studio's user number N), else the store's annotator. Label Studio
keeps times per annotation entry, not per region: every span gets its entry's
`created_at` and `updated_at`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from ..annotate.annotations import KINDS, Annotation, annotation_sort_key, make_annotation
from ..corpus import text_id
from . import ExportDocument, FormatError, LineProblem, ReadOptions, ReadOutcome
from .annotators import annotations_by_annotator
from .incoming import checked_record, on_normalised_text
from .offsets import CODEPOINT, UTF16, OffsetCounter, OffsetError
from .relations import SPEAKER_LABEL, speaker_links
from .writing import PLAIN, Writing, no_progress

TO_NAME = "text"
RELATION = "speaker"  # the label of the relation from a quote to its speaker
_EXTRA = ("note", "target", "holder")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_USER_SUFFIX = re.compile(r", \d+$")  # Label Studio's created_username: "name, <user id>"
TIMES_LOSS = (
    "Label Studio keeps one created_at/updated_at per annotator and document, not per span: "
    "the earliest created and the latest updated are written"
)


def labeling_config(labels_by_kind: dict[str, list[str]]) -> str:
    """A Label Studio labeling config that holds reader's export: a `<Labels>` per kind
    that has labels (the entity one with `SPEAKER` when there are quotes), the `speaker`
    relation when there are quotes, and a per-region `<TextArea>` for note, target and
    holder."""
    parts = ["<View>", f'  <Text name="{TO_NAME}" value="$text"/>']
    quotes = bool(labels_by_kind.get("quote"))
    for kind in KINDS:
        labels = list(labels_by_kind.get(kind, []))
        if kind == "entity" and quotes and SPEAKER_LABEL not in labels:
            labels.append(SPEAKER_LABEL)
        if not labels:
            continue
        parts.append(f'  <Labels name="{kind}" toName="{TO_NAME}">')
        parts.extend(f'    <Label value="{_xml(label)}"/>' for label in labels)
        parts.append("  </Labels>")
    if quotes:
        parts.append(f'  <Relations>\n    <Relation value="{RELATION}"/>\n  </Relations>')
    for name in _EXTRA:
        parts.append(
            f'  <TextArea name="{name}" toName="{TO_NAME}" perRegion="true" editable="true"/>'
        )
    parts.append("</View>")
    return "\n".join(parts)


def _xml(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _regions(a: Annotation, counter: OffsetCounter) -> list[dict[str, Any]]:
    start, end = counter.from_index(a.start), counter.from_index(a.end)
    regions: list[dict[str, Any]] = [
        {
            "id": a.id,
            "from_name": a.kind,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {"start": start, "end": end, "text": a.text, "labels": [a.label]},
        }
    ]
    for name in _EXTRA:
        value = getattr(a, name)
        if value:
            regions.append(
                {
                    "id": a.id,
                    "from_name": name,
                    "to_name": TO_NAME,
                    "type": "textarea",
                    "value": {"start": start, "end": end, "text": [value]},
                }
            )
    return regions


def _speaker_results(spans: list[Annotation], counter: OffsetCounter) -> list[dict[str, Any]]:
    """The `SPEAKER` regions and the `speaker` relations of the quotes in `spans` (see
    `relations.speaker_links`)."""
    extra, links = speaker_links(spans)
    ids = [a.id for a in spans]
    results = []
    for number, span in enumerate(extra, start=len(spans)):
        said = next(spans[q] for q, s in links if s == number)
        ids.append(f"{said.id}-speaker")
        start, end = counter.from_index(span.start), counter.from_index(span.end)
        value = {"start": start, "end": end, "text": span.text, "labels": [SPEAKER_LABEL]}
        results.append(
            {
                "id": ids[-1],
                "from_name": "entity",
                "to_name": TO_NAME,
                "type": "labels",
                "value": value,
            }
        )
    for quote, speaker in links:
        results.append(
            {
                "from_id": ids[quote],
                "to_id": ids[speaker],
                "type": "relation",
                "direction": "right",
                "labels": [RELATION],
            }
        )
    return results


def task(document: ExportDocument, offsets: str = CODEPOINT) -> tuple[dict[str, Any], bool]:
    """The document's task, and whether span times were merged (see TIMES_LOSS)."""
    counter = OffsetCounter(document.text, offsets)
    by_annotator = annotations_by_annotator(document.annotations)
    entries = []
    merged = False
    for annotator, spans in by_annotator.items():
        created = min(a.created for a in spans)
        updated = max(a.updated for a in spans)
        merged = merged or any(a.created != created or a.updated != updated for a in spans)
        result = [region for a in spans for region in _regions(a, counter)]
        result += _speaker_results(spans, counter)
        entries.append(
            {
                "created_username": annotator,
                "created_at": created,
                "updated_at": updated,
                "result": result,
            }
        )
    return {"data": {"text": document.text}, "meta": document.meta, "annotations": entries}, merged


def write(documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN) -> int:
    """The tasks as one JSON array, a task a line; returns the tasks written."""
    count = 0
    merged = False
    out.write("[")
    for document in documents:
        made, merged_here = task(document, how.offsets)
        merged = merged or merged_here
        out.write(",\n" if count else "\n")
        out.write(json.dumps(made, ensure_ascii=False))
        count += 1
        how.advance()
    out.write("\n]\n")
    if merged:
        how.warn(TIMES_LOSS)
    return count


def _time(value: Any) -> str | None:
    """An ISO 8601 time as reader writes times (UTC, milliseconds, `Z`); None if it is not."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _annotator(entry: dict[str, Any], options: ReadOptions) -> str:
    if options.override_annotator:
        return options.annotator
    named = entry.get("created_username")
    if isinstance(named, str) and _USER_SUFFIX.sub("", named).strip():
        return _USER_SUFFIX.sub("", named).strip()
    by = entry.get("completed_by")
    if isinstance(by, dict):
        by = by.get("email") or by.get("username")
    if isinstance(by, str) and by.strip():
        return by.strip()
    if type(by) is int:
        return f"user-{by}"
    return options.annotator


def _offset(counter: OffsetCounter, value: Any, where: str) -> int:
    if type(value) is not int:
        raise ValueError(f"{where}: value.start and value.end must be whole numbers")
    try:
        return counter.to_index(value)
    except OffsetError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _utf16_hint(text: str, start: Any, end: Any, shown: Any, unit: str) -> str:
    """A hint when the offsets, read as UTF-16 units, would give the region's text."""
    if unit != CODEPOINT or not isinstance(shown, str) or text.isascii():
        return ""
    try:
        counter = OffsetCounter(text, UTF16)
        if text[counter.to_index(start) : counter.to_index(end)] == shown:
            return " (read as UTF-16 code units they fit: give --offsets utf16)"
    except (OffsetError, TypeError):
        pass
    return ""


def _entry_records(
    entry: dict[str, Any], where: str, text: str, raw_id: str, options: ReadOptions
) -> list[dict[str, Any]]:
    result = entry.get("result") or []
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        raise ValueError(f'{where}: "result" must be a list of objects')
    annotator = _annotator(entry, options)
    created = _time(entry.get("created_at"))
    updated = _time(entry.get("updated_at")) or created
    counter = OffsetCounter(text, options.offsets)
    extras: dict[str, dict[str, str]] = {}
    for region in result:
        name = region.get("from_name")
        if region.get("type") == "textarea" and name in _EXTRA:
            value = region.get("value") or {}
            lines = value.get("text") if isinstance(value, dict) else None
            if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                raise ValueError(f"{where}: textarea {name}: value.text must be a list of text")
            extras.setdefault(str(region.get("id")), {})[name] = "\n".join(lines)
    records = []
    region_of: list[str] = []
    seen_ids: set[str] = set()
    for number, region in enumerate(result, start=1):
        if region.get("type") != "labels":
            continue
        here = f"{where}, region {number}"
        value = region.get("value")
        if not isinstance(value, dict):
            raise ValueError(f"{here}: missing value")
        start = _offset(counter, value.get("start"), here)
        end = _offset(counter, value.get("end"), here)
        shown = value.get("text")
        hint = _utf16_hint(text, value.get("start"), value.get("end"), shown, options.offsets)
        if not 0 <= start < end <= len(text):
            raise ValueError(f"{here}: start and end must be a span of the text{hint}")
        if shown is not None and shown != text[start:end]:
            raise ValueError(
                f"{here}: its text is not the text at {value.get('start')}:{value.get('end')}"
                + hint
            )
        labels = value.get("labels")
        if (
            not isinstance(labels, list)
            or not labels
            or not all(isinstance(x, str) and x for x in labels)
        ):
            raise ValueError(f"{here}: value.labels must be a list of labels")
        name = region.get("from_name")
        region_id = region.get("id")
        extra: dict[str, Any] = {k: v for k, v in extras.get(str(region_id), {}).items() if v}
        if created is not None:
            extra["created"], extra["updated"] = created, updated
        for label in labels:
            kind = name if name in KINDS else options.kind_of(label)
            made = dict(extra)
            if (
                isinstance(region_id, str)
                and _UUID.fullmatch(region_id)
                and region_id not in seen_ids
            ):
                made["id"] = region_id
                seen_ids.add(region_id)
            a = make_annotation(text, raw_id, start, end, kind, label, annotator, **made)
            records.append(checked_record(a.to_json(), text, here))
            region_of.append(str(region_id))
    return _with_speakers(records, region_of, result, text, where)


def _with_speakers(
    records: list[dict[str, Any]],
    region_of: list[str],
    result: list[dict[str, Any]],
    text: str,
    where: str,
) -> list[dict[str, Any]]:
    """`records` (one per label of a region, `region_of` naming each one's region) with
    each `speaker` relation of `result` made its quote's speaker; a `SPEAKER` region a
    relation points at is left out (it is only the speaker)."""
    links = [
        (str(r.get("from_id")), str(r.get("to_id")))
        for r in result
        if r.get("type") == "relation" and RELATION in (r.get("labels") or [])
    ]
    if not links:
        return records
    by_region: dict[str, list[dict[str, Any]]] = {}
    for region, record in zip(region_of, records, strict=True):
        by_region.setdefault(region, []).append(record)
    only_speakers = set()
    for quote, speaker in links:
        if quote not in by_region or speaker not in by_region:
            raise ValueError(f"{where}: a speaker relation refers to a region it does not have")
        target = by_region[speaker][0]
        for record in by_region[quote]:
            record["kind"] = "quote"
            record["speaker"] = {
                "start": target["start"],
                "end": target["end"],
                "text": target["text"],
            }
            checked_record(record, text, where)
        if all(r["label"] == SPEAKER_LABEL for r in by_region[speaker]):
            only_speakers.add(speaker)
    return [r for region, r in zip(region_of, records, strict=True) if region not in only_speakers]


def parse_task(task: Any, number: int, options: ReadOptions) -> tuple[ExportDocument | None, int]:
    """One task: its document (None when it has no annotations) and the entries skipped
    (cancelled annotations and predictions). ValueError says what is wrong."""
    if not isinstance(task, dict):
        raise ValueError("a task must be an object")
    data = task.get("data")
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "data.text"')
    meta = task.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    entries = task.get("annotations") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError('"annotations" must be a list of objects')
    predictions = task.get("predictions") or []
    skipped = len(predictions) if isinstance(predictions, list) else 0
    raw_id = text_id(text)
    records: list[dict[str, Any]] = []
    for at, entry in enumerate(entries, start=1):
        if entry.get("was_cancelled"):
            skipped += 1
            continue
        records.extend(_entry_records(entry, f"annotation {at}", text, raw_id, options))
    text, doc_id, records = on_normalised_text(text, records)
    annotations = [Annotation.from_json(r, check=False) for r in records]
    document = ExportDocument(doc_id, text, meta, sorted(annotations, key=annotation_sort_key))
    document.line = number
    return document, skipped


def read_text(
    content: str, options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    """A Label Studio JSON export (an array of tasks, or one task); problems are named
    by task number (`task 3`)."""
    try:
        tasks = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"not Label Studio JSON ({_short(exc)})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise FormatError("not Label Studio JSON (expected an array of tasks)")
    outcome = ReadOutcome()
    for number, item in enumerate(tasks, start=1):
        try:
            document, skipped = parse_task(item, number, options)
        except ValueError as exc:
            outcome.problems.append(LineProblem(number, str(exc), where="task"))
        else:
            outcome.skipped += skipped
            if document is not None:
                outcome.documents.append(document)
        advance()
    return outcome


def _short(exc: BaseException) -> str:
    return str(exc).split("\n", 1)[0][:120]


def read(
    lines: Iterable[str], options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    """Lines of a Label Studio JSON file (as the import command holds them)."""
    return read_text("\n".join(lines), options, advance)
