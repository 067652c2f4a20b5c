"""A readable rich rendering of an analysis, for `reader analyze` without --json."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .corpus import Document
from .nlp.types import Analysis


def print_analysis(document: Document, analysis: Analysis, console: Console | None = None) -> None:
    console = console or Console()
    console.rule(f"[bold]{document.title}[/]  [dim]{document.source}[/]")
    console.print(
        f"engine [bold]{analysis.engine}[/] · {len(analysis.sentences)} sentences · "
        f"{len(analysis.entities)} entities · {len(analysis.quotes)} quotes"
    )
    entities = Table("offsets", "label", "text", title="Entities", title_justify="left")
    for e in analysis.entities:
        entities.add_row(f"{e.start}-{e.end}", e.label, e.text)
    console.print(entities)
    quotes = Table("offsets", "quote", "speaker", title="Quotes", title_justify="left")
    for q in analysis.quotes:
        speaker = "—"
        if q.speaker:
            speaker = q.speaker.text + (f" ({q.speaker.resolved})" if q.speaker.resolved else "")
        quotes.add_row(f"{q.start}-{q.end}", q.text, speaker)
    console.print(quotes)
