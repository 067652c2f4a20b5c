"""`reader serve`: the reading app (or `reader serve review`: the review app) in a browser.

Each browser tab is its own app process, started by textual-serve with the command line
of `reader.serving.tabs`: `reader serve tab ...` for reading, `reader review ...` for
review. Everything a tab would refuse (a bad schema, a missing file, another annotator's
`--db`) is checked here first, so it is one line at start-up instead of a dead page.

Stores: with `--annotator`, every tab annotates into that annotator's store (the terminal
app's: `--db`, else the data folder's), the first tab writes and the others are read-only
(the store's lock). Without it, each tab asks for a name first and opens that name's own
store: `<name>.json` in the folder of `--db` when given, else in the data folder, exactly
where `reader --annotator NAME` keeps it, so `reader export`, `stats` and `agree` find it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import load_paths

if TYPE_CHECKING:
    from ..annotate.schema import Schema
    from ..annotate.session import AnnotationSession

SERVER_OPTIONS_WITH_VALUE = {"--host", "--port", "--token", "--db", "--annotator", "--schema",
                             "--engine", "--docs", "--gold"}


class ServeGroup(click.Group):
    """`reader serve [PATH]...` serves the reading app; `reader serve review SOURCE...`
    the review app (the word may come after the server's options)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in ("-h", "--help"):
            return super().parse_args(ctx, args)
        first = _first_word(args)
        if first is not None and args[first] in self.commands:
            args = [args[first], *args[:first], *args[first + 1 :]]
        else:
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The group's help, then the options of both apps (what `serve --help` is for)."""
        super().format_help(ctx, formatter)
        for name, heading in (
            ("open", "Serving the reading app (`reader serve [OPTIONS] [PATH]...`):"),
            ("review", "Serving the review app (`reader serve review [OPTIONS] SOURCE...`):"),
        ):
            command = self.commands[name]
            with click.Context(command, info_name=name, parent=ctx) as sub:
                formatter.write_paragraph()
                formatter.write_text(heading)
                command.format_options(sub, formatter)


def _first_word(args: list[str]) -> int | None:
    """Where the first argument that is not an option (or an option's value) is."""
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            return None
        if not word.startswith("-"):
            return index
        index += 2 if word in SERVER_OPTIONS_WITH_VALUE else 1
    return None


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--token",
        default=None,
        metavar="SECRET",
        help="A secret every page must give before an app starts (required with a "
        "non-local --host); the printed URL carries it.",
    )(command)
    command = click.option(
        "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
        help="Port to listen on (0: any free port).",
    )(command)
    command = click.option(
        "--host", default="127.0.0.1", show_default=True,
        help="Address to listen on; anything but a loopback address needs --token.",
    )(command)
    return command


@click.group("serve", cls=ServeGroup, context_settings={"help_option_names": ["-h", "--help"]})
def serve_command() -> None:
    """Serve reader as a web page: `reader serve [PATH]...` (the reading app) or
    `reader serve review SOURCE...` (the review app). Each browser tab runs its own app
    process; with no --annotator, each tab asks for a name and opens that name's store."""


@dataclass(frozen=True)
class TabOptions:
    """What a reading tab opens: `serve open` checks it, then every tab's `serve tab` is
    given it again, word for word (`reader.serving.tabs.reading_tab` writes that line)."""

    engine: str | None
    db: str | None
    annotator: str | None
    schema_path: str | None
    paths: tuple[str, ...]


