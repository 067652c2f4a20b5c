"""A lazy, read-only view of an annotation store, for `reader review`.

`AnnotationStore.open(read_only=True)` parses the whole snapshot (about 0.4 s for a store
of 100,000 annotations); three of those alone would miss the review's first-document
budget (1 s). The snapshot is written one table entry per line (`store/snapshot.py`), so
this view reads the file's bytes, notes where each document's lines are, and parses a
document's text and annotations only when they are asked for.

Anything unexpected (another layout, a journal holding operations not yet compacted into
the snapshot: the store is open in an annotator's app) falls back to
`AnnotationStore.open(read_only=True)`, which replays the journal and reports damage with
its own clear errors. Either way the view never writes.
"""

from __future__ import annotations

import json
import mmap
from operator import eq, itemgetter
from pathlib import Path
from typing import Any

from ..annotate.annotations import records_sound
from ..store import AnnotationStore, StoreCorruptError, StoreError
from ..store.checks import records_problem
from ..store.files import owners_for_reading
from ..store.journal import StaleRead, read_journal, replay_plan
from ..store.snapshot import FORMAT, VERSION, document_problem, is_count

_DECODER = json.JSONDecoder()


def _all_fit(items: list[Any], doc_id: str, text: str | None, count: Any) -> bool:
    """Every (sound) record names `doc_id`, cuts its own text out of `text`, has its own
    id, and there are `count` of them (checked a field at a time, like `records_sound`)."""
    if text is None or not is_count(count) or count != len(items):
        return False
    if items and set(map(itemgetter("doc_id"), items)) != {doc_id}:
        return False
    if len(set(map(itemgetter("id"), items))) != len(items) or "" in map(itemgetter("id"), items):
        return False
    cuts = map(
        text.__getitem__, map(slice, map(itemgetter("start"), items), map(itemgetter("end"), items))
    )
    return all(map(eq, cuts, map(itemgetter("text"), items)))


class _Fallback(Exception):
    """The fast path cannot be used for this file."""


