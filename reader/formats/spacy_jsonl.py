"""spaCy's classic NER training data as JSONL (`--format spacy`), export only: one line
per document and annotator,

    {"text": "Maria Costa spoke in Lisbon.", "entities": [[0, 11, "PERSON"], [21, 27, "GPE"]]}

Offsets are `str` indices, as spaCy's `Doc.char_span` takes them, and are never moved:
a span that spaCy could not make (`Doc.char_span` gives None: it starts or ends inside one
of spaCy's tokens) is left out and named on stderr, one line each, and so is a span that
overlaps an earlier one (a token is in one entity at the most: the first in text order is
kept, the longer on a tie). The token boundaries are those of `spacy.blank("en")` when
spaCy is installed, else reader's own tokens (`reader.nlp.tokens`), which the export then
says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TextIO

from ..annotate.annotations import Annotation
from ..nlp.tokens import tokenize
from . import ExportDocument
from .annotators import shares
from .prodigy import token_bounds
from .writing import PLAIN, Writing, span_place

OnTokens = Callable[[int, int], bool]
NO_SPACY = (
    "spaCy is not installed here: spans were checked against reader's tokens, not "
    'spacy.blank("en")\'s; check the file with spaCy before training'
)
LOSS = "spaCy's format keeps text, spans and labels only: ids, annotators, kinds and notes are not in the file"


def spacy_boundaries() -> Callable[[str], OnTokens] | None:
    """`text -> (start, end) -> whether spaCy makes a span of it`, with the tokenizer of
    `spacy.blank("en")` (no model, nothing downloaded); None when spaCy is not installed."""
    try:
        import spacy
    except ImportError:
        return None
    nlp = spacy.blank("en")

    def on(text: str) -> OnTokens:
        doc = nlp.make_doc(text)
        return lambda start, end: doc.char_span(start, end) is not None

    return on


def reader_boundaries(text: str) -> OnTokens:
    """Whether a span starts and ends on reader's own token boundaries."""
    starts, ends = token_bounds(tokenize(text))
    return lambda start, end: start in starts and end in ends


def entities_of(
    annotations: list[Annotation], on_tokens: OnTokens, left_out: Callable[[Annotation, str], None]
) -> list[list[int | str]]:
    """`[start, end, label]` of the annotations spaCy can take, in text order; each other
    one goes to `left_out` with the reason."""
    kept: list[list[int | str]] = []
    end_of_kept = 0
    for a in sorted(annotations, key=lambda a: (a.start, -a.end, a.label)):
        if not on_tokens(a.start, a.end):
            left_out(a, "not on spaCy token boundaries (Doc.char_span gives None)")
        elif kept and a.start < end_of_kept:
            left_out(a, "overlaps an earlier entity (a token is in one entity at the most)")
        else:
            kept.append([a.start, a.end, a.label])
            end_of_kept = a.end
    return kept


def write(documents: Iterable[ExportDocument], out: TextIO, how: Writing = PLAIN) -> int:
    """One line per document and annotator; returns the lines written."""
    boundaries = spacy_boundaries()
    if boundaries is None:
        how.warn(NO_SPACY)

    def left_out(a: Annotation, why: str) -> None:
        how.warn(f"spaCy export left out {span_place(a.doc_id, a.start, a.end, a.text)}: {why}")

    count = 0
    for document, spans in shares(documents, how, "line"):
        on_tokens = (boundaries or reader_boundaries)(document.text)
        line = {"text": document.text, "entities": entities_of(spans, on_tokens, left_out)}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    if count:
        how.warn(LOSS)
    return count
