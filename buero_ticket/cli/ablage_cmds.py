"""Commands on the whole Ablage: init, info, pruefen, demo."""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..ablage import init_ablage
from ..demo import build_demo
from ..errors import Exit
from ..mengen import anzahl
from ..operations.pruefen import pruefen as pruefen_operation
from ..ortszeit import in_office, office_zone
from . import App, cli
from .ausgabe import echo_json


@cli.command("init")
@click.argument("ordner", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Bürgerbüro", help="Name der Dienststelle (ohne Angabe: Bürgerbüro).")
@click.option("--kuerzel", default="", help="Kürzel vor dem Aktenzeichen, z. B. BB.")
def init(ordner: Path, name: str, kuerzel: str) -> None:
    """Ablage anlegen: Statusordner, Einwurf, Vorlagen, Konfiguration.

    Mehrfaches Ausführen ist unschädlich (fehlende Ordner werden ergänzt).
    Ein Ordner, der schon andere Dateien enthält, wird abgelehnt.

    \b
    Beispiel:
      buero-ticket init "S:\\Bürgerbüro" --name "Bürgerbüro Musterstadt" --kuerzel BB
    """
    ablage, created = init_ablage(ordner, name=name, kuerzel=kuerzel)
    if created:
        click.echo(f"Ablage angelegt: {ablage.root}")
        click.echo(f"Einstellungen: {ablage.root / 'buero-ticket.toml'} (bitte Namen und Postfach eintragen)")
    else:
        click.echo(f"Ablage {ablage.root} ist vollständig, nichts zu tun.")


@cli.command("info")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def info(app: App, as_json: bool) -> None:
    """Ordner der Ablage und Programmversion zeigen.

    \b
    Beispiel:
      buero-ticket info --json
    """
    ablage = app.ablage
    folders = {key: str(path) for key, path in ablage.folders().items()}
    data = {
        "version": __version__,
        "ablage": str(ablage.root),
        "ordner": folders,
        "status_ordner": {key.removeprefix("status_"): v for key, v in folders.items() if key.startswith("status_")},
        "cache": str(app.index.path),
    }
    if as_json:
        echo_json(data)
        return
    click.echo(f"buero-ticket {__version__}\nAblage: {ablage.root}")
    for key, value in folders.items():
        click.echo(f"  {key:<24} {value}")
    click.echo(f"  {'cache (lokal)':<24} {app.index.path}")


@cli.command("pruefen")
@click.option(
    "--reparieren",
    is_flag=True,
    help="Sichere Probleme beheben (Status aus Ordner, fehlende Ordner, alte Temp-Dateien, Cache).",
)
@click.option(
    "--gruendlich",
    is_flag=True,
    help="Auch in jeden Unterordner und jede Datei der Vorgänge sehen, die seit der letzten Prüfung auf "
    "diesem PC unverändert sind (findet auch Änderungen von Hand in Nachrichten, Anlagen, Ausgang). "
    "Dauert auf dem Netzlaufwerk länger; gedacht für die nächtliche Aufgabe.",
)
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def pruefen(app: App, reparieren: bool, gruendlich: bool, as_json: bool) -> None:
    """Ganze Ablage auf Widersprüche prüfen. Rückgabewert 1, wenn Probleme gefunden wurden.

    Ohne --gruendlich werden Vorgänge, die seit der letzten Prüfung auf diesem PC unverändert sind,
    aus deren Ergebnis geprüft; alles, was das Programm ändert (auch ein abgebrochenes Speichern),
    wird immer neu angesehen.

    \b
    Beispiele:
      buero-ticket pruefen
      buero-ticket pruefen --reparieren
      buero-ticket pruefen --gruendlich --reparieren
    """
    result = pruefen_operation(app.ctx, app.index, reparieren=reparieren, gruendlich=gruendlich)
    offen = result.offen
    zuletzt = result.gruendlich_am
    if as_json:
        echo_json(
            {
                "vorgaenge": result.vorgaenge,
                "gruendlich": result.gruendlich,
                "zuletzt_gruendlich": zuletzt.isoformat() if zuletzt else None,
                "probleme": [p.to_json() for p in offen],
                "repariert": [p.to_json() for p in result.repariert],
            }
        )
    else:
        for p in result.repariert:
            click.echo(f"repariert: {p.pfad}: {p.text}")
        for p in offen:
            hint = " (mit --reparieren behebbar)" if p.reparierbar else ""
            click.echo(f"Problem: {p.pfad}: {p.text}{hint}")
        if offen:
            click.echo(
                f"\n{anzahl(len(offen), 'Problem', 'Probleme')} in {anzahl(result.vorgaenge, 'Vorgang', 'Vorgängen')}."
            )
        else:
            click.echo(f"Ablage in Ordnung: {anzahl(result.vorgaenge, 'Vorgang', 'Vorgänge')} geprüft, keine Probleme.")
        if not result.gruendlich:
            seit = (
                f"zuletzt am {in_office(zuletzt, office_zone(app.ctx.settings)):%d.%m.%Y %H:%M}"
                if zuletzt
                else "noch nie"
            )
            click.echo(
                f"Schnellprüfung: unveränderte Vorgänge aus der letzten Prüfung übernommen. Gründlich geprüft auf "
                f"diesem PC: {seit} – 'buero-ticket pruefen --gruendlich' sieht auch Änderungen von Hand in den "
                "Unterordnern."
            )
    if offen:
        raise click.exceptions.Exit(Exit.PROBLEME)


@cli.command("demo")
@click.argument("zielordner", type=click.Path(file_okay=False, path_type=Path))
def demo(zielordner: Path) -> None:
    """Demo-Ablage mit Beispiel-Vorgängen in verschiedenen Zuständen anlegen.

    \b
    Beispiel:
      buero-ticket demo ./demo-ablage
    """
    ablage, vorgaenge = build_demo(zielordner)
    click.echo(f"Demo-Ablage angelegt: {ablage.root} ({anzahl(len(vorgaenge), 'Vorgang', 'Vorgänge')})")
    for v in vorgaenge:
        click.echo(f"  {v.aktenzeichen}  {v.status.label:<14} {v.betreff}")
    click.echo(f"\nÜbersicht in Excel: {ablage.register_path}")
    click.echo(f'Weiter mit: buero-ticket --ablage "{ablage.root}" liste')
