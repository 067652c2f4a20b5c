"""brat standoff: a folder with `<name>.txt` (the text) and `<name>.ann` per document.

    T1	FACT 0 31	The harbour reopened on Monday.
    #1	AnnotatorNotes T1	checked against the port's statement
    #2	Target T1	the port authority
    #3	Holder T1	Maria Costa
    #4	Annotator T1	alice

Offsets count the text as brat's server reads the `.txt`: with newline translation
(`\\r\\n` and a lone `\\r` are one `\\n`). brat reads the `.ann` a line at a time, ending a
line at every character `str.splitlines` ends one at, so a span's text on its `T` line is
cut into fragments at those characters and at tabs (`T2	FACT 0 10;11 20	...`, the pieces
joined by one space, as brat checks them); a fragment may be empty, where a span starts or
ends on such a character. Notes, targets, holders and the annotator are `#` lines, their
backslashes, tabs and line breaks written as `\\\\`, `\\t`, `\\n`, `\\r` and `\\uXXXX`.
A quote's speaker is a relation (`relations`): the speaker's span is a `T` line (the
entity with that span, or one of type `SPEAKER`) and an `R` line joins them,

    T3	QUOTE 40 62	"We will reopen," she said
    T4	SPEAKER 70 81	Maria Costa
    R1	Speaker Arg1:T3 Arg2:T4

`annotation.conf` lists the labels and the `Speaker` relation so brat can show the folder
as it is.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..annotate.annotations import Annotation, annotation_sort_key, make_annotation
from ..corpus import normalise, text_id
from ..printable import inert
from . import ExportDocument, FormatError, LineProblem, ReadOptions, ReadOutcome
from .annotators import by_annotator, file_names
from .incoming import checked_record, on_normalised_text
from .offsets import CODEPOINT, OffsetCounter, OffsetError
from .relations import SPEAKER_LABEL, speaker_links, speaker_of, with_speakers
from .writing import PLAIN, Writing, no_progress

_NOTE_TYPES = {
    "AnnotatorNotes": "note",
    "Target": "target",
    "Holder": "holder",
    "Annotator": "annotator",
}
_OFFSET = "[0-9]{1,15}"  # longer numbers are no offset (and int() refuses 4,300 digits)
_ENTITY = re.compile(rf"^(T[0-9]+)\t(\S+) ({_OFFSET} {_OFFSET}(?:;{_OFFSET} {_OFFSET})*)\t?(.*)$")
_NOTE = re.compile(r"^#[0-9]*\t(\S+) (T[0-9]+)\t?(.*)$")
_RELATION = re.compile(r"^R[0-9]+\t(\S+) Arg1:(T[0-9]+) Arg2:(T[0-9]+)\s*$")
RELATION = "Speaker"  # the brat type of the relation from a quote to its speaker

# Where brat's `.ann` reader (`readlines` of a codecs reader: `str.splitlines`) ends a line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Where a T line's text is cut into fragments: line breaks, and tabs (bratly, like other
# parsers, reads a T line's text only up to its next tab).
_CUTS = frozenset(LINE_BREAKS + "\t")
# The labels brat stores as they are (`projectconfig.normalize_to_storage_form` turns every
# other character into `_`); bratly reads `[\w/-]+`.
BRAT_TYPE = re.compile(r"[A-Za-z0-9_-]+")


def brat_view(text: str) -> str:
    """The text as brat's server reads a `.txt` holding `text` (universal newlines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _crlf(text: str) -> list[int]:
    """Where each `\\r\\n` of `text` starts, in order."""
    found, at = [], text.find("\r\n")
    while at != -1:
        found.append(at)
        at = text.find("\r\n", at + 2)
    return found


def to_view(offset: int, crlf: list[int]) -> int:
    """An offset into a text as an offset into its `brat_view` (`crlf`: `_crlf(text)`)."""
    return offset - bisect_right(crlf, offset - 2)


def from_view(offset: int, crlf_in_view: list[int]) -> int:
    """An offset into `brat_view(text)` as an offset into the text (`crlf_in_view`: where
    each `\\r\\n` of the text is in the view, `_in_view(_crlf(text))`); one at a translated
    line end is just before its `\\r`."""
    return offset + bisect_left(crlf_in_view, offset)


