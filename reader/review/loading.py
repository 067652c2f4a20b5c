"""Load the SOURCEs of `reader review` into documents and every annotator's annotations.

A SOURCE is an annotation store (read through `StoreView`: lazily, never written) or an
export: native JSONL, Prodigy or doccano JSONL, or a brat folder, told apart the way
`reader agree` does (`reader.formats.detect`, the one sniffer). Unlike `reader agree`, review needs
whole annotations (notes, stance targets and holders), so records are kept as they are.

Records that name no annotator are credited to the file's name without suffix, as in
`reader agree`. A native export may hold only ids: lines `{"doc_id", "annotations"}`
without `text`, or one annotation record per line; their documents' texts then come from
another SOURCE or from `--docs` (matched by id: the sha256 of the text), and a record
whose document text is found nowhere is an error naming it.

Annotations of the annotator `gold` (the adjudicated version) are never compared: the
review shows the gold store itself, live. Stores are decoded one document at a time, so
the first document shows quickly whatever the size of the stores; the annotators of a
store are learnt from its records as they are decoded (`ReviewInput.annotators` grows).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..annotate.annotations import (
    Annotation,
    Speaker,
    normalise_record,
    record_problem,
    record_sort_key,
)
from ..annotate.schema import Schema
from ..corpus import Document, text_id, title_for
from ..errors import ReaderError
from ..jsonl import parse_object, read_jsonl
from ..printable import inert
from .disagreements import LightSpan
from .store_view import StoreView

GOLD = "gold"
_CACHED_DOCUMENTS = 32


class ReviewSourceError(ReaderError):
    """A SOURCE (or a `--docs` path) cannot be used for review."""


@dataclass(frozen=True)
class ReviewDocument:
    """A document under review; fits `reader.annotate.session.DocumentLike` (gold writes need it)."""

    id: str
    text: str
    title: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""


class _Source:
    """What the review needs of a SOURCE: its documents' texts and annotation records."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.gold_only = False  # a gold store listed as a SOURCE: texts only

    def doc_ids(self) -> list[str]:
        raise NotImplementedError

    def has_text(self, doc_id: str) -> bool:
        raise NotImplementedError

    def document(self, doc_id: str) -> tuple[str, dict[str, Any], str] | None:
        raise NotImplementedError

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        raise NotImplementedError


class _StoreSource(_Source):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.view = StoreView(path)
        self.gold_only = self.view.meta.get("annotator") == GOLD

    def doc_ids(self) -> list[str]:
        return self.view.document_ids()

    def has_text(self, doc_id: str) -> bool:
        return self.view.has_document(doc_id)

    def document(self, doc_id: str) -> tuple[str, dict[str, Any], str] | None:
        return self.view.document(doc_id)

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        return self.view.records(doc_id)


