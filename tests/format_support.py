"""Stores of hostile text for the format tests: emoji (a skin-tone modifier, a ZWJ
family), a combining accent, a tab, a double space, a no-break space and line breaks,
made through the real `reader import` of a native file (fixed ids and times)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bratly import (
    AnnotationCollection,
    Document,
    EntityAnnotation,
    NoteAnnotation,
    RelationAnnotation,
)
from cli_support import run

from reader.annotate.annotations import make_annotation
from reader.corpus import text_id

TEXT = (
    "Prices  rose\tsharply 😀 on Monday.\n"
    "The family 👨‍👩‍👧 and 👍🏽 fans cheered. Cafe\u0301 owners said\u00a0no.\n"
    "Officials said repairs would cost 1,000 euros, not 3.5 million."
)
SECOND = "The bridge will close in May. Drivers 🚗 were told on Tuesday."


def span(text: str, words: str, occurrence: int = 0) -> tuple[int, int]:
    """The offsets of the `occurrence`-th `words` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def record(
    text: str,
    words: str,
    kind: str,
    label: str,
    number: int,
    annotator: str = "alice",
    **extra: Any,
) -> dict[str, Any]:
    start, end = span(text, words)
    made = make_annotation(
        text,
        text_id(text),
        start,
        end,
        kind,
        label,
        annotator,
        id=f"00000000-0000-4000-8000-{number:012d}",
        created=f"2025-03-01T09:{number:02d}:00.000Z",
        **extra,
    )
    return made.to_json()


def alice_records() -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(text, meta, records) of alice's annotations: spans on token boundaries, across a
    line break, after astral characters, and two that end inside a word."""
    first = [
        record(
            TEXT,
            "Prices  rose\tsharply 😀 on Monday.",
            "claim",
            "FACT",
            1,
            note='=1+1, said "someone"\nthen left',
        ),
        record(TEXT, "👨‍👩‍👧 and 👍🏽 fans", "claim", "OPINION", 2, note="+cmd|' /C calc'!A0"),
        record(
            TEXT,
            "Cafe\u0301 owners said\u00a0no",
            "stance",
            "AGAINST",
            3,
            target='the port, "authority"',
            holder="@owners",
        ),
        record(TEXT, "repairs would cost 1,000 euros", "claim", "PREDICTION", 4),
        record(TEXT, "fficials", "claim", "OTHER", 5),  # starts inside a word
    ]
    second = [
        record(SECOND, "The bridge will close in May.", "claim", "FACT", 6),
        record(SECOND, "Drivers 🚗 were tol", "claim", "OPINION", 7),  # ends inside a word
    ]
    return [(TEXT, {"title": 'Prices, "rising"'}, first), (SECOND, {"title": "-Bridge"}, second)]


def write_native(
    path: Path, documents: list[tuple[str, dict[str, Any], list[dict[str, Any]]]]
) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for text, meta, records in documents:
            line = {"text": text, "meta": meta, "doc_id": text_id(text), "annotations": records}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


def make_store(folder: Path, documents: Any = None, name: str = "alice") -> Path:
    """A store of `documents` (alice's by default), made by `reader import`."""
    source = folder / f"{name}-source.jsonl"
    write_native(source, alice_records() if documents is None else documents)
    store = folder / f"{name}.json"
    code, _, err = run("import", str(source), "--db", str(store))
    assert code == 0, err
    return store


def utf16(text: str, index: int) -> int:
    """`index` in UTF-16 code units, counted by Python's own UTF-16 encoder."""
    return len(text[:index].encode("utf-16-le")) // 2


def utf16_slice(text: str, start: int, end: int) -> str:
    """What a JavaScript `text.slice(start, end)` gives (UTF-16 code units)."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def bratly_read(
    folder: Path,
) -> list[tuple[Document, list[EntityAnnotation], list[NoteAnnotation], list[RelationAnnotation]]]:
    """Every document of a brat folder as bratly reads it (its T, # and R lines);
    ParsingError for a line bratly refuses; the compatibility of the .ann with the .txt
    is asserted."""
    read = []
    for ann in sorted(folder.glob("*.ann")):
        entities: dict[str, EntityAnnotation] = {}
        notes = []
        relations = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                entity = EntityAnnotation.from_line(line)
                entities[entity.id] = entity
            elif line.startswith("#"):
                notes.append(NoteAnnotation.from_line(line, entities))  # type: ignore[arg-type]
            elif line.startswith("R"):
                relations.append(RelationAnnotation.from_line(line, entities))
        document = Document(
            fullpath=str(ann.with_suffix(".txt")),
            annotation_collections=[AnnotationCollection(annotations=list(entities.values()))],
        )
        assert document.check_ann_compatibility_with_txt(), ann.read_text(encoding="utf-8")
        read.append((document, list(entities.values()), notes, relations))
    return read
