"""`reader export`: annotations with their documents' texts, as JSONL, brat files, CoNLL,
spaCy JSONL, Label Studio JSON or CSV."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import atomicfile
from ..annotate.annotations import KINDS
from ..config import stores_dir, stores_to_read
from ..errors import ReaderError
from ..formats import (
    EXPORT_FORMATS,
    UTF16_FORMATS,
    FormatError,
    RawDocument,
    merge_raw,
    of_kinds,
    progress,
)
from ..formats.offsets import CODEPOINT, UNITS
from ..formats.writing import Writing
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


def offsets_option(what: str) -> Callable[[F], F]:
    """`--offsets` for commands that write or read other tools' files (`export`, `import`),
    its help starting with `what`."""
    return click.option(
        "--offsets",
        type=click.Choice(UNITS),
        default=CODEPOINT,
        show_default=True,
        help=f"{what}: codepoint (Python str indices, reader's own) or utf16 (UTF-16 code "
        "units, as doccano's and Label Studio's web pages count); never guessed.",
    )


def store_documents(store: AnnotationStore, review: bool = False) -> list[RawDocument]:
    """A store's annotated documents with their annotation records, in store order.

    With `review`, a gold store's reviewer decisions (`<gold>.review.json`) come with
    it: each document's `review` list, reviewer notes on the gold annotations' `note`."""
    from ..review.decisions import gold_decisions, with_reviewer_notes

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


def collect(dbs: Sequence[str], review: bool = False) -> list[RawDocument]:
    """Every annotated document in the stores, merged by doc_id (with `review`, also the
    documents of a gold store's reviewer decisions: see `store_documents`)."""
    return merge_raw(store_documents(store, review) for store in open_stores(dbs))


@contextmanager
def atomic_output(output: str) -> Iterator[Any]:
    """A text file object whose content replaces `output` only when the block ends
    without error (`reader.atomicfile.atomic_text`: a temporary file beside it, fsync'ed
    and renamed into place), so a kill or a full disk leaves the previous file whole and
    never a part of the new one. Something that is not a regular file (`/dev/stdout`, a
    pipe) is written directly."""
    try:
        with atomicfile.atomic_text(Path(output)) as out:
            yield out
    except OSError as exc:
        raise FormatError(f"{inert(output)}: cannot write ({exc.strerror or exc})") from None
    except UnicodeEncodeError:
        raise FormatError(f"{inert(output)}: cannot write text that is not valid Unicode") from None


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


def export_brat(documents: list[RawDocument], folder: Path, offsets: str = CODEPOINT) -> int:
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
        atomicfile.remove_stale(parent, f".{folder.name}.tmp-")
        atomicfile.remove_stale(parent, f".{folder.name}.old-")
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.tmp-{os.getpid()}."))
    except OSError as exc:
        raise FormatError(f"{inert(str(folder))}: cannot write ({exc.strerror or exc})") from None
    try:
        os.chmod(tmp, 0o777 & ~atomicfile.umask())
        with progress(len(documents), "Exporting") as advance:
            count = brat.write_per_annotator(exported, tmp, Writing(advance, warn, offsets))
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


def check_speaker_labels(documents: Sequence[RawDocument]) -> None:
    """Refuse, before anything is written, an export whose speaker relations could not be
    read back (`relations.check_speaker_labels`)."""
    from ..formats import relations

    for d in documents:
        if d.text:
            relations.check_speaker_labels(d.to_document().annotations)


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


def warn(message: str) -> None:
    """An export warning: what the format could not hold, or what it left out."""
    click.echo(f"reader: warning: {message}", err=True)


def check_offsets(fmt: str, offsets: str) -> None:
    """`--offsets utf16` only for the formats whose tools count UTF-16 code units."""
    if offsets != CODEPOINT and fmt not in UTF16_FORMATS:
        raise FormatError(
            f"--offsets {offsets} applies to {', '.join(UTF16_FORMATS)} (tools that count "
            f"UTF-16 code units); {fmt} offsets are always code points"
        )


def _writer(fmt: str, offsets: str) -> Callable[[list[RawDocument], Any, Callable[..., Any]], int]:
    """The function that writes `documents` in `fmt` to a text sink."""
    from ..formats import conll, csv_rows, label_studio, native, prodigy, spacy_jsonl

    if fmt == "native":
        return native.write_raw
    writers = {
        "prodigy": prodigy.write,
        "conll": conll.write,
        "spacy": spacy_jsonl.write,
        "label-studio": label_studio.write,
        "csv": csv_rows.write,
    }
    if fmt not in writers:
        raise FormatError(f"{fmt}: not written here (doccano: see foreign_export)")

    def writer(docs: list[RawDocument], out: Any, advance: Callable[..., Any]) -> int:
        documents = (d.to_document() for d in docs if d.text)
        return writers[fmt](documents, out, Writing(advance, warn, offsets))

    return writer


def export_documents(
    documents: list[RawDocument], fmt: str, output: str | None, offsets: str = CODEPOINT
) -> int:
    """Write `documents` in `fmt` to `output` (stdout when None); returns records written.
    A file or folder named by `output` is replaced atomically (see `atomic_output`).
    Offsets are `str` indices, or UTF-16 code units with `offsets="utf16"`."""
    check_offsets(fmt, offsets)
    if fmt in ("brat", "label-studio"):  # the formats here that write speaker relations
        check_speaker_labels(documents)
    if fmt == "brat":
        if not output:
            raise FormatError("brat export writes a folder of files: name it with -o DIR")
        return export_brat(documents, Path(os.path.abspath(output)), offsets)
    writer = _writer(fmt, offsets)
    if output is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
        with progress(len(documents), "Exporting", enabled=show) as advance:
            return writer(documents, sys.stdout, advance)
    guard_target(output)
    with atomic_output(output) as out, progress(len(documents), "Exporting") as advance:
        return writer(documents, out, advance)


@click.command("export")
@stores_option("Annotation store to export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="native",
    show_default=True,
    help="native JSONL, Prodigy or doccano JSONL (doccano-entities: for relation projects, "
    "quotes' speakers as relations), brat standoff folders (one per annotator), CoNLL/IOB2, "
    "spaCy's NER JSONL, Label Studio JSON or CSV.",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    help="Export only the annotations of this kind (repeatable; default: every kind), e.g. "
    "--kind entity for NER training data.",
)
@offsets_option("How offsets are counted")
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
    offsets: str,
    snapshot: bool,
    split: bool,
    no_overlap: bool,
    kinds: tuple[str, ...] = (),
) -> None:
    """Export annotations with their documents' texts, in the format --format names.

    A file or folder named with -o is replaced whole, never left half-written.
    See docs/FORMATS.md for the fields of each format.
    """
    if snapshot:
        if len(dbs) != 1 or not output:
            raise FormatError(
                "--snapshot copies one store: name it with --db and the copy with -o FILE"
            )
        from .share import write_snapshot

        [db] = open_paths(dbs)
        count = write_snapshot(db, output)
        click.echo(f"wrote {count} annotation(s) of {inert(str(db))} to {inert(output)}", err=True)
        return
    check_offsets(fmt, offsets)
    if fmt in ("doccano", "doccano-entities"):
        from .foreign_export import export_doccano

        export_doccano(of_kinds(collect(dbs), kinds), fmt, output, split, no_overlap, offsets)
        return
    if split or no_overlap:
        raise FormatError(f"--split and --no-overlap apply to the doccano formats, not to {fmt}")
    if kinds and fmt == "native":
        raise FormatError("--kind applies to the foreign formats; native exports the whole store")
    export_documents(of_kinds(collect(dbs, review=True), kinds), fmt, output, offsets)
