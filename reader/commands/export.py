"""`reader export`: annotations with their documents' texts, as JSONL or brat files."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import stores_dir, stores_to_read
from ..formats import FORMATS, FormatError, RawDocument, merge_raw, progress
from ..store import AnnotationStore, StoreError

F = TypeVar("F", bound=Callable[..., Any])


def open_stores(dbs: Sequence[str]) -> list[AnnotationStore]:
    """The stores named by `--db` (every store in the default folder when none), read-only."""
    paths = stores_to_read(dbs)
    if not paths:
        raise StoreError(f"no annotation stores in {stores_dir()}; name one with --db")
    for path in paths:
        if not path.is_file():
            raise StoreError(f"{path}: no such annotation store")
    return [AnnotationStore.open(path, read_only=True) for path in paths]


def stores_option(what: str) -> Callable[[F], F]:
    """`--db` for commands that read stores (`collect`), its help starting with `what`."""
    return click.option(
        "--db",
        "dbs",
        multiple=True,
        type=click.Path(dir_okay=False),
        help=f"{what} (repeatable; default: every store in the data folder).",
    )


def store_documents(store: AnnotationStore) -> list[RawDocument]:
    """A store's annotated documents with their annotation records, in store order."""
    counts = store.counts()
    documents = []
    for doc_id in store.document_ids():
        stored = store.document(doc_id)
        if stored is None or not counts.get(doc_id):
            continue
        documents.append(RawDocument(doc_id, stored.text, dict(stored.meta), store.records(doc_id)))
    return documents


def collect(dbs: Sequence[str]) -> list[RawDocument]:
    """Every annotated document in the stores, merged by doc_id."""
    return merge_raw(store_documents(store) for store in open_stores(dbs))


def export_documents(documents: list[RawDocument], fmt: str, output: str | None) -> int:
    """Write `documents` in `fmt` to `output` (stdout when None); returns records written."""
    from ..formats import brat, doccano, native, prodigy

    if fmt == "brat":
        if not output:
            raise FormatError("brat export writes a folder of files: name it with -o DIR")
        folder = Path(output)
        if folder.exists() and not folder.is_dir():
            raise FormatError(f"{folder}: not a folder (brat export writes .txt/.ann pairs)")
        with progress(len(documents), "Exporting") as advance:
            return brat.write((d.to_document() for d in documents), folder, advance)
    if fmt == "native":
        writer = native.write_raw
    else:
        foreign = {"prodigy": prodigy.write, "doccano": doccano.write}[fmt]

        def writer(docs, out, advance):  # type: ignore[no-untyped-def]
            return foreign((d.to_document() for d in docs), out, advance)

    if output is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
        with progress(len(documents), "Exporting", enabled=show) as advance:
            return writer(documents, sys.stdout, advance)
    try:
        with (
            open(output, "w", encoding="utf-8", newline="\n") as out,
            progress(len(documents), "Exporting") as advance,
        ):
            return writer(documents, out, advance)
    except OSError as exc:
        raise FormatError(f"{output}: cannot write ({exc.strerror or exc})") from None


@click.command("export")
@stores_option("Annotation store to export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="native",
    show_default=True,
    help="native JSONL, Prodigy or doccano JSONL, or a brat standoff folder.",
)
@click.option(
    "-o", "--output", default=None, help="Output file (a folder for brat); default stdout."
)
def export_command(dbs: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Export annotations with their documents' texts: one JSON line per document.

    See docs/FORMATS.md for the fields of each format.
    """
    export_documents(collect(dbs), fmt, output)