class _MemorySource(_Source):
    """An export, read whole. `texts[doc_id]` is None for a document given by id only."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.texts: dict[str, tuple[str, dict[str, Any]] | None] = {}
        self.by_doc: dict[str, list[dict[str, Any]]] = {}

    def add(self, doc_id: str, text: str | None, meta: Any, records: Iterable[dict]) -> None:
        if text is not None or doc_id not in self.texts:
            known = self.texts.get(doc_id)
            self.texts[doc_id] = known or (
                (text, dict(meta) if isinstance(meta, dict) else {}) if text is not None else None
            )
        self.by_doc.setdefault(doc_id, []).extend(records)

    def doc_ids(self) -> list[str]:
        return [d for d, found in self.by_doc.items() if found]

    def has_text(self, doc_id: str) -> bool:
        return self.texts.get(doc_id) is not None

    def document(self, doc_id: str) -> tuple[str, dict[str, Any], str] | None:
        found = self.texts.get(doc_id)
        return (found[0], found[1], str(self.path)) if found else None

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        return self.by_doc.get(doc_id, [])


class ReviewInput:
    """Every SOURCE's documents and annotations, decoded a document at a time."""

    def __init__(
        self,
        sources: Sequence[_Source],
        docs: Sequence[Document] = (),
        warnings: Sequence[str] = (),
    ) -> None:
        self.sources = list(sources)
        self.warnings = list(warnings)
        self.extra_texts = {d.id: d for d in docs}
        self._lock = threading.Lock()  # the screen and the counting thread share this
        self._annotators: dict[str, tuple[int, str]] = {}  # name -> sort key
        self._cache: OrderedDict[str, dict[str, list[Annotation]]] = OrderedDict()
        self._documents: dict[str, ReviewDocument] = {}
        seen: dict[str, None] = {}
        for index, source in enumerate(self.sources):
            if not source.gold_only:
                seen.update(dict.fromkeys(source.doc_ids()))
            if isinstance(source, _MemorySource):
                for records in source.by_doc.values():
                    self._learn((r["annotator"] for r in records), index)
        if docs:  # the --docs order first
            first = [d.id for d in docs if d.id in seen]
            seen = dict.fromkeys(first) | seen
        self.doc_ids = list(seen)
        if not self.doc_ids:
            names = ", ".join(str(s.path) for s in self.sources)
            raise ReviewSourceError(f"nothing to review: no annotated documents in {names}")
        self._check_texts_exist()

    # --- annotators -------------------------------------------------------------------
    @property
    def annotators(self) -> list[str]:
        """Annotators compared (never `gold`), in the order of their SOURCEs, as known so
        far: a store's are learnt as its documents are decoded (see `scan`)."""
        with self._lock:
            return sorted(self._annotators, key=self._annotators.__getitem__)

    def _learn(self, names: Iterable[str], source_index: int) -> None:
        with self._lock:
            for name in names:
                if name != GOLD and name not in self._annotators:
                    self._annotators[name] = (source_index, name)

    # --- documents ----------------------------------------------------------------------
    def document(self, doc_id: str) -> ReviewDocument:
        """The document's text (all SOURCEs holding it must agree on it), title and meta."""
        found = self._documents.get(doc_id)
        if found is not None:
            return found
        text: str | None = None
        meta: dict[str, Any] = {}
        origin = ""
        where = ""
        for source in self.sources:
            stored = source.document(doc_id)
            if stored is None:
                continue
            if text is None:
                text, meta, origin = stored
                where = str(source.path)
                if text_id(text) != doc_id:
                    raise ReviewSourceError(
                        f"{source.path}: document {doc_id[:12]}'s text does not match its id "
                        "(the sha256 of the text); the file is damaged"
                    )
            elif stored[0] != text:
                raise ReviewSourceError(
                    f"document {doc_id[:12]} has different texts in {where} and "
                    f"{source.path}; a document's id is the sha256 of its text, so one of "
                    "them is damaged"
                )
        given = self.extra_texts.get(doc_id)
        if text is None and given is not None:
            text, meta, origin = given.text, dict(given.meta), given.source
        if text is None:
            raise ReviewSourceError(
                f"document {doc_id[:12]} has no text in any SOURCE: give it with --docs PATH"
            )
        title = (
            given.title if given is not None else title_for(text, f"document {doc_id[:12]}", meta)
        )
        document = ReviewDocument(doc_id, text, title, meta, origin)
        self._documents[doc_id] = document
        return document

    def annotations(self, doc_id: str) -> dict[str, list[Annotation]]:
        """annotator -> their annotations of the document, in text order (gold left out).
        The same annotation id in several SOURCEs counts once, in its latest version."""
        with self._lock:
            cached = self._cache.get(doc_id)
            if cached is not None:
                self._cache.move_to_end(doc_id)
                return cached
        by_annotator: dict[str, list[Annotation]] = {}
        for record in self._latest_records(doc_id):
            annotation = Annotation.from_json(record, check=False)
            by_annotator.setdefault(annotation.annotator, []).append(annotation)
        with self._lock:
            self._cache[doc_id] = by_annotator
            if len(self._cache) > _CACHED_DOCUMENTS:
                self._cache.popitem(last=False)
        return by_annotator

    def spans(self, doc_id: str) -> dict[str, list[LightSpan]]:
        """`annotations` reduced to what comparing needs, not cached: for counting every
        document's disagreements quickly."""
        by_annotator: dict[str, list[LightSpan]] = {}
        for r in self._latest_records(doc_id):
            light = LightSpan(
                r["start"],
                r["end"],
                r["kind"],
                r["label"],
                r["target"],
                r["holder"],
                r["annotator"],
                Speaker.from_json(r["speaker"]) if r.get("speaker") else None,
            )
            by_annotator.setdefault(light.annotator, []).append(light)
        return by_annotator

    def _latest_records(self, doc_id: str) -> list[dict[str, Any]]:
        """Every SOURCE's records of the document but gold's, one per id, in text order."""
        latest: dict[str, dict[str, Any]] = {}
        text: str | None = None
        for index, source in enumerate(self.sources):
            records = source.records(doc_id)
            if not records:
                continue
            own_text = source.has_text(doc_id)
            if not own_text and text is None:
                text = self.document(doc_id).text
            for record in records:
                if record["annotator"] == GOLD:
                    continue
                if not own_text:
                    _check_against(record, text or "", source.path)
                known = latest.get(record["id"])
                if known is None or record["updated"] >= known["updated"]:
                    latest[record["id"]] = record
            self._learn({r["annotator"] for r in records}, index)
        return sorted(latest.values(), key=record_sort_key)

    def scan(self) -> Iterator[str]:
        """Decode every document once (learning every annotator), yielding their ids."""
        for doc_id in self.doc_ids:
            self.annotations(doc_id)
            yield doc_id

    def _check_texts_exist(self) -> None:
        """Fail now, not mid-review, when a SOURCE given by ids has a document without text."""
        for source in self.sources:
            if not isinstance(source, _MemorySource):
                continue
            for doc_id, found in source.texts.items():
                if found is not None or doc_id in self.extra_texts:
                    continue
                if any(other.has_text(doc_id) for other in self.sources):
                    continue
                first = source.by_doc[doc_id][0] if source.by_doc.get(doc_id) else None
                which = f"annotation {first['id']} " if first else ""
                raise ReviewSourceError(
                    f"{source.path}: {which}of document {doc_id[:12]}: the document's text "
                    "is in no SOURCE and not in --docs; give the articles with --docs PATH"
                )


