"""The doccano export (one annotator a file, overlaps reported) and the warnings of the
exports to formats that cannot hold everything reader keeps: helpers of `reader export`."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from ..formats import ExportDocument, FormatError, RawDocument, progress
from ..formats.offsets import CODEPOINT
from ..formats.writing import Writing
from ..printable import inert
from .export import atomic_output, guard_target

DOCCANO_FORMATS = ("doccano", "doccano-entities")


def export_doccano(
    documents: list[RawDocument],
    fmt: str,
    output: str | None,
    split: bool = False,
    no_overlap: bool = False,
    offsets: str = CODEPOINT,
) -> int:
    """doccano JSONL, one annotator a file: refused for several annotators unless `split`
    (`-o DIR` then gets `DIR/<annotator>.jsonl`); overlapping spans, which doccano's
    default project does not hold, are reported on stderr before anything is written
    (`no_overlap` drops all but the longest of each overlap and lists what it dropped).
    Offsets are `str` indices, or UTF-16 code units with `offsets="utf16"`."""
    from ..formats import relations
    from ..formats.annotators import by_annotator, file_names

    groups = by_annotator(d.to_document() for d in documents if d.text)
    if len(groups) > 1 and not split:
        who = ", ".join(inert(n) for n in list(groups)[:5]) + (" ..." if len(groups) > 5 else "")
        raise FormatError(
            f"{len(groups)} annotators ({who}): doccano has no annotator field, so their "
            "labels would mix in one file; export one store with --db, or give --split "
            "-o DIR for a file per annotator (DIR/<annotator>.jsonl)"
        )
    if split and not output:
        raise FormatError("--split writes a file per annotator: name their folder with -o DIR")
    names = file_names(groups)
    unheld = sum(
        bool(a.note or a.target or a.holder)
        for group in groups.values()
        for d in group
        for a in d.annotations
    )
    if unheld:
        click.echo(
            f"reader: warning: {unheld} annotation(s) have a note, target or holder, which "
            "doccano cannot hold: the export has their spans and labels only",
            err=True,
        )
    entities = fmt == "doccano-entities"
    if entities:  # the relation shape: speakers are relations
        for group in groups.values():
            for d in group:
                relations.check_speaker_labels(d.annotations)
    for annotator, group in groups.items():
        if no_overlap:
            groups[annotator] = _drop_overlaps(annotator, group, entities)
        else:
            _report_overlaps(annotator, group, entities)
    if not split:
        group = next(iter(groups.values()), [])
        return _write_jsonl(output, partial(_doccano, group, entities, offsets), len(group))
    folder = Path(output or ".")
    if folder.exists() and not folder.is_dir():
        raise FormatError(
            f"{inert(str(folder))}: not a folder (--split writes one file per annotator)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormatError(f"{inert(str(folder))}: cannot write ({exc.strerror or exc})") from None
    return sum(
        _write_jsonl(
            str(folder / f"{names[annotator]}.jsonl"),
            partial(_doccano, group, entities, offsets),
            len(group),
        )
        for annotator, group in groups.items()
    )


def _doccano(
    group: list[ExportDocument], entities: bool, offsets: str, out: Any, advance: Any
) -> int:
    from ..formats import doccano

    return doccano.write(group, out, Writing(advance, offsets=offsets), entities)


def _drop_overlaps(
    annotator: str, group: list[ExportDocument], entities: bool
) -> list[ExportDocument]:
    """`group` with only the longest of each overlap, each dropped span listed on stderr
    (`entities`: the relation shape, whose speakers' own spans count too)."""
    from ..formats import doccano

    kept = []
    for document in group:
        without, dropped = doccano.without_overlaps(document, entities)
        kept.append(without)
        for a in dropped:
            words = document.text[a.start : a.end][:40]
            said = " (a quote's speaker: the quote is kept without it)" if a.speaks else ""
            click.echo(
                f"reader: warning: --no-overlap dropped {inert(annotator)}'s {inert(a.label)} "
                f"at {a.start}:{a.end} ('{inert(words)}') in {document.doc_id[:16]}{said}",
                err=True,
            )
    return kept


def _report_overlaps(annotator: str, group: list[ExportDocument], entities: bool) -> None:
    """A warning naming the overlapping spans of `group`'s lines (the first ten), if any
    (`entities`: the relation shape, whose speakers' own spans count too)."""
    from ..formats import doccano

    pairs = [(d, a, b) for d in group for a, b in doccano.overlaps(d, entities)]
    if not pairs:
        return
    shown = "; ".join(
        f"{d.doc_id[:16]} {a.start}:{a.end} {inert(a.label)} / {b.start}:{b.end} {inert(b.label)}"
        for d, a, b in pairs[:10]
    )
    more = f" (and {len(pairs) - 10} more)" if len(pairs) > 10 else ""
    click.echo(
        f"reader: warning: {inert(annotator)}'s export has {len(pairs)} overlapping pair(s) "
        "of spans, which a doccano project keeps only when it allows overlapping spans "
        f"(--no-overlap keeps the longest): {shown}{more}",
        err=True,
    )


def _write_jsonl(
    output: str | None, write: Callable[[Any, Callable[..., Any]], int], total: int
) -> int:
    """`write(out, advance)` to `output` (atomically) or to stdout when None."""
    if output is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
        with progress(total, "Exporting", enabled=show) as advance:
            return write(sys.stdout, advance)
    guard_target(output)
    with atomic_output(output) as out, progress(total, "Exporting") as advance:
        return write(out, advance)


def warn_kinds_lost(documents: list[ExportDocument]) -> None:
    """Warn about annotations whose kind brat cannot carry: an import gives each label
    its kind in the label schema (`claim` when it is not there), which for these is not
    the kind they have."""
    from ..annotate.schema import load_schema

    kinds = {label.name: label.kind for label in load_schema(None).labels}
    lost = Counter(
        (a.label, a.kind)
        for d in documents
        for a in d.annotations
        if kinds.get(a.label, "claim") != a.kind
    )
    if lost:
        shown = ", ".join(f"{count} {inert(label)} {kind}" for (label, kind), count in lost.items())
        click.echo(
            f"reader: warning: brat has no place for an annotation's kind, and the label "
            f"schema gives these labels another one, so an import reads them otherwise "
            f"(--schema or --label-kind LABEL=KIND on import gives them back): {shown}",
            err=True,
        )
