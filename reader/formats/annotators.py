"""One annotator's share of an export: formats with no annotator field (brat, doccano)
write each annotator's annotations apart, in a file or folder named after them."""

from __future__ import annotations

from collections.abc import Iterable

from ..annotate.annotations import Annotation
from ..config import safe_file_name
from ..printable import inert
from . import ExportDocument, FormatError


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


def several_annotators(count: int, piece: str) -> str:
    """The warning of a format that writes a document once per annotator (`piece`: what
    it writes a document as: a block, a line) and cannot say whose each is."""
    return (
        f"{count} annotators: each document is written once per annotator, and the file "
        f"does not say whose each {piece} is"
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
