"""Turn files, folders and JSONL corpora into `Document`s.

The text of a document is exactly what the file holds, but for two normalisations
that every editor agrees on: a leading UTF-8 BOM is dropped and `\\r\\n` becomes `\\n`.
Every character offset anywhere in reader indexes this text.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .printable import inert

ARTICLE_SUFFIXES = (".txt", ".md")
CORPUS_SUFFIXES = (".jsonl",)
MAX_TITLE_CHARS = 120
_SNIFF_BYTES = 8192


def _shown(path: Path) -> str:
    """A path fit to print: its control characters made visible (`reader.printable`)."""
    return inert(str(path))


def text_id(text: str) -> str:
    """A document's stable id: the sha256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    text: str = field(repr=False)
    title: str
    source: str
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", text_id(self.text))

    @cached_property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass
class Corpus:
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents)


def normalise(text: str) -> str:
    """Drop a UTF-8 BOM and read `\\r\\n` as `\\n`; nothing else changes."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n")


def dropped_positions(text: str) -> list[int]:
    """Where `normalise` drops a character of `text` (a leading BOM, each `\\r` of a
    `\\r\\n`), in order: what `moved_offset` needs to follow an offset across."""
    dropped = [0] if text.startswith("\ufeff") else []
    at = text.find("\r\n")
    while at != -1:
        dropped.append(at)
        at = text.find("\r\n", at + 2)
    return dropped


def moved_offset(offset: int, dropped: list[int]) -> int:
    """`offset` into the un-normalised text, as an offset into `normalise(text)`: one less
    for each dropped character before it. An offset between `\\r` and `\\n` lands just
    before the `\\n` (the line end), one just after a BOM at 0."""
    return offset - bisect_left(dropped, offset)


def title_for(text: str, fallback: str, meta: Mapping[str, Any] | None = None) -> str:
    """`meta.title`, else the first line when it is short, else the fallback (a file name)."""
    if meta and isinstance(meta.get("title"), str) and meta["title"].strip():
        return meta["title"].strip()
    head = text[: MAX_TITLE_CHARS + 2].lstrip("\n")
    first = head.split("\n", 1)[0].strip()
    if first and len(first) <= MAX_TITLE_CHARS and ("\n" in head or len(head) <= MAX_TITLE_CHARS):
        return first
    return fallback


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except PermissionError:
        raise CorpusError(f"{_shown(path)}: permission denied") from None
    except OSError as exc:
        raise CorpusError(f"{_shown(path)}: cannot read ({exc.strerror or exc})") from None
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise CorpusError(f"{_shown(path)}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{_shown(path)}: not valid UTF-8 (byte {exc.start}, line {line}); save it as UTF-8"
        ) from None
    return normalise(text)


def load_article(path: Path) -> Document:
    text = _read_text(path)
    if not text.strip():
        raise CorpusError(f"{_shown(path)}: the file is empty")
    return Document(text=text, title=title_for(text, path.name), source=str(path))


def load_jsonl(path: Path, warnings: list[str]) -> list[Document]:
    """One `{"text": ..., "meta": {...}}` per line; bad lines are skipped with a warning."""
    from .jsonl import read_jsonl  # here, not at start-up: `reader` on text files needs no json

    raw = _read_text(path)
    documents, bad = read_jsonl(
        raw.split("\n"), lambda record, number: _jsonl_document(record, path, number)
    )
    problems = [f"{_shown(path)}:{p.line}: {p.message}" for p in bad]
    if problems:
        warnings.extend(problems)
        warnings.append(f"{_shown(path)}: skipped {len(problems)} malformed line(s)")
    if not documents:
        detail = f" ({problems[0]})" if problems else ""
        raise CorpusError(f"{_shown(path)}: no documents in this JSONL file{detail}")
    return documents


def _jsonl_document(record: dict[str, Any], path: Path, number: int) -> Document:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('missing or empty "text"')
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError('"meta" must be an object')
    for key in ("title", "id"):
        if isinstance(record.get(key), str) and key not in meta:
            meta = {**meta, key: record[key]}
    text = normalise(text)
    fallback = f"{path.name}:{number}"
    return Document(
        text=text,
        title=title_for(text, fallback, meta),
        source=f"{path}:{number}",
        meta=meta,
    )


def _files_in(folder: Path) -> list[Path]:
    suffixes = ARTICLE_SUFFIXES + CORPUS_SUFFIXES
    return sorted(
        (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes),
        key=lambda p: p.relative_to(folder).as_posix(),
    )


def _load_file(path: Path, warnings: list[str]) -> list[Document]:
    if path.suffix.lower() in CORPUS_SUFFIXES:
        return load_jsonl(path, warnings)
    return [load_article(path)]


def load_corpus(paths: Iterable[str | Path]) -> Corpus:
    """Load every path in order; a folder contributes its articles recursively, sorted."""
    warnings: list[str] = []
    documents: list[Document] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise CorpusError(f"{_shown(path)}: no such file or folder")
        if path.is_dir():
            files = _files_in(path)
            if not files:
                raise CorpusError(
                    f"{_shown(path)}: no articles (.txt, .md or .jsonl) in this folder"
                )
            for file in files:
                try:
                    documents.extend(_load_file(file, warnings))
                except CorpusError as exc:
                    warnings.append(f"skipped {exc}")
            if not documents:
                raise CorpusError(f"{_shown(path)}: no readable articles in this folder")
        else:
            documents.extend(_load_file(path, warnings))
    if not documents:
        raise CorpusError("no documents to open")
    return Corpus(documents=documents, warnings=warnings)
