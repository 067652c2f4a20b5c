"""The journal: every change since the last snapshot, one JSON line each, fsync'ed.

The first line names the snapshot generation the journal applies to:
`{"op": "generation", "generation": N}`. Later lines are operations (see `store.py`).
A write that was cut short (a crash mid-append) leaves a last line without its newline;
it was never acknowledged, so it is ignored on replay and cut off before the next append.

A new journal is written whole to a temporary file (header, fsync) and renamed into
place, so no reader ever finds an empty or header-less journal. While a compaction runs
the previous journal waits beside it as `<store>.journal.prev`; see `replay_plan`.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..jsonl import loads
from ..printable import inert
from .errors import StoreCorruptError, StoreError
from .files import fsync_dir, make_temp, open_companion, read_companion, why, write_all


@dataclass
class JournalContents:
    generation: int | None  # None: no journal, or an empty one
    ops: list[dict[str, Any]] = field(default_factory=list)
    good_length: int = 0  # bytes up to the end of the last complete line
    length: int = 0


def _unreadable(path: Path, problem: str) -> StoreCorruptError:
    return StoreCorruptError(
        f"{inert(str(path))}: the store's journal is unreadable ({problem}); "
        "it has been left untouched"
    )


def read_journal(path: Path, owners: frozenset[int] | None = None) -> JournalContents:
    """The journal at `path` (see `files.read_companion` for `owners`)."""
    data = read_companion(path, owners)
    if data is None:
        return JournalContents(None)
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    good_length = len(data) - len(tail)
    parsed: list[dict[str, Any]] = []
    for number, line in enumerate(complete, start=1):
        try:
            op = loads(line)
            if not isinstance(op, dict) or not isinstance(op.get("op"), str):
                raise ValueError("not an operation")
        except (ValueError, RecursionError):
            if number == len(complete) and not tail:
                # A last line garbled by a crash of the machine: never acknowledged.
                good_length -= len(line) + 1
                break
            raise StoreCorruptError(
                f"{inert(str(path))}: the store's journal is unreadable (line {number}); "
                "it has been left untouched"
            ) from None
        parsed.append(op)
    if not parsed:
        return JournalContents(None, [], good_length, len(data))
    header = parsed[0]
    generation = header.get("generation")
    if header["op"] != "generation" or type(generation) is not int or generation < 0:
        raise StoreCorruptError(
            f"{inert(str(path))}: the store's journal has no valid generation header; "
            "it has been left untouched"
        )
    return JournalContents(generation, parsed[1:], good_length, len(data))


def header(generation: int) -> bytes:
    return line({"op": "generation", "generation": generation})


def prepare(path: Path, generation: int) -> tuple[int, Path]:
    """A temporary journal for `generation` (header written and fsync'ed) beside `path`;
    StoreError when it cannot be made (then nothing is left behind)."""
    try:
        fd, tmp = make_temp(path, 0o644)
    except OSError as exc:
        raise StoreError(f"{inert(str(path))}: cannot start a journal ({why(exc)})") from None
    try:
        write_all(fd, [header(generation)])
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"{inert(str(path))}: cannot start a journal ({why(exc)})") from None
    return fd, tmp


class Journal:
    """An append-only file of operations, each durable when `append` returns."""

    def __init__(self, path: Path, fd: int, ops: int = 0) -> None:
        self.path = path
        self._fd = fd
        self.size = os.fstat(fd).st_size
        os.lseek(fd, self.size, os.SEEK_SET)
        self.ops = ops

    @classmethod
    def open(cls, path: Path, ops: int) -> Journal:
        """The journal at `path` (it exists), to append to."""
        return cls(path, open_companion(path, os.O_WRONLY | os.O_APPEND), ops)

    @classmethod
    def install(cls, path: Path, fd: int, tmp: Path) -> Journal:
        """Rename the prepared journal `tmp` (fd `fd`) over `path`."""
        try:
            os.replace(tmp, path)
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreError(f"{inert(str(path))}: cannot start a journal ({why(exc)})") from None
        fsync_dir(path.parent)
        return cls(path, fd)

    @classmethod
    def create(cls, path: Path, generation: int) -> Journal:
        """A fresh journal for `generation` replacing whatever is at `path`."""
        return cls.install(path, *prepare(path, generation))

    def truncate(self, length: int) -> None:
        os.ftruncate(self._fd, length)
        os.lseek(self._fd, length, os.SEEK_SET)
        self.size = length
        _sync(self._fd)

    def append(self, op: dict[str, Any]) -> None:
        try:
            data = line(op)
        except UnicodeEncodeError:
            raise StoreError(
                f"{inert(str(self.path))}: cannot save text with a lone surrogate character "
                "(not valid Unicode)"
            ) from None
        before = self.size
        try:
            write_all(self._fd, [data])
            _sync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # take back a partial line
                os.ftruncate(self._fd, before)
                os.lseek(self._fd, before, os.SEEK_SET)
            raise StoreError(f"{inert(str(self.path))}: cannot save ({why(exc)})") from None
        self.size = before + len(data)
        self.ops += 1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def line(op: dict[str, Any]) -> bytes:
    return (json.dumps(op, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _sync(fd: int) -> None:
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def keep_aside(path: Path, previous: Path) -> None:
    """Make `previous` name the journal at `path` too (a hard link; a copy where links
    cannot be made), before `path` is replaced by the next journal: a reader who looks
    for the previous journal first and the journal second never finds neither."""
    with contextlib.suppress(FileNotFoundError):
        previous.unlink()  # a stale one (already in the snapshot)
    try:
        os.link(path, previous, follow_symlinks=False)
    except (OSError, NotImplementedError):  # no hard links here: a copy does it
        data = read_companion(path) or b""
        try:
            fd, tmp = make_temp(previous, 0o644)
            try:
                write_all(fd, [data])
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, previous)
        except OSError as exc:
            raise StoreError(
                f"{inert(str(previous))}: cannot set the journal aside ({why(exc)})"
            ) from None
    fsync_dir(path.parent)


class StaleRead(Exception):
    """A writer compacted between a reader's reads of the snapshot and the journals."""


def replay_plan(
    snapshot_generation: int, current: JournalContents, previous: JournalContents
) -> tuple[list[JournalContents], bool]:
    """Which journals hold changes over a snapshot of `snapshot_generation`, and whether
    a compaction was under way (the previous journal not yet in the snapshot).

    The journals are read after the snapshot, the previous one first. Every state a
    writer leaves (and a crash can stop it in) is one of:
    - current at the snapshot's generation (a stale previous one is ignored);
    - previous at the snapshot's generation and current one newer (compacting);
    - current older than the snapshot (a compaction finished: the snapshot holds all).
    Anything else means the snapshot changed under the reader: StaleRead.
    """
    s = snapshot_generation
    if previous.generation is not None and previous.generation > s:
        raise StaleRead
    if previous.generation == s:
        if current.generation == s:  # set aside, not replaced yet: the same journal
            return [current], False
        if current.generation is None or current.generation == s + 1:
            return [previous, current], True
        raise StaleRead
    if current.generation is None or current.generation <= s:
        return ([current] if current.generation == s else []), False
    raise StaleRead