def _in_view(crlf: list[int]) -> list[int]:
    return [at - number for number, at in enumerate(crlf)]


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """`start:end` of `text` (as brat reads it) cut at every line break and tab, the
    breaks left out: empty pieces in the middle are dropped, an empty first or last one
    is kept (a span that starts or ends on a break). ValueError for a span of nothing
    but breaks, which brat cannot show."""
    pieces, at = [], start
    for index in range(start, end):
        if text[index] in _CUTS:
            pieces.append((at, index))
            at = index + 1
    pieces.append((at, end))
    if all(s == e for s, e in pieces):
        raise ValueError(f"its span {start}:{end} holds nothing but line breaks and tabs")
    if len(pieces) == 1:
        return pieces
    return [pieces[0], *(p for p in pieces[1:-1] if p[0] < p[1]), pieces[-1]]


def fragment_text(text: str, pieces: list[tuple[int, int]]) -> str:
    """A T line's text: the fragments' texts joined by one space (brat's `DISCONT_SEP`)."""
    return " ".join(text[s:e] for s, e in pieces)


_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPED = re.compile(r"\\(\\|t|n|r|u[0-9a-f]{4})")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def escape(value: str) -> str:
    """`value` on one `#` line: backslash, tab and line breaks written as escapes."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in LINE_BREAKS:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def unescape(value: str) -> str:
    """`escape` undone (a `\\uXXXX` only for the line breaks `escape` writes so; any
    other backslash is kept as it is)."""

    def one(found: re.Match[str]) -> str:
        code = found.group(1)
        if code in _UNESCAPES:
            return _UNESCAPES[code]
        char = chr(int(code[1:], 16))
        return char if char in LINE_BREAKS else found.group(0)

    return _ESCAPED.sub(one, value)


def label_problem(label: str) -> str | None:
    """Why brat cannot hold `label` as an entity type, or None."""
    if BRAT_TYPE.fullmatch(label):
        return None
    return (
        f"the label {inert(label)!r} cannot be a brat type (brat keeps only the letters "
        "A-Z and a-z, digits, _ and - in a type)"
    )


def _write_order(a: Annotation) -> tuple[Any, ...]:
    """T lines in text order, ties by what the lines say (not by id or time, which an
    import makes anew), so export -> import -> export gives the same bytes."""
    return (a.start, a.end, a.kind, a.label, a.annotator, a.target or "", a.holder or "", a.note)


def ann_text(document: ExportDocument, offsets: str = CODEPOINT) -> str:
    """The `.ann` file of a document (ValueError for a span brat cannot show); its offsets
    count the text as brat's server reads it, in code points or (`offsets="utf16"`, as
    brat's web page counts) UTF-16 code units."""
    view = brat_view(document.text)
    crlf = _crlf(document.text)
    unit = OffsetCounter(view, offsets)

    def t_line(number: int, label: str, start: int, end: int) -> str:
        pieces = fragments(view, to_view(start, crlf), to_view(end, crlf))
        spans = ";".join(f"{unit.from_index(s)} {unit.from_index(e)}" for s, e in pieces)
        return f"T{number}\t{label} {spans}\t{fragment_text(view, pieces)}"

    lines: list[str] = []
    note_number = 0
    ordered = sorted(document.annotations, key=_write_order)
    for number, a in enumerate(ordered, start=1):
        lines.append(t_line(number, a.label, a.start, a.end))
        for brat_type, field in _NOTE_TYPES.items():
            value = getattr(a, field)
            if value:
                note_number += 1
                lines.append(f"#{note_number}\t{brat_type} T{number}\t{escape(value)}")
    extra, links = speaker_links(ordered)
    for number, speaker in enumerate(extra, start=len(ordered) + 1):
        lines.append(t_line(number, SPEAKER_LABEL, speaker.start, speaker.end))
    for number, (quote, target) in enumerate(links, start=1):
        lines.append(f"R{number}\t{RELATION} Arg1:T{quote + 1} Arg2:T{target + 1}")
    return "".join(line + "\n" for line in lines)


def _speaker_types(annotations: list[Annotation]) -> tuple[dict[str, None], dict[str, None]]:
    """The labels of the quotes with a speaker, and of the spans their speakers are."""
    extra, links = speaker_links(annotations)
    labels = [a.label for a in annotations] + [SPEAKER_LABEL] * len(extra)
    return (
        dict.fromkeys(labels[q] for q, _ in links),
        dict.fromkeys(labels[s] for _, s in links),
    )


