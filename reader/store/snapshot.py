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
they are decoded the first time the document is used.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from ..jsonl import loads
from .errors import StoreCorruptError, StoreError

FORMAT = "reader-annotations"
VERSION = 1
TABLES = ("_meta", "documents", "annotations")


class StrIdTable(Table):
    """TinyDB table whose ids are strings (doc ids and annotation ids), not ints."""

    document_id_class = str  # type: ignore[assignment]


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file, fsync it, rename it over `path`, fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write the store ({exc.strerror or exc})") from None
    fsync_dir(path.parent)


def dump(tables: dict[str, dict[str, Any]]) -> bytes:
    """The snapshot text: valid JSON with one line per table entry."""

    def entries(table: dict[str, Any]) -> str:
        if not table:
            return "{}"
        body = ",\n".join(
            f"{json.dumps(key, ensure_ascii=False)}:"
            f"{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
            for key, value in table.items()
        )
        return "{\n" + body + "}"

    parts = [f"{json.dumps(name)}:{entries(tables.get(name, {}))}" for name in TABLES]
    parts += [
        f"{json.dumps(name)}:{entries(table)}"
        for name, table in tables.items()
        if name not in TABLES
    ]
    return ("{" + ",\n".join(parts) + "}\n").encode("utf-8")


def load(path: Path) -> dict[str, dict[str, Any]] | None:
    """The snapshot's tables, None when there is no file; corrupt files raise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a store file") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store ({exc.strerror or exc})") from None
    if not data.strip():
        return {}  # an empty file is an empty TinyDB database
    try:
        tables = loads(data)
    except UnicodeDecodeError as exc:
        raise corrupt(path, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise corrupt(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}") from None
    check_tables(path, tables)
    return tables


def corrupt(path: Path, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"{path}: the annotation store is unreadable ({problem}); it has been left untouched"
    )


def check_tables(path: Path, tables: Any) -> None:
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise corrupt(path, "not a TinyDB database: expected an object of tables")
    meta = tables.get("_meta", {}).get("1")
    if meta is not None:
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise corrupt(path, "not a reader annotation store")
        if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
            raise corrupt(path, f"store format version {meta.get('version')!r} is not supported")
    elif tables.get("annotations") or tables.get("documents"):
        raise corrupt(path, "no _meta table: not a reader annotation store")
    for doc_id, doc in tables.get("documents", {}).items():
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise corrupt(path, f"document {doc_id[:12]} has no text")
    for doc_id, entry in tables.get("annotations", {}).items():
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("records"), str)
            or not isinstance(entry.get("count"), int)
        ):
            raise corrupt(path, f"annotations of document {doc_id[:12]} are malformed")


class SnapshotStorage(Storage):
    """TinyDB `Storage` over the snapshot file: reads check it, writes are atomic."""

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        return load(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, dump(data))

    def close(self) -> None:
        pass
