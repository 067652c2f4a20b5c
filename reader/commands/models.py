"""`reader models`: the NLTK data the "nltk" engine needs; `reader models download` fetches it."""

from __future__ import annotations

import click

from ..printable import inert


@click.group("models", invoke_without_command=True)
@click.pass_context
def models_command(ctx: click.Context) -> None:
    """List the NLTK data packages the nltk engine uses, and whether each is installed."""
    if ctx.invoked_subcommand is not None:
        return
    from ..nlp import models

    for package in models.status():
        where = inert(str(package.location)) if package.location else "not installed"
        mark = "installed" if package.installed else "missing"
        click.echo(f"{package.name:<32} {mark:<10} {where}")
    if not all(p.installed for p in models.status()):
        click.echo(
            "\nInstall the missing ones with `reader models download` "
            f"(into {inert(str(models.data_dir()))})."
        )


@models_command.command("download")
def download_command() -> None:
    """Download the missing NLTK data packages into reader's data folder."""
    from ..nlp import models

    todo = models.missing()
    if not todo:
        click.echo("All NLTK data packages are installed.")
        return
    for name in models.download(todo):
        click.echo(f"downloaded {inert(name)}")
    click.echo(f"NLTK data is in {inert(str(models.data_dir()))}")
