"""The command line each browser tab runs: `reader serve tab ...` (reading) or
`reader serve review-tab ...` (`reader review`),
with every path made absolute (a tab is its own process, started by the server)."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable, Sequence


def reader_command(arguments: Sequence[str]) -> str:
    """A shell command running this very reader (the same interpreter and package)."""
    return shlex.join([sys.executable, "-m", "reader.cli", *arguments])


def _absolute(path: str) -> str:
    return os.path.abspath(path)


def _option(name: str, value: str | None, path: bool = False) -> list[str]:
    if value is None:
        return []
    return [name, _absolute(value) if path else value]


def reading_tab(
    paths: Iterable[str],
    *,
    db: str | None = None,
    annotator: str | None = None,
    schema: str | None = None,
    engine: str | None = None,
) -> list[str]:
    """The arguments of `reader serve tab`, the reading app of one tab."""
    return [
        "serve",
        "tab",
        *_option("--db", db, path=True),
        *_option("--annotator", annotator),
        *_option("--schema", schema, path=True),
        *_option("--engine", engine),
        "--",
        *(_absolute(p) for p in paths),
    ]


def review_tab(
    sources: Iterable[str],
    *,
    docs: Iterable[str] = (),
    gold: str,
    schema: str | None = None,
) -> list[str]:
    """The arguments of `reader serve review-tab` (`reader review` in a tab)."""
    arguments = ["serve", "review-tab", "--gold", _absolute(gold), *_option("--schema", schema, path=True)]
    for doc in docs:
        arguments += ["--docs", _absolute(doc)]
    return [*arguments, "--", *(_absolute(s) for s in sources)]
