"""`reader import`: bring annotations made elsewhere (or exported) into a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..annotate.schema import load_schema
from ..config import resolve_annotator, resolve_db_path, safe_file_name
from ..errors import ReaderError
from ..formats import (
    IMPORT_FORMATS,
    UTF16_FORMATS,
    FormatError,
    LineProblem,
    RawDocument,
    ReadOptions,
    ReadOutcome,
    kinds_from_schema,
    progress,
)
from ..formats.detect import detect_lines_format
from ..formats.offsets import CODEPOINT
from ..printable import inert
from ..store import AnnotationStore, StoredDocument
from .export import offsets_option

MAX_PROBLEMS_SHOWN = 10


class ImportRefused(ReaderError):
    """The file has malformed records; nothing was imported."""


def read_file(path: Path, fmt: str, options: ReadOptions) -> ReadOutcome:
    """Read FILE in `fmt`: documents as raw records (`outcome.raw`) and problems."""
    from ..formats import brat

    if fmt == "brat":
        if not path.is_dir():
            raise FormatError(f"{inert(str(path))}: brat import reads a folder of .txt/.ann pairs")
        total = len(list(path.glob("*.ann")))
        with progress(total, "Reading") as advance:
            return _with_raw(brat.read(path, options, advance))
    return read_lines(file_lines(path), fmt, options)


def file_lines(path: Path) -> list[str]:
    """The file's text split at `\\n`, read once (FILE may be a pipe: `<(...)`), with no
    newline translation; a leading BOM is dropped (the one text rule)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
        return data.decode("utf-8").removeprefix("\ufeff").split("\n")
    except OSError as exc:
        raise FormatError(f"{inert(str(path))}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"{inert(str(path))}: not valid UTF-8 (byte {exc.start}, line {line})"
        ) from None


def read_lines(lines: list[str], fmt: str, options: ReadOptions, texts: Any = None) -> ReadOutcome:
    """`lines` of a file in `fmt` (native, prodigy or doccano JSONL, Label Studio JSON,
    CSV: `texts` gives a CSV row's document text by doc_id)."""
    from ..formats import csv_rows, doccano, label_studio, native, prodigy

    with progress(len(lines), "Reading") as advance:
        if fmt == "native":
            raw, problems = native.read_raw(lines, options, advance)
            return ReadOutcome(problems=problems, raw=raw)
        if fmt == "label-studio":
            return _with_raw(label_studio.read(lines, options, advance))
        if fmt == "csv":
            content = "\n".join(lines)
            return _with_raw(csv_rows.read_text(content, options, texts or _no_texts, advance))
        if fmt == "doccano" and options.offsets != CODEPOINT:
            return _with_raw(_read_doccano_units(lines, options, advance))
        reader = {"prodigy": prodigy.read, "doccano": doccano.read}[fmt]
        return _with_raw(reader(lines, options, advance))


def _no_texts(doc_id: str) -> None:
    return None


def _read_doccano_units(lines: list[str], options: ReadOptions, advance: Any) -> ReadOutcome:
    """doccano JSONL whose offsets are in `options.offsets` (UTF-16 code units): each
    record's offsets become `str` indices before doccano's reader checks it."""
    from ..formats import LineProblem, doccano
    from ..formats.incoming import at_line
    from ..formats.offsets import doccano_record
    from ..jsonl import read_jsonl

    def convert(record: dict[str, Any], number: int) -> Any:
        record = doccano_record(record, options.offsets, reading=True)
        return at_line(doccano.parse_record(record, options), number)

    documents, bad = read_jsonl(lines, convert, advance)
    return ReadOutcome(documents, [LineProblem(p.line, p.message) for p in bad])


def parse_label_kinds(rules: tuple[str, ...]) -> dict[str, str]:
    """`--label-kind LABEL=KIND` rules as label -> kind (ImportRefused for a bad one)."""
    from ..annotate.annotations import KINDS

    kinds = {}
    for rule in rules:
        label, _, kind = rule.partition("=")
        if not label or kind not in KINDS:
            raise ImportRefused(
                f"--label-kind {inert(rule)}: expected LABEL=KIND, KIND one of {', '.join(KINDS)}"
            )
        kinds[label] = kind
    return kinds


