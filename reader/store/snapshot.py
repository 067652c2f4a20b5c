"""The compacted snapshot: a TinyDB JSON file, written atomically.

Layout (a valid TinyDB database; open it with `TinyDB(path, storage=SnapshotStorage)`
and `StrIdTable` as the table class to browse it):

    {"_meta": {"1": {"format": "reader-annotations", "version": 1, "generation": 3, ...}},
    "documents": {
    "<doc_id>": {"text": "...", "meta": {...}, "source": "..."},
    ...},
    "annotations": {
    "<doc_id>": {"doc_id": "<doc_id>", "count": 2, "records": "[{...annotation...}, ...]"},
    ...}}

One line per document. A document's annotations are packed into one JSON string so that
opening a store of 100,000 annotations parses 2,000 strings rather than 100,000 objects;
they are decoded (and checked against the document's text) the first time the document
is used. The `_meta` entry says the file is a reader store: any other JSON file (another
program's TinyDB database, a review sidecar) is refused and never rewritten.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from ..jsonl import loads
from ..printable import inert
from .errors import StoreCorruptError, StoreError, StoreNotOursError
from .files import atomic_write, atomic_write_chunks, fsync_dir

__all__ = ["atomic_write", "atomic_write_chunks", "fsync_dir"]

FORMAT = "reader-annotations"
VERSION = 1
TABLES = ("_meta", "documents", "annotations")
_SNIFF = re.compile(rb'"_meta"\s*:\s*\{\s*"1"\s*:\s*\{.*?"format"\s*:\s*"reader-annotations"', re.S)


class StrIdTable(Table):
    """TinyDB table whose ids are strings (doc ids and annotation ids), not ints."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB types it int; any class works


def is_reader_store(path: Path) -> bool:
    """Whether `path` looks like a reader store (its first 4 KiB say so): a cheap sniff
    for listing a folder, not a check of the contents."""
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError:
        return False
    return bool(_SNIFF.search(head))


_META_LINE = re.compile(rb'\A\{"_meta":\{\n"1":(\{[^\n]*\})\}')


def stored_annotator(path: Path) -> str | None:
    """The annotator a store file says it belongs to, read from its first lines only
    (cheap: for refusing a wrong `--annotator` before the app starts); None when the
    file is missing, is not a store or names no one (opening it says which)."""
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
    except OSError:
        return None
    found = _META_LINE.match(head)
    if found is None:
        return None
    try:
        meta = json.loads(found.group(1))
    except ValueError:
        return None
    name = meta.get("annotator") if isinstance(meta, dict) else None
    return name if isinstance(name, str) and name else None


def _entries(table: Any) -> Iterator[str]:
    first = True
    for key, value in table.items():
        yield (
            ("{\n" if first else ",\n")
            + json.dumps(key, ensure_ascii=False)
            + ":"
            + json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        )
        first = False
    yield "{}" if first else "}"


def dump_chunks(tables: dict[str, dict[str, Any]]) -> Iterator[bytes]:
    """The snapshot text, piece by piece: valid JSON with one line per table entry."""
    names = list(TABLES) + [name for name in tables if name not in TABLES]
    for index, name in enumerate(names):
        head = "{" if index == 0 else ",\n"
        yield (head + json.dumps(name) + ":").encode("utf-8")
        for piece in _entries(tables.get(name, {})):
            yield piece.encode("utf-8")
    yield b"}\n"


def dump(tables: dict[str, dict[str, Any]]) -> bytes:
    return b"".join(dump_chunks(tables))


def load(path: Path) -> dict[str, dict[str, Any]] | None:
    """The snapshot's tables, None when there is no file (or an empty one, which is a new
    store); corrupt files and files that are not reader stores raise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"{inert(str(path))}: is a folder, not a store file") from None
    except OSError as exc:
        raise StoreError(
            f"{inert(str(path))}: cannot read the store ({exc.strerror or exc})"
        ) from None
    if not data.strip():
        return None
    try:
        tables = loads(data)
    except UnicodeDecodeError as exc:
        raise corrupt(path, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise corrupt(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise corrupt(path, "JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise corrupt(path, f"invalid JSON ({str(exc)[:60]})") from None
    check_tables(path, tables)
    return tables


def corrupt(path: Path, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"{inert(str(path))}: the annotation store is unreadable ({inert(problem)}); "
        "it has been left untouched"
    )


def not_ours(path: Path, problem: str) -> StoreNotOursError:
    return StoreNotOursError(
        f"{inert(str(path))}: not a reader annotation store ({problem}); it has been left untouched"
    )


def is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def check_meta(path: Path, meta: Any) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise not_ours(path, "no reader-annotations _meta entry")
    version = meta.get("version")
    if type(version) is not int or not 1 <= version <= VERSION:
        raise corrupt(path, f"store format version {str(version)[:20]!r} is not supported")
    if not is_count(meta.get("generation", 0)):
        raise corrupt(path, "its generation is not a non-negative integer")
    if not isinstance(meta.get("annotator", ""), str):
        raise corrupt(path, "its annotator is not a string")


def document_problem(value: Any) -> str | None:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return "has no text"
    if not isinstance(value.get("meta") or {}, dict):
        return "has a meta that is not an object"
    if not isinstance(value.get("source", ""), str):
        return "has a source that is not a string"
    return None


def check_tables(path: Path, tables: Any) -> None:
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise not_ours(path, "not a TinyDB database: expected an object of tables")
    check_meta(path, tables.get("_meta", {}).get("1"))
    documents = tables.get("documents", {})
    for doc_id, doc in documents.items():
        problem = document_problem(doc)
        if problem:
            raise corrupt(path, f"document {doc_id[:12]} {problem}")
    for doc_id, entry in tables.get("annotations", {}).items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("records"), str)
            or not is_count(entry.get("count"))
        ):
            raise corrupt(path, f"annotations of document {doc_id[:12]} are malformed")
        if entry.get("doc_id", doc_id) != doc_id:
            raise corrupt(path, f"annotations of document {doc_id[:12]} name another document")
        if doc_id not in documents:
            raise corrupt(path, f"annotations of document {doc_id[:12]} have no document text")
        if (entry["count"] == 0) != (entry["records"].strip() == "[]"):
            raise corrupt(path, f"annotations of document {doc_id[:12]} have a wrong count")


class SnapshotStorage(Storage):
    """TinyDB `Storage` over the snapshot file: reads check it, writes are atomic."""

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        return load(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write_chunks(self.path, dump_chunks(data))

    def close(self) -> None:
        pass
