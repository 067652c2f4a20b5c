"""Careful file handling for a store in a folder other people can write to.

A store's companions (its journal, the journal of a compaction under way, its lock) are
opened without following symbolic links and must be regular files of the user running
reader: a planted link or someone else's file is refused by name, never written through.
Temporary files come from `reader.atomicfile` (random names, created exclusively) in the
store's own folder, so a rename puts them in place atomically; a killed process's leftovers
(`.<store>.tmp-*`) are removed the next time the store is opened for writing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomicfile
from ..atomicfile import fsync_dir, new_file_mode, write_all
from ..printable import inert
from .errors import StoreError, StoreUnsafeError

__all__ = ["fsync_dir", "new_file_mode", "write_all"]  # the store's, from reader.atomicfile

if TYPE_CHECKING:
    from filelock import BaseFileLock

try:  # POSIX advisory locks; elsewhere the `filelock` package does it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # a module or None: None where there is none

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def temp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


def check_companion(path: Path) -> None:
    """Refuse `path` when it is a symbolic link, not a regular file, or someone else's."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"{inert(str(path))}: cannot examine ({why(exc)})") from None
    _check_info(path, info)


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def owners_for_reading(store: Path) -> frozenset[int]:
    """Whose companions a reader of `store` trusts: its own, and the store file's owner's
    (a reviewer reads a colleague's store in a shared folder; a third user's planted
    journal is still refused)."""
    try:
        return frozenset({_euid(), os.stat(store).st_uid})
    except OSError:
        return frozenset({_euid()})


def _check_info(path: Path, info: os.stat_result, owners: frozenset[int] | None = None) -> None:
    shown = inert(str(path))
    if stat.S_ISLNK(info.st_mode):
        raise StoreUnsafeError(
            f"{shown}: is a symbolic link; a store's journal and lock must be its own files, "
            "so reader refuses to use it (remove it if you did not make it)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreUnsafeError(f"{shown}: is not a regular file; reader refuses to use it")
    if hasattr(os, "geteuid") and info.st_uid not in (owners or {os.geteuid()}):
        raise StoreUnsafeError(
            f"{shown}: belongs to another user (uid {info.st_uid}); reader refuses to use "
            "another user's journal or lock (remove it if you did not make it)"
        )


def open_companion(path: Path, flags: int, mode: int = 0o644) -> int:
    """`os.open` for a companion file: never through a link, only the user's own file."""
    try:
        fd = os.open(path, flags | NOFOLLOW | CLOEXEC, mode)
    except OSError as exc:
        if os.path.islink(path):
            check_companion(path)  # raises the clear message
        raise StoreError(f"{inert(str(path))}: cannot open ({why(exc)})") from None
    try:
        _check_info(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_companion(path: Path, owners: frozenset[int] | None = None) -> bytes | None:
    """The whole file, None when there is none; links and files of users other than
    `owners` (default: this user) are refused."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if os.path.islink(path):
            check_companion(path)
        raise StoreError(f"{inert(str(path))}: cannot read ({why(exc)})") from None
    try:
        _check_info(path, os.fstat(fd), owners)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)


def make_temp(path: Path, mode: int | None = None) -> tuple[int, Path]:
    """A new temporary file beside `path` (random name, created exclusively): fd, path."""
    return atomicfile.make_temp(path, mode, prefix=temp_prefix(path))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to a temporary file, fsync it, rename it over `path`, fsync the
    folder: `path` is the old file or the whole new one, never part of one."""
    try:
        atomicfile.replace_with_chunks(path, chunks, prefix=temp_prefix(path))
    except OSError as exc:
        raise StoreError(f"{inert(str(path))}: cannot write ({why(exc)})") from None


def atomic_write(path: Path, data: bytes) -> None:
    atomic_write_chunks(path, [data])


def remove_stale_temps(path: Path) -> int:
    """Delete what killed writers left of `path`'s temporary files (only the user's own
    regular files; call it holding the store's lock). Returns how many."""
    removed = 0
    prefix = temp_prefix(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(prefix):
            continue
        candidate = path.parent / name
        try:
            info = os.lstat(candidate)
            if stat.S_ISREG(info.st_mode) and info.st_uid == _euid():
                candidate.unlink()
                removed += 1
        except OSError:
            continue
    return removed


class LockFile:
    """An exclusive lock held on `<store>.lock` while the store is open for writing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1
        self._fallback: BaseFileLock | None = None

    def acquire(self) -> bool:
        """True when locked; False when another process (or open) holds it."""
        if fcntl is None:  # pragma: no cover - Windows
            from filelock import FileLock, Timeout

            lock = FileLock(self.path, timeout=0)
            try:
                lock.acquire()
            except Timeout:
                return False
            self._fallback = lock
            return True
        fd = open_companion(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()
            self._fallback = None
        if self._fd >= 0:
            os.close(self._fd)  # closing the file lets the lock go
            self._fd = -1
