"""`AnnotationStore`: one annotator's annotations and the texts they label, durably.

Design: the TinyDB JSON file (`snapshot.py`) holds the compacted state; every change is
appended to a journal beside it (`<store>.journal`) and fsync'ed before the call returns.
Opening replays the journal over the snapshot; closing (and a journal grown past
`compact_after` operations) compacts: the snapshot is rewritten atomically and the
journal restarted. All reads are served from memory, indexed by document.
A lock file (`<store>.lock`) keeps a second process from opening the store for writing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..annotations import Annotation, AnnotationError, now_iso, record_problem
from ..jsonl import loads
from . import snapshot
from .errors import StoreCorruptError, StoreError, StoreLockedError
from .journal import Journal, JournalContents, read_journal

DEFAULT_COMPACT_AFTER = 10_000


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"text": self.text, "meta": dict(self.meta)}
        if self.source:
            value["source"] = self.source
        return value


def _sort_key(record: Mapping[str, Any]) -> tuple:
    return (record["start"], record["end"], record["kind"], record["created"], record["id"])


class AnnotationStore:
    """Open with `AnnotationStore.open(path, annotator)`; close (or use `with`) to compact."""

    def __init__(self, path: Path, annotator: str, read_only: bool, compact_after: int) -> None:
        self.path = path
        self.annotator = annotator
        self.read_only = read_only
        self.compact_after = compact_after
        self.journal_path = path.with_name(path.name + ".journal")
        self.lock_path = path.with_name(path.name + ".lock")
        self._lock: FileLock | None = None
        self._journal: Journal | None = None
        self._generation = 0
        self._meta: dict[str, Any] = {}
        self._documents: dict[str, dict[str, Any]] = {}
        self._packed: dict[str, str] = {}  # doc_id -> records not decoded yet
        self._counts: dict[str, int] = {}  # doc_id -> number of annotations
        self._records: dict[str, dict[str, dict[str, Any]]] = {}  # doc_id -> id -> record
        self._doc_of: dict[str, str] = {}  # annotation id -> doc_id (decoded documents)
        self._broken: str | None = None
        self._closed = False

    # --- opening and closing ------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        annotator: str = "",
        *,
        read_only: bool = False,
        compact_after: int = DEFAULT_COMPACT_AFTER,
    ) -> AnnotationStore:
        """Open (creating it if needed) the store at `path`.

        Raises StoreLockedError when another process has it open, StoreCorruptError
        (leaving the files untouched) when it cannot be understood. A read-only store
        takes no lock and never writes.
        """
        store = cls(Path(path), annotator, read_only, compact_after)
        if read_only:
            store._load_consistent()
            return store
        store.path.parent.mkdir(parents=True, exist_ok=True)
        store._acquire()
        try:
            contents = store._load()
            store._journal = Journal(store.journal_path)
            if contents.generation is None or contents.generation < store._generation:
                store._journal.reset(store._generation)
            elif contents.good_length < contents.length:
                store._journal.truncate(contents.good_length)  # drop an unacknowledged tail
            store._journal.ops = len(contents.ops)
            if not store._meta:
                store._meta = {"annotator": annotator, "created": now_iso()}
            if not store.path.exists():
                store.compact()  # the store file exists from the start
        except BaseException:
            store._release()
            raise
        return store

    def _acquire(self) -> None:
        lock = FileLock(self.lock_path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreLockedError(
                f"{self.path}: this annotation store is open in another reader process "
                f"(lock file {self.lock_path}); close it there first"
            ) from None
        except OSError as exc:
            raise StoreError(f"{self.lock_path}: cannot lock the store ({exc})") from None
        self._lock = lock

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _load_consistent(self) -> None:
        for _ in range(10):  # a writer may compact between our two reads: read again
            try:
                self._load()
                return
            except _StaleRead:
                continue
        raise StoreError(f"{self.path}: the store kept changing while being read")

    def _load(self) -> JournalContents:
        tables = snapshot.load(self.path) or {}
        meta = dict(tables.get("_meta", {}).get("1", {}))
        self._generation = int(meta.pop("generation", 0))
        for key in ("format", "version"):
            meta.pop(key, None)
        self._meta = meta
        self._documents = dict(tables.get("documents", {}))
        self._packed = {d: e["records"] for d, e in tables.get("annotations", {}).items()}
        self._counts = {d: e["count"] for d, e in tables.get("annotations", {}).items()}
        self._records, self._doc_of = {}, {}
        contents = read_journal(self.journal_path)
        if contents.generation is not None and contents.generation > self._generation:
            if self.read_only:
                raise _StaleRead
            raise StoreCorruptError(
                f"{self.journal_path}: the journal is newer than the store file; "
                "both have been left untouched"
            )
        if contents.generation == self._generation:
            for op in contents.ops:
                self._apply(op, where=self.journal_path)
        return contents

    def close(self) -> None:
        """Compact (when there is anything to) and release the lock."""
        if self._closed:
            return
        try:
            if self._journal is not None and self._journal.ops and not self._broken:
                self.compact()
        finally:
            self._closed = True
            self._release()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(self._counts.values())

    def counts(self) -> dict[str, int]:
        """doc_id -> number of annotations, for every document that has any."""
        return {doc_id: n for doc_id, n in self._counts.items() if n}

    def document_ids(self) -> list[str]:
        """Every stored document, in the order they were first stored."""
        return list(self._documents)

    def document(self, doc_id: str) -> StoredDocument | None:
        value = self._documents.get(doc_id)
        if value is None:
            return None
        return StoredDocument(
            doc_id, value["text"], value.get("meta") or {}, value.get("source", "")
        )

    def previous_versions(self, source: str, doc_id: str) -> list[str]:
        """Stored documents from the same source whose text differs from `doc_id`'s."""
        return [
            other
            for other, value in self._documents.items()
            if other != doc_id and source and value.get("source") == source
        ]

    def for_document(self, doc_id: str) -> list[Annotation]:
        """The document's annotations, in text order."""
        records = self._decoded(doc_id)
        records_sorted = sorted(records.values(), key=_sort_key)
        return [Annotation.from_json(r, check=False) for r in records_sorted]

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        """The document's annotation records as checked JSON objects, in text order
        (the fast path for exports; do not modify them)."""
        return sorted(self._decoded(doc_id).values(), key=_sort_key)

    def get(self, annotation_id: str, doc_id: str | None = None) -> Annotation | None:
        if doc_id is None:
            doc_id = self._doc_of.get(annotation_id)
            if doc_id is None:
                self._decode_all()
                doc_id = self._doc_of.get(annotation_id)
        record = self._decoded(doc_id).get(annotation_id) if doc_id else None
        return Annotation.from_json(record, check=False) if record else None

    def __iter__(self) -> Iterator[Annotation]:
        """Every annotation, document by document (in store order), in text order."""
        for doc_id in self._ordered_doc_ids():
            yield from self.for_document(doc_id)

    def _ordered_doc_ids(self) -> list[str]:
        ordered = [d for d in self._documents if self._counts.get(d)]
        return ordered + [d for d in self._counts if self._counts[d] and d not in self._documents]

    def _decoded(self, doc_id: str) -> dict[str, dict[str, Any]]:
        records = self._records.get(doc_id)
        if records is not None:
            return records
        packed = self._packed.get(doc_id)
        records = {}
        if packed is not None:
            try:
                items = loads(packed)
            except ValueError:
                items = None
            problem = (
                "not a list"
                if not isinstance(items, list)
                else next((p for p in map(record_problem, items) if p), None)
            )
            if problem:
                self._broken = f"annotations of document {doc_id[:12]}: {problem}"
                raise snapshot.corrupt(self.path, self._broken)
            records = {r["id"]: r for r in items}
            del self._packed[doc_id]
        self._records[doc_id] = records
        for annotation_id in records:
            self._doc_of[annotation_id] = doc_id
        return records

    def _decode_all(self) -> None:
        for doc_id in list(self._packed):
            self._decoded(doc_id)

    # --- writing ------------------------------------------------------------------

    def put(self, annotation: Annotation, document: StoredDocument | None = None) -> None:
        """Add or replace `annotation` (by id); durable when this returns.

        The document's text must be in the store already or be given as `document`.
        """
        self._check_writable()
        ops: list[dict[str, Any]] = []
        if annotation.doc_id not in self._documents:
            if document is None or document.doc_id != annotation.doc_id:
                raise AnnotationError(
                    f"document {annotation.doc_id[:12]} is not in the store: pass its text"
                )
            ops.append({"op": "document", "doc_id": document.doc_id, "value": document.to_json()})
        ops.append({"op": "put", "record": annotation.to_json()})
        self._commit(ops)

    def put_document(self, document: StoredDocument) -> None:
        self._check_writable()
        self._commit([{"op": "document", "doc_id": document.doc_id, "value": document.to_json()}])

    def remove(self, annotation_id: str, doc_id: str | None = None) -> Annotation | None:
        """Delete an annotation; returns it (None when there was none)."""
        self._check_writable()
        existing = self.get(annotation_id, doc_id)
        if existing is None:
            return None
        self._commit([{"op": "delete", "doc_id": existing.doc_id, "id": annotation_id}])
        return existing

    def bulk(self, documents: Iterable[StoredDocument], annotations: Iterable[Annotation]) -> None:
        """Store many documents and annotations at once: all of them or (on error) none."""
        self.bulk_records(documents, [a.to_json() for a in annotations])

    def bulk_records(
        self, documents: Iterable[StoredDocument], records: list[dict[str, Any]]
    ) -> None:
        """`bulk` for annotation records that are already checked (`record_problem`)."""
        self._check_writable()
        ops: list[dict[str, Any]] = [
            {"op": "document", "doc_id": d.doc_id, "value": d.to_json()} for d in documents
        ]
        known = set(self._documents) | {op["doc_id"] for op in ops}
        for record in records:
            if record["doc_id"] not in known:
                raise AnnotationError(f"document {record['doc_id'][:12]} has no text")
        ops += [{"op": "put", "record": record} for record in records]
        if len(ops) < 1000:
            self._commit(ops)
            return
        for op in ops:
            self._apply(op, where=self.path, trusted=True)
        self.compact()

    def _commit(self, ops: list[dict[str, Any]]) -> None:
        op = ops[0] if len(ops) == 1 else {"op": "batch", "ops": ops}
        assert self._journal is not None
        self._journal.append(op)  # durable first, then visible
        self._apply(op, where=self.journal_path, trusted=True)
        if self._journal.ops >= self.compact_after:
            self.compact()

    def _apply(self, op: dict[str, Any], where: Path, trusted: bool = False) -> None:
        """Apply one operation to memory; `trusted` ones come from Annotation objects."""
        kind = op.get("op")
        if kind == "batch":
            for inner in op.get("ops", []):
                self._apply(inner, where, trusted)
        elif kind == "put" and (trusted or not record_problem(op.get("record"))):
            record = op["record"]
            doc_id = record["doc_id"]
            records = self._decoded(doc_id)
            previous = self._doc_of.get(record["id"])
            if previous is not None and previous != doc_id:
                self._drop(record["id"], previous)
            if record["id"] not in records:
                self._counts[doc_id] = self._counts.get(doc_id, 0) + 1
            records[record["id"]] = record
            self._doc_of[record["id"]] = doc_id
        elif kind == "delete" and isinstance(op.get("doc_id"), str):
            self._drop(op.get("id"), op["doc_id"])
        elif kind == "document" and isinstance(op.get("value"), dict):
            self._documents[op["doc_id"]] = op["value"]
        else:
            raise StoreCorruptError(f"{where}: unknown operation {json.dumps(op)[:80]}")

    def _drop(self, annotation_id: Any, doc_id: str) -> None:
        records = self._decoded(doc_id)
        if records.pop(annotation_id, None) is not None:
            self._counts[doc_id] -= 1
            self._doc_of.pop(annotation_id, None)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed")
        if self._broken:
            raise StoreError(f"{self.path}: not saving to a damaged store ({self._broken})")

    def compact(self) -> None:
        """Rewrite the snapshot atomically with everything, then restart the journal."""
        self._check_writable()
        generation = self._generation + 1
        meta = {"format": snapshot.FORMAT, "version": snapshot.VERSION, "generation": generation}
        annotations: dict[str, Any] = {}
        for doc_id in self._ordered_doc_ids():
            packed = self._packed.get(doc_id)
            if packed is None:
                records = sorted(self._records[doc_id].values(), key=_sort_key)
                packed = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
            annotations[doc_id] = {
                "doc_id": doc_id,
                "count": self._counts[doc_id],
                "records": packed,
            }
        tables = {
            "_meta": {"1": {**meta, **self._meta}},
            "documents": self._documents,
            "annotations": annotations,
        }
        try:
            snapshot.atomic_write(self.path, snapshot.dump(tables))
        except StoreError as exc:
            self._broken = str(exc)
            raise
        self._generation = generation
        assert self._journal is not None
        self._journal.reset(generation)


class _StaleRead(Exception):
    pass
