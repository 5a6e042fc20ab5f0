"""Commands ``brief``, ``antworten`` and ``vorlagen pruefen``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import Exit
from ..mengen import anzahl
from . import App, cli

_FELD_HELP = "Wert für ein Feld der Vorlage, z. B. --feld bis=15.12.2026 (mehrfach möglich)."
_FELD_DATEI_HELP = "Feld aus einer Textdatei (UTF-8) füllen, z. B. --feld-datei text=Antwort.txt (mehrfach möglich)."


@cli.command("brief")
@click.argument("aktenzeichen")
@click.argument("vorlage")
@click.option("--feld", "felder", multiple=True, metavar="NAME=WERT", help=_FELD_HELP)
@click.option("--feld-datei", "feld_dateien", multiple=True, metavar="NAME=DATEI", help=_FELD_DATEI_HELP)
@click.option(
    "--wissen",
    "wissen",
    default=None,
    metavar="ARTIKEL",
    help="Antwortabschnitte dieses Wissensartikels einfügen (Feld text).",
)
@click.option("--pdf", is_flag=True, help="Zusätzlich als PDF speichern (braucht LibreOffice).")
@click.option(
    "--ohne-anschrift", is_flag=True, help="Auch ohne Postanschrift schreiben (Anschriftfeld dann von Hand füllen)."
)
@click.pass_obj
def brief(
    app: App,
    aktenzeichen: str,
    vorlage: str,
    felder: tuple[str, ...],
    feld_dateien: tuple[str, ...],
    wissen: str | None,
    pdf: bool,
    ohne_anschrift: bool,
) -> None:
    """Brief (Word, DIN 5008) aus einer Vorlage in den Ordner „Ausgang“ des Vorgangs schreiben.

    VORLAGE ist eine der mitgelieferten (eingangsbestaetigung, zwischennachricht,
    antwort, rueckfrage, weiterleitung) oder eine eigene NAME.docx im Ordner
    „Vorlagen“ der Ablage (eine eigene gleichen Namens ersetzt die mitgelieferte).
    Fehlen Felder, werden alle auf einmal genannt und es wird nichts geschrieben.
    Ohne Postanschrift im Vorgang wird kein Brief geschrieben (außer mit --ohne-anschrift).

    \b
    Beispiel:
      buero-ticket brief 2026-00042-7 rueckfrage --feld "unterlagen=Personalausweis; Meldebescheinigung"
      buero-ticket brief 2026-00042-7 antwort --feld-datei text=Antwort.txt --pdf
    """
    app.sync(light=True, named=aktenzeichen)
    from ..antwort.kontext import parse_fields
    from ..operations.antwort import file_letter

    fields = parse_fields(felder, feld_dateien)
    result = file_letter(app.ctx, aktenzeichen, vorlage, fields, pdf=pdf, ohne_anschrift=ohne_anschrift, wissen=wissen)
    app.after_change()
    click.echo(f"Brief für Vorgang {result.aktenzeichen} geschrieben: {result.docx}")
    if ohne_anschrift:
        click.echo("Hinweis: Der Brief hat kein Anschriftfeld aus dem Vorgang; bitte in Word eintragen.", err=True)
    if result.pdf is not None:
        click.echo(f"PDF: {result.pdf}")


@cli.command("antworten")
@click.argument("aktenzeichen")
@click.argument("vorlage")
@click.option("--feld", "felder", multiple=True, metavar="NAME=WERT", help=_FELD_HELP)
@click.option("--feld-datei", "feld_dateien", multiple=True, metavar="NAME=DATEI", help=_FELD_DATEI_HELP)
@click.option(
    "--anlage",
    "anlagen",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DATEI",
    help="Datei anhängen, z. B. einen mit 'brief' erstellten Brief (Name im Ordner Ausgang genügt).",
)
@click.option(
    "--wissen",
    "wissen",
    default=None,
    metavar="ARTIKEL",
    help="Antwortabschnitte dieses Wissensartikels einfügen (Feld text).",
)
@click.option(
    "--senden", is_flag=True, help="Sofort über den Mailserver ([smtp]) senden; sonst nur als Entwurf ablegen."
)
@click.pass_obj
def antworten_cmd(
    app: App,
    aktenzeichen: str,
    vorlage: str,
    felder: tuple[str, ...],
    feld_dateien: tuple[str, ...],
    anlagen: tuple[Path, ...],
    wissen: str | None,
    senden: bool,
) -> None:
    """E-Mail an die Absenderin / den Absender aus einer Vorlage (NAME.txt.j2) erstellen und ablegen.

    Die Mail geht an die Adresse der letzten Mail im Vorgang (bei Antwortadresse an diese),
    trägt [Az. AKTENZEICHEN] im Betreff und wird als .eml im Vorgang abgelegt, so dass die
    Antwort der Bürgerin / des Bürgers wieder in diesem Vorgang landet. Ohne --senden entsteht
    ein Entwurf, den Outlook zum Senden öffnet. Das SMTP-Passwort steht in der
    Umgebungsvariablen BUERO_TICKET_SMTP_PASSWORT (oder passwort_datei/passwort_befehl).

    \b
    Beispiel:
      buero-ticket antworten 2026-00042-7 zwischennachricht --feld bis=15.12.2026 --senden
      buero-ticket brief 2026-00042-7 antwort --feld-datei text=Antwort.txt --pdf
      buero-ticket antworten 2026-00042-7 antwort --feld-datei text=Antwort.txt \\
                             --anlage "2026-11-23 Antwort.pdf" --senden
    """
    app.sync()
    from ..antwort.kontext import parse_fields
    from ..operations.antwort import send_reply

    fields = parse_fields(felder, feld_dateien)
    result = send_reply(app.ctx, aktenzeichen, vorlage, fields, senden=senden, anlagen=list(anlagen), wissen=wissen)
    app.after_change()
    if result.sent:
        click.echo(f"E-Mail an {result.to} gesendet („{result.betreff}“), abgelegt: {result.datei}")
        for text in result.warnungen:
            click.echo(f"Warnung: {text} Den Befehl NICHT wiederholen (die Mail ist gesendet).", err=True)
    else:
        click.echo(f"E-Mail-Entwurf an {result.to} abgelegt (nicht gesendet): {result.datei}")
        click.echo("Senden: denselben Befehl mit --senden, oder die Datei in Outlook öffnen und dort senden.")


@cli.group("vorlagen")
def vorlagen_group() -> None:
    """Brief- und E-Mail-Vorlagen (mitgelieferte und eigene im Ordner „Vorlagen“).

    \b
    Beispiel:
      buero-ticket vorlagen kopieren
      buero-ticket vorlagen pruefen
    """


@vorlagen_group.command("pruefen")
@click.pass_obj
def pruefen(app: App) -> None:
    """Alle Vorlagen prüfen (mitgelieferte und eigene) und jedes Problem nennen.

    Zeigt je Vorlage, welche Felder beim Aufruf mit --feld angegeben werden müssen.
    Rückgabewert 1, wenn eine Vorlage fehlerhaft ist.

    \b
    Beispiel:
      buero-ticket --ablage "S:\\Bürgerbüro" vorlagen pruefen
    """
    from ..antwort.pruefen import lines
    from ..operations.vorlagen import pruefen as vorlagen_pruefen

    report = vorlagen_pruefen(app.ctx)
    for line in lines(report):
        click.echo(line)
    broken = sum(1 for p in report.checks if p.problems)
    if broken:
        click.echo(
            f"{broken} von {len(report.checks)} Vorlagen {'ist' if broken == 1 else 'sind'} fehlerhaft "
            f"({anzahl(report.problem_count, 'Problem', 'Probleme')}).",
            err=True,
        )
        click.echo("Was tun: Korrigieren Sie die genannten Vorlagen und prüfen Sie erneut.", err=True)
        raise click.exceptions.Exit(Exit.PROBLEME)
    click.echo(f"Alle {len(report.checks)} Vorlagen sind in Ordnung.")


@vorlagen_group.command("kopieren")
@click.pass_obj
def kopieren(app: App) -> None:
    """Die mitgelieferten Vorlagen in den Ordner „Vorlagen“ der Ablage kopieren, um sie anzupassen.

    Dort kann das Amt Briefkopf, Logo und Unterschrift eintragen; eine Vorlage im Ordner „Vorlagen“
    ersetzt die mitgelieferte gleichen Namens. Vorhandene Dateien werden nie überschrieben.

    \b
    Beispiel:
      buero-ticket vorlagen kopieren
    """
    from ..operations.vorlagen import copy_templates

    result = copy_templates(app.ablage)
    for name in result.copied:
        click.echo(f"kopiert: {name}")
    for name in result.kept:
        click.echo(f"schon vorhanden, nicht überschrieben: {name}")
    click.echo(
        f"{anzahl(len(result.copied), 'Vorlage', 'Vorlagen')} nach {result.target} kopiert"
        + (f", {len(result.kept)} schon vorhanden." if result.kept else ".")
    )
    if result.copied:
        click.echo("Weiter: die .docx-Dateien in Word öffnen (Briefkopf, Logo), dann 'buero-ticket vorlagen pruefen'.")
