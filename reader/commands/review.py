"""`reader review`: compare annotators' spans, adjudicate them into a gold store."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ReaderError
from ..printable import inert
from . import warn


class GoldStoreError(ReaderError):
    """The gold store asked for cannot be used."""


@click.command("review")
@click.argument("sources", nargs=-1, required=True, type=click.Path(), metavar="SOURCE...")
@click.option(
    "--docs",
    multiple=True,
    type=click.Path(),
    metavar="PATH",
    help="Articles (files, folders, .jsonl) holding the texts of SOURCEs that give only ids.",
)
@click.option(
    "--gold",
    type=click.Path(),
    default=None,
    metavar="STORE",
    help="The gold store to adjudicate into (default: annotations/gold.json in the data folder).",
)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(),
    default=None,
    metavar="FILE",
    help="Label schema (TOML) for the label keys (default: the bundled schema).",
)
def review_command(
    sources: tuple[str, ...], docs: tuple[str, ...], gold: str | None, schema_path: str | None
) -> None:
    """Review where annotators disagree and adjudicate into a gold store.

    A SOURCE is an annotation store (.json) or a native, Prodigy or doccano JSONL export
    (or a brat folder). Every annotator's spans are shown at once, each in their colour;
    n/N walk through the disagreements, ! @ # ... accept annotator 1, 2, 3...'s version,
    m the majority, r rejects all, a label key puts that label in gold; ? lists every
    key. What every annotator marked alike is copied to gold as it is. Decisions are
    saved at once; rejections and reviewer notes go to GOLD.review.json beside the
    gold store (annotator `gold`), an ordinary store: `reader export --db GOLD`.
    """
    from ..annotate.schema import load_schema
    from ..config import resolve_db_path
    from ..review.loading import GOLD, load_review_input
    from ..review.workspace import Review, open_gold

    schema = load_schema(schema_path)
    gold_path = resolve_db_path(gold, GOLD)
    loaded = load_review_input(sources, docs, schema)
    _check_gold(gold_path, loaded.sources)
    for warning in loaded.warnings:
        warn(warning)
    store = open_gold(gold_path)
    try:
        review = Review(loaded, store, schema)
        review.disagreements(review.doc_ids[0])  # a damaged first document fails here
        from ..ui.review_app import make_review_app

        make_review_app(review).run()
    finally:
        store.close()


def _check_gold(gold_path: Path, sources: list) -> None:
    """The gold store may be a SOURCE (its texts help), but never an annotator's store:
    adjudicated spans would be mixed into theirs."""
    for source in sources:
        same = gold_path.exists() and source.path.exists() and source.path.samefile(gold_path)
        if same and not source.gold_only:
            raise GoldStoreError(
                f"{inert(str(gold_path))}: this is an annotator's store, not a gold store; "
                "name another file with --gold"
            )
