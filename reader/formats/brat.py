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

import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..annotate.annotations import Annotation, annotation_sort_key, make_annotation
from ..corpus import normalise, text_id
from ..printable import inert
from . import (
    ExportDocument,
    FormatError,
    LineProblem,
    ReadOptions,
    ReadOutcome,
    checked_record,
    on_normalised_text,
)

_NOTE_TYPES = {"AnnotatorNotes": "note", "Target": "target", "Holder": "holder"}
_OFFSET = "[0-9]{1,15}"  # longer numbers are no offset (and int() refuses 4,300 digits)
_ENTITY = re.compile(rf"^(T[0-9]+)\t(\S+) ({_OFFSET} {_OFFSET}(?:;{_OFFSET} {_OFFSET})*)\t?(.*)$")
_NOTE = re.compile(r"^#[0-9]*\t(\S+) (T[0-9]+)\t?(.*)$")


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


_HEX_ID = re.compile(r"[0-9a-f]{64}")


def file_stem(document: ExportDocument) -> str:
    """A file name for the document that cannot leave the folder: the first 16 hex digits
    of its id (the sha256 of its text) or, for an id that is not such a hash (a damaged
    or hostile store: `../../x`, `/etc/x`, a NUL), of the sha256 of the id."""
    doc_id = document.doc_id
    if not _HEX_ID.fullmatch(doc_id):
        doc_id = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()
    return doc_id[:16]


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, checked to be a plain file name directly inside `folder`."""
    path = folder / name
    if (
        not name
        or "\x00" in name
        or name in (".", "..")
        or Path(name).name != name
        or path.parent != folder
    ):
        raise FormatError(f"{inert(name)}: not a safe file name for an export")
    return path


def write(
    documents: Iterable[ExportDocument], folder: Path, advance: Callable[..., Any] = _noop
) -> int:
    """Write every document's `.txt` and `.ann` into `folder` (which should be new and
    empty: the export command writes into a temporary folder and renames it into place),
    with `annotation.conf`; every file is fsync'ed."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    labels: dict[str, None] = {}
    used: set[str] = set()
    for document in documents:
        stem = file_stem(document)
        if stem in used:  # never overwrite an earlier document's files
            number = 2
            while f"{stem}-{number}" in used:
                number += 1
            stem = f"{stem}-{number}"
        used.add(stem)
        _write_file(inside(folder, f"{stem}.txt"), document.text)
        _write_file(inside(folder, f"{stem}.ann"), ann_text(document))
        labels.update(dict.fromkeys(a.label for a in document.annotations))
        count += 1
        advance()
    conf = "[entities]\n" + "".join(f"{label}\n" for label in labels)
    conf += "\n[relations]\n\n[events]\n\n[attributes]\n"
    _write_file(inside(folder, "annotation.conf"), conf)
    return count


def _write_file(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def parse_ann(
    ann: str, text: str, options: ReadOptions
) -> tuple[list[Annotation], list[tuple[int, str]]]:
    """The annotations in one `.ann` file and (line, problem) for lines that are wrong.

    Offsets index `text` as the `.txt` file holds it (brat counts every character); the
    annotations returned are on the text as reader reads it (`corpus.normalise`)."""
    doc_id = text_id(text)
    entities: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []
    notes: list[tuple[int, str, str, str]] = []
    for number, line in enumerate(ann.split("\n"), start=1):
        line = line.removesuffix("\r")
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
        if not 0 <= start < end <= len(text) or any(s >= e for s, e in offsets):
            problems.append((number, f"span {start}:{end} is outside the text"))
            continue
        if _one_line(text[start:end]) != _one_line(found.group(4)):  # an empty text too
            problems.append((number, f"its text is not the text at {start}:{end}"))
            continue
        entities[found.group(1)] = {"start": start, "end": end, "label": found.group(2)}
    for number, brat_type, ref, value in notes:
        if ref not in entities:
            problems.append((number, f"note refers to unknown {ref}"))
        elif brat_type in _NOTE_TYPES:
            entities[ref][_NOTE_TYPES[brat_type]] = value
    records = []
    for ref, entity in entities.items():
        kind = options.kind_of(entity["label"])
        extra = {k: entity[k] for k in ("note", "target", "holder") if k in entity}
        try:
            made = make_annotation(
                text,
                doc_id,
                entity["start"],
                entity["end"],
                kind,
                entity["label"],
                options.annotator,
                **extra,
            )
            records.append(checked_record(made.to_json(), text, ref))
        except ValueError as exc:
            problems.append((0, str(exc)))
    try:
        _, _, moved = on_normalised_text(text, records)
    except ValueError as exc:
        return [], [*problems, (0, str(exc))]
    annotations = [Annotation.from_json(r, check=False) for r in moved]
    return sorted(annotations, key=annotation_sort_key), problems


def read_file_safely(path: Path) -> str:
    """A regular file's text, never through a symbolic link (OSError, ValueError: it is
    a link, not a regular file, or not UTF-8). The text is exactly the file's: no
    newline translation, since brat offsets count every character."""
    if path.is_symlink():
        raise ValueError("is a symbolic link; not followed")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ValueError("is a symbolic link; not followed") from None
        raise
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ValueError("is not a regular file")
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None


def read(folder: Path, options: ReadOptions, advance: Callable[..., Any] = _noop) -> ReadOutcome:
    outcome = ReadOutcome()
    for ann_path in sorted(folder.glob("*.ann")):
        advance()
        txt_path = ann_path.with_suffix(".txt")
        texts: list[str] = []
        for path in (txt_path, ann_path):
            try:
                texts.append(read_file_safely(path))
            except ValueError as exc:
                outcome.problems.append(LineProblem(0, f"{exc}", inert(path.name)))
            except OSError as exc:
                reason = exc.strerror or str(exc)
                outcome.problems.append(LineProblem(0, f"cannot read ({reason})", inert(path.name)))
        if len(texts) < 2:
            continue
        text, ann = texts
        annotations, problems = parse_ann(ann, text, options)
        name = inert(ann_path.name)
        outcome.problems += [LineProblem(n, p, f"{name} line" if n else name) for n, p in problems]
        if annotations:
            plain = annotations[0].doc_id
            outcome.documents.append(ExportDocument(plain, normalise(text), {}, annotations))
    return outcome
