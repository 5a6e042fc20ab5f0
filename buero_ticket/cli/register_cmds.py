"""Command ``register``: rewrite the Excel overview from the folders."""

from __future__ import annotations

import click

from ..register import update as register_update
from . import App, cli


@cli.command("register")
@click.option("--leise", is_flag=True, help="Nur Hinweise und Fehler ausgeben (für geplante Aufgaben).")
@click.pass_obj
def register(app: App, leise: bool) -> None:
    """Excel-Register (Vorgangsregister.xlsx) aus den Vorgangsordnern neu schreiben.

    Das Register ist eine Übersicht; Änderungen darin werden nicht übernommen.
    Ist es gerade in Excel geöffnet, entsteht „Vorgangsregister (neu).xlsx“ daneben.

    \b
    Beispiel:
      buero-ticket register
    """
    index = app.sync()
    result = register_update.rewrite(app.ablage, index)
    if result is None:
        if not leise:
            click.echo(
                "Das Register wird gerade von einem anderen Programm geschrieben; "
                "Ihre Änderungen werden dabei berücksichtigt."
            )
        return
    if result.is_side_file or not leise:
        click.echo(result.message, err=result.is_side_file)
