"""Commands for the 2nd level: ``stellen``, ``weiterleiten``, ``zurueck``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import fristen_config
from ..datum import format_zeitpunkt_lang
from ..errors import EingabeFehler
from ..operations import weiterleiten as ops
from . import App, cli
from .ausgabe import echo_json


@cli.command("stellen")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def stellen(app: App, as_json: bool) -> None:
    """Die Fachabteilungen ([stellen.KURZNAME] in buero-ticket.toml), an die weitergeleitet werden kann.

    \b
    Beispiel:
      buero-ticket stellen
    """
    known = fristen_config.stellen(app.ablage.config)
    if as_json:
        echo_json(
            [
                {
                    "kurzname": s.key,
                    "name": s.name,
                    "email": s.email,
                    "ablage": s.ablage,
                    "antwort_servicestunden": s.antwort_servicestunden,
                }
                for s in known.values()
            ]
        )
        return
    if not known:
        click.echo("Es ist noch keine Stelle eingetragen.")
        click.echo('Was tun: in buero-ticket.toml z. B. [stellen.bauamt] mit name = "Bauamt" und email = "…" ergänzen.')
        return
    for s in known.values():
        weg = f"Ablage {s.ablage}" if s.ablage else f"E-Mail {s.email}"
        stunden = f"{s.antwort_servicestunden:g}".replace(".", ",")  # German decimal comma: 16,5
        click.echo(f"{s.key:<16} {s.name:<28} {weg}  (Antwort binnen {stunden} Servicestunden)")


@cli.command("weiterleiten")
@click.argument("aktenzeichen")
@click.option("--an", "an", required=True, metavar="STELLE", help="Kurzname oder Name der Stelle (siehe 'stellen').")
@click.option("--text", default="", help="Hinweis an die Stelle (sonst geht das Anliegen selbst mit).")
@click.option("--text-datei", type=click.Path(dir_okay=False, path_type=Path), help="Hinweis aus einer Textdatei.")
@click.option(
    "--anlagen",
    multiple=True,
    metavar="alle|keine|DATEI",
    help="Welche Anlagen mitgehen: alle (Standard), keine oder Dateinamen (mehrfach angeben).",
)
@click.option(
    "--buerger-informieren", is_flag=True, help="Der Bürgerin / dem Bürger die Nachricht „weiterleitung“ senden."
)
@click.pass_obj
def weiterleiten(
    app: App,
    aktenzeichen: str,
    an: str,
    text: str,
    text_datei: Path | None,
    anlagen: tuple[str, ...],
    buerger_informieren: bool,
) -> None:
    """Vorgang an eine Fachabteilung weiterleiten: per E-Mail oder in deren Ablage; er wartet dann.

    Es gelten zwei Fristen in Servicestunden: „Rückmeldung an Bürger bis“ und „Antwort der Stelle bis“.

    \b
    Beispiele:
      buero-ticket weiterleiten 2026-00042 --an bauamt
      buero-ticket weiterleiten 2026-00042 --an bauamt --text "Bitte Bauantrag prüfen" --anlagen keine
      buero-ticket weiterleiten 2026-00042 --an ordnungsamt --buerger-informieren
    """
    if text_datei is not None:
        if text:
            raise EingabeFehler("Bitte nur --text oder --text-datei angeben.", "Lassen Sie eine der beiden weg.")
        try:
            text = text_datei.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise EingabeFehler(
                f"Die Datei {text_datei} ist nicht lesbar ({exc}).", "Speichern Sie sie als UTF-8-Text."
            ) from None
    app.sync()
    result = ops.weiterleiten(
        app.ctx,
        aktenzeichen,
        an,
        text=text,
        anlagen=list(anlagen) or [ops.ANLAGEN_ALLE],
        buerger_informieren=buerger_informieren,
    )
    app.after_change(interactive=True)
    w = result.weiterleitung
    weg = "per E-Mail an" if w.weg == "email" else "in den Einwurf von"
    click.echo(f"Vorgang {result.vorgang.aktenzeichen} weitergeleitet an {w.stelle_name} ({weg} {result.ziel}).")
    click.echo(f"Rückmeldung an Bürger bis: {format_zeitpunkt_lang(w.rueckmeldung_bis)} Uhr")
    click.echo(f"Antwort der Stelle bis:    {format_zeitpunkt_lang(w.antwort_bis)} Uhr")
    click.echo(f"Der Vorgang ist jetzt „{result.vorgang.status.label}“.")
    if result.informiert:
        click.echo(f"Bürger informiert: {result.informiert}")
    if result.hinweis:
        click.echo(f"Hinweis: {result.hinweis}", err=True)


@cli.command("zurueck")
@click.argument("aktenzeichen")
@click.option("--von", "von", default="", metavar="STELLE", help="Welche Stelle geantwortet hat (bei mehreren).")
@click.option("--notiz", default="", help="Was die Stelle gesagt hat (für den Verlauf).")
@click.pass_obj
def zurueck(app: App, aktenzeichen: str, von: str, notiz: str) -> None:
    """Die Fachabteilung hat telefonisch oder persönlich geantwortet: Vorgang zurück in die Bearbeitung.

    \b
    Beispiel:
      buero-ticket zurueck 2026-00042 --notiz "Bauamt: Genehmigung kommt per Post"
    """
    app.sync()
    vorgang = ops.zurueck(app.ctx, aktenzeichen, stelle=von, notiz=notiz)
    app.after_change(interactive=True)
    click.echo(
        f"Antwort der Fachabteilung zu Vorgang {vorgang.aktenzeichen} vermerkt; er ist „{vorgang.status.label}“."
    )
    if any(w.rueckmeldung is None for w in vorgang.weiterleitungen):
        click.echo(
            "Was tun: Geben Sie der Bürgerin / dem Bürger Rückmeldung (antworten, brief oder notiz --rueckmeldung)."
        )
