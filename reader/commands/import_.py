"""`reader import`: bring annotations made elsewhere (or exported) into a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..config import resolve_annotator, resolve_db_path
from ..errors import ReaderError
from ..formats import (
    FORMATS,
    FormatError,
    RawDocument,
    ReadOptions,
    ReadOutcome,
    kinds_from_schema,
    progress,
)
from ..jsonl import detect_format
from ..schema import load_schema
from ..store import AnnotationStore, StoredDocument

MAX_PROBLEMS_SHOWN = 10


class ImportRefused(ReaderError):
    """The file has malformed records; nothing was imported."""


def read_file(path: Path, fmt: str, options: ReadOptions) -> ReadOutcome:
    """Read FILE in `fmt`: documents as raw records (`outcome.raw`) and problems."""
    from ..formats import brat, doccano, native, prodigy

    if fmt == "brat":
        if not path.is_dir():
            raise FormatError(f"{path}: brat import reads a folder of .txt/.ann pairs")
        total = len(list(path.glob("*.ann")))
        with progress(total, "Reading") as advance:
            return _with_raw(brat.read(path, options, advance))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read ({exc})") from None
    lines = text.split("\n")
    with progress(len(lines), "Reading") as advance:
        if fmt == "native":
            raw, problems = native.read_raw(lines, options, advance)
            return ReadOutcome(problems=problems, raw=raw)
        reader = {"prodigy": prodigy.read, "doccano": doccano.read}[fmt]
        return _with_raw(reader(lines, options, advance))


def _with_raw(outcome: ReadOutcome) -> ReadOutcome:
    outcome.raw = [
        RawDocument(d.doc_id, d.text, d.meta, [a.to_json() for a in d.annotations])
        for d in outcome.documents
    ]
    return outcome


def import_outcome(
    outcome: ReadOutcome, store: AnnotationStore, native_ids: bool
) -> tuple[int, int, int]:
    """Save what was read into `store` at once; returns (annotations, documents, duplicates).

    Native records keep their ids (one already there is replaced); records from other
    formats that repeat a span, kind, label and annotator already there are skipped.
    """
    documents: list[StoredDocument] = []
    records: list[dict[str, Any]] = []
    duplicates = 0
    new_ids: set[str] = set()
    for document in outcome.raw:
        if store.document(document.doc_id) is None and document.doc_id not in new_ids:
            new_ids.add(document.doc_id)
            documents.append(StoredDocument(document.doc_id, document.text, document.meta))
        existing = store.records(document.doc_id)
        ids = {r["id"] for r in existing}
        seen = {_span_key(r) for r in existing}
        for record in document.records:
            if native_ids:
                duplicates += record["id"] in ids  # same id: the import replaces it
            elif _span_key(record) in seen:
                duplicates += 1
                continue
            seen.add(_span_key(record))
            records.append(record)
    store.bulk_records(documents, records)
    return len(records), len(documents), duplicates


def _span_key(record: dict[str, Any]) -> tuple:
    return tuple(record[k] for k in ("doc_id", "start", "end", "kind", "label", "annotator"))


@click.command("import")
@click.argument("file", type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Format of FILE (default: guessed; a folder is brat).",
)
@click.option("--db", default=None, help="Store to import into (default: the annotator's store).")
@click.option("--annotator", default=None, help="Annotator to record (default: from the file).")
@click.option("--skip-bad", is_flag=True, help="Import the good records, skip malformed ones.")
@click.option("--schema", "schema_path", default=None, help="Label schema (decides label kinds).")
def import_command(
    file: str,
    fmt: str | None,
    db: str | None,
    annotator: str | None,
    skip_bad: bool,
    schema_path: str | None,
) -> None:
    """Import annotations from native, Prodigy or doccano JSONL (or a brat folder).

    All or nothing: a file with a malformed line imports nothing (see --skip-bad).
    """
    path = Path(file)
    fmt = fmt or detect_format(path)
    schema = load_schema(schema_path)
    options = ReadOptions(
        annotator=resolve_annotator(annotator),
        override_annotator=annotator is not None,
        kind_of=kinds_from_schema({label.name: label.kind for label in schema.labels}),
    )
    outcome = read_file(path, fmt, options)
    if outcome.problems:
        shown = [f"{path}: {problem}" for problem in outcome.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(outcome.problems) - len(shown)
        if not skip_bad:
            tail = f" (and {more} more)" if more > 0 else ""
            raise ImportRefused(
                f"{len(outcome.problems)} malformed record(s), nothing imported "
                f"(--skip-bad imports the rest): {'; '.join(shown)}{tail}"
            )
        for line in shown:
            click.echo(f"reader: warning: skipped {line}", err=True)
        if more > 0:
            click.echo(f"reader: warning: skipped {more} more malformed record(s)", err=True)
    db_path = resolve_db_path(db, annotator)
    with AnnotationStore.open(db_path, options.annotator) as store:
        count, new_docs, duplicates = import_outcome(outcome, store, native_ids=fmt == "native")
    notes = []
    if duplicates:
        verb = "replaced" if fmt == "native" else "skipped"
        notes.append(f"{duplicates} already there {verb}")
    if outcome.skipped:
        notes.append(f"{outcome.skipped} not-accepted task(s) skipped")
    extra = f" ({'; '.join(notes)})" if notes else ""
    click.echo(
        f"imported {count} annotation(s), {new_docs} new document(s) into {db_path}{extra}",
        err=True,
    )