def tab_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of a `TabOptions`, given to `command` as one (its first argument)."""

    @functools.wraps(command)
    def with_tab(**given: Any) -> None:
        command(TabOptions(**{f.name: given.pop(f.name) for f in fields(TabOptions)}), **given)

    for option in reversed(_TAB_PARAMETERS):
        with_tab = option(with_tab)
    return with_tab


_TAB_PARAMETERS = [
    click.option(
        "--engine", default=None, help="Analysis engine for the highlights (default: rules)."
    ),
    click.option(
        "--db", default=None, type=click.Path(dir_okay=False),
        help="With --annotator: that annotator's store. Without: each name a page is given "
        "gets <name>.json in this file's folder.",
    ),
    click.option(
        "--annotator", default=None,
        help="Who annotates in every tab. Unset: each tab asks for a name and opens that "
        "name's own store (in the data folder, or beside --db).",
    ),
    click.option(
        "--schema", "schema_path", default=None, type=click.Path(dir_okay=False),
        help="Label schema TOML file (default: the one shipped with reader).",
    ),
    click.argument("paths", nargs=-1, type=click.Path()),
]


@serve_command.command("open")
@server_options
@tab_options
def serve_open_command(tab: TabOptions, host: str, port: int, token: str | None) -> None:
    """Serve the reading app on articles (the bundled sample when no PATH is given)."""
    from ..annotate.schema import load_schema
    from ..config import resolve_db_path
    from ..serving.access import check_binding
    from ..serving.tabs import reading_tab
    from ..store import AnnotationStore
    from .open_app import refuse_another_annotator

    check_binding(host, token)
    load_schema(tab.schema_path)
    name = tab.annotator.strip() if tab.annotator and tab.annotator.strip() else None
    if name:
        store = resolve_db_path(tab.db, name)
        refuse_another_annotator(store, name)
        if store.exists():  # a damaged store stops here, not in every tab
            AnnotationStore.open(store, name, read_only=True).close()
    load_paths(tab.paths)
    arguments = reading_tab(
        tab.paths, db=tab.db, annotator=name, schema=tab.schema_path, engine=tab.engine
    )
    _serve(arguments, host, port, token, "the reading app")


@serve_command.command("review")
@server_options
@click.argument("sources", nargs=-1, required=True, type=click.Path(), metavar="SOURCE...")
@click.option("--docs", multiple=True, type=click.Path(), metavar="PATH",
              help="Articles holding the texts of SOURCEs that give only ids.")
@click.option("--gold", type=click.Path(), default=None, metavar="STORE",
              help="The gold store (default: annotations/gold.json in the data folder).")
@click.option("--schema", "schema_path", type=click.Path(), default=None, metavar="FILE",
              help="Label schema (TOML) for the label keys (default: the bundled schema).")
def serve_review_command(
    host: str,
    port: int,
    token: str | None,
    sources: tuple[str, ...],
    docs: tuple[str, ...],
    gold: str | None,
    schema_path: str | None,
) -> None:
    """Serve the review app (`reader review`) on annotators' stores or exports. One tab at
    a time adjudicates: the gold store's lock keeps a second tab out."""
    from ..annotate.schema import load_schema
    from ..config import resolve_db_path
    from ..review.loading import GOLD, load_review_input
    from ..serving.access import check_binding
    from ..serving.tabs import review_tab
    from .review import _check_gold

    check_binding(host, token)
    schema = load_schema(schema_path)
    gold_path = resolve_db_path(gold, GOLD)
    _check_gold(gold_path, load_review_input(sources, docs, schema).sources)
    arguments = review_tab(sources, docs=docs, gold=str(gold_path), schema=schema_path)
    _serve(arguments, host, port, token, "the review app")


def _serve(arguments: list[str], host: str, port: int, token: str | None, what: str) -> None:
    from ..serving.server import ReaderServer
    from ..serving.tabs import reader_command

    def announce(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
        click.echo(f"reader: serving {what} at {url}")
        who = "anyone who has the token and" if token else "anyone on this machine who"
        click.echo(
            f"reader: warning: {who} can reach port {bound} can annotate; "
            "press Ctrl+C to stop",
            err=True,
        )

    server = ReaderServer(reader_command(arguments), host, port, token=token, announce=announce)
    server.serve()


@serve_command.command("tab", hidden=True)
@tab_options
def serve_tab_command(tab: TabOptions) -> None:
    """What one browser tab runs: the reading app, asking for a name when none is given.
    (Its store's problems are said in the app: on the name page, or as the app ends.)"""
    from ..annotate.schema import load_schema
    from ..config import resolve_db_path
    from ..ui.app import make_app

    with in_the_page():  # checked when the server started; changed since?
        schema = load_schema(tab.schema_path)
        corpus = load_paths(tab.paths)
    annotator, db = tab.annotator, tab.db
    if annotator:
        path = resolve_db_path(db, annotator)
        app = make_app(
            corpus, engine=tab.engine, schema=schema,
            open_session=lambda: open_tab_session(path, annotator, schema),
        )
    else:
        app = make_app(
            corpus, engine=tab.engine, schema=schema,
            ask_annotator=lambda name: open_tab_session(store_of(name, db), name, schema),
        )
    app.run_and_close()


@serve_command.command(
    "review-tab", hidden=True, context_settings={"ignore_unknown_options": True}
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def serve_review_tab_command(arguments: tuple[str, ...]) -> None:
    """What one browser tab runs to review: `reader review`, its refusal (the gold store
    open in another tab) said in the page."""
    from .review import review_command

    with in_the_page():
        review_command.main(list(arguments), "reader review", standalone_mode=False)


@contextmanager
def in_the_page() -> Iterator[None]:
    """A tab's app that could not start says why in the page (and on the server's
    terminal, as the CLI does), instead of leaving the page blank. Only around what runs
    before the tab's own app: one app per tab process."""
    from ..errors import ReaderError

    try:
        yield
    except ReaderError as exc:
        from ..ui.tab_error import TabErrorApp

        TabErrorApp(str(exc)).run()
        raise


def store_of(name: str, db: str | None) -> Path:
    """The store of an annotator who gave their name in the page."""
    from ..config import default_db_path, safe_file_name

    if db:
        return Path(os.path.dirname(os.path.abspath(db))) / f"{safe_file_name(name)}.json"
    return default_db_path(name)


def open_tab_session(path: Path, annotator: str, schema: Schema) -> AnnotationSession:
    """The annotator's store for writing; read-only when another tab (or a terminal) has
    it open: the app then says so and saves nothing."""
    from ..annotate.session import AnnotationSession
    from ..store import AnnotationStore, StoreLockedError

    try:
        store = AnnotationStore.open(path, annotator, default_annotator=annotator)
    except StoreLockedError:
        store = AnnotationStore.open(path, annotator, read_only=True)
    return AnnotationSession(store, store.annotator, schema)
