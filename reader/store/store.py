"""`AnnotationStore`: one annotator's annotations and the texts they label, durably.

Design: the TinyDB JSON file (`snapshot.py`) holds the compacted state; every change is
appended to a journal beside it (`<store>.journal`) and fsync'ed before the call returns.
Opening replays the journal over the snapshot. A journal grown past `compact_after`
operations is rotated (it becomes `<store>.journal.prev` and a new one takes the next
saves) and the snapshot is rewritten from it in a background thread (`compaction.py`);
closing compacts in the caller's thread. At every instant the snapshot or the journals
hold every acknowledged change, so readers (`read_only=True`) never miss one. All reads
are served from memory, indexed by document.

Operations (one JSON object a journal line): `document` (a text), `put` (an annotation),
`move` (an annotation re-anchored from the document `from` to its record's document),
`delete`, and `batch` (several, applied together or, cut short by a crash, not at all).
Replaying any of them twice gives the same state.

A store belongs to one annotator (`_meta.annotator`, recorded when it is created): it
refuses to be opened as someone else's and to save anyone else's records. A lock file
(`<store>.lock`) keeps a second process from opening the store for writing.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotate.annotations import Annotation, AnnotationError, now_iso, record_sort_key
from ..jsonl import loads
from ..printable import inert
from . import compaction, snapshot
from .checks import fit_problem, op_problem, records_problem
from .compaction import Compaction, Frozen
from .errors import (
    StoreAnnotatorError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
)
from .files import LockFile, check_companion, owners_for_reading, remove_stale_temps
from .journal import (
    Journal,
    JournalContents,
    StaleRead,
    keep_aside,
    prepare,
    read_journal,
    replay_plan,
)

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


@dataclass
class _Loaded:
    current: JournalContents
    compacting: bool
    frozen: Frozen | None


def not_their_store(path: Path, owner: str, given: str) -> StoreAnnotatorError:
    return StoreAnnotatorError(
        f"{inert(str(path))} belongs to annotator {inert(owner)}, not {inert(given)}"
    )


class AnnotationStore:
    """Open with `AnnotationStore.open(path, annotator)`; close (or use `with`) to compact."""

    def __init__(self, path: Path, annotator: str, read_only: bool, compact_after: int) -> None:
        self.path = path
        self.annotator = annotator
        self.read_only = read_only
        self.compact_after = compact_after
        self.journal_path = path.with_name(path.name + ".journal")
        self.previous_journal_path = path.with_name(path.name + ".journal.prev")
        self.lock_path = path.with_name(path.name + ".lock")
        self.compaction_error: str | None = None  # the last compaction that failed
        self._lock: LockFile | None = None
        self._journal: Journal | None = None
        self._generation = 0  # of the snapshot on disk
        self._journal_generation = 0  # of the journal taking saves
        self._new = False
        self._meta: dict[str, Any] = {}
        self._documents: dict[str, dict[str, Any]] = {}
        self._packed: dict[str, str] = {}  # doc_id -> records as packed on disk
        self._counts: dict[str, int] = {}  # doc_id -> number of annotations
        self._records: dict[str, dict[str, dict[str, Any]]] = {}  # doc_id -> id -> record
        self._doc_of: dict[str, str] = {}  # annotation id -> doc_id (decoded documents)
        self._versions: dict[str, int] = {}  # doc_id -> changes made in this process
        self._shared: dict[str, str] = {}  # annotator, kind and label strings
        self._compaction: Compaction | None = None  # running, or failed (to retry)
        self._retry_at = 0
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
        default_annotator: str = "",
    ) -> AnnotationStore:
        """Open (creating it if needed) the store at `path`.

        `annotator` empty: the store's own annotator (a new store takes
        `default_annotator`); naming another than the store's raises StoreAnnotatorError.
        Raises StoreLockedError when another process has it open, StoreCorruptError
        (leaving the files untouched) when it cannot be understood or is not a reader
        store, StoreReadOnlyError for a read-only file, StoreUnsafeError when its journal
        or lock is a link or another user's. A read-only store takes no lock, never writes.
        """
        store = cls(Path(path), annotator, read_only, compact_after)
        if read_only:
            store._load_consistent()
            store._adopt_annotator(annotator, default_annotator)
            return store
        for companion in (store.journal_path, store.previous_journal_path, store.lock_path):
            check_companion(companion)
        store._check_file_writable()
        store.path.parent.mkdir(parents=True, exist_ok=True)
        store._acquire()
        try:
            loaded = store._load()
            store._adopt_annotator(annotator, default_annotator)
            store._start_writing(loaded)
        except BaseException:
            store._release()
            raise
        return store

    def _check_file_writable(self) -> None:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return
        except OSError:
            return  # reading it reports the problem
        if stat.S_ISREG(info.st_mode) and (
            not info.st_mode & stat.S_IWUSR or not os.access(self.path, os.W_OK)
        ):
            raise StoreReadOnlyError(
                f"{inert(str(self.path))}: the store file is read-only "
                f"(mode {stat.S_IMODE(info.st_mode):04o}); reader will not replace it "
                "(make it writable to annotate, or only read it: export, stats, review)"
            )

    def _acquire(self) -> None:
        lock = LockFile(self.lock_path)
        if not lock.acquire():
            raise StoreLockedError(
                f"{inert(str(self.path))}: this annotation store is open in another reader "
                f"process (lock file {inert(str(self.lock_path))}); close it there first"
            )
        self._lock = lock

    def _release(self) -> None:
        if self._compaction is not None:
            self._compaction.wait()
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _adopt_annotator(self, given: str, default: str) -> None:
        stored = self._meta.get("annotator") or ""
        given = (given or "").strip()
        if stored and given and given != stored:
            raise not_their_store(self.path, stored, given)
        self.annotator = stored or given or (default or "").strip()
        if not self.read_only:
            if not stored and self.annotator:
                self._meta["annotator"] = self.annotator
            self._meta.setdefault("created", now_iso())

    def _load_consistent(self) -> None:
        for _ in range(50):  # a writer may compact between our reads: read again
            try:
                self._load()
                return
            except StaleRead:
                continue
        raise StoreError(f"{inert(str(self.path))}: the store kept changing while being read")

    def _load(self) -> _Loaded:
        """Read snapshot and journals into memory (writing nothing)."""
        tables = snapshot.load(self.path)
        self._new = tables is None
        tables = tables or {}
        meta = dict(tables.get("_meta", {}).get("1", {}))
        self._generation = meta.pop("generation", 0)
        for key in ("format", "version"):
            meta.pop(key, None)
        self._meta = meta
        self._documents = dict(tables.get("documents", {}))
        annotations = tables.get("annotations", {})
        self._packed = {d: e["records"] for d, e in annotations.items()}
        self._counts = {d: e["count"] for d, e in annotations.items()}
        self._records, self._doc_of, self._versions = {}, {}, {}
        owners = owners_for_reading(self.path) if self.read_only else None
        previous = read_journal(self.previous_journal_path, owners)
        current = read_journal(self.journal_path, owners)
        try:
            journals, compacting = replay_plan(self._generation, current, previous)
        except StaleRead:
            if self.read_only:
                raise
            raise StoreCorruptError(
                f"{inert(str(self.journal_path))}: the journals do not belong to this store "
                f"file (generation {self._generation}); all have been left untouched"
            ) from None
        frozen = None
        for index, contents in enumerate(journals):
            where = self.previous_journal_path if compacting and index == 0 else self.journal_path
            self._replay(contents, where)
            if compacting and index == 0 and not self.read_only:
                frozen = self._freeze(self._generation + 1)  # the compaction cut short
        return _Loaded(current, compacting, frozen)

    def _replay(self, contents: JournalContents, where: Path) -> None:
        for number, op in enumerate(contents.ops, start=2):
            try:
                self._replay_op(op)
            except (KeyError, TypeError, ValueError) as exc:
                raise self._bad_journal(where, number, str(exc)) from None
            except _BadOp as exc:
                raise self._bad_journal(where, number, str(exc)) from None

    def _bad_journal(self, where: Path, number: int, problem: str) -> StoreCorruptError:
        return StoreCorruptError(
            f"{inert(str(where))}: the store's journal has a bad operation (line {number}: "
            f"{inert(problem)[:120]}); it has been left untouched"
        )

    def _replay_op(self, op: Any, depth: int = 0) -> None:
        if not isinstance(op, dict):
            raise _BadOp("an operation must be a JSON object")
        if op.get("op") == "batch":
            inner = op.get("ops")
            if not isinstance(inner, list) or depth:
                raise _BadOp("a batch's ops must be a list of operations")
            for each in inner:
                self._replay_op(each, depth + 1)
            return
        problem = op_problem(op, self._documents)
        if problem:
            raise _BadOp(problem)
        self._apply(op)

    def _start_writing(self, loaded: _Loaded) -> None:
        """Make the files ready for saves (after a load that found them sound)."""
        current = loaded.current
        remove_stale_temps(self.path)  # what a killed process left (we hold the lock)
        if loaded.compacting:
            self._journal_generation = self._generation + 1
            if current.generation is None:
                self._journal = Journal.create(self.journal_path, self._journal_generation)
            else:
                self._journal = self._open_journal(current)
            assert loaded.frozen is not None
            self._compaction = Compaction(self.path, self.previous_journal_path, loaded.frozen)
            self._compaction.start()  # finish what was cut short
        elif current.generation == self._generation:
            self._journal_generation = self._generation
            self._journal = self._open_journal(current)
            with contextlib.suppress(OSError):
                self.previous_journal_path.unlink()  # stale: already in the snapshot
        else:
            self._journal_generation = self._generation
            self._journal = Journal.create(self.journal_path, self._generation)
            with contextlib.suppress(OSError):
                self.previous_journal_path.unlink()
        if self._new:
            self.compact()  # the store file exists from the start, naming its annotator

    def _open_journal(self, contents: JournalContents) -> Journal:
        journal = Journal.open(self.journal_path, len(contents.ops))
        if contents.good_length < contents.length:
            journal.truncate(contents.good_length)  # drop an unacknowledged tail
        return journal

    def close(self) -> None:
        """Compact (when there is anything to) and release the lock. A compaction that
        fails here loses nothing: the journals keep every save for the next open."""
        if self._closed:
            return
        try:
            if not self.read_only and not self._broken:
                self._finish_compaction()
                pending = self._journal is None or self._journal.ops or self._compaction
                if pending:
                    try:
                        self.compact()
                    except StoreError as exc:
                        self.compaction_error = str(exc)
        finally:
            self._closed = True
            self._release()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, Any]:
        """The store's metadata (`annotator`, `created`)."""
        return dict(self._meta)

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
        return [Annotation.from_json(r, check=False) for r in self.records(doc_id)]

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        """The document's annotation records as checked JSON objects, in text order
        (the fast path for exports; do not modify them)."""
        return sorted(self._decoded(doc_id).values(), key=record_sort_key)

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
            except (ValueError, RecursionError):
                items = None
            document = self._documents.get(doc_id)
            text = document.get("text") if document else None
            problem = records_problem(items, doc_id, text, self._counts.get(doc_id))
            if problem:
                self._broken = f"annotations of document {doc_id[:12]}: {problem}"
                raise snapshot.corrupt(self.path, self._broken)
            records = {r["id"]: r for r in items}
            self._share_strings(doc_id, items)
            if self.read_only:
                del self._packed[doc_id]  # nothing to compact: keep memory low
        self._records[doc_id] = records
        for annotation_id in records:
            self._doc_of[annotation_id] = doc_id
        return records

    def _share_strings(self, doc_id: str, items: list[dict[str, Any]]) -> None:
        """One string object for each repeated value (document id, annotator, kind,
        label) instead of one per record: a third less memory once decoded."""
        shared = self._shared
        for record in items:
            record["doc_id"] = doc_id
            for name in ("annotator", "kind", "label"):
                value = record[name]
                record[name] = shared.setdefault(value, value)

    def _decode_all(self) -> None:
        for doc_id in [d for d in self._packed if d not in self._records]:
            self._decoded(doc_id)

    # --- writing ------------------------------------------------------------------

    def put(self, annotation: Annotation, document: StoredDocument | None = None) -> None:
        """Add or replace `annotation` (by id); durable when this returns. An annotation
        stored under another document (a re-anchored one) is moved, in one operation.

        The document's text must be in the store already or be given as `document`.
        """
        self.put_many([annotation], document)

    def put_many(
        self, annotations: Iterable[Annotation], document: StoredDocument | None = None
    ) -> None:
        """`put` for several annotations as one operation: all are saved or (a crash, an
        error) none. Re-anchoring a document's annotations uses it."""
        self._check_writable()
        annotations = list(annotations)
        ops: list[dict[str, Any]] = []
        given = {document.doc_id: document.to_json()} if document is not None else {}
        for annotation in annotations:
            doc_id = annotation.doc_id
            if doc_id not in self._documents and not any(op.get("doc_id") == doc_id for op in ops):
                if doc_id not in given:
                    raise AnnotationError(
                        f"document {inert(doc_id[:12])} is not in the store: pass its text"
                    )
                ops.append({"op": "document", "doc_id": doc_id, "value": given[doc_id]})
        records = [a.to_json() for a in annotations]
        places = [self._where(r["id"], r["doc_id"]) for r in records]
        # A record already stored keeps its annotator (a relabel, a move of an older
        # store's record): only new work must be the store's annotator's.
        new = [
            r
            for r, place in zip(records, places, strict=True)
            if place is None or self._decoded(place)[r["id"]]["annotator"] != r["annotator"]
        ]
        self._check_records(records, given, new)
        for record, previous in zip(records, places, strict=True):
            if previous is not None and previous != record["doc_id"]:
                ops.append({"op": "move", "from": previous, "record": record})
            else:
                ops.append({"op": "put", "record": record})
        if ops:
            self._commit(ops)

    def _where(self, annotation_id: str, likely: str) -> str | None:
        """The document `annotation_id` is stored under (None: not stored)."""
        found = self._doc_of.get(annotation_id)
        if found is None and annotation_id in self._decoded(likely):
            found = likely
        return found

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
        """`bulk` for annotation records that are already checked (`record_problem`);
        each must fit its document's text and be by the store's annotator."""
        self._check_writable()
        ops: list[dict[str, Any]] = [
            {"op": "document", "doc_id": d.doc_id, "value": d.to_json()} for d in documents
        ]
        given = {op["doc_id"]: op["value"] for op in ops}
        self._check_records(records, given)
        ops += [{"op": "put", "record": record} for record in records]
        if len(ops) < 1000:
            self._commit(ops)
            return
        self._finish_compaction()
        for op in ops:
            self._apply(op)
        try:
            self.compact()
        except StoreError:
            self._load()  # take back what the disk does not hold
            raise

    def _check_records(
        self,
        records: list[dict[str, Any]],
        given: Mapping[str, Mapping[str, Any]],
        new: list[dict[str, Any]] | None = None,
    ) -> None:
        """Refuse new records (default: all) by another annotator than the store's, and
        records that do not fit their document's text."""
        new = records if new is None else new
        others = sorted({r["annotator"] for r in new if r["annotator"] != self.annotator})
        if self.annotator and others:
            shown = ", ".join(inert(o) for o in others[:3]) + (" ..." if len(others) > 3 else "")
            raise StoreAnnotatorError(
                f"{inert(str(self.path))} belongs to annotator {inert(self.annotator)}: "
                f"not saving {sum(r['annotator'] != self.annotator for r in new)} "
                f"annotation(s) by {shown}"
            )
        for record in records:
            doc_id = record["doc_id"]
            value = given.get(doc_id) or self._documents.get(doc_id)
            if value is None:
                raise AnnotationError(f"document {inert(doc_id[:12])} has no text")
            problem = fit_problem(record, doc_id, value.get("text"))
            if problem:
                raise AnnotationError(f"document {inert(doc_id[:12])}: {inert(problem)}")

    def _commit(self, ops: list[dict[str, Any]]) -> None:
        """Append `ops` to the journal as one line (durable), then apply them."""
        self._harvest()
        for op in ops:  # decode (and check) what the ops touch before anything is written
            if op["op"] in ("put", "move"):
                self._decoded(op["record"]["doc_id"])
            if op["op"] in ("move", "delete"):
                self._decoded(op.get("from") or op["doc_id"])
        op = ops[0] if len(ops) == 1 else {"op": "batch", "ops": ops}
        if self._journal is None:  # a compaction could not start the next journal
            self._journal = Journal.create(self.journal_path, self._journal_generation)
        self._journal.append(op)  # durable first, then visible
        self._apply(op)
        self._maybe_compact()

    def _apply(self, op: dict[str, Any]) -> None:
        """Apply one (checked) operation to memory; applying it again changes nothing."""
        kind = op["op"]
        if kind == "batch":
            for inner in op["ops"]:
                self._apply(inner)
        elif kind in ("put", "move"):
            record = op["record"]
            doc_id = record["doc_id"]
            previous = op["from"] if kind == "move" else self._doc_of.get(record["id"])
            if previous is not None and previous != doc_id:
                self._drop(record["id"], previous)
            records = self._decoded(doc_id)
            if record["id"] not in records:
                self._counts[doc_id] = self._counts.get(doc_id, 0) + 1
            records[record["id"]] = record
            self._doc_of[record["id"]] = doc_id
            self._changed(doc_id)
        elif kind == "delete":
            self._drop(op["id"], op["doc_id"])
        elif kind == "document":
            self._documents[op["doc_id"]] = op["value"]

    def _drop(self, annotation_id: Any, doc_id: str) -> None:
        records = self._decoded(doc_id)
        if records.pop(annotation_id, None) is not None:
            self._counts[doc_id] -= 1
            self._doc_of.pop(annotation_id, None)
            self._changed(doc_id)

    def _changed(self, doc_id: str) -> None:
        self._packed.pop(doc_id, None)
        self._versions[doc_id] = self._versions.get(doc_id, 0) + 1

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{inert(str(self.path))}: opened read-only")
        if self._closed:
            raise StoreError(f"{inert(str(self.path))}: the store is closed")
        if self._broken:
            raise StoreError(
                f"{inert(str(self.path))}: not saving to a damaged store ({self._broken})"
            )

    # --- compaction -----------------------------------------------------------------

    def _freeze(self, generation: int) -> Frozen:
        """What a snapshot of generation `generation` holds: the state now."""
        entries: list[tuple[str, int, str | list[dict[str, Any]]]] = []
        versions: dict[str, int] = {}
        for doc_id in self._ordered_doc_ids():
            packed = self._packed.get(doc_id)
            if packed is None:
                entries.append((doc_id, self._counts[doc_id], list(self._records[doc_id].values())))
                versions[doc_id] = self._versions.get(doc_id, 0)
            else:
                entries.append((doc_id, self._counts[doc_id], packed))
        return Frozen(generation, dict(self._meta), dict(self._documents), entries, versions)

    def _maybe_compact(self) -> None:
        """Start (or retry) a background compaction when the journal is long enough."""
        assert self._journal is not None
        if self._compaction is not None:
            if not self._compaction.running and self._journal.ops >= self._retry_at:
                self._retry_at = self._journal.ops + self._retry_every
                self._compaction.start()
            return
        if self._journal.ops >= max(self.compact_after, self._retry_at):
            self._rotate()

    @property
    def _retry_every(self) -> int:
        """Saves between attempts at a compaction that failed (a full disk)."""
        return max(1, min(100, self.compact_after))

    def _rotate(self) -> None:
        """Put the journal aside (`keep_aside`), start a new one for the next generation in
        its place (one rename: the journal's name always names a whole journal), and write
        the snapshot of the old one's state in the background. Never raises: a compaction
        that cannot start is tried again later, and every save is in a journal."""
        assert self._journal is not None
        frozen = self._freeze(self._journal_generation + 1)
        retry = self._journal.ops + self._retry_every
        try:
            fd, tmp = prepare(self.journal_path, frozen.generation)
        except StoreError as exc:
            self.compaction_error, self._retry_at = str(exc), retry
            return
        try:
            keep_aside(self.journal_path, self.previous_journal_path)
        except StoreError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            self.compaction_error, self._retry_at = str(exc), retry
            return
        old = self._journal
        try:
            self._journal = Journal.install(self.journal_path, fd, tmp)
        except StoreError as exc:
            with contextlib.suppress(OSError):  # the journal goes on as it was
                self.previous_journal_path.unlink()
            self.compaction_error, self._retry_at = str(exc), retry
            return
        old.close()
        self._journal_generation = frozen.generation
        self._compaction = Compaction(self.path, self.previous_journal_path, frozen)
        self._retry_at = self._retry_every  # counted in the new journal's operations
        self._compaction.start()

    def _harvest(self) -> None:
        """Take in a background compaction that has finished."""
        done = self._compaction
        if done is None or done.running:
            return
        if not done.succeeded:
            self.compaction_error = done.error
            return
        self._generation = done.frozen.generation
        for doc_id, packed in done.packed.items():
            if self._versions.get(doc_id, 0) == done.frozen.versions.get(doc_id):
                self._packed[doc_id] = packed
        self._compaction = None
        self.compaction_error = None
        self._retry_at = 0

    def _finish_compaction(self) -> None:
        """Wait for a background compaction to end, and take it in."""
        if self._compaction is not None:
            self._compaction.wait()
            self._harvest()

    @property
    def compacting(self) -> bool:
        """Whether a snapshot is being written in the background now."""
        return self._compaction is not None and self._compaction.running

    def wait_for_compaction(self) -> None:
        """Wait until no compaction runs in the background (tests, benchmarks, tools)."""
        self._finish_compaction()

    def compact(self) -> None:
        """Rewrite the snapshot with everything, in this thread, then start a new journal.
        StoreError when the snapshot cannot be written (the files are then unchanged)."""
        self._check_writable()
        self._finish_compaction()
        generation = self._journal_generation + 1
        frozen = self._freeze(generation)
        fd, tmp = prepare(self.journal_path, generation)
        packed: dict[str, str] = {}
        try:
            compaction.write(self.path, frozen, packed)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        # The snapshot holds everything: the journals are stale from here on.
        self._generation = self._journal_generation = generation
        for doc_id, value in packed.items():
            self._packed[doc_id] = value
        self._compaction = None
        self.compaction_error = None
        self._retry_at = 0
        old, self._journal = self._journal, None
        if old is not None:
            old.close()
        with contextlib.suppress(StoreError):  # else the next save starts the journal
            self._journal = Journal.install(self.journal_path, fd, tmp)
        with contextlib.suppress(OSError):
            self.previous_journal_path.unlink()

    # --- sharing --------------------------------------------------------------------

    def write_snapshot_copy(self, dest: str | os.PathLike[str]) -> int:
        """Write everything this store holds (snapshot and journal alike) to `dest` as
        one self-contained store file, atomically (`dest` is the old file or the whole
        new one). The safe way to share a store that is open in the app. Returns the
        number of annotations written. Refuses `dest` when it is this store, a store in
        use (it has a journal or a lock beside it), or a file that is not a reader store.
        """
        target = Path(dest)
        shown = inert(str(target))
        if target.resolve() == self.path.resolve():
            raise StoreError(f"{shown}: is the store itself; choose another file for the copy")
        for companion in (".journal", ".journal.prev", ".lock"):
            if os.path.lexists(target.with_name(target.name + companion)):
                raise StoreError(
                    f"{shown}: is a store in use (it has a {companion[1:]} beside it); "
                    "not overwriting it with a copy"
                )
        if target.exists() and target.stat().st_size and not snapshot.is_reader_store(target):
            raise snapshot.not_ours(target, "not overwriting it with a copy")
        frozen = self._freeze(0)
        frozen.meta = {**frozen.meta, "copied_from": str(self.path), "copied": now_iso()}
        compaction.write(target, frozen, {})
        return len(self)


class _BadOp(Exception):
    pass
