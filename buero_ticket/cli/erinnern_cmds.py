"""Command ``erinnern``: the daily reminder mails (for a scheduled task)."""

from __future__ import annotations

import click

from ..errors import Exit
from ..operations import erinnern as ops
from . import App, cli


@cli.command("erinnern")
@click.option("--nur-anzeigen", is_flag=True, help="Nur zeigen, welche Erinnerungen gingen (nichts senden).")
@click.pass_context
def erinnern(ctx: click.Context, nur_anzeigen: bool) -> None:
    """Erinnerungen: je Person eine E-Mail mit allem, was fällig oder überfällig ist.

    Fristen, Wiedervorlagen, Rückmeldungen an Bürger und Antworten der Fachabteilungen; was niemandem
    zugewiesen ist, geht an das Team-Postfach. Eine Stelle, deren Antwort überfällig ist, bekommt eine
    freundliche Erinnerung. Jeder Punkt kommt höchstens einmal am Tag (für eine tägliche geplante Aufgabe).

    \b
    Beispiele:
      buero-ticket erinnern --nur-anzeigen
      buero-ticket erinnern
    """
    app: App = ctx.obj
    index = app.sync()
    result = ops.erinnern(app.ctx, index.offen(), nur_anzeigen=nur_anzeigen)
    if nur_anzeigen:
        for mail in result.mails:
            click.echo(f"An: {mail.name} <{mail.an}>")
            click.echo(f"Betreff: {mail.betreff}\n")
            click.echo(mail.text.rstrip())
            click.echo("-" * 60)
    personen = sum(1 for m in result.mails if not m.vorgang)
    stellen = len(result.mails) - personen
    verb = "würden gesendet" if nur_anzeigen else "gesendet"
    count = len(result.mails) if nur_anzeigen else result.gesendet
    click.echo(
        f"{count} Erinnerung{'en' if count != 1 else ''} {verb} ({personen} an Personen/Team, {stellen} an Stellen); "
        f"{result.schon_erinnert} Punkt{'e' if result.schon_erinnert != 1 else ''} heute schon erinnert."
    )
    for person in result.ohne_adresse:
        click.echo(
            f"Hinweis: Für „{person}“ ist keine E-Mail-Adresse bekannt; die Punkte gingen an das Team-Postfach. "
            f"Was tun: in buero-ticket.toml [benutzer.LOGIN] mit email = … ergänzen.",
            err=True,
        )
    for problem in result.fehler:
        click.echo(f"Fehler: {problem}", err=True)
    if result.fehler:
        click.echo(
            "Was tun: Prüfen Sie [smtp] und die Adressen; der nächste Lauf holt Nicht-Gesendetes nach.", err=True
        )
        ctx.exit(Exit.PROBLEME)
    if result.mails and not nur_anzeigen:
        app.after_change()