def _check_against(record: dict[str, Any], text: str, path: Path) -> None:
    start, end = record["start"], record["end"]
    if end > len(text) or text[start:end] != record["text"]:
        raise ReviewSourceError(
            f"{path}: annotation {record['id']} ({start}:{end}) does not match the text of "
            f"document {record['doc_id'][:12]}"
        )


# --- reading SOURCEs ----------------------------------------------------------------------
def load_review_input(
    paths: Sequence[str | Path], docs: Sequence[str | Path] = (), schema: Schema | None = None
) -> ReviewInput:
    """Open every SOURCE (and the `--docs` articles) for review."""
    if not paths:
        raise ReviewSourceError("give at least one SOURCE (an annotation store or an export)")
    documents: list[Document] = []
    warnings: list[str] = []
    if docs:
        from ..corpus import load_corpus

        corpus = load_corpus(docs)
        documents, warnings = corpus.documents, corpus.warnings
    sources = [open_source(Path(p), schema) for p in paths]
    if documents:
        _move_onto_docs(sources, documents)
    return ReviewInput(sources, documents, warnings)


def _move_onto_docs(sources: Sequence[_Source], documents: Sequence[Document]) -> None:
    """Records given by id only whose `doc_id` is the sha256 of a `--docs` article's text
    as its file holds it (a BOM, `\\r\\n`), moved onto the text as reader reads it (the
    one text rule), so that they are not left without a text."""
    from ..annotate.annotations import text_problem
    from ..formats import on_normalised_text

    known = {d.id for d in documents}
    memory = [s for s in sources if isinstance(s, _MemorySource)]
    wanted = {
        doc_id
        for source in memory
        for doc_id, found in source.texts.items()
        if found is None and doc_id not in known
    }
    if not wanted:
        return
    aliases: dict[str, str] = {}  # sha256 of the file's text -> that text
    for document in documents:
        raw = _raw_text_of(document)
        if raw is not None and raw != document.text:
            aliases[text_id(raw)] = raw
    for source in memory:
        for doc_id in [d for d in wanted if d in aliases and d in source.texts]:
            raw = aliases[doc_id]
            records = source.by_doc.pop(doc_id, [])
            del source.texts[doc_id]
            for record in records:
                problem = text_problem(record, raw)
                if problem:
                    raise ReviewSourceError(
                        f"{inert(str(source.path))}: annotation {inert(record['id'])} of "
                        f"document {doc_id[:12]}: {problem}"
                    )
            try:
                _, plain_id, moved = on_normalised_text(raw, records)
            except ValueError as exc:
                raise ReviewSourceError(f"{inert(str(source.path))}: {exc}") from None
            source.add(plain_id, None, None, moved)


