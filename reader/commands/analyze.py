"""`reader analyze`: sentences, entities and quotes with speakers, as JSON or a table."""

from __future__ import annotations

import click

from ..nlp import analyze
from ..printable import inert_json
from .common import load_paths


@click.command("analyze")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per document (JSON Lines)."
)
@click.option("--engine", default=None, help="Analysis engine to use (default: rules).")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def analyze_command(as_json: bool, engine: str | None, paths: tuple[str, ...]) -> None:
    """Analyse articles: print their sentences, named entities and quotes with speakers.

    PATH may be .txt/.md files, folders of them, or .jsonl corpora. Offsets are
    character (Python str) indices into each text exactly as reader loads it.
    """
    corpus = load_paths(paths)
    for document in corpus.documents:
        result = analyze(document.text, engine)
        if as_json:
            click.echo(inert_json(result.to_json(document.source)))
        else:
            from ..analysis_table import print_analysis

            print_analysis(document, result)
