"""`reader analyze`: sentences, entities and quotes with speakers, as JSON or a table.

The table is a readable rich rendering: every string that came from the file (title,
source, entity and quote text, speakers) is shown inert (control characters as visible
escapes) and as plain text, never as markup. Rich is imported only when a table is printed.
"""

from __future__ import annotations

import functools
import os
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
    from ..nlp.batch import analyze_text, map_on_dask, map_parallel
    from ..nlp.pipeline import get_engine

    corpus = load_paths(paths)
    get_engine(engine)  # an unknown engine or missing data fails here, in one line
    store = _store_version(db)
    if as_json:
        _claim_scorer(store)  # so does a --db that names no store
    documents = corpus.documents
    fn: Any = document_json if as_json else analyze_text
    calls = [(d.text, d.source, engine, store) if as_json else (d.text, engine) for d in documents]
    if dask_address:
        results = map_on_dask(fn, calls, dask_address)
    else:
        results = map_parallel(fn, calls, jobs)
    for document, result in zip(documents, _with_progress(results, len(calls)), strict=True):
        if as_json:
            click.echo(result)
        else:
            print_analysis(document, result)


def document_json(text: str, source: str, engine: str | None, store: tuple[str, str] | None) -> str:
    """The `--json` line of one document: its analysis and its claims' scores (issue 14),
    by the shipped model or the store `(path, version)` (see `_store_version`); a pure
    function of its arguments, run wherever the documents are analysed."""
    from ..claims.scoring import claim_scores
    from ..nlp.batch import analyze_text

    payload = analyze_text(text, engine).to_json(source)
    spans = [(s["start"], s["end"]) for s in payload["sentences"]]
    payload["claims"] = claim_scores(text, spans, _claim_scorer(store))
    return inert_json(payload)


def _store_version(db: str | None) -> tuple[str, str] | None:
    """`db` and a token of this command: a process that keeps a store's scorer (a pool or
    Dask worker, or this one, for tests) reads the store again for each command."""
    return None if db is None else (db, os.urandom(8).hex())  # secrets' token_hex, unimported


@functools.lru_cache(maxsize=4)
def _claim_scorer(store: tuple[str, str] | None) -> Any:
    from ..claims.scoring import scorer_for

    return scorer_for(store and store[0])


def _with_progress(results: Iterator[Any], total: int) -> Iterator[Any]:
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
