"""Load the SOURCEs of `reader agree` into documents and annotations by annotator.

A SOURCE is one of:

- an annotation store (the TinyDB JSON file `reader` keeps per annotator: a `.json` file,
  or any file starting `{"_meta"`), opened read-only through `reader.store`;
- a JSONL export read with `reader.formats`: native (one document per line with its
  `annotations`), Prodigy (`spans`) or doccano (`label`/`entities`), told apart by the
  first record's fields as `reader import` does (`reader.formats.detect`, the one sniffer);
- a brat folder (`.txt`/`.ann` pairs).

Records that name no annotator (doccano, brat, Prodigy without `_annotator_id`) are
credited to the file's (or folder's) name without suffix: `alice.jsonl` -> `alice`.
Labels that come without a kind take it from the default label schema (`claim` when
unknown). A source with malformed records is refused (agreement over part of a file
would mislead), naming the first problems.

Merging: the same annotator's annotations from several sources are pooled; the same
annotation id seen twice keeps its latest version (`updated`), and identical spans (same
document, start, end, kind and label) count once. An annotator "has" every document of
every source their annotations come from (`coverage`): documents where they labelled
nothing count only when their source holds them (a store, or an export holding several
annotators); a per-annotator export leaves such documents out, so agreement is computed
only on the documents all annotators have.

Texts: the same document id with two different texts is refused
(`DocumentTextConflictError`); the same `meta.id` with two different texts (an article
edited between annotators) gives a warning, and those documents, not being shared, are
not compared.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter, lt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..annotate.annotations import KINDS, new_id, record_problem, text_problem
from ..corpus import normalise, text_id
from ..errors import ReaderError
from ..formats.detect import detect_format
from ..jsonl import loads, surrogate_problem
from .agreement import DocumentTextConflictError

if TYPE_CHECKING:
    from ..annotate.schema import Schema
    from ..formats import ReadOutcome

MAX_PROBLEMS_SHOWN = 3

# annotator, id, updated, doc_id, start, end, kind, label
Record = tuple[str, str, str, str, int, int, str, str]
RawSpan = tuple[int, int, str, str]  # start, end, kind, label


class SourceError(ReaderError):
    """A SOURCE cannot be read."""


@dataclass
class LoadedSource:
    path: str
    documents: list[tuple[str, str, Any]] = field(default_factory=list)  # doc_id, text, meta
    records: list[Record] = field(default_factory=list)


@dataclass
class AgreementInput:
    documents: dict[str, str]  # doc_id -> text
    annotations: dict[str, dict[str, list[RawSpan]]]  # annotator -> doc_id -> spans
    coverage: dict[str, set[str]]  # annotator -> doc ids of their sources
    warnings: list[str] = field(default_factory=list)


def load_sources(paths: Sequence[str]) -> AgreementInput:
    return merge_sources([load_source(Path(p)) for p in paths])


def load_source(path: Path) -> LoadedSource:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    try:
        fmt = detect_format(path, stores=True)  # the one sniffer (reader.formats.detect)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if fmt == "store":
        return _load_store(path)
    if fmt == "native":
        return _load_native(path)
    outcome = read_foreign(path, fmt)
    source = LoadedSource(str(path))
    for document in outcome.documents:
        source.documents.append((document.doc_id, document.text, document.meta))
        source.records.extend(
            (a.annotator, a.id, a.updated, a.doc_id, a.start, a.end, a.kind, a.label)
            for a in document.annotations
        )
    return source


def read_foreign(
    path: Path, fmt: str, schema: Schema | None = None, error: type[ReaderError] = SourceError
) -> ReadOutcome:
    """A brat folder, or a Prodigy or doccano JSONL file, read with `reader.formats`.
    Records that name no annotator are credited to the file's name without suffix;
    labels without a kind take it from `schema` (the default schema when None). Refused
    (`error`) when any record is malformed."""
    from ..formats import ReadOptions, kinds_from_schema

    if schema is None:
        from ..annotate.schema import load_schema

        schema = load_schema(None)
    options = ReadOptions(
        annotator=path.stem or path.name,
        kind_of=kinds_from_schema({label.name: label.kind for label in schema.labels}),
    )
    if fmt == "brat":
        from ..formats import brat

        outcome = brat.read(path, options)
    else:
        from ..formats import doccano, prodigy

        reader = prodigy.read if fmt == "prodigy" else doccano.read
        outcome = reader(read_lines(path, error), options)
    refuse_problems(path, [str(p) for p in outcome.problems], error)
    return outcome


def read_lines(path: Path, error: type[ReaderError] = SourceError) -> list[str]:
    """The file's text split at `\\n`, a leading BOM dropped (`error` when it cannot be
    read as UTF-8)."""
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc})") from None


def _load_store(path: Path) -> LoadedSource:
    from ..store import AnnotationStore

    store = AnnotationStore.open(path, read_only=True)
    source = LoadedSource(str(path))
    for doc_id in store.document_ids():
        document = store.document(doc_id)
        if document is not None:
            source.documents.append((doc_id, document.text, document.meta))
            source.records.extend(map(_record, store.records(doc_id)))
    return source


def _record(r: dict[str, Any]) -> Record:
    return (
        r["annotator"],
        r["id"],
        r["updated"],
        r["doc_id"],
        r["start"],
        r["end"],
        r["kind"],
        r["label"],
    )


def _load_native(path: Path) -> LoadedSource:
    """Native JSONL, checking what agreement relies on.

    `reader.formats.native.read_raw` checks and copies every field of every record; on
    the benchmark (3 x 2,000 documents x 50 annotations, 157 MB) that alone took 4 s of
    the 5 s budget, so this reads the same lines (as bytes: faster to parse) checking only
    the fields agreement uses, all of a document's records at once."""
    source = LoadedSource(str(path))
    problems: list[str] = []
    try:
        with open(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    _native_line(line, source)
                except ValueError as exc:
                    problems.append(f"line {number}: {exc}")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    refuse_problems(path, problems)
    return source


_FIELDS = itemgetter("annotator", "id", "updated", "doc_id", "start", "end", "kind", "label")
_TEXT = itemgetter("text")


def _native_line(line: bytes, source: LoadedSource) -> None:
    try:
        record = loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg}, column {exc.colno})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    text = record.get("text")
    if text is None and "review" in record and not record.get("annotations"):
        return  # a gold export's decisions on a document it holds no text of
    if not isinstance(text, str) or not text:
        raise ValueError('missing or empty "text"')
    problem = surrogate_problem(line, record)
    if problem:
        raise ValueError(problem)
    if normalise(text) != text:  # the one text rule: records move onto the read text
        _crlf_line(record, text, source)
        return
    doc_id = text_id(text)
    if record.get("doc_id", doc_id) != doc_id:
        raise ValueError('"doc_id" is not the sha256 of "text"')
    items = record.get("annotations", [])
    if not isinstance(items, list):
        raise ValueError('"annotations" must be a list')
    try:
        records: list[Record] = list(map(_FIELDS, items))
        good = not records or _good(records, list(map(_TEXT, items)), doc_id, text)
    except (KeyError, TypeError):
        good = False
    if not good:
        records = [_checked(item, number, doc_id, text) for number, item in enumerate(items, 1)]
    source.documents.append((doc_id, text, record.get("meta")))
    source.records.extend(records)


