"""One annotator's share of an export: formats with no annotator field (brat, doccano)
write each annotator's annotations apart, in a file or folder named after them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..annotate.annotations import Annotation
from ..config import safe_file_name
from ..printable import inert
from . import ExportDocument, FormatError
from .writing import Writing


def annotations_by_annotator(annotations: Iterable[Annotation]) -> dict[str, list[Annotation]]:
    """annotator -> their annotations, in the order given (first seen annotator first)."""
    groups: dict[str, list[Annotation]] = {}
    for a in annotations:
        groups.setdefault(a.annotator, []).append(a)
    return groups


def by_annotator(documents: Iterable[ExportDocument]) -> dict[str, list[ExportDocument]]:
    """annotator -> their documents, each with only their annotations (first seen first)."""
    groups: dict[str, list[ExportDocument]] = {}
    for document in documents:
        for name, theirs in annotations_by_annotator(document.annotations).items():
            groups.setdefault(name, []).append(
                ExportDocument(document.doc_id, document.text, document.meta, theirs)
            )
    return groups


def shares(
    documents: Iterable[ExportDocument], how: Writing, piece: str
) -> Iterator[tuple[ExportDocument, list[Annotation]]]:
    """Each document with one annotator's annotations of it, annotator by annotator, for
    a format that writes a document once per annotator and cannot say whose each `piece`
    (a block, a line) is: `how.advance()` after each document, and a warning at the end
    when there were several annotators."""
    annotators: set[str] = set()
    for document in documents:
        by_annotator = annotations_by_annotator(document.annotations)
        annotators.update(by_annotator)
        for theirs in by_annotator.values():
            yield document, theirs
        how.advance()
    if len(annotators) > 1:
        how.warn(
            f"{len(annotators)} annotators: each document is written once per annotator, "
            f"and the file does not say whose each {piece} is"
        )


def file_names(annotators: Iterable[str]) -> dict[str, str]:
    """annotator -> a file name for their share (`config.safe_file_name`); FormatError
    when two annotators would share one."""
    seen: dict[str, str] = {}
    for annotator in annotators:
        name = safe_file_name(annotator)
        if name in seen:
            raise FormatError(
                f"annotators {inert(seen[name])} and {inert(annotator)} would share the "
                f"export name {inert(name)}; export them one at a time with --db"
            )
        seen[name] = annotator
    return {annotator: name for name, annotator in seen.items()}