def _raw_text_of(document: Document) -> str | None:
    """A `--docs` article's text as its file holds it (before the text rule), or None."""
    from ..corpus import normalise

    path_text, _, number = document.source.rpartition(":")
    try:
        if number.isdigit() and path_text:  # a line of a JSONL corpus
            lines = normalise(Path(path_text).read_bytes().decode("utf-8")).split("\n")
            value = parse_object(lines[int(number) - 1])
            text = value.get("text")
            return text if isinstance(text, str) else None
        return Path(document.source).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        return None


def open_source(path: Path, schema: Schema | None = None) -> _Source:
    if not path.exists():
        raise ReviewSourceError(f"{inert(str(path))}: no such file or folder")
    from ..formats.detect import detect_format

    try:  # the one sniffer: review and agree tell SOURCEs apart alike
        fmt = detect_format(path, stores=True, records=True)
    except OSError as exc:
        raise ReviewSourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if fmt == "store":
        return _StoreSource(path)
    if fmt == "native":  # also a file of annotation records, one a line
        return _read_native(path)
    return _read_foreign(path, fmt, schema)


def _lines(path: Path) -> list[str]:
    from ..agreement.sources import read_lines

    return read_lines(path, ReviewSourceError)


def _read_foreign(path: Path, fmt: str, schema: Schema | None) -> _MemorySource:
    from ..agreement.sources import read_foreign

    outcome = read_foreign(path, fmt, schema, ReviewSourceError)
    source = _MemorySource(path)
    for document in outcome.documents:
        records = [a.to_json() for a in document.annotations]
        source.add(document.doc_id, document.text, document.meta, records)
    return source


def _read_native(path: Path) -> _MemorySource:
    """Native JSONL: document lines (with or without `text`) or annotation records."""
    from ..agreement.sources import refuse_problems

    source = _MemorySource(path)
    default_annotator = path.stem or path.name
    _, bad = read_jsonl(
        _lines(path), lambda value, _: _native_line(value, source, default_annotator)
    )
    refuse_problems(path, [f"line {p.line}: {p.message}" for p in bad], ReviewSourceError)
    return source


def _native_line(value: dict[str, Any], source: _MemorySource, default_annotator: str) -> None:
    """One line's object (document or annotation record) into `source`; ValueError says
    what is wrong with it. Records are checked with the store's codec
    (`reader.formats.native.checked_records`); a document's text is read as reader reads
    every text, and records made on the text as the file held it move with it."""
    from ..formats.native import checked_records

    if "annotations" not in value and "start" in value:  # one annotation record
        record = _record(value, 1, default_annotator)
        source.add(record["doc_id"], None, None, [record])
        return
    text = value.get("text")
    if text is None and "review" in value and not value.get("annotations"):
        return  # a gold export's decisions on a document it holds no text of
    if text is not None and (not isinstance(text, str) or not text):
        raise ValueError('"text" must be a non-empty string')
    doc_id = value.get("doc_id")
    items = value.get("annotations", [])
    if not isinstance(items, list):
        raise ValueError('"annotations" must be a list')
    if text is not None:
        text, doc_id, records = checked_records(
            text, doc_id, items, fill_annotator=default_annotator
        )
        source.add(doc_id, text, value.get("meta"), records)
        return
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError('a line needs "text" or "doc_id"')
    records = [_record(item, n, default_annotator) for n, item in enumerate(items, 1)]
    for number, record in enumerate(records, 1):
        if record["doc_id"] != doc_id:
            raise ValueError(f"annotation {number}: its doc_id is not the document's")
    source.add(doc_id, None, value.get("meta"), records)


def _record(item: Any, number: int, default_annotator: str) -> dict[str, Any]:
    """A checked annotation record with every field (`id`, times, annotator filled in)."""
    if isinstance(item, dict) and not item.get("annotator"):
        item = {**item, "annotator": default_annotator}
    problem = record_problem(item)
    if problem:
        raise ValueError(f"annotation {number}: {problem}")
    return normalise_record(item)
