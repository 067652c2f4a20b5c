"""The `reader` command line. Every user error becomes one line on stderr and exit status 2.

The edge is here: a `ReaderError` from any command, a usage error (an unknown option, a
missing argument) and an `OSError` naming a file are each printed as one inert line
(`reader: error: ...`, control characters from file names shown as escapes) with exit
status 2, never a traceback. Output piped into a program that stops reading (`| head`)
ends quietly.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from . import __version__
from .errors import ReaderError
from .printable import inert

# Words that are not a path to open: the group's own help and version flags.
_GROUP_FLAGS = {"--help", "-h", "--version"}


class CliError(click.ClickException):
    """A user error: printed as one line, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"reader: error: {inert(self.format_message())}", err=True)


class ReaderGroup(click.Group):
    """`reader PATH...` opens the app; `reader COMMAND ...` runs a subcommand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in LAZY_COMMANDS:
            return None
        module_name, attribute = LAZY_COMMANDS[name].split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in LAZY_COMMANDS and args[0] not in _GROUP_FLAGS):
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReaderError as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE or exc.filename is None:
                raise
            raise CliError(_os_error_message(exc)) from None

    def main(  # type: ignore[override]  # no standalone_mode: errors are always one line
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        """Click's main, with every error it would print as several lines (usage errors
        print the usage first) printed as one line instead."""
        extra.pop("standalone_mode", None)
        try:
            result = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            _fail(_usage_message(exc, args), exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.exceptions.Abort:  # Ctrl+C at a prompt or while running
            click.echo(err=True)
            sys.exit(130)
        except BrokenPipeError:
            _stdout_gone()
        sys.exit(result if isinstance(result, int) else 0)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        open_command = self.get_command(ctx, "open")
        assert open_command is not None
        with click.Context(open_command, info_name="reader", parent=None) as open_ctx:
            formatter.write_paragraph()
            formatter.write_text(
                "Opening articles (`reader [OPTIONS] [PATH]...`, same as `reader open`):"
            )
            open_command.format_options(open_ctx, formatter)


@click.group(cls=ReaderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reader")
def cli() -> None:
    """Read news articles with their entities and quotes highlighted, and annotate them.

    \b
    reader                  open the bundled sample article
    reader PATH...          open .txt/.md files, folders of them, or .jsonl corpora
    reader analyze PATH...  print sentences, entities and quotes (add --json for JSON)
    """


# name -> "module:attribute"; a command's module is imported only when it runs (or for
# --help), so opening the app does not pay for the store, formats or agreement code.
LAZY_COMMANDS = {
    "open": "reader.commands.open_app:open_command",
    "analyze": "reader.commands.analyze:analyze_command",
    "agree": "reader.commands.agree:agree_command",
    "review": "reader.commands.review:review_command",
    "export": "reader.commands.export:export_command",
    "import": "reader.commands.import_:import_command",
    "stats": "reader.commands.stats:stats_command",
    "suggest-stats": "reader.commands.suggest_stats:suggest_stats_command",
    "models": "reader.commands.models:models_command",
    "share": "reader.commands.share:share_command",
    "serve": "reader.commands.serve:serve_command",
}


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"reader: error: {inert(message)}", err=True)
    sys.exit(code)


def _usage_message(exc: click.UsageError, args: Sequence[str] | None) -> str:
    """The usage error, and where to read the usage (`reader analyze --help`)."""
    if exc.ctx is not None:
        command = exc.ctx.command_path
    else:  # raised while parsing, before a context had its name
        words = list(sys.argv[1:] if args is None else args)
        command = f"reader {words[0]}" if words and words[0] in LAZY_COMMANDS else "reader"
    command = command.removesuffix(" open")
    return f"{exc.format_message().rstrip('.')}; see `{command} --help`"


def _os_error_message(exc: OSError) -> str:
    """`path: what went wrong`, as an OSError that names a file says it."""
    what = exc.strerror or str(exc)
    return f"{exc.filename}: {what[:1].lower()}{what[1:]}"


def _stdout_gone() -> NoReturn:
    """The reader of our output went away: stop quietly (and let Python's last flush of
    stdout go nowhere instead of printing another error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="reader")
    except BrokenPipeError:
        _stdout_gone()


if __name__ == "__main__":  # pragma: no cover
    main()
