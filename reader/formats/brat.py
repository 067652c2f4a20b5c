"""brat standoff: a folder with `<name>.txt` (the text) and `<name>.ann` per document.

    T1	FACT 0 31	The harbour reopened on Monday.
    #1	AnnotatorNotes T1	checked against the port's statement
    #2	Target T1	the port authority
    #3	Holder T1	Maria Costa

A span that crosses a line break is written as fragments (`T2	FACT 0 10;11 20	...`).
Notes are `#` lines; a stance's target and holder are `#` lines of type `Target` and
`Holder`. `annotation.conf` lists the labels so brat can show the folder as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..annotations import Annotation, make_annotation
from ..corpus import text_id
from . import ExportDocument, LineProblem, ReadOptions, ReadOutcome, annotation_sort_key

_NOTE_TYPES = {"AnnotatorNotes": "note", "Target": "target", "Holder": "holder"}
_ENTITY = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t?(.*)$")
_NOTE = re.compile(r"^#\d*\t(\S+) (T\d+)\t?(.*)$")


def _noop(n: int = 1) -> None:
    return None


def _one_line(value: str) -> str:
    return " ".join(value.split())


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`start:end` cut at line breaks, as brat wants (empty pieces dropped)."""
    pieces, at = [], start
    for part in text[start:end].split("\n"):
        if part:
            pieces.append((at, at + len(part)))
        at += len(part) + 1
    return pieces or [(start, end)]


def ann_text(document: ExportDocument) -> str:
    lines: list[str] = []
    note_number = 0
    for number, a in enumerate(document.annotations, start=1):
        spans = ";".join(f"{s} {e}" for s, e in fragments(document.text, a.start, a.end))
        lines.append(f"T{number}\t{a.label} {spans}\t{_one_line(a.text)}")
        for brat_type, field in _NOTE_TYPES.items():
            value = getattr(a, field)
            if value:
                note_number += 1
                lines.append(f"#{note_number}\t{brat_type} T{number}\t{_one_line(value)}")
    return "".join(line + "\n" for line in lines)


def file_stem(document: ExportDocument) -> str:
    return document.doc_id[:16]


def write(
    documents: Iterable[ExportDocument], folder: Path, advance: Callable[..., Any] = _noop
) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    labels: dict[str, None] = {}
    for document in documents:
        stem = file_stem(document)
        (folder / f"{stem}.txt").write_text(document.text, encoding="utf-8", newline="")
        (folder / f"{stem}.ann").write_text(ann_text(document), encoding="utf-8", newline="")
        labels.update(dict.fromkeys(a.label for a in document.annotations))
        count += 1
        advance()
    conf = "[entities]\n" + "".join(f"{label}\n" for label in labels)
    conf += "\n[relations]\n\n[events]\n\n[attributes]\n"
    (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    return count


def parse_ann(
    ann: str, text: str, options: ReadOptions
) -> tuple[list[Annotation], list[tuple[int, str]]]:
    """The annotations in one `.ann` file and (line, problem) for lines that are wrong."""
    doc_id = text_id(text)
    entities: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []
    notes: list[tuple[int, str, str, str]] = []
    for number, line in enumerate(ann.split("\n"), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            found = _NOTE.match(line)
            if found:
                notes.append((number, found.group(1), found.group(2), found.group(3)))
            else:
                problems.append((number, "malformed note line"))
            continue
        if not line.startswith("T"):
            continue  # relations, events, attributes: nothing reader can hold
        found = _ENTITY.match(line)
        if not found:
            problems.append((number, "malformed text-bound annotation"))
            continue
        offsets = [tuple(map(int, pair.split())) for pair in found.group(3).split(";")]
        start, end = min(s for s, _ in offsets), max(e for _, e in offsets)
        if not 0 <= start < end <= len(text):
            problems.append((number, f"span {start}:{end} is outside the text"))
            continue
        if _one_line(text[start:end]) != _one_line(found.group(4)) and found.group(4):
            problems.append((number, f"its text is not the text at {start}:{end}"))
            continue
        entities[found.group(1)] = {"start": start, "end": end, "label": found.group(2)}
    for number, brat_type, ref, value in notes:
        if ref not in entities:
            problems.append((number, f"note refers to unknown {ref}"))
        elif brat_type in _NOTE_TYPES:
            entities[ref][_NOTE_TYPES[brat_type]] = value
    annotations = []
    for entity in entities.values():
        kind = options.kind_of(entity["label"])
        extra = {k: entity[k] for k in ("note", "target", "holder") if k in entity}
        annotations.append(
            make_annotation(
                text,
                doc_id,
                entity["start"],
                entity["end"],
                kind,
                entity["label"],
                options.annotator,
                **extra,
            )
        )
    return sorted(annotations, key=annotation_sort_key), problems


def read(folder: Path, options: ReadOptions, advance: Callable[..., Any] = _noop) -> ReadOutcome:
    outcome = ReadOutcome()
    for ann_path in sorted(folder.glob("*.ann")):
        advance()
        txt_path = ann_path.with_suffix(".txt")
        try:
            text = txt_path.read_text(encoding="utf-8")
            ann = ann_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            outcome.problems.append(LineProblem(0, f"cannot read ({exc})", ann_path.name))
            continue
        annotations, problems = parse_ann(ann, text, options)
        outcome.problems += [LineProblem(n, p, f"{ann_path.name} line") for n, p in problems]
        if annotations:
            outcome.documents.append(ExportDocument(text_id(text), text, {}, annotations))
    return outcome
