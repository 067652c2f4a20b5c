"""`reader [PATH]...`: open the reading app, with the annotator's store open for labels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import load_paths

if TYPE_CHECKING:
    from ..annotate.session import AnnotationSession


def refuse_another_annotator(db: Path, annotator: str) -> None:
    """Refuse `--annotator` naming someone other than the store's owner before the app
    draws anything (opening the store, after the first paint, checks it again)."""
    from ..store.snapshot import stored_annotator
    from ..store.store import not_their_store

    owner = stored_annotator(db)
    if owner is not None and owner != annotator:
        raise not_their_store(db, owner, annotator)


@click.command("open")
@click.option("--engine", default=None, help="Analysis engine for the highlights (default: rules).")
@click.option(
    "--db", default=None, type=click.Path(dir_okay=False),
    help="Annotation store (default: <user data folder>/annotations/<annotator>.json).",
)
@click.option(
    "--annotator", default=None,
    help="Who is annotating (default: the store's own annotator; for a new store the "
    "config, then the login name).",
)
@click.option(
    "--schema", "schema_path", default=None, type=click.Path(dir_okay=False),
    help="Label schema TOML file (default: the one shipped with reader).",
)
@click.option(
    "--suggest", is_flag=True,
    help="Suggest claim labels for sentences (S in the app shows or hides them).",
)
@click.argument("paths", nargs=-1, type=click.Path())
def open_command(
    engine: str | None,
    db: str | None,
    annotator: str | None,
    schema_path: str | None,
    suggest: bool,
    paths: tuple[str, ...],
) -> None:
    """Open articles in the reading app (the bundled sample when no PATH is given)."""
    from ..annotate.schema import load_schema

    schema = load_schema(schema_path)  # a bad schema stops here, before anything opens
    if db and annotator and annotator.strip():
        refuse_another_annotator(Path(db), annotator.strip())
    corpus = load_paths(paths)

    def open_session() -> AnnotationSession:
        """Called just after the first paint: the store's imports, the config file, the
        lock and the reading are not in the way of the article appearing."""
        from ..annotate.session import AnnotationSession
        from ..config import resolve_annotator, resolve_db_path
        from ..store import AnnotationStore

        # `--annotator` names whose store it must be; without it, the store's own
        # annotator (a new store takes the default: config, then login name).
        default = resolve_annotator(annotator)
        store = AnnotationStore.open(
            resolve_db_path(db, default), annotator or "", default_annotator=default
        )
        return AnnotationSession(store, store.annotator, schema)

    from ..ui.app import make_app

    app = make_app(
        corpus, engine=engine, open_session=open_session, schema=schema, suggest=suggest
    )
    app.run_and_close()
