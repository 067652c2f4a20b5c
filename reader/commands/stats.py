"""`reader stats`: how many annotations, of which labels and kinds, by whom, where."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import click

from ..corpus import title_for
from ..formats import RawDocument
from ..printable import inert, inert_json
from .export import collect, stores_option


def compute_stats(
    documents: Sequence[RawDocument], corpus_ids: Sequence[str] | None = None
) -> dict[str, Any]:
    by_label: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_annotator: Counter[str] = Counter()
    docs_by_annotator: dict[str, set[str]] = {}
    per_document = []
    for document in documents:
        for record in document.records:
            by_label[record["label"]] += 1
            by_kind[record["kind"]] += 1
            by_annotator[record["annotator"]] += 1
            docs_by_annotator.setdefault(record["annotator"], set()).add(document.doc_id)
        per_document.append(
            {
                "doc_id": document.doc_id,
                "title": title_for(document.text, document.doc_id[:12], document.meta),
                "annotations": len(document.records),
            }
        )
    annotated = {d.doc_id for d in documents}
    progress: dict[str, Any] = {"documents_annotated": len(annotated)}
    if corpus_ids is not None:
        done = len(annotated & set(corpus_ids))
        progress.update(
            corpus_documents=len(corpus_ids),
            corpus_documents_annotated=done,
            fraction=round(done / len(corpus_ids), 4) if corpus_ids else 0.0,
        )
    progress["by_annotator"] = {n: len(d) for n, d in sorted(docs_by_annotator.items())}
    return {
        "total": sum(by_kind.values()),
        "by_label": dict(by_label.most_common()),
        "by_kind": dict(by_kind.most_common()),
        "by_annotator": dict(by_annotator.most_common()),
        "by_document": per_document,
        "progress": progress,
    }


def print_stats(stats: dict[str, Any]) -> None:
    """The figures as text; labels, annotators and titles (from files) shown inert."""
    click.echo(f"annotations: {stats['total']}")
    for section in ("by_kind", "by_label", "by_annotator"):
        click.echo(f"{section.replace('_', ' ')}:")
        for name, count in stats[section].items():
            click.echo(f"  {inert(str(name)):<24} {count:>7}")
    progress = stats["progress"]
    line = f"documents annotated: {progress['documents_annotated']}"
    if "corpus_documents" in progress:
        line = (
            f"documents annotated: {progress['corpus_documents_annotated']} of "
            f"{progress['corpus_documents']} ({progress['fraction']:.0%})"
        )
    click.echo(line)
    click.echo("by document:")
    for entry in stats["by_document"]:
        doc_id = inert(str(entry["doc_id"])[:12])
        click.echo(f"  {entry['annotations']:>5}  {doc_id}  {inert(entry['title'][:60])}")


@click.command("stats")
@stores_option("Annotation store")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.argument("paths", nargs=-1, type=click.Path())
def stats_command(dbs: tuple[str, ...], as_json: bool, paths: tuple[str, ...]) -> None:
    """Count annotations by label, kind, annotator and document.

    Given article PATHs, progress is measured against them too.
    """
    corpus_ids = None
    if paths:
        from .common import load_paths

        corpus_ids = [d.id for d in load_paths(paths).documents]
    stats = compute_stats(collect(dbs), corpus_ids)
    if as_json:
        click.echo(inert_json(stats, indent=2))
    else:
        print_stats(stats)
