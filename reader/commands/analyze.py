"""`reader analyze`: sentences, entities and quotes with speakers, as JSON or a table.

The table is a readable rich rendering: every string that came from the file (title,
source, entity and quote text, speakers) is shown inert (control characters as visible
escapes) and as plain text, never as markup. Rich is imported only when a table is printed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

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
@click.option(
    "--engine",
    default=None,
    help="Analysis engine: model (the default, a trained entity model), rules or nltk.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Documents analysed at once, in parallel processes (default: all cores).",
)
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS",
    help="Analyse on an existing Dask cluster (needs: pip install 'reader[dask]').",
)
@click.option(
    "--db",
    default=None,
    type=click.Path(dir_okay=False),
    help="With --json: score claims with this store's learned model (default: the shipped one).",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def analyze_command(
    as_json: bool,
    engine: str | None,
    jobs: int | None,
    dask_address: str | None,
    db: str | None,
    paths: tuple[str, ...],
) -> None:
    """Analyze articles: print their sentences, named entities and quotes with speakers.

    PATH may be .txt/.md files, folders of them, or .jsonl corpora. Offsets are
    character (Python str) indices into each text exactly as reader loads it. Results
    come in the order of the documents, however many processes compute them; a progress
    bar shows on a terminal (on stderr, and not when stderr is piped). With --json,
    `claims` scores each sentence: the probability that it is a check-worthy factual
    claim (0.5 or more is suggested).
    """
    from ..nlp.batch import analyze_on_dask, analyze_parallel

    corpus = load_paths(paths)
    score = _claim_scorer(db) if as_json else None
    documents = corpus.documents
    texts = [d.text for d in documents]
    if dask_address:
        results = analyze_on_dask(texts, dask_address, engine)
    else:
        results = analyze_parallel(texts, engine, jobs)
    for document, result in zip(documents, _with_progress(results, len(texts)), strict=True):
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


def _with_progress(results: Iterator[Analysis], total: int) -> Iterator[Analysis]:
    """`results` as they come, counted on a rich progress bar when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty():  # piped: rich is not even imported
        yield from results
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield from results
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("analyzing", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("analyzing", total=total)
        for result in results:
            yield result
            progress.advance(task)


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
