"""Running the real `reader` command line in-process, for tests of what it prints."""

from __future__ import annotations

from click.testing import CliRunner

from reader.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    """`reader ARGS...`: (exit status, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr
