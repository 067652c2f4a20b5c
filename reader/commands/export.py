"""`reader export`: annotations with their documents' texts, as JSONL or brat files."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import stores_dir, stores_to_read
from ..errors import ReaderError
from ..formats import FORMATS, FormatError, RawDocument, merge_raw, progress
from ..printable import inert
from ..store import AnnotationStore, StoreError
from ..store.snapshot import fsync_dir

F = TypeVar("F", bound=Callable[..., Any])


def open_stores(dbs: Sequence[str]) -> list[AnnotationStore]:
    """The stores named by `--db` (every store in the default folder when none), read-only."""
    return [AnnotationStore.open(path, read_only=True) for path in open_paths(dbs)]


def open_paths(dbs: Sequence[str]) -> list[Path]:
    """The store files named by `--db` (every store in the default folder when none)."""
    paths = stores_to_read(dbs)
    if not paths:
        raise StoreError(f"no annotation stores in {stores_dir()}; name one with --db")
    for path in paths:
        if not path.is_file():
            raise StoreError(f"{inert(str(path))}: no such annotation store")
    return paths


def stores_option(what: str) -> Callable[[F], F]:
    """`--db` for commands that read stores (`collect`), its help starting with `what`."""
    return click.option(
        "--db",
        "dbs",
        multiple=True,
        type=click.Path(dir_okay=False),
        help=f"{what} (repeatable; default: every store in the data folder).",
    )


def store_documents(store: AnnotationStore, review: bool = False) -> list[RawDocument]:
    """A store's annotated documents with their annotation records, in store order.

    With `review`, a gold store's reviewer decisions (`<gold>.review.json`) come with
    it: each document's `review` list, reviewer notes on the gold annotations' `note`."""
    counts = store.counts()
    decisions = gold_decisions(store.path) if review else {}
    documents = []
    for doc_id in store.document_ids():
        stored = store.document(doc_id)
        decided = decisions.pop(doc_id, [])
        if stored is None or not (counts.get(doc_id) or decided):
            continue
        records = store.records(doc_id) if counts.get(doc_id) else []
        if decided:
            records = with_reviewer_notes(records, decided)
        documents.append(RawDocument(doc_id, stored.text, dict(stored.meta), records, decided))
    for doc_id, decided in decisions.items():  # decisions on documents gold never held
        documents.append(RawDocument(doc_id, "", {}, [], decided))
    return documents


_DECISION_KINDS = {"accept": "accepted", "majority": "majority", "reject": "rejected"}


def gold_decisions(store_path: Path) -> dict[str, list[dict[str, Any]]]:
    """doc_id -> the reviewer's decisions on it, from a gold store's `<gold>.review.json`
    (nothing for a store without one), each `{"kind", "from", "span", "note"}` (and
    `label` for an edit, `at` for when): see docs/FORMATS.md."""
    from ..review.adjudication import ReviewLog, review_log_path

    path = review_log_path(store_path)
    if not path.exists():
        return {}
    log = ReviewLog.open(path)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for entry in log.entries.values():
        doc_id = entry.get("doc_id")
        if not isinstance(doc_id, str):
            continue
        found = entry.get("decision")
        decision: dict[str, Any] = found if isinstance(found, dict) else {}
        action = decision.get("action")
        if action == "edit":
            kind, from_ = "edited", []
        elif action in _DECISION_KINDS:
            kind = _DECISION_KINDS[action]
            named = decision.get("annotators") or decision.get("annotator") or decision.get("as")
            from_ = named if isinstance(named, list) else [named] if named else []
            from_ = [name for name in from_ if name != "majority"]
        else:
            kind, from_ = "note", []
        item: dict[str, Any] = {
            "kind": kind,
            "from": from_,
            "span": {
                "start": entry.get("start"),
                "end": entry.get("end"),
                "kind": entry.get("kind"),
            },
            "note": str(entry.get("note", "")),
        }
        if action == "edit":
            item["label"] = decision.get("label")
        if decision.get("at"):
            item["at"] = decision["at"]
        by_doc.setdefault(doc_id, []).append(item)
    for items in by_doc.values():
        items.sort(key=lambda d: (_int(d["span"]["start"]), _int(d["span"]["end"]), d["kind"]))
    return by_doc


def _int(value: Any) -> int:
    return value if type(value) is int else -1


def with_reviewer_notes(
    records: list[dict[str, Any]], review: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`records` (copied where changed) with each reviewer note added to the `note` of
    the gold annotations of its kind that overlap the disagreement it was made on."""
    notes = [d for d in review if d["note"]]
    if not notes:
        return records
    out = []
    for record in records:
        extra = [
            d["note"]
            for d in notes
            if d["span"]["kind"] == record["kind"]
            and _int(d["span"]["start"]) < record["end"]
            and _int(d["span"]["end"]) > record["start"]
        ]
        if extra:
            own = [record["note"]] if record["note"] else []
            record = {**record, "note": "\n".join(own + [f"reviewer: {n}" for n in extra])}
        out.append(record)
    return out


