"""The `reader` command line. Every user error becomes one line on stderr and exit status 2."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from . import __version__
from .errors import ReaderError

# Words that are not a path to open: the group's own help and version flags.
_GROUP_FLAGS = {"--help", "-h", "--version"}


class CliError(click.ClickException):
    """A user error: printed as one line, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"reader: error: {self.format_message()}", err=True)


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
    "models": "reader.commands.models:models_command",
}


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="reader")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
