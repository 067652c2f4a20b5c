"""`reader [PATH]...`: open the reading app."""

from __future__ import annotations

import click

from .common import load_paths


@click.command("open")
@click.option("--engine", default=None, help="Analysis engine for the highlights (default: rules).")
@click.argument("paths", nargs=-1, type=click.Path())
def open_command(engine: str | None, paths: tuple[str, ...]) -> None:
    """Open articles in the reading app (the bundled sample when no PATH is given)."""
    corpus = load_paths(paths)
    from ..app import make_app

    make_app(corpus, engine=engine).run()
