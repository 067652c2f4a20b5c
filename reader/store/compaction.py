"""Compaction: the store's state written as a new snapshot, off the caller's thread.

`Frozen` is what the snapshot will hold, taken on the caller's thread at the moment the
journal is rotated (cheap: documents and already-packed annotations are shared, only
the changed documents' records are copied into lists). `Compaction` writes it in a
background thread (temporary file, fsync, rename, fsync of the folder), then deletes
the previous journal, whose operations the snapshot now holds. Saves go on into the new
journal meanwhile. A failure (a full disk) leaves the files as they were, consistent:
the caller retries with the same `Frozen` later.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotate.annotations import record_sort_key
from . import snapshot
from .errors import StoreError


def pack(records: list[dict[str, Any]]) -> str:
    ordered = sorted(records, key=record_sort_key)
    return json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Frozen:
    generation: int
    meta: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    # doc_id, count, and the packed records (str) or the records to pack (list)
    entries: list[tuple[str, int, str | list[dict[str, Any]]]]
    versions: dict[str, int] = field(default_factory=dict)  # of the documents to pack


class _Lazy:
    """A table whose entries are made while the file is written (`snapshot.dump_chunks`
    only asks for `items()`)."""

    def __init__(self, items: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        self.items = items


def chunks(frozen: Frozen, packed_out: dict[str, str]) -> Iterator[bytes]:
    """The snapshot file's bytes; documents packed on the way are noted in `packed_out`."""

    def annotations() -> Iterator[tuple[str, Any]]:
        for doc_id, count, records in frozen.entries:
            if not isinstance(records, str):
                records = pack(records)
                packed_out[doc_id] = records
            yield doc_id, {"doc_id": doc_id, "count": count, "records": records}

    meta = {
        "format": snapshot.FORMAT,
        "version": snapshot.VERSION,
        "generation": frozen.generation,
        **frozen.meta,
    }
    tables: dict[str, Any] = {
        "_meta": {"1": meta},
        "documents": frozen.documents,
        "annotations": _Lazy(annotations),
    }
    return snapshot.dump_chunks(tables)


def write(path: Path, frozen: Frozen, packed_out: dict[str, str]) -> None:
    """Write `frozen` atomically as the snapshot at `path` (StoreError on failure)."""
    snapshot.atomic_write_chunks(path, chunks(frozen, packed_out))


class Compaction:
    """One snapshot being written in the background; `start` again to retry."""

    def __init__(self, path: Path, previous_journal: Path, frozen: Frozen) -> None:
        self.path = path
        self.previous_journal = previous_journal
        self.frozen = frozen
        self.packed: dict[str, str] = {}
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.error = None
        self._thread = threading.Thread(target=self._run, name="reader-compaction", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            write(self.path, self.frozen, self.packed)
        except StoreError as exc:
            self.error = str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - reported to the caller, never lost
            self.error = f"{self.path}: cannot write the store ({exc})"
            return
        with contextlib.suppress(OSError):
            self.previous_journal.unlink()  # the snapshot holds its operations now
        snapshot.fsync_dir(self.path.parent)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    @property
    def succeeded(self) -> bool:
        return self._thread is not None and not self.running and self.error is None
