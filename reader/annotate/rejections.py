"""Rejected entity and quote suggestions, kept beside the store: `alice.json` ->
`alice.json.rejected.json`.

One JSON object (`"reader": "rejected-suggestions"`, a version, and `rejected`: a list of
`[doc_id, start, end, kind]`), written whole with the store's atomic writer after every
rejection (a temporary file, fsync, rename: the old list or the new one, never part of
one), read without following a planted link. A rejection is one undo step (`Rejected`). A file
that cannot be understood raises
`RejectionsError` naming it and is left exactly as it is. Claim suggestions' rejections
are the claim learner's own (kept with its state, `reader.claims.persist`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ReaderError
from ..printable import inert
from ..store.files import atomic_write, check_companion, owners_for_reading, read_companion

FORMAT = "rejected-suggestions"
VERSION = 1
SUFFIX = ".rejected.json"

Key = tuple[str, int, int, str]  # doc_id, start, end, kind


class RejectionsError(ReaderError):
    """A store's rejected-suggestions file cannot be read; it is left untouched."""


def rejections_path(store: str | Path) -> Path:
    store = Path(store)
    return store.with_name(store.name + SUFFIX)


class Rejections:
    """The suggestions the annotator rejected, saved on every `reject`."""

    def __init__(self, path: Path, keys: set[Key] | None = None) -> None:
        self.path = path
        self._keys: set[Key] = set(keys or ())

    @classmethod
    def load(cls, store: str | Path) -> Rejections:
        """The store's rejections (none when it has no file yet)."""
        path = rejections_path(store)
        raw = read_companion(path, owners_for_reading(Path(store)))
        return cls(path, _decode(path, raw) if raw is not None else set())

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def keys(self) -> list[Key]:
        """Every rejected suggestion, in order."""
        return sorted(self._keys)

    def reject(self, key: Key) -> None:
        """Remember `key` and save; when saving fails it is not remembered either."""
        self._set(key, rejected=True)

    def forget(self, key: Key) -> None:
        """Suggest `key` again (its rejection was undone) and save; when saving fails it
        stays rejected."""
        self._set(key, rejected=False)

    def _set(self, key: Key, rejected: bool) -> None:
        if (key in self._keys) == rejected:
            return
        before = set(self._keys)
        if rejected:
            self._keys.add(key)
        else:
            self._keys.discard(key)
        try:
            self.save()
        except BaseException:
            self._keys = before
            raise

    def save(self) -> None:
        check_companion(self.path)
        document = {
            "reader": FORMAT,
            "version": VERSION,
            "rejected": [list(key) for key in sorted(self._keys)],
        }
        atomic_write(self.path, json.dumps(document, indent=1).encode("utf-8") + b"\n")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A rejection as an undo step of the session (`AnnotationSession.record`): undo
    suggests it again, redo rejects it again, each saved before it is reported."""

    rejections: Rejections
    key: Key

    def undo(self) -> None:
        self.rejections.forget(self.key)

    def redo(self) -> None:
        self.rejections.reject(self.key)


def _decode(path: Path, raw: bytes) -> set[Key]:
    try:
        document = json.loads(raw)
        header = {"reader": FORMAT, "version": VERSION}
        if not isinstance(document, dict) or {k: document.get(k) for k in header} != header:
            raise ValueError(f"it is not a version {VERSION} {FORMAT} file")
        return {_key(entry) for entry in document.get("rejected", [])}
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise RejectionsError(
            f"{inert(str(path))}: cannot be read as reader's rejected suggestions "
            f"({inert(str(exc))[:200]}); it is left as it is: move it away to start afresh"
        ) from None


def _key(entry: Any) -> Key:
    """`[doc_id, start, end, kind]` read back."""
    if isinstance(entry, list) and len(entry) == 4:
        doc_id, start, end, kind = entry
        offsets = type(start) is int and type(end) is int and 0 <= start < end
        if offsets and isinstance(doc_id, str) and isinstance(kind, str):
            return (doc_id, start, end, kind)
    raise ValueError("a rejected suggestion is not [doc_id, start, end, kind]")
