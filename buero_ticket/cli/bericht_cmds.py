"""Commands ``bericht`` (figures for the office and its management) and ``bericht personal`` (Erlang C)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from ..berichte.kennzahlen import NACH
from ..berichte.modell import Bericht
from ..berichte.personal import Ziel
from ..errors import EingabeFehler
from ..operations import berichte as ops
from . import App, cli


def _ausgabe(b: Bericht, fmt: ops.Format, ziel: str | None) -> None:
    if ziel is None and fmt != "xlsx":
        click.echo(ops.ausgeben(b, fmt).decode("utf-8"), nl=False)
        return
    path = Path(ziel) if ziel else Path.cwd() / ops.standard_dateiname(b, fmt)
    ops.speichern(b, fmt, path)
    click.echo(f"Bericht gespeichert: {path}")


@cli.group("bericht", invoke_without_command=True)
@click.option("--von", metavar="DATUM", help="Erster Tag des Zeitraums (Standard: 29 Tage vor --bis).")
@click.option("--bis", metavar="DATUM", help="Letzter Tag des Zeitraums (Standard: heute).")
@click.option(
    "--nach", type=click.Choice(NACH), default="kanal", show_default=True, help="Gliederung der Übersichtstabelle."
)
@click.option("--format", "fmt", type=click.Choice(ops.FORMATE), default="text", show_default=True, help="Ausgabe.")
@click.option(
    "--ziel",
    metavar="DATEI",
    help="In diese Datei schreiben (xlsx ohne --ziel: „Bericht VON bis BIS.xlsx“).",
)
@click.pass_context
def bericht(ctx: click.Context, von: str | None, bis: str | None, nach: str, fmt: ops.Format, ziel: str | None) -> None:
    """Kennzahlen: Eingang, Erledigung, offene Vorgänge nach Alter, Erstlösungsquote (D115), Wissen,
    Weiterleitungen und Bearbeitungszeiten in Servicestunden.

    Zahlen, deren Daten (noch) nicht erfasst werden, stehen als „nicht erfasst“ da – nie als 0.
    Die Definition jeder Zahl steht in der Anleitung und in --format json.

    \b
    Beispiele:
      buero-ticket bericht
      buero-ticket bericht --von 01.11.2026 --bis 30.11.2026 --nach woche
      buero-ticket bericht --format xlsx --ziel "Bericht November.xlsx"
      buero-ticket bericht personal --ziel 75/30
    """
    if ctx.invoked_subcommand is not None:
        return
    app: App = ctx.obj
    heute = app.ctx.clock().date()
    start, ende = ops.zeitraum(
        ops.parse_tag(von, heute) if von else None, ops.parse_tag(bis, heute) if bis else None, heute
    )
    index = app.sync()
    b = ops.bericht(app.ctx, index.alle(), von=start, bis=ende, nach=nach)
    _ausgabe(b, fmt, ziel)


@bericht.command("personal")
@click.option("--ziel", "ziel_text", metavar="PROZENT/SEKUNDEN",
              help="Service-Ziel Prozent/Sekunden (Standard 75/30, D115).")  # fmt: skip
@click.option("--bearbeitungszeit", type=float, metavar="SEKUNDEN",
              help="Mittlere Bearbeitungszeit eines Kontakts, Gespräch plus Nacharbeit (Standard 240).")  # fmt: skip
@click.option("--schwund", type=float,
              help="Anteil ohne Telefon: Pausen, Urlaub, Krankheit (Standard 0.3).")  # fmt: skip
@click.option("--wochen", type=int, help="So viele Wochen auswerten, 4 bis 8 (Standard 6).")
@click.option("--bis", metavar="DATUM", help="Letzter ausgewerteter Tag (Standard: gestern).")
@click.option("--anrufe", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path),
              help="Anrufzeiten aus der Telefonanlage (je Zeile ein Zeitpunkt) statt der Vorgänge.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(ops.FORMATE), default="text", show_default=True, help="Ausgabe.")
@click.option("--datei", metavar="DATEI", help="In diese Datei schreiben (bei xlsx Standard: „Personalbedarf ….xlsx“).")
@click.pass_obj
def personal_cmd(
    app: App,
    ziel_text: str | None,
    bearbeitungszeit: float | None,
    schwund: float | None,
    wochen: int | None,
    bis: str | None,
    anrufe: Path | None,
    fmt: ops.Format,
    datei: str | None,
) -> None:
    """Personalbedarf je Wochentag und halber Stunde (Erlang C) aus den Ankunftszeiten von Telefon- und
    Schalter-Vorgängen oder einer CSV-Datei der Telefonanlage.

    Prognose: Mittelwert desselben Wochentags der letzten Wochen (Feiertage ausgenommen). Ergebnis:
    gleichzeitig besetzte Plätze für das Service-Ziel (höchstens 85 % Auslastung) und die mit Schwund
    einzuplanenden Personen. Erlang C rechnet ohne Auflegen und überschätzt daher eher.

    \b
    Beispiele:
      buero-ticket bericht personal
      buero-ticket bericht personal --ziel 80/20 --bearbeitungszeit 180 --schwund 0.35
      buero-ticket bericht personal --anrufe Anrufe-November.csv --format xlsx
    """
    try:
        ziel = Ziel.parse(ziel_text) if ziel_text else None
    except ValueError as exc:
        raise EingabeFehler(str(exc), "Zum Beispiel --ziel 75/30 (75 % in 30 Sekunden).") from None
    heute = app.ctx.clock().date()
    ende = ops.parse_tag(bis, heute) if bis else heute - timedelta(days=1)
    if anrufe is not None:
        ankuenfte, quelle = ops.ankuenfte_aus_csv(anrufe), f"Anrufe aus {anrufe.name}"
    else:
        ankuenfte, quelle = ops.ankuenfte_aus_vorgaengen(app.sync().alle()), "Telefon- und Schalter-Vorgänge"
    b = ops.personalbedarf(
        app.ctx, ankuenfte, quelle=quelle, bis=ende, wochen=wochen, ziel=ziel, bearbeitungszeit=bearbeitungszeit,
        schwund=schwund,
    )  # fmt: skip
    _ausgabe(b, fmt, datei)
