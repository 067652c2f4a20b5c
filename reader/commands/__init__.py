"""One module per `reader` subcommand; `reader.cli` registers them."""

from __future__ import annotations

import click

from ..printable import inert


def warn(message: str) -> None:
    """Print a warning about the input on stderr, as one inert line (file names and text
    in it can drive no terminal)."""
    click.echo(f"reader: warning: {inert(message)}", err=True)
