"""The journal: every change since the last snapshot, one JSON line each, fsync'ed.

The first line names the snapshot generation the journal applies to:
`{"op": "generation", "generation": N}`. Later lines are operations (see `store.py`).
A write that was cut short (a crash mid-append) leaves a last line without its newline;
it was never acknowledged, so it is ignored on replay and cut off before the next append.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..jsonl import loads
from .errors import StoreCorruptError, StoreError


@dataclass
class JournalContents:
    generation: int | None  # None: no journal, or an empty one
    ops: list[dict[str, Any]] = field(default_factory=list)
    good_length: int = 0  # bytes up to the end of the last complete line
    length: int = 0


def read_journal(path: Path) -> JournalContents:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return JournalContents(None)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the journal ({exc.strerror or exc})") from None
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    good_length = len(data) - len(tail)
    parsed: list[dict[str, Any]] = []
    for number, line in enumerate(complete, start=1):
        try:
            op = loads(line)
            if not isinstance(op, dict) or not isinstance(op.get("op"), str):
                raise ValueError("not an operation")
        except ValueError:
            if number == len(complete) and not tail:
                # A last line garbled by a crash of the machine: never acknowledged.
                good_length -= len(line) + 1
                break
            raise StoreCorruptError(
                f"{path}: the store's journal is unreadable (line {number}); "
                "it has been left untouched"
            ) from None
        parsed.append(op)
    if not parsed:
        return JournalContents(None, [], good_length, len(data))
    header = parsed[0]
    if header["op"] != "generation" or not isinstance(header.get("generation"), int):
        raise StoreCorruptError(
            f"{path}: the store's journal has no generation header; it has been left untouched"
        )
    return JournalContents(header["generation"], parsed[1:], good_length, len(data))


class Journal:
    """An append-only file of operations, each durable when `append` returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the journal ({exc.strerror or exc})") from None
        self.size = os.fstat(self._fd).st_size
        self.ops = 0

    def truncate(self, length: int) -> None:
        os.ftruncate(self._fd, length)
        self.size = length
        _sync(self._fd)

    def reset(self, generation: int) -> None:
        """Start afresh for snapshot `generation` (everything before is in the snapshot)."""
        self.truncate(0)
        self._write(_line({"op": "generation", "generation": generation}))
        self.ops = 0

    def append(self, op: dict[str, Any]) -> None:
        self._write(_line(op))
        self.ops += 1

    def _write(self, data: bytes) -> None:
        before = self.size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            _sync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # take back a partial line
                os.ftruncate(self._fd, before)
            raise StoreError(f"{self.path}: cannot save ({exc.strerror or exc})") from None
        self.size = before + len(data)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _line(op: dict[str, Any]) -> bytes:
    return (json.dumps(op, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _sync(fd: int) -> None:
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)
