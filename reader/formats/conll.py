"""CoNLL/IOB2 export: one token per line (`TOKEN<TAB>TAG`), a blank line after each
sentence, and `-DOCSTART-<TAB>O` then a blank line before each document (one block per
document and annotator).

Tokens are `reader.nlp.tokens`' (whitespace tokens are not written: a line break or a
tab cannot be a token on a line); sentences are `reader.nlp.sentences`'. The tags are
IOB2: `B-LABEL` on a span's first token, `I-LABEL` on the others, `O` outside every span.
Every kind is written, by its label, in the one tag column (`reader export --kind entity`
writes only the entities: NER training data). A token holds one tag, so of spans
that overlap (share a token) the first in text order (the longer on a tie) is written and
the others are reported; a span whose ends fall inside a token is tagged on the tokens it
touches and reported. Labels must be tag-safe (no whitespace); one that is not is refused
before anything is written.

Export only: CoNLL cannot hold the text's exact spacing, the document id, annotators,
notes, targets or holders.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import TextIO

from ..annotate.annotations import Annotation
from ..nlp.sentences import split_sentences
from ..nlp.tokens import Token, tokenize
from . import ExportDocument, FormatError
from .annotators import shares
from .writing import PLAIN, Writing, listed, span_place

DOCSTART = "-DOCSTART-\tO"
LOSS = (
    "CoNLL keeps tokens and labels only: document ids, annotators, notes, targets, holders, "
    "kinds and the text's exact spacing are not in the file"
)


def check_labels(documents: list[ExportDocument]) -> None:
    """FormatError naming the first label a CoNLL tag cannot hold (whitespace in it)."""
    for document in documents:
        for a in document.annotations:
            if not a.label or any(c.isspace() for c in a.label):
                raise FormatError(
                    f"label {a.label!r} (document {document.doc_id[:12]}, {a.start}:{a.end}) "
                    "has whitespace, which a CoNLL tag cannot hold; nothing written"
                )


def tags_of(
    tokens: list[Token], annotations: list[Annotation], overlapping: list[str], off: list[str]
) -> list[str]:
    """One IOB2 tag per token; spans left out (sharing a token with an earlier one) are
    named in `overlapping`, spans not on token boundaries in `off`."""
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    order = sorted(annotations, key=lambda a: (a.start, -a.end, a.kind, a.label))
    for a in order:
        covered = []
        for n in range(_first_at(starts, a.start), len(tokens)):
            if tokens[n].start >= a.end:
                break
            if tokens[n].end > a.start and not tokens[n].is_space:
                covered.append(n)
        place = span_place(a.doc_id, a.start, a.end, a.text)
        if not covered or any(tags[n] != "O" for n in covered):
            overlapping.append(place)
            continue
        if tokens[covered[0]].start != a.start or tokens[covered[-1]].end != a.end:
            off.append(place)
        for position, n in enumerate(covered):
            tags[n] = ("B-" if position == 0 else "I-") + a.label
    return tags


def _first_at(starts: list[int], offset: int) -> int:
    """The first token that could hold `offset` (the last one starting at or before it)."""
    return max(0, bisect_right(starts, offset) - 1)


def _lines(
    document: ExportDocument, annotations: list[Annotation], overlapping: list[str], off: list[str]
) -> Iterable[str]:
    tokens = tokenize(document.text)
    tags = tags_of(tokens, annotations, overlapping, off)
    yield DOCSTART
    yield ""
    sentences = split_sentences(document.text)
    at = 0
    for sentence in sentences:
        wrote = False
        while at < len(tokens) and tokens[at].start < sentence.end:
            token = tokens[at]
            if not token.is_space and token.start >= sentence.start:
                yield f"{token.text}\t{tags[at]}"
                wrote = True
            at += 1
        if wrote:
            yield ""


def write(documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN) -> int:
    """Write every document's block(s); returns the blocks written. Warns about what
    CoNLL cannot hold, overlapping spans and spans not on token boundaries."""
    documents = list(documents)
    check_labels(documents)
    overlapping: list[str] = []
    off: list[str] = []
    count = 0
    for document, spans in shares(documents, how, "block"):
        for line in _lines(document, spans, overlapping, off):
            out.write(line + "\n")
        count += 1
    if count:
        how.warn(LOSS)
    if overlapping:
        what = "overlapping span(s) left out (a token holds one tag)"
        how.warn(listed(len(overlapping), what, overlapping))
    if off:
        how.warn(
            listed(len(off), "span(s) not on token boundaries, tagged on the whole tokens", off)
        )
    return count
