"""Pieces the subcommands share."""

from __future__ import annotations

from collections.abc import Sequence

import click

from ..corpus import Corpus, load_corpus
from ..printable import inert
from ..resources import seeds_dir


def load_paths(paths: Sequence[str]) -> Corpus:
    """Load the given paths (the bundled seeds when none), echoing warnings to stderr."""
    corpus = load_corpus(paths or [seeds_dir()])
    for warning in corpus.warnings:
        click.echo(f"reader: warning: {inert(warning)}", err=True)
    return corpus