class StoreView:
    """Documents and annotation records of one store, parsed on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: AnnotationStore | None = None
        self._data: bytes | mmap.mmap = b""
        self._documents: dict[str, tuple[int, int]] = {}  # doc_id -> line bounds
        self._annotations: dict[str, tuple[int, int]] = {}
        self.meta: dict[str, Any] = {}
        try:
            self._index()
        except _Fallback:
            self._data = b""
            self._documents, self._annotations = {}, {}
            self._store = AnnotationStore.open(path, read_only=True)

    # --- reading ----------------------------------------------------------------------
    def document_ids(self) -> list[str]:
        """Documents holding at least one annotation, in store order."""
        if self._store is not None:
            counts = self._store.counts()
            ordered = [d for d in self._store.document_ids() if counts.get(d)]
            return ordered + [d for d in counts if d not in set(ordered)]
        ordered = [d for d in self._documents if self._has_annotations(d)]
        return ordered + [
            d for d in self._annotations if d not in self._documents and self._has_annotations(d)
        ]

    def has_document(self, doc_id: str) -> bool:
        if self._store is not None:
            return self._store.document(doc_id) is not None
        return doc_id in self._documents

    def document(self, doc_id: str) -> tuple[str, dict[str, Any], str] | None:
        """(text, meta, source) of a stored document, or None."""
        if self._store is not None:
            stored = self._store.document(doc_id)
            if stored is None:
                return None
            return stored.text, dict(stored.meta), stored.source
        value = self._entry(self._documents, doc_id)
        if value is None:
            return None
        problem = document_problem(value)
        if problem:
            raise self._corrupt(f"document {doc_id[:12]} {problem}")
        return value["text"], dict(value.get("meta") or {}), value.get("source", "")

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        """The document's annotation records (checked), in store order."""
        if self._store is not None:
            return self._store.records(doc_id)
        entry = self._entry(self._annotations, doc_id)
        if entry is None:
            return []
        packed = entry.get("records") if isinstance(entry, dict) else None
        try:
            items = json.loads(packed) if isinstance(packed, str) else None
        except (ValueError, RecursionError):
            items = None
        count = entry.get("count") if isinstance(entry, dict) else None
        if not isinstance(items, list) or entry.get("doc_id", doc_id) != doc_id:
            raise self._corrupt(f"annotations of document {doc_id[:12]} are malformed")
        document = self.document(doc_id)
        text = document[0] if document else None
        if not (records_sound(items) and _all_fit(items, doc_id, text, count)):
            problem = records_problem(items, doc_id, text, count if is_count(count) else -1)
            if problem:  # else sound, but not for the fast path (a quote's speaker)
                raise self._corrupt(f"annotations of document {doc_id[:12]}: {problem}")
        return items

    # --- the index --------------------------------------------------------------------
    def _index(self) -> None:
        try:
            with open(self.path, "rb") as file:
                # Mapped, not read: only the pages looked at are touched, and a writer's
                # compaction (a rename over the file) leaves this snapshot as it was.
                data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            raise _Fallback from None  # the store reports it properly (or is empty)
        # Both journals, read after the snapshot (the previous one first): see
        # `reader.store.journal.replay_plan`.
        owners = owners_for_reading(self.path)
        previous = read_journal(self.path.with_name(self.path.name + ".journal.prev"), owners)
        journal = read_journal(self.path.with_name(self.path.name + ".journal"), owners)
        if data[:11] != b'{"_meta":{\n':
            raise _Fallback
        self._data = data
        table: dict[str, tuple[int, int]] | None = None
        generation: int | None = None
        position = 0
        size = len(data)
        while position < size:
            end = data.find(b"\n", position)
            if end < 0:
                end = size
            line = data[position : min(position + 80, end)]
            if line.startswith(b'"documents":{'):
                table = self._documents
            elif line.startswith(b'"annotations":{'):
                table = self._annotations
            elif line.startswith(b'{"_meta":{'):
                table = None
            elif line.startswith(b'"1":{') and table is None and generation is None:
                generation = self._read_meta(data[position:end])
            elif line.startswith(b'"') and table is not None:
                close = line.find(b'":', 1)
                if close < 0:
                    raise _Fallback
                table[line[1:close].decode("ascii", "replace")] = (position, end)
            elif line.strip() and not line.startswith(b'"'):
                raise _Fallback
            position = end + 1
        if generation is None:
            raise _Fallback
        try:
            journals, _ = replay_plan(generation, journal, previous)
        except StaleRead:
            raise _Fallback from None  # a compaction under way: the store reads again
        if any(j.ops for j in journals):
            raise _Fallback  # changes not compacted yet

    def _read_meta(self, line: bytes) -> int:
        value = self._value(line)
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise _Fallback
        version, generation = value.get("version"), value.get("generation", 0)
        if not isinstance(version, int) or version > VERSION or not isinstance(generation, int):
            raise _Fallback
        self.meta = {k: v for k, v in value.items() if k not in ("format", "version")}
        return generation

    @staticmethod
    def _value(line: bytes) -> Any:
        """The value of one `"key":value` entry line (trailing `,` or `}`s ignored)."""
        text = line.decode("utf-8")
        key, end = _DECODER.raw_decode(text)
        if not isinstance(key, str) or text[end : end + 1] != ":":
            raise ValueError("not a table entry")
        value, _ = _DECODER.raw_decode(text, end + 1)
        return value

    def _entry(self, table: dict[str, tuple[int, int]], doc_id: str) -> Any:
        bounds = table.get(doc_id)
        if bounds is None:
            return None
        try:
            return self._value(self._data[bounds[0] : bounds[1]])
        except (ValueError, RecursionError):
            raise self._corrupt(f"the entry of document {doc_id[:12]} is not valid JSON") from None

    def _has_annotations(self, doc_id: str) -> bool:
        bounds = self._annotations.get(doc_id)
        if bounds is None:
            return False
        head = self._data[bounds[0] : min(bounds[1], bounds[0] + 200)]
        return b'"count":0,' not in head

    def _corrupt(self, problem: str) -> StoreError:
        return StoreCorruptError(
            f"{self.path}: the annotation store is unreadable ({problem}); "
            "it has been left untouched"
        )