def annotation_conf(labels: Iterable[str], quotes: Iterable[str], speakers: Iterable[str]) -> str:
    """brat's `annotation.conf`: every label an entity type, and the `Speaker` relation
    from the quote labels to the speaker labels, when there are quotes with speakers."""
    conf = "[entities]\n" + "".join(f"{label}\n" for label in sorted(set(labels)))
    conf += "\n[relations]\n"
    quote_types, speaker_types = "|".join(sorted(set(quotes))), "|".join(sorted(set(speakers)))
    if quote_types:
        conf += f"{RELATION}\tArg1:{quote_types}, Arg2:{speaker_types}\n"
    return conf + "\n[events]\n\n[attributes]\n"


def problems(documents: Iterable[ExportDocument]) -> list[str]:
    """Everything in `documents` that brat cannot hold (labels, spans of only line
    breaks), each named once: the export refuses these before it writes anything."""
    found: dict[str, None] = {}
    for document in documents:
        view = brat_view(document.text)
        crlf = _crlf(document.text)
        for a in document.annotations:
            problem = label_problem(a.label)
            if problem:
                found[problem] = None
                continue
            spans = [a.span] + ([] if a.speaker is None else [(a.speaker.start, a.speaker.end)])
            try:
                for start, end in spans:
                    fragments(view, to_view(start, crlf), to_view(end, crlf))
            except ValueError as exc:
                found[
                    f"{inert(a.annotator)}'s {inert(a.label)} in {document.doc_id[:16]}: {exc}"
                ] = None
    return list(found)


def refuse_problems(documents: list[ExportDocument]) -> None:
    """FormatError naming what brat cannot hold in `documents` (see `problems`)."""
    found = problems(documents)
    if found:
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise FormatError(
            f"brat cannot hold {len(found)} thing(s), nothing written: {'; '.join(found[:5])}{more}"
        )


def write_per_annotator(
    documents: Iterable[ExportDocument], root: Path, how: Writing = PLAIN
) -> int:
    """Each annotator's documents into `root/<annotator>/` (see `write`), once brat is
    known to hold all of them (FormatError naming what it cannot, nothing written).
    Returns the number of documents written, counting each folder's."""
    documents = list(documents)
    refuse_problems(documents)
    groups = by_annotator(documents)
    names = file_names(groups)
    root.mkdir(parents=True, exist_ok=True)
    return sum(write(group, inside(root, names[name]), how) for name, group in groups.items())


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


