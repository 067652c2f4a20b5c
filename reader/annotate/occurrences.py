"""Label every occurrence: the same text, as whole words and case-sensitively, elsewhere
in a document or a corpus, given the label of one annotation (one undo step for all).

`occurrences` and `unlabelled_occurrences` are pure; `label_every_occurrence` makes the
annotations through a session, inside one `session.batch`, so `u` takes back all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .annotations import Annotation
from .session import AnnotationSession, DocumentLike


def occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Every `(start, end)` of `phrase` in `text` as whole words, case-sensitive, left to
    right and not overlapping: an edge of `phrase` that is a word character may not touch
    another word character (`port` is not in `ports` nor in `airport`; `U.S.` is in
    `the U.S. economy`). Offsets index `text` as given (Python str indices)."""
    if not phrase:
        return []
    pattern = re.escape(phrase)
    if re.match(r"\w", phrase[0]):
        pattern = r"(?<!\w)" + pattern
    if re.match(r"\w", phrase[-1]):
        pattern += r"(?!\w)"
    return [match.span() for match in re.finditer(pattern, text)]


def carries(annotation: Annotation, existing: Iterable[Annotation], start: int, end: int) -> bool:
    """Whether `existing` has an annotation of exactly `start:end` with `annotation`'s kind
    and label (and, for a stance, its target)."""
    return any(
        (other.start, other.end, other.kind, other.label)
        == (start, end, annotation.kind, annotation.label)
        and (annotation.kind != "stance" or other.target == annotation.target)
        for other in existing
    )


def unlabelled_occurrences(
    annotation: Annotation, text: str, existing: Sequence[Annotation]
) -> list[tuple[int, int]]:
    """The occurrences of `annotation.text` in `text` (a document's text, with its
    `existing` annotations) that do not yet carry `annotation`'s label."""
    return [
        (start, end)
        for start, end in occurrences(text, annotation.text)
        if not carries(annotation, existing, start, end)
    ]


@dataclass(frozen=True)
class Labelled:
    """What `label_every_occurrence` did: how many annotations, in how many documents."""

    count: int
    documents: int


def label_every_occurrence(
    session: AnnotationSession, annotation: Annotation, documents: Iterable[DocumentLike]
) -> Labelled:
    """Give every occurrence of `annotation.text` in `documents` (each text once) that
    does not carry `annotation`'s label that label, as a label key would (a claim
    annotation of the same group on that span is relabelled; a stance keeps its target
    and holder), all in one undo step. Returns how many and in how many documents."""
    count = 0
    touched = 0
    seen: set[str] = set()
    with session.batch(f"{annotation.label} on every {annotation.text[:30]!r}"):
        for document in documents:
            if document.id in seen:
                continue
            seen.add(document.id)
            spans = unlabelled_occurrences(
                annotation, document.text, session.annotations(document.id)
            )
            for start, end in spans:
                if annotation.kind == "stance":
                    session.apply_stance(
                        document, start, end, annotation.label, annotation.target, annotation.holder
                    )
                else:
                    session.apply_label(
                        document, start, end, annotation.label, kind=annotation.kind
                    )
            count += len(spans)
            touched += bool(spans)
    return Labelled(count, touched)
