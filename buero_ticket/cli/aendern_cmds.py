"""Command ``aendern``: correct the details of a Vorgang."""

from __future__ import annotations

import click

from ..datum import parse_datum
from ..models import Dringlichkeit
from ..operations.aendern import Aenderung, aendern
from ..operations.vorgang import UNSET
from . import App, cli, stichworte
from .vorgang_cmds import STAND_OPTION

_KEINE = {"", "keine", "-", "ohne"}


def _multiline(text: str | None) -> str | None:
    """``--anschrift "Erika Muster\\nLindenweg 4\\n89073 Ulm"``: ``\\n`` typed as two characters is a new line."""
    return None if text is None else text.replace("\\n", "\n")


@cli.command("aendern")
@click.argument("aktenzeichen")
@click.option("--betreff", default=None, help="Neuer Betreff (der Ordner wird umbenannt).")
@click.option("--name", "--von", "name", default=None, help="Name der Bürgerin / des Bürgers.")
@click.option("--email", default=None, help='E-Mail-Adresse ("" löscht sie).')
@click.option("--telefon", default=None, help='Telefonnummer ("" löscht sie).')
@click.option(
    "--anschrift", default=None, help='Postanschrift, Zeilen mit \\n getrennt: "Name\\nStraße 1\\n12345 Ort".'
)
@click.option("--dringlichkeit", type=stichworte.DRINGLICHKEIT, default=None, help="niedrig, normal oder hoch.")
@click.option("--frist", default=None, metavar="DATUM", help="15.12.2026, 15.12., morgen, +3, +2w; keine: ohne Frist.")
@click.option("--kategorie", default=None, help='Kategorie, z. B. "Sperrmüll" ("" löscht sie).')
@click.option("--verknuepfen", multiple=True, metavar="AKTENZEICHEN", help="Mit einem anderen Vorgang verknüpfen.")
@click.option("--loesen", multiple=True, metavar="AKTENZEICHEN", help="Verknüpfung mit einem Vorgang lösen.")
@STAND_OPTION
@click.pass_obj
def aendern_cmd(
    app: App,
    aktenzeichen: str,
    betreff: str | None,
    name: str | None,
    email: str | None,
    telefon: str | None,
    anschrift: str | None,
    dringlichkeit: str | None,
    frist: str | None,
    kategorie: str | None,
    verknuepfen: tuple[str, ...],
    loesen: tuple[str, ...],
    stand: int | None,
) -> None:
    """Angaben eines Vorgangs korrigieren; jede Änderung steht mit alt → neu im Verlauf.

    \b
    Beispiel:
      buero-ticket aendern 2026-00042 --anschrift "Erika Muster\\nLindenweg 4\\n89073 Ulm"
      buero-ticket aendern 2026-00042 --betreff "Sperrmüll Sofa" --dringlichkeit hoch --frist 15.12.
      buero-ticket aendern 2026-00042 --telefon "0731 12345" --kategorie Sperrmüll
      buero-ticket aendern 2026-00042 --verknuepfen 2026-00017
    """
    app.sync()
    today = app.ctx.clock().date()
    aenderung = Aenderung(
        betreff=betreff,
        name=name,
        email=email,
        telefon=telefon,
        anschrift=_multiline(anschrift),
        dringlichkeit=Dringlichkeit(dringlichkeit) if dringlichkeit else None,
        frist=UNSET if frist is None else (None if frist.strip().lower() in _KEINE else parse_datum(frist, today)),
        kategorie=kategorie,
        verknuepfen=verknuepfen,
        loesen=loesen,
    )
    result = aendern(app.ctx, aktenzeichen, aenderung, stand=stand)
    if not result.changed:
        click.echo(f"Vorgang {result.vorgang.aktenzeichen}: nichts geändert (die Angaben waren schon so).")
        return
    app.after_change(interactive=True)
    click.echo(f"Vorgang {result.vorgang.aktenzeichen} geändert: {result.vorgang.ordner}")
