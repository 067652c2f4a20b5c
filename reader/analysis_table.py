"""A readable rich rendering of an analysis, for `reader analyze` without --json.

Every string that came from the file (title, source, entity and quote text, speakers) is
shown inert (control characters as visible escapes) and as plain text, never as markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .corpus import Document
from .nlp.types import Analysis
from .printable import inert


def _plain(text: str) -> Text:
    return Text(inert(text))


def print_analysis(document: Document, analysis: Analysis, console: Console | None = None) -> None:
    console = console or Console()
    console.rule(
        Text.assemble((inert(document.title), "bold"), "  ", (inert(document.source), "dim"))
    )
    console.print(
        Text.assemble(
            "engine ",
            (inert(analysis.engine), "bold"),
            f" · {len(analysis.sentences)} sentences · {len(analysis.entities)} entities · "
            f"{len(analysis.quotes)} quotes",
        )
    )
    entities = Table("offsets", "label", "text", title="Entities", title_justify="left")
    for e in analysis.entities:
        entities.add_row(f"{e.start}-{e.end}", _plain(e.label), _plain(e.text))
    console.print(entities)
    quotes = Table("offsets", "quote", "speaker", title="Quotes", title_justify="left")
    for q in analysis.quotes:
        speaker = Text("—")
        if q.speaker:
            resolved = f" ({q.speaker.resolved})" if q.speaker.resolved else ""
            speaker = _plain(q.speaker.text + resolved)
        quotes.add_row(f"{q.start}-{q.end}", _plain(q.text), speaker)
    console.print(quotes)