def collect(dbs: Sequence[str], review: bool = False) -> list[RawDocument]:
    """Every annotated document in the stores, merged by doc_id (with `review`, also the
    documents of a gold store's reviewer decisions: see `store_documents`)."""
    return merge_raw(store_documents(store, review) for store in open_stores(dbs))


CHUNK = 1 << 20  # bytes handed to os.write at a time


class _ChunkedWriter:
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
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]


def remove_stale(folder: Path, prefix: str, suffix: str = "") -> None:
    """Remove what a killed export left in `folder`: temporary files and folders named
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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(output: str) -> Iterator[Any]:
    """A text file object whose content replaces `output` only when the block ends
    without error: written to a temporary file (from `tempfile`, in the same folder),
    fsync'ed and renamed into place, so a kill or a full disk leaves the previous file
    whole and never a part of the new one. Something that is not a regular file
    (`/dev/stdout`, a pipe) is written directly."""
    target = Path(output)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise FormatError(f"{inert(output)}: cannot write ({exc.strerror or exc})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with open(target, "w", encoding="utf-8", newline="\n") as direct:
                yield direct
        except OSError as exc:
            raise FormatError(f"{inert(output)}: cannot write ({exc.strerror or exc})") from None
        return
    folder = target.parent
    remove_stale(folder, f".{target.name}.", ".tmp")
    try:
        fd, tmp_name = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
        )
    except OSError as exc:
        raise FormatError(f"{inert(output)}: cannot write ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        try:
            mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
            os.fchmod(fd, mode)
            writer = _ChunkedWriter(fd)
            yield writer
            writer.flush()
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise FormatError(f"{inert(output)}: cannot write ({exc.strerror or exc})") from None
        if isinstance(exc, UnicodeEncodeError):
            raise FormatError(
                f"{inert(output)}: cannot write text that is not valid Unicode"
            ) from None
        raise
    fsync_dir(folder)


_BRAT_NAMES = re.compile(r"[^/]+\.(txt|ann)|annotation\.conf")


def _replaceable_brat_folder(folder: Path, depth: int = 1) -> bool:
    """Whether `folder` is empty or holds only a brat export (ours to replace): brat
    folders, one per annotator, or (an export from before those) one brat folder."""
    names = os.listdir(folder)
    if not names:
        return True
    if depth and all((folder / n).is_dir() and not (folder / n).is_symlink() for n in names):
        return all(_replaceable_brat_folder(folder / n, depth=0) for n in names)
    return "annotation.conf" in names and all(
        _BRAT_NAMES.fullmatch(name)
        and (folder / name).is_file()
        and not (folder / name).is_symlink()
        for name in names
    )


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`); False when the
    system cannot."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(number, os.strerror(number), str(a))


def export_brat(documents: list[RawDocument], folder: Path) -> int:
    """Write a brat folder per annotator (`folder/<annotator>/`) into a temporary folder
    beside `folder`, then put it in place (an atomic exchange with a previous export where
    the system allows it): a kill never leaves a partial folder, and a previous export is
    replaced whole or not at all. What brat cannot hold is refused before any writing."""
    from ..formats import brat
    from .foreign_export import warn_kinds_lost

    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise FormatError(
            f"{inert(str(folder))}: not a folder (brat export writes .txt/.ann pairs)"
        )
    if folder.is_dir() and not _replaceable_brat_folder(folder):
        raise FormatError(
            f"{inert(str(folder))}: holds files that are not a brat export; "
            "export into a new or empty folder"
        )
    exported = [d.to_document() for d in documents if d.text]
    brat.refuse_problems(exported)  # before anything is written
    warn_kinds_lost(exported)
    parent = folder.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(parent, f".{folder.name}.tmp-")
        remove_stale(parent, f".{folder.name}.old-")
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.tmp-{os.getpid()}."))
    except OSError as exc:
        raise FormatError(f"{inert(str(folder))}: cannot write ({exc.strerror or exc})") from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        with progress(len(documents), "Exporting") as advance:
            count = brat.write_per_annotator(exported, tmp, advance)
        fsync_dir(tmp)
        if not folder.exists():
            os.rename(tmp, folder)
        elif _exchange(tmp, folder):
            shutil.rmtree(tmp, ignore_errors=True)  # now the previous export
        else:
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.old-{os.getpid()}."))
            os.rename(folder, old / "export")
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise FormatError(
                f"{inert(str(folder))}: cannot write ({exc.strerror or exc})"
            ) from None
        raise
    fsync_dir(parent)
    return count


def guard_target(output: str, owner: str | None = None) -> None:
    """Refuse to replace a reader store with an export (`-o` naming a store by mistake
    would destroy it); only a store of `owner` (an earlier snapshot of the same
    annotator's store) may be replaced."""
    from ..store import snapshot

    target = Path(output)
    if not target.is_file() or not snapshot.is_reader_store(target):
        return
    if owner is not None:
        with contextlib.suppress(ReaderError):
            existing = AnnotationStore.open(target, read_only=True)
            if existing.annotator == owner:
                return
    raise FormatError(
        f"{inert(output)}: is an annotation store; an export never replaces one (name another file)"
    )


def export_documents(documents: list[RawDocument], fmt: str, output: str | None) -> int:
    """Write `documents` in `fmt` to `output` (stdout when None); returns records written.
    A file or folder named by `output` is replaced atomically (see `atomic_output`)."""
    from ..formats import doccano, native, prodigy

    if fmt == "brat":
        if not output:
            raise FormatError("brat export writes a folder of files: name it with -o DIR")
        return export_brat(documents, Path(os.path.abspath(output)))
    writer: Callable[[list[RawDocument], Any, Callable[..., Any]], int]
    if fmt == "native":
        writer = native.write_raw
    else:
        foreign = {"prodigy": prodigy.write, "doccano": doccano.write}[fmt]

        def writer(docs: list[RawDocument], out: Any, advance: Callable[..., Any]) -> int:
            return foreign((d.to_document() for d in docs if d.text), out, advance)

    if output is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
        with progress(len(documents), "Exporting", enabled=show) as advance:
            return writer(documents, sys.stdout, advance)
    guard_target(output)
    with atomic_output(output) as out, progress(len(documents), "Exporting") as advance:
        return writer(documents, out, advance)


def write_snapshot(db: Path, output: str) -> int:
    """A consistent single-file copy of the store at `db` (snapshot and journal folded
    together, as a reader reads it), written atomically to `output`; returns the number
    of annotations. Safe while the store is open in the app."""
    target = Path(output)
    if target.absolute() == db.absolute():
        raise FormatError(f"{inert(output)}: is the store itself; name another file")
    store = AnnotationStore.open(db, read_only=True)
    guard_target(output, owner=store.annotator or None)
    journal = target.with_name(target.name + ".journal")
    if journal.exists() or journal.is_symlink():
        raise FormatError(
            f"{inert(output)}: has a journal beside it ({inert(journal.name)}), so it is a "
            "store in use; name another file"
        )
    from ..store import snapshot

    meta = dict(getattr(store, "meta", None) or getattr(store, "_meta", {}) or {})
    meta.update(format=snapshot.FORMAT, version=snapshot.VERSION, generation=1)
    documents = {}
    annotations = {}
    counts = store.counts()
    for doc_id in store.document_ids():
        stored = store.document(doc_id)
        if stored is not None:
            documents[doc_id] = stored.to_json()
    for doc_id in counts:
        records = store.records(doc_id)
        annotations[doc_id] = {
            "doc_id": doc_id,
            "count": len(records),
            "records": json.dumps(records, ensure_ascii=False, separators=(",", ":")),
        }
    tables = {"_meta": {"1": meta}, "documents": documents, "annotations": annotations}
    data = snapshot.dump(tables)
    with atomic_output(output) as out:
        out.write(data.decode("utf-8"))
    return sum(counts.values())


@click.command("export")
@stores_option("Annotation store to export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*FORMATS, "doccano-entities")),
    default="native",
    show_default=True,
    help="native JSONL, Prodigy or doccano JSONL (doccano-entities: for relation "
    "projects), or brat standoff folders (one per annotator).",
)
@click.option(
    "-o", "--output", default=None, help="Output file (a folder for brat); default stdout."
)
@click.option(
    "--snapshot",
    is_flag=True,
    help="Write one consistent store file (-o FILE) of the one --db store, journal "
    "included: the safe way to share a store while the app has it open.",
)
@click.option(
    "--split",
    is_flag=True,
    help="doccano: a file per annotator, -o DIR/<annotator>.jsonl (several annotators "
    "are refused without it).",
)
@click.option(
    "--no-overlap",
    is_flag=True,
    help="doccano: of overlapping spans keep the longest (for a project that does not "
    "allow overlaps), listing what is dropped.",
)
def export_command(
    dbs: tuple[str, ...],
    fmt: str,
    output: str | None,
    snapshot: bool,
    split: bool,
    no_overlap: bool,
) -> None:
    """Export annotations with their documents' texts: one JSON line per document.

    A file or folder named with -o is replaced whole, never left half-written.
    See docs/FORMATS.md for the fields of each format.
    """
    if snapshot:
        if len(dbs) != 1 or not output:
            raise FormatError(
                "--snapshot copies one store: name it with --db and the copy with -o FILE"
            )
        [db] = open_paths(dbs)
        count = write_snapshot(db, output)
        click.echo(f"wrote {count} annotation(s) of {inert(str(db))} to {inert(output)}", err=True)
        return
    if fmt in ("doccano", "doccano-entities"):
        from .foreign_export import export_doccano

        export_doccano(collect(dbs), fmt, output, split, no_overlap)
        return
    export_documents(collect(dbs, review=True), fmt, output)


@click.command("share")
@click.argument("store", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="The single store file to write.")
def share_command(store: str, output: str) -> None:
    """Write STORE as one consistent file to send to a reviewer (safe while it is open)."""
    [db] = open_paths([store])
    count = write_snapshot(db, output)
    click.echo(f"wrote {count} annotation(s) of {inert(str(db))} to {inert(output)}", err=True)