def _crlf_line(record: dict[str, Any], text: str, source: LoadedSource) -> None:
    """A document whose text `corpus.normalise` changes: checked and moved by
    `reader.formats.native.checked_records` (the slow path; rare)."""
    from ..formats.native import checked_records

    items = record.get("annotations", [])
    if not isinstance(items, list):
        raise ValueError('"annotations" must be a list')
    plain, doc_id, records = checked_records(text, record.get("doc_id"), items)
    source.documents.append((doc_id, plain, record.get("meta")))
    source.records.extend(map(_record, records))


def _checked(item: Any, number: int, doc_id: str, text: str) -> Record:
    """One annotation record, checked one field at a time; ValueError says what is wrong.
    As in `reader import`, `id` and `updated` may be missing."""
    problem = record_problem(item)
    if problem is None and item["doc_id"] != doc_id:
        problem = "its doc_id is not the document's"
    if problem is None:
        problem = text_problem(item, text)
    if problem:
        raise ValueError(f"annotation {number}: {problem}")
    return (
        item["annotator"],
        item.get("id") or new_id(),
        item.get("updated") or item.get("created") or "",
        doc_id,
        item["start"],
        item["end"],
        item["kind"],
        item["label"],
    )


def _good(records: list[Record], texts: list[Any], doc_id: str, text: str) -> bool:
    """Are all these records sound, as far as agreement cares? (checked column-wise)

    Not the codec's `records_sound`: that checks every field a store relies on (eight
    string fields and five optional ones, where agreement needs the nine it reads), which made
    `benchmarks/agree_bench.py` about 15% slower (1.72 s to 1.97 s, best of 5). This is
    only the fast path: on False, every record goes through `record_problem`."""
    annotators, ids, updated, doc_ids, starts, ends, kinds, labels = zip(*records, strict=True)
    return (
        set(doc_ids) == {doc_id}
        and set(map(type, starts)) == {int}
        and set(map(type, ends)) == {int}
        and min(starts) >= 0
        and all(map(lt, starts, ends))
        and max(ends) <= len(text)
        and texts == list(map(text.__getitem__, map(slice, starts, ends)))
        and set(kinds) <= _KINDS
        and set(map(type, labels)) == {str}
        and "" not in labels
        and set(map(type, annotators)) == {str}
        and set(map(type, ids)) == {str}
        and set(map(type, updated)) == {str}
    )


