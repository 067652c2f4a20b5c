"""`reader suggest-stats`: how often the store's suggestions (claims, entities, quotes)
were accepted."""

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
    """How the suggestions of a store were answered. Claims: accepted, relabelled (another
    claim label given), rejected, and labels given where nothing was suggested (missed).
    Entities and quotes (under "spans"): accepted as suggested, corrected (relabelled or
    other boundaries), rejected, and made by hand."""
    from ..annotate.rejections import Rejections
    from ..annotate.suggestion_stats import span_suggestion_stats
    from ..claims.persist import load_learner, state_path
    from ..config import resolve_db_path
    from ..errors import ReaderError
    from ..store import AnnotationStore

    store = resolve_db_path(db)
    if not Path(store).is_file():
        raise ReaderError(f"{inert(str(store))}: no such annotation store")
    stats: dict[str, Any] = {"store": str(store), "state": str(state_path(store))}
    stats.update(load_learner(store).stats())
    with AnnotationStore.open(store, read_only=True) as opened:
        stats["spans"] = span_suggestion_stats(opened, Rejections.load(store).keys())
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
    for kind, counts in stats["spans"].items():
        rate = counts["acceptance"]
        shown = "—" if rate is None else f"{rate:.0%}"
        click.echo(
            f"{kind} suggestions: accepted {counts['accepted']} ({shown} of those answered)"
            f" · corrected {counts['corrected']} · rejected {counts['rejected']}"
            f" · made by hand {counts['by_hand']}"
        )
        for label, found in counts["by_label"].items():
            click.echo(
                f"  {inert(label):<16} accepted {found['accepted']:>5} · corrected"
                f" {found['corrected']} · made by hand {found['by_hand']}"
            )


def _line(name: str, counts: dict[str, Any]) -> str:
    rate = counts["acceptance"]
    shown = "—" if rate is None else f"{rate:.0%}"
    return (
        f"  {name:<16} accepted {counts['accepted']:>5} of {counts['suggested']:>5} ({shown})"
        f" · relabelled {counts['relabelled']} · rejected {counts['rejected']}"
        f" · missed {counts['missed']}"
    )