def write(documents: Iterable[ExportDocument], folder: Path, how: Writing = PLAIN) -> int:
    """Write every document's `.txt` and `.ann` into `folder` (which should be new and
    empty: the export command writes into a temporary folder and renames it into place),
    with `annotation.conf` (the labels, sorted, and the speaker relation); every file is
    fsync'ed. FormatError,
    before anything is written, for what brat cannot hold (`problems`)."""
    documents = list(documents)
    refuse_problems(documents)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    labels: dict[str, None] = {}
    quotes: dict[str, None] = {}
    speakers: dict[str, None] = {}
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
        _write_file(inside(folder, f"{stem}.ann"), ann_text(document, how.offsets))
        ordered = sorted(document.annotations, key=_write_order)
        quote_types, speaker_types = _speaker_types(ordered)
        labels.update(dict.fromkeys(a.label for a in ordered))
        labels.update(speaker_types)
        quotes.update(quote_types)
        speakers.update(speaker_types)
        count += 1
        how.advance()
    _write_file(inside(folder, "annotation.conf"), annotation_conf(labels, quotes, speakers))
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

    Offsets index `text` (the `.txt` file's) as brat reads it, newlines translated
    (`brat_view`), and each T line's text must be the text at its fragments, joined by a
    space, as brat checks it. The annotations returned are on the text as reader reads it
    (`corpus.normalise`); each is its `Annotator` line's, else `options.annotator`."""
    doc_id = text_id(text)
    view = brat_view(text)
    crlf = _in_view(_crlf(text))
    unit = OffsetCounter(view, options.offsets)
    entities: dict[str, dict[str, Any]] = {}
    problems: list[tuple[int, str]] = []
    notes: list[tuple[int, str, str, str]] = []
    relations: list[tuple[int, str, str]] = []
    for number, line in enumerate(ann.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            found = _NOTE.match(line)
            if found:
                notes.append((number, found.group(1), found.group(2), found.group(3)))
            else:
                problems.append((number, "malformed note line"))
            continue
        if line.startswith("R"):
            found = _RELATION.match(line)
            if found and found.group(1) == RELATION:
                relations.append((number, found.group(2), found.group(3)))
            continue  # other relations, events, attributes: nothing reader can hold
        if not line.startswith("T"):
            continue
        found = _ENTITY.match(line)
        if not found:
            problems.append((number, "malformed text-bound annotation"))
            continue
        pieces = [(int(s), int(e)) for s, e in (p.split() for p in found.group(3).split(";"))]
        try:
            pieces = [(unit.to_index(s), unit.to_index(e)) for s, e in pieces]
        except OffsetError as exc:
            problems.append((number, str(exc)))
            continue
        start, end = pieces[0][0], pieces[-1][1]
        in_order = all(e0 <= s1 for (_, e0), (s1, _) in zip(pieces, pieces[1:], strict=False))
        if not (0 <= start < end <= len(view) and in_order and all(s <= e for s, e in pieces)):
            problems.append((number, f"span {start}:{end} is outside the text"))
            continue
        if not _text_matches(found.group(4), [view[s:e] for s, e in pieces]):
            problems.append((number, f"its text is not the text at {start}:{end}"))
            continue
        entities[found.group(1)] = {
            "start": from_view(start, crlf),
            "end": from_view(end, crlf),
            "label": found.group(2),
        }
    for number, brat_type, ref, value in notes:
        if ref not in entities:
            problems.append((number, f"note refers to unknown {ref}"))
        elif brat_type in _NOTE_TYPES:
            entities[ref][_NOTE_TYPES[brat_type]] = unescape(value)
    links: list[tuple[str, str]] = []
    for number, quote, speaker in relations:
        missing = [ref for ref in (quote, speaker) if ref not in entities]
        if missing:
            problems.append((number, f"relation refers to unknown {missing[0]}"))
        elif any(q == quote for q, _ in links):
            problems.append((number, f"a second {RELATION} relation of {quote}"))
        else:
            links.append((quote, speaker))
    records = []
    for ref, entity in with_speakers(entities, links).items():
        kind = entity.get("kind") or options.kind_of(entity["label"])
        extra = {k: entity[k] for k in ("note", "target", "holder") if k in entity}
        named = entity.get("annotator")
        annotator = named if named and not options.override_annotator else options.annotator
        try:
            made = make_annotation(
                text,
                doc_id,
                entity["start"],
                entity["end"],
                kind,
                entity["label"],
                annotator,
                **extra,
                **speaker_of(entity, text),
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


def _text_matches(given: str, pieces: list[str]) -> bool:
    """brat's check of a T line's text: the pieces joined by a space (or, as brat still
    reads pre-1.3 files, by nothing), then the end of the line or a space."""
    for expected in (" ".join(pieces), "".join(pieces)):
        rest = given[len(expected) :]
        if given.startswith(expected) and (not rest or rest[0].isspace()):
            return True
    return False


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


def read(
    folder: Path, options: ReadOptions, advance: Callable[..., Any] = no_progress
) -> ReadOutcome:
    """A brat folder, or a folder of brat folders (an export: one per annotator, whose
    annotations are credited to the folder's name unless their `Annotator` lines say)."""
    if any(folder.glob("*.ann")):
        return _read_folder(folder, options, advance)
    outcome = ReadOutcome()
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        if any(sub.glob("*.ann")):
            named = options if options.override_annotator else replace(options, annotator=sub.name)
            part = _read_folder(sub, named, advance, f"{sub.name}/")
            outcome.documents += part.documents
            outcome.problems += part.problems
    return outcome


def _read_folder(
    folder: Path, options: ReadOptions, advance: Callable[..., Any], where: str = ""
) -> ReadOutcome:
    outcome = ReadOutcome()
    for ann_path in sorted(folder.glob("*.ann")):
        advance()
        txt_path = ann_path.with_suffix(".txt")
        texts: list[str] = []
        for path in (txt_path, ann_path):
            name = inert(where + path.name)
            try:
                texts.append(read_file_safely(path))
            except ValueError as exc:
                outcome.problems.append(LineProblem(0, f"{exc}", name))
            except OSError as exc:
                reason = exc.strerror or str(exc)
                outcome.problems.append(LineProblem(0, f"cannot read ({reason})", name))
        if len(texts) < 2:
            continue
        text, ann = texts
        annotations, problems = parse_ann(ann, text, options)
        name = inert(where + ann_path.name)
        outcome.problems += [LineProblem(n, p, f"{name} line" if n else name) for n, p in problems]
        if annotations:
            plain = annotations[0].doc_id
            outcome.documents.append(ExportDocument(plain, normalise(text), {}, annotations))
    return outcome
