"""Reading the CoNLL training files into documents whose labels are character spans.

The files differ: IO or BIO tags, and label names (PER/person, ORG/corporation/group,
LOC/location, MISC/product/creative-work). Every tag is normalised onto PER ORG LOC MISC.
Each document's tokens are joined into a text (no space before closing punctuation), so
that the model's own tokenizer and the rules run over it as over an article.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LABELS = {
    "PER": "PER", "PERSON": "PER",
    "ORG": "ORG", "ORGANIZATION": "ORG", "CORPORATION": "ORG", "GROUP": "ORG",
    "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC", "FAC": "LOC",
    "MISC": "MISC", "PRODUCT": "MISC", "CREATIVE-WORK": "MISC", "NORP": "MISC",
}  # fmt: skip
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%") | {"'s", "'S", "n't", "'re", "'ve", "'ll", "'d", "'m"}
_NO_SPACE_AFTER = frozenset("([{$")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    start: int
    end: int
    label: str  # PER ORG LOC MISC


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    sentences: tuple[tuple[int, int], ...]  # character spans of the sentences
    entities: tuple[GoldSpan, ...]


def normalise(tag: str) -> tuple[str, str]:
    """('B' | 'I' | 'O', label) for any tag of the files."""
    if tag == "O" or "-" not in tag:
        return "O", ""
    prefix, _, name = tag.partition("-")
    label = LABELS.get(name.upper())
    if label is None or prefix not in ("B", "I"):
        return "O", ""
    return prefix, label


def read_sentences(path: Path) -> Iterator[list[tuple[str, str]] | None]:
    """Sentences as (token, tag) lists; None where a -DOCSTART- line starts a document."""
    sent: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                if sent:
                    yield sent
                sent = []
                continue
            if parts[0] == "-DOCSTART-":
                if sent:
                    yield sent
                sent = []
                yield None
                continue
            sent.append((parts[0], parts[-1]))
    if sent:
        yield sent


def _document(sentences: list[list[tuple[str, str]]]) -> Document:
    pieces: list[str] = []
    pos = 0
    spans: list[tuple[int, int]] = []
    ents: list[GoldSpan] = []
    for sent in sentences:
        if pieces:
            pieces.append(" ")
            pos += 1
        s0 = pos
        open_ent: list[int | str] | None = None  # [start, end, label]
        prev = ""
        for k, (tok, tag) in enumerate(sent):
            if k and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER:
                pieces.append(" ")
                pos += 1
            start = pos
            pieces.append(tok)
            pos += len(tok)
            prev = tok
            bio, label = normalise(tag)
            if open_ent is not None and (bio != "I" or label != open_ent[2]):
                ents.append(GoldSpan(int(open_ent[0]), int(open_ent[1]), str(open_ent[2])))
                open_ent = None
            if bio == "O":
                continue
            if open_ent is None:
                open_ent = [start, pos, label]
            else:
                open_ent[1] = pos
        if open_ent is not None:
            ents.append(GoldSpan(int(open_ent[0]), int(open_ent[1]), str(open_ent[2])))
        spans.append((s0, pos))
    return Document("".join(pieces), tuple(spans), tuple(ents))


def read_documents(path: Path, sentences_per_document: int = 20) -> list[Document]:
    """The file's documents: -DOCSTART- blocks, else runs of `sentences_per_document`."""
    docs: list[Document] = []
    current: list[list[tuple[str, str]]] = []
    has_starts = False
    for sent in read_sentences(path):
        if sent is None:
            has_starts = True
            if current:
                docs.append(_document(current))
            current = []
            continue
        current.append(sent)
        if not has_starts and len(current) >= sentences_per_document:
            docs.append(_document(current))
            current = []
    if current:
        docs.append(_document(current))
    return docs
