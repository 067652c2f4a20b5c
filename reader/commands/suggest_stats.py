"""`reader suggest-stats`: how often the store's claim suggestions were accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..printable import inert, inert_json


@click.command("suggest-stats")
@click.option(
    "--db",
    default=None,
    type=click.Path(dir_okay=False),
    help="Annotation store (default: the annotator's store in the data folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def suggest_stats_command(db: str | None, as_json: bool) -> None:
    """How the claim suggestions of a store were answered: accepted, relabelled (another
    claim label given), rejected, and labels given where nothing was suggested (missed)."""
    from ..claims.persist import load_learner, state_path
    from ..config import resolve_db_path
    from ..errors import ReaderError

    store = resolve_db_path(db)
    if not Path(store).is_file():
        raise ReaderError(f"{inert(str(store))}: no such annotation store")
    stats = {"store": str(store), "state": str(state_path(store))}
    stats.update(load_learner(store).stats())
    if as_json:
        click.echo(inert_json(stats, indent=2))
    else:
        _print(stats)


def _print(stats: dict[str, Any]) -> None:
    click.echo(f"store: {inert(stats['store'])}")
    click.echo(f"claim suggestions answered: {stats['suggested']}")
    click.echo(_line("all", stats))
    for label, counts in stats["by_label"].items():
        click.echo(_line(inert(label), counts))


def _line(name: str, counts: dict[str, Any]) -> str:
    rate = counts["acceptance"]
    shown = "—" if rate is None else f"{rate:.0%}"
    return (
        f"  {name:<16} accepted {counts['accepted']:>5} of {counts['suggested']:>5} ({shown})"
        f" · relabelled {counts['relabelled']} · rejected {counts['rejected']}"
        f" · missed {counts['missed']}"
    )
