"""`reader agree`: inter-annotator agreement over annotation stores and exports."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..annotate.annotations import KINDS
from ..printable import inert, inert_json
from . import warn

if TYPE_CHECKING:
    from ..agreement.agreement import AgreementReport


@click.command("agree")
@click.argument("sources", nargs=-1, required=True, type=click.Path(), metavar="SOURCE...")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help=(
        "Count only this kind (default: claims and stances together, stance labels as "
        "stance:LABEL). Entities and quotes are counted by word token, not by sentence."
    ),
)
def agree_command(sources: tuple[str, ...], as_json: bool, kind: str | None) -> None:
    """Inter-annotator agreement between the annotators of the SOURCEs.

    A SOURCE is an annotation store (.json), a native, Prodigy or doccano JSONL export,
    or a brat folder. Reports span precision/recall/F1 (exact and overlapping) per pair and
    per label, and, with every sentence (every word token, for entities and quotes) of
    every annotated document as one item, Cohen's
    kappa per pair, Fleiss' kappa and Krippendorff's alpha.
    """
    from ..agreement.agreement import compute_grouped
    from ..agreement.sources import load_sources

    with _collector_paused():
        loaded = load_sources(sources)
        for warning in loaded.warnings:
            warn(warning)
        report = compute_grouped(
            loaded.documents, loaded.annotations, kind=kind, coverage=loaded.coverage
        )
    if as_json:
        click.echo(inert_json(report.to_json()))
    else:
        print_report(report)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: loading and comparing creates millions of
    small objects and no cycles, and the collector's repeated passes over them cost a
    third of the running time (3 x 2,000 documents x 50 annotations)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def print_report(report: AgreementReport) -> None:
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    def shown(text: str) -> str:
        """A name from a file (annotator, label): inert, and not read as markup."""
        return escape(inert(text))

    console = Console()
    left_out = (
        f", {report.documents_left_out} left out (not shared by all, or unlabelled)"
        if report.documents_left_out
        else ""
    )
    console.print(
        f"[bold]{len(report.annotators)} annotators[/bold]: "
        f"{', '.join(shown(a) for a in report.annotators)}; "
        f"kind: {report.kind or 'claim and stance'}; "
        f"{report.documents} document(s) compared{left_out}"
    )
    console.print(
        f"{report.items} {report.unit}s: Krippendorff's alpha [bold]{report.alpha:.3f}[/bold], "
        f"Fleiss' kappa [bold]{report.fleiss_kappa:.3f}[/bold], "
        f"observed {report.observed:.3f}"
    )

    def table(title: str, left: int, *first: str) -> Table:
        grid = Table(
            title=title,
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
            title_justify="left",
        )
        for name in first:
            grid.add_column(name, no_wrap=True, justify="left" if name in first[:left] else "right")
        for name in ("exact\nP", "exact\nR", "exact\nF1", "overlap\nP", "overlap\nR"):
            grid.add_column(name, justify="right")
        grid.add_column("overlap\nF1", justify="right")
        return grid

    pairs = table(
        "Pairs (a is the reference for span precision and recall)",
        2,
        "a",
        "b",
        "Cohen's\nkappa",
        "observed",
    )
    for p in report.pairs:
        pairs.add_row(
            shown(p.a),
            shown(p.b),
            f"{p.cohen_kappa:.3f}",
            f"{p.observed:.3f}",
            *(f"{v:.3f}" for v in (p.exact.precision, p.exact.recall, p.exact.f1)),
            *(f"{v:.3f}" for v in (p.overlap.precision, p.overlap.recall, p.overlap.f1)),
        )
    console.print(pairs)
    labels = table(
        "Labels (spans; P/R/F1 pooled over pairs)",
        1,
        "label",
        *(shown(a) for a in report.annotators),
    )
    for label, r in report.per_label.items():
        labels.add_row(
            shown(label),
            *(str(r.annotations.get(c, 0)) for c in report.annotators),
            *(f"{v:.3f}" for v in (r.exact.precision, r.exact.recall, r.exact.f1)),
            *(f"{v:.3f}" for v in (r.overlap.precision, r.overlap.recall, r.overlap.f1)),
        )
    console.print(labels)