_KINDS = frozenset(KINDS)


def refuse_problems(
    path: Path, problems: Sequence[str], error: type[ReaderError] = SourceError
) -> None:
    """Raise `error` naming the first problems, if there are any: agreement (or review)
    over part of a file would mislead."""
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f" (and {more} more)" if more > 0 else ""
        raise error(f"{path}: {len(problems)} malformed record(s): {shown}{tail}")


_SPAN = itemgetter(4, 5, 6, 7)
_ANNOTATOR = itemgetter(0)
_DOC_ID = itemgetter(3)
_ID = itemgetter(1)


def _keep_latest(found: dict[str, Record], run: list[Record]) -> None:
    """Add `run` to `found` (id -> record); of two records with one id, the one
    updated last stays (the later one on a tie)."""
    new = dict(zip(map(_ID, run), run, strict=True))
    if len(new) < len(run):  # an id repeats within the run
        new = {}
        for record in run:
            known = new.get(record[1])
            if known is None or record[2] >= known[2]:
                new[record[1]] = record
    for repeated in new.keys() & found.keys():
        if new[repeated][2] < found[repeated][2]:
            del new[repeated]
    found.update(new)


def merge_sources(sources: Sequence[LoadedSource]) -> AgreementInput:
    """One text per document, each annotator's annotations pooled (see the module doc)."""
    documents: dict[str, str] = {}
    first_seen: dict[str, str] = {}  # doc_id -> path
    by_meta_id: dict[str, tuple[str, str]] = {}  # meta id -> (doc_id, path)
    warned: set[tuple[str, str]] = set()
    warnings: list[str] = []
    latest: dict[str, dict[str, Record]] = {}  # annotator -> id -> record
    coverage: dict[str, set[str]] = {}
    for source in sources:
        for doc_id, text, meta in source.documents:
            known = documents.setdefault(doc_id, text)
            if known != text:
                raise DocumentTextConflictError(
                    f"document {doc_id[:12]} has different texts in {first_seen[doc_id]} and "
                    f"{source.path}; a document's id must be the sha256 of its text, so one "
                    "of them is damaged (export it again)"
                )
            first_seen.setdefault(doc_id, source.path)
            meta_id = meta.get("id") if isinstance(meta, dict) else None
            if isinstance(meta_id, str | int) and not isinstance(meta_id, bool):
                seen = by_meta_id.setdefault(str(meta_id), (doc_id, source.path))
                if seen[0] != doc_id and (str(meta_id), doc_id) not in warned:
                    warned.add((str(meta_id), doc_id))
                    warnings.append(
                        f"document {meta_id!r} has a different text in {source.path} than in "
                        f"{seen[1]}: annotations of different texts are not compared"
                    )
        doc_ids = {doc_id for doc_id, _, _ in source.documents}
        for annotator, run in groupby(source.records, key=_ANNOTATOR):
            _keep_latest(latest.setdefault(annotator, {}), list(run))
            coverage.setdefault(annotator, set()).update(doc_ids)
    annotations: dict[str, dict[str, list[RawSpan]]] = {}
    for annotator, found in latest.items():
        by_doc: dict[str, list[RawSpan]] = {}  # identical spans are dropped by the agreement
        for doc_id, records in groupby(found.values(), _DOC_ID):  # mostly one run a document
            spans = by_doc.get(doc_id)
            if spans is None:
                by_doc[doc_id] = list(map(_SPAN, records))
            else:
                spans.extend(map(_SPAN, records))
        annotations[annotator] = by_doc
    return AgreementInput(documents, annotations, coverage, warnings)
