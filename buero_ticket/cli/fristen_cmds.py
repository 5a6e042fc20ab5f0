"""Commands for deadlines: ``frist berechnen`` (service hours), ``frist AZ DATUM``, ``wiedervorlage``."""

from __future__ import annotations

from typing import Any

import click

from ..datum import format_datum, format_zeitpunkt_lang
from ..operations import fristen
from . import App, cli
from .ausgabe import echo_json
from .hilfe import GermanGroup
from .vorgang_cmds import STAND_OPTION


class FristGroup(GermanGroup):
    """``frist AZ DATUM`` sets a Frist; ``frist berechnen …`` computes one. Unknown first words mean ``setzen``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["setzen", *args]
        return super().parse_args(ctx, args)


@cli.group("frist", cls=FristGroup)
def frist() -> None:
    """Frist eines Vorgangs setzen oder eine Frist in Servicestunden berechnen.

    \b
    Beispiele:
      buero-ticket frist 2026-00042 15.12.2026
      buero-ticket frist 2026-00042 +2w
      buero-ticket frist berechnen --ab "04.12.2026 17:00" --servicestunden 24
    """


@frist.command("berechnen")
@click.option("--ab", "ab", default="jetzt", help='Beginn, z. B. "04.12.2026 17:00" (ohne Angabe: jetzt).')
@click.option(
    "--servicestunden", type=float, default=None, help="Dauer in Servicestunden (Standard aus den Einstellungen, 24)."
)
@click.option(
    "--land", default=None, metavar="KÜRZEL", help="Anderes Bundesland als in den Einstellungen, z. B. BE oder SN."
)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON (Feld faellig im ISO-8601-Format).")
@click.pass_obj
def berechnen(app: App, ab: str, servicestunden: float | None, land: str | None, as_json: bool) -> None:
    """Bis wann? Frist in Servicestunden berechnen (Servicezeiten, Feiertage, Schließtage).

    Außerhalb der Servicezeit beginnt die Zählung mit dem nächsten Dienstbeginn.

    \b
    Beispiele:
      buero-ticket frist berechnen --ab "04.12.2026 17:00"
      buero-ticket frist berechnen --ab "04.12.2026 17:00" --servicestunden 40 --land SN --json
    """
    b = fristen.frist_berechnen(app.ctx, ab, servicestunden, land)
    if as_json:
        data: dict[str, Any] = {
            "ab": b.ab.isoformat(),
            "servicestunden": b.servicestunden,
            "land": b.land,
            "faellig": b.faellig.isoformat(),
        }
        echo_json(data)
        return
    click.echo(
        f"Fällig: {format_zeitpunkt_lang(b.faellig)} Uhr "
        f"({_stunden(b.servicestunden)} Servicestunden ab {format_zeitpunkt_lang(b.ab)} Uhr, Land {b.land})"
    )


@frist.command("setzen")
@click.argument("aktenzeichen")
@click.argument("datum")
@STAND_OPTION
@click.pass_obj
def setzen(app: App, aktenzeichen: str, datum: str, stand: int | None) -> None:
    """Frist eines Vorgangs setzen (kurz: buero-ticket frist AZ DATUM); „keine“ entfernt sie.

    DATUM: 15.12.2026, 15.12., morgen, +3 (Tage), +2w (Wochen), montag …

    \b
    Beispiele:
      buero-ticket frist 2026-00042 15.12.
      buero-ticket frist 2026-00042 +2w
      buero-ticket frist 2026-00042 keine
    """
    app.sync()
    vorgang = fristen.frist_setzen(app.ctx, aktenzeichen, datum, stand=stand)
    app.after_change(interactive=True)
    if vorgang.frist is None:
        click.echo(f"Vorgang {vorgang.aktenzeichen} hat jetzt keine Frist.")
    else:
        click.echo(f"Frist von Vorgang {vorgang.aktenzeichen}: {format_datum(vorgang.frist)}.")


@cli.command("wiedervorlage")
@click.argument("aktenzeichen")
@click.argument("datum")
@click.option("--grund", default="", help="Worum es bei der Wiedervorlage geht (erscheint in der Arbeitsliste).")
@STAND_OPTION
@click.pass_obj
def wiedervorlage(app: App, aktenzeichen: str, datum: str, grund: str, stand: int | None) -> None:
    """Wiedervorlage: Vorgang auf „Wartet“ bis DATUM; an dem Tag steht er oben in der Liste.

    DATUM: 15.12.2026, 15.12., morgen, +3 (Tage), +2w (Wochen), montag …; „keine“ entfernt sie.

    \b
    Beispiele:
      buero-ticket wiedervorlage 2026-00042 +2w --grund "Unterlagen nachgereicht?"
      buero-ticket wiedervorlage 2026-00042 15.12.
    """
    app.sync()
    vorgang = fristen.wiedervorlage_setzen(app.ctx, aktenzeichen, datum, grund=grund, stand=stand)
    app.after_change(interactive=True)
    if vorgang.wiedervorlage is None:
        click.echo(f"Wiedervorlage von Vorgang {vorgang.aktenzeichen} entfernt.")
    else:
        click.echo(
            f"Vorgang {vorgang.aktenzeichen} wartet bis {format_datum(vorgang.wiedervorlage)}"
            + (f" ({grund})" if grund else "")
            + "; an dem Tag steht er oben in 'buero-ticket liste'."
        )


def _stunden(value: float) -> str:
    return f"{value:g}".replace(".", ",")
