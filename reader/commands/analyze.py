"""`reader analyze`: sentences, entities and quotes with speakers, as JSON or a table.

The table is a readable rich rendering: every string that came from the file (title,
source, entity and quote text, speakers) is shown inert (control characters as visible
escapes) and as plain text, never as markup. Rich is imported only when a table is printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..nlp import analyze
from ..printable import inert, inert_json
from .common import load_paths

if TYPE_CHECKING:
    from rich.console import Console

    from ..corpus import Document
    from ..nlp.types import Analysis


@click.command("analyze")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per document (JSON Lines)."
)
@click.option("--engine", default=None, help="Analysis engine to use (default: rules).")
@click.option(
    "--db",
    default=None,
    type=click.Path(dir_okay=False),
    help="With --json: score claims with this store's learned model (default: the shipped one).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def analyze_command(
    as_json: bool, engine: str | None, db: str | None, paths: tuple[str, ...]
) -> None:
    """Analyse articles: print their sentences, named entities and quotes with speakers.

    PATH may be .txt/.md files, folders of them, or .jsonl corpora. Offsets are
    character (Python str) indices into each text exactly as reader loads it. With
    --json, `claims` scores each sentence: the probability that it is a check-worthy
    factual claim (0.5 or more is suggested).
    """
    corpus = load_paths(paths)
    score = _claim_scorer(db) if as_json else None
    for document in corpus.documents:
        result = analyze(document.text, engine)
        if as_json:
            click.echo(inert_json(_with_claims(result.to_json(document.source), document, score)))
        else:
            print_analysis(document, result)


def _claim_scorer(db: str | None) -> Any:
    from ..claims.scoring import scorer_for

    return scorer_for(db)


def _with_claims(payload: dict[str, Any], document: Document, score: Any) -> dict[str, Any]:
    """The analysis JSON with its `claims` list (issue 14)."""
    from ..claims.scoring import claim_scores

    spans = [(s["start"], s["end"]) for s in payload["sentences"]]
    payload["claims"] = claim_scores(document.text, spans, score)
    return payload


def print_analysis(document: Document, analysis: Analysis, console: Console | None = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def _plain(text: str) -> Text:
        return Text(inert(text))

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
