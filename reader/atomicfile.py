"""Files written whole or not at all, for the store and for exports alike.

A new version of a file is written to a temporary file beside it (from `tempfile`:
random name, created exclusively), written in pieces of about a megabyte, fsync'ed and
renamed over the file, and then the folder is fsync'ed: after a kill, a full disk or an
error, the file is the old one or the whole new one, never part of one. Temporary files
carry the writer's name pattern, so what a killed writer left can be found and removed.

Errors are `OSError`s (and `UnicodeEncodeError` for text that is not valid Unicode):
each caller says them in its own words (`StoreError`, the export's `FormatError`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 20  # bytes handed to os.write at a time


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


def umask() -> int:
    """The process's umask, read without changing it (safe beside other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def new_file_mode(path: Path) -> int:
    """The mode a rewrite of `path` keeps: its own, or what a new file would get."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~umask()


def make_temp(
    path: Path, mode: int | None = None, prefix: str | None = None, suffix: str = ""
) -> tuple[int, Path]:
    """A new temporary file beside `path` (random name, created exclusively, named
    `<prefix>XXXX<suffix>`; default prefix `.<name>.tmp-`): fd, path."""
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.tmp-" if prefix is None else prefix, suffix=suffix, dir=path.parent
    )
    tmp = Path(name)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, new_file_mode(path) if mode is None else mode)
    except OSError:
        pass
    return fd, tmp


def write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_all(fd: int, chunks: Iterable[bytes]) -> None:
    """Write every chunk, in writes of about `CHUNK` bytes."""
    pending: list[bytes] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            write_fully(fd, b"".join(pending))
            pending, size = [], 0
    if pending:
        write_fully(fd, b"".join(pending))


class ChunkedWriter:
    """A text sink over a file descriptor, written in `CHUNK`-byte pieces by `os.write`."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        data = "".join(self._parts).encode("utf-8")
        self._parts, self._size = [], 0
        write_fully(self.fd, data)


@contextmanager
def _replacing(path: Path, prefix: str | None = None, suffix: str = "") -> Iterator[int]:
    """The fd of a temporary file (`make_temp`) that replaces `path` when the block ends
    without error: fsync'ed, closed, renamed over it, the folder fsync'ed. On an error the
    old file is left as it was and the temporary file removed."""
    fd, tmp = make_temp(path, prefix=prefix, suffix=suffix)
    try:
        try:
            yield fd
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def replace_with_chunks(path: Path, chunks: Iterable[bytes], prefix: str | None = None) -> None:
    """`path` replaced by `chunks`, atomically (see the module); OSError when it cannot
    be, the old file left as it was and the temporary file removed."""
    with _replacing(path, prefix=prefix) as fd:
        write_all(fd, chunks)


def remove_stale(folder: Path, prefix: str, suffix: str = "") -> None:
    """Remove what a killed writer left in `folder`: temporary files and folders named
    `<prefix><pid>.<random><suffix>` whose process is gone (a live one may still be
    writing its own)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix) or not name.endswith(suffix):
            continue
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


@contextmanager
def atomic_text(target: Path) -> Iterator[ChunkedWriter]:
    """A text sink whose content replaces `target` only when the block ends without
    error (named `.<name>.<pid>.XXXX.tmp` meanwhile, so a killed writer's leftover is
    removed by the next one). Something that is not a regular file (`/dev/stdout`, a
    pipe) is written directly. OSError or UnicodeEncodeError when it cannot be written."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "w", encoding="utf-8", newline="\n") as direct:
            yield direct  # type: ignore[misc]  # a text file is a text sink too
        return
    remove_stale(target.parent, f".{target.name}.", ".tmp")
    with _replacing(target, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp") as fd:
        writer = ChunkedWriter(fd)
        yield writer
        writer.flush()