def guess_format(path: Path, lines: list[str]) -> str:
    """The format of FILE when --format is not given: `.csv` is CSV, a file (not
    `.jsonl`) that starts with a JSON array is Label Studio's, else the first JSON line
    decides (`detect_lines_format`)."""
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() == ".jsonl":
        return detect_lines_format(lines)
    for line in lines:
        if line.strip():
            if line.lstrip().startswith("["):
                return "label-studio"
            break
    return detect_lines_format(lines)


def texts_for_csv(db_path: Path | None, docs: tuple[str, ...]) -> Any:
    """doc_id -> (text, meta) from the store imported into and the `--docs` files."""
    from ..corpus import load_corpus

    known: dict[str, tuple[str, dict[str, Any]]] = {}
    if docs:
        for document in load_corpus(docs).documents:
            known.setdefault(document.id, (document.text, dict(document.meta)))
    store = None
    if db_path is not None and db_path.exists():
        store = AnnotationStore.open(db_path, read_only=True)

    def texts(doc_id: str) -> tuple[str, dict[str, Any]] | None:
        if doc_id in known:
            return known[doc_id]
        stored = store.document(doc_id) if store is not None else None
        return None if stored is None else (stored.text, dict(stored.meta))

    return texts


def _with_raw(outcome: ReadOutcome) -> ReadOutcome:
    outcome.raw = [
        RawDocument(d.doc_id, d.text, d.meta, [a.to_json() for a in d.annotations], line=d.line)
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


def store_owner(path: Path) -> str | None:
    """The annotator an existing store belongs to (its metadata), None for no store."""
    if not path.exists():
        return None
    store = AnnotationStore.open(path, read_only=True)
    meta = getattr(store, "meta", None)
    if meta is None:  # a store from before stores named their annotator
        meta = getattr(store, "_meta", {})
    owner = store.annotator or (meta or {}).get("annotator") or ""
    return owner or None


def split_by_annotator(outcome: ReadOutcome) -> dict[str, list[RawDocument]]:
    """annotator -> their documents (each with only their records), in file order."""
    by_annotator: dict[str, list[RawDocument]] = {}
    for document in outcome.raw:
        mine: dict[str, list[dict[str, Any]]] = {}
        for record in document.records:
            mine.setdefault(record["annotator"], []).append(record)
        for name, records in mine.items():
            by_annotator.setdefault(name, []).append(
                RawDocument(
                    document.doc_id, document.text, document.meta, records, line=document.line
                )
            )
    return by_annotator


def others_problems(outcome: ReadOutcome, owner: str) -> list[LineProblem]:
    """A problem for each line holding records of an annotator other than `owner`, and
    those records taken out of `outcome.raw` (for --skip-bad)."""
    problems: list[LineProblem] = []
    for document in outcome.raw:
        others = [r for r in document.records if r["annotator"] != owner]
        if not others:
            continue
        names = sorted({r["annotator"] for r in others})
        shown = ", ".join(inert(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")
        problems.append(
            LineProblem(
                document.line,
                f"{len(others)} annotation(s) by {shown}, not by {inert(owner)} (the store's "
                "annotator)",
            )
        )
        document.records = [r for r in document.records if r["annotator"] == owner]
    return problems


def repeated_ids(outcome: ReadOutcome) -> list[LineProblem]:
    """A problem for each record whose id an earlier record of the file has (the store
    would keep only one of them: silently fewer annotations than the file holds), and
    those records taken out of `outcome.raw` (for --skip-bad)."""
    first: dict[str, int] = {}
    problems: list[LineProblem] = []
    for document in outcome.raw:
        kept = []
        for record in document.records:
            seen = first.get(record["id"])
            if seen is None:
                first[record["id"]] = document.line
                kept.append(record)
                continue
            where = "earlier on this line" if seen == document.line else f"on line {seen}"
            problems.append(
                LineProblem(
                    document.line,
                    f"annotation id {inert(record['id'])} is already used {where}",
                )
            )
        document.records = kept
    return problems


def refuse_or_warn(
    path: Path, problems: list[LineProblem], skip_bad: bool, hint: str, malformed: bool = True
) -> None:
    """Refuse the import naming the first problems (ImportRefused), or with `skip_bad`
    warn about them on stderr."""
    if not problems:
        return
    shown = [f"{inert(str(path))}: {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    more = len(problems) - len(shown)
    if not skip_bad:
        tail = f" (and {more} more)" if more > 0 else ""
        what = "malformed record(s)" if malformed else "record(s) refused"
        raise ImportRefused(
            f"{len(problems)} {what}, nothing imported ({hint}): {'; '.join(shown)}{tail}"
        )
    for line in shown:
        click.echo(f"reader: warning: skipped {line}", err=True)
    if more > 0:
        click.echo(f"reader: warning: skipped {more} more malformed record(s)", err=True)


def _summary(outcome: ReadOutcome, fmt: str, duplicates: int) -> str:
    notes = []
    if duplicates:
        verb = "replaced" if fmt == "native" else "skipped"
        notes.append(f"{duplicates} already there {verb}")
    if outcome.skipped:
        notes.append(f"{outcome.skipped} not-accepted task(s) skipped")
    return f" ({'; '.join(notes)})" if notes else ""


_KINDS = (
    "The kind of LABEL's annotations (claim, stance, entity, quote), over the schema's "
    "(repeatable: --label-kind PERSON=entity --label-kind QUOTE=quote); a label neither "
    "names is a claim."
)
_SPLIT = "Write each annotator's records into their own store, DIR/<annotator>.json."


@click.command("import")
@click.argument("file", type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default=None,
    help="Format of FILE (default: guessed; a folder is brat, a .csv file CSV, a JSON "
    "array Label Studio's).",
)
@offsets_option("How FILE counts offsets")
@click.option(
    "--docs",
    multiple=True,
    type=click.Path(exists=True),
    help="Articles or JSONL corpora holding the texts of a CSV file's documents "
    "(repeatable; the store's own documents are used too).",
)
@click.option("--db", default=None, help="Store to import into (default: the annotator's store).")
@click.option(
    "--annotator",
    default=None,
    help="Credit every record to NAME (default: as the file says; records that name no "
    "one go to the store's annotator).",
)
@click.option("--skip-bad", is_flag=True, help="Import the good records, skip malformed ones.")
@click.option("--schema", "schema_path", default=None, help="Label schema (decides label kinds).")
@click.option("--label-kind", "label_kinds", multiple=True, metavar="LABEL=KIND", help=_KINDS)
@click.option("--split-by-annotator", "split_dir", type=click.Path(file_okay=False), help=_SPLIT)
def import_command(
    file: str,
    fmt: str | None,
    db: str | None,
    annotator: str | None,
    skip_bad: bool,
    schema_path: str | None,
    split_dir: str | None,
    offsets: str,
    docs: tuple[str, ...],
    label_kinds: tuple[str, ...] = (),
) -> None:
    """Import annotations from native, Prodigy or doccano JSONL, a brat folder, Label
    Studio JSON or CSV.

    All or nothing: a file with a malformed line imports nothing (see --skip-bad). A
    store holds one annotator's work: records by anyone else are refused with their
    lines (--annotator NAME credits them all to NAME; --split-by-annotator DIR writes
    one store per annotator).
    """
    path = Path(file)
    lines = None if path.is_dir() or fmt == "brat" else file_lines(path)
    fmt = fmt or ("brat" if lines is None else guess_format(path, lines))
    if offsets != CODEPOINT and fmt not in UTF16_FORMATS:
        raise ImportRefused(
            f"--offsets {offsets} applies to {', '.join(UTF16_FORMATS)} (tools that count "
            f"UTF-16 code units); {fmt} offsets are always code points"
        )
    if annotator is not None and not annotator.strip():
        raise ImportRefused("--annotator needs a name")
    if annotator is not None and inert(annotator) != annotator:
        raise ImportRefused(f"--annotator {inert(annotator)}: not a name (control characters)")
    if split_dir is not None and db is not None:
        raise ImportRefused("give --db or --split-by-annotator, not both")
    schema = load_schema(schema_path)
    db_path = None if split_dir is not None else resolve_db_path(db, annotator)
    owner = None if db_path is None else (annotator and annotator.strip()) or store_owner(db_path)
    options = ReadOptions(
        annotator=owner or resolve_annotator(annotator),
        override_annotator=annotator is not None,
        kind_of=kinds_from_schema(
            {label.name: label.kind for label in schema.labels} | parse_label_kinds(label_kinds)
        ),
        offsets=offsets,
    )
    if lines is None or fmt == "brat":
        outcome = read_file(path, fmt, options)
    else:
        texts = texts_for_csv(db_path, docs) if fmt == "csv" else None
        try:
            outcome = read_lines(lines, fmt, options, texts)
        except FormatError as exc:  # the file as a whole is not in the format
            raise FormatError(f"{inert(str(path))}: {exc}") from None
    if fmt == "native":  # other formats' records get new ids
        outcome.problems = sorted(
            [*outcome.problems, *repeated_ids(outcome)], key=lambda p: (p.where, p.line)
        )
    if db_path is None:
        refuse_or_warn(path, outcome.problems, skip_bad, "--skip-bad imports the rest")
        _import_split(outcome, Path(split_dir or "."), fmt)
        return
    if owner is None:  # a new store: the file's one annotator, else the default one
        named = {r["annotator"] for d in outcome.raw for r in d.records}
        owner = named.pop() if db is not None and len(named) == 1 else options.annotator
    others = others_problems(outcome, owner)
    problems = sorted([*outcome.problems, *others], key=lambda p: (p.where, p.line))
    hint = "--skip-bad imports the rest"
    if others:
        hint += (
            "; --annotator NAME credits all to NAME, --split-by-annotator DIR makes a store each"
        )
    refuse_or_warn(path, problems, skip_bad, hint, malformed=not others)
    _import_into(outcome, db_path, owner, fmt)


def _import_into(
    outcome: ReadOutcome, path: Path, annotator: str, fmt: str, by: str | None = None
) -> None:
    """`outcome` into the store at `path` (annotator `annotator`'s), saying what came in
    (`by` whom, for one store of several)."""
    with AnnotationStore.open(path, annotator) as store:
        count, new_docs, duplicates = import_outcome(outcome, store, native_ids=fmt == "native")
    credit = "" if by is None else f" by {inert(by)}"
    click.echo(
        f"imported {count} annotation(s){credit}, {new_docs} new document(s) into "
        f"{inert(str(path))}{_summary(outcome, fmt, duplicates)}",
        err=True,
    )


def _import_split(outcome: ReadOutcome, folder: Path, fmt: str) -> None:
    """Each annotator's records into `folder/<safe name>.json`, a store of their own."""
    groups = split_by_annotator(outcome)
    paths: dict[Path, str] = {}
    for name in groups:
        target = folder / f"{safe_file_name(name)}.json"
        if target in paths:
            raise ImportRefused(
                f"annotators {inert(paths[target])} and {inert(name)} would share the store "
                f"{inert(str(target))}; import them one at a time with --annotator and --db"
            )
        paths[target] = name
    for target, name in paths.items():  # every store must be the right one before any write
        existing = store_owner(target)
        if existing is not None and existing != name:
            raise ImportRefused(
                f"{inert(str(target))} belongs to annotator {inert(existing)}, not "
                f"{inert(name)}; nothing imported"
            )
    folder.mkdir(parents=True, exist_ok=True)
    for target, name in paths.items():
        part = ReadOutcome(raw=groups[name], skipped=outcome.skipped)
        _import_into(part, target, name, fmt, by=name)
    if not paths:
        click.echo("imported 0 annotation(s): the file holds none", err=True)
