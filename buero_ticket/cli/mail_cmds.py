"""Commands ``mail abrufen`` (scheduled task) and ``mail einlesen DATEI…``."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType

import click

from ..clock import system_clock
from ..errors import Exit
from ..index import Index
from ..intake.abruf import AbrufLaeuftSchon, fetch_mail
from ..intake.mail import ImportCounts, ImportKind, ImportResult, MailImporter, ensure_mail_file
from ..mengen import anzahl
from ..protokoll import run_log
from . import App, cli


@cli.group("mail")
def mail() -> None:
    """E-Mails abrufen (gemeinsames Postfach) oder aus Dateien einlesen.

    \b
    Beispiele:
      buero-ticket mail abrufen
      buero-ticket mail einlesen Anfrage.eml Postfach-Export.mbox
    """


def _progress(total: int) -> AbstractContextManager[object]:
    return click.progressbar(length=total, label="Mails", file=sys.stderr)


@contextmanager
def _stop_on_signal() -> Iterator[list[bool]]:
    stop = [False]

    def handler(signum: int, frame: FrameType | None) -> None:
        stop[0] = True
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, old)


@mail.command("abrufen")
@click.option("--dauerbetrieb", is_flag=True, help="Verbunden bleiben und neue Mails sofort holen (IDLE).")
@click.pass_obj
def abrufen_cmd(app: App, dauerbetrieb: bool) -> None:
    """Neue Mails aus dem gemeinsamen Postfach holen und zu Vorgängen machen.

    Für die geplante Aufgabe (alle 5 Minuten). Läuft schon ein Abruf, endet
    dieser sofort mit Rückgabewert 0. Rückgabewert 1: einzelne Mails in Quarantäne;
    8: Postfach nicht erreichbar.

    \b
    Beispiel:
      buero-ticket --ablage "S:\\Bürgerbüro" mail abrufen
    """
    with run_log("mail", app.ablage.root):
        _abrufen(app, dauerbetrieb)


def _abrufen(app: App, dauerbetrieb: bool) -> None:
    show_bar = sys.stderr.isatty()

    def report(counts: ImportCounts) -> None:
        if dauerbetrieb:
            click.echo(f"{system_clock():%H:%M} {counts.summary_line()}")
        app.after_change()

    try:
        with _stop_on_signal() as stop:
            total = fetch_mail(
                app.store,
                app.index,
                progress=_progress if show_bar else None,
                continuous=dauerbetrieb,
                on_round=report,
                stop=lambda: stop[0],
            )
    except AbrufLaeuftSchon as exc:
        click.echo(exc.text)
        return
    except KeyboardInterrupt:
        click.echo("Beendet.")
        return
    click.echo(total.summary_line())
    if total.fehler:
        click.echo(
            f"Was tun: {anzahl(total.fehler, 'Mail liegt', 'Mails liegen')} mit Begründung in "
            f"{app.ablage.quarantaene_dir}.",
            err=True,
        )
        raise click.exceptions.Exit(Exit.PROBLEME)


@mail.command("einlesen")
@click.argument("dateien", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def einlesen(app: App, dateien: tuple[Path, ...]) -> None:
    """E-Mail-Dateien (.eml, .mbox, Outlook .msg) einlesen, wie beim Abruf aus dem Postfach.

    Doppelt eingelesene Mails werden erkannt und nicht noch einmal angelegt.

    \b
    Beispiel:
      buero-ticket mail einlesen Anfrage.eml Export.mbox Weitergeleitet.msg
    """
    index = app.sync()
    with run_log("mail", app.ablage.root):
        _einlesen(app, index, dateien)


def _einlesen(app: App, index: Index, dateien: tuple[Path, ...]) -> None:
    for path in dateien:  # a document among the files: refused before anything is read
        ensure_mail_file(path)
    importer = MailImporter(app.store, index)
    counts = ImportCounts()
    for path in dateien:
        for result in importer.import_file(path):
            counts.add(result)
            where = result.aktenzeichen or (str(result.path) if result.path else "")
            reason = "" if result.kind is ImportKind.DOPPELT else result.reason  # the label says it already
            click.echo(f"{path.name}: {_label(result)} {where} {reason}".rstrip())
    app.after_change()
    click.echo(counts.summary_line())
    if counts.fehler:
        raise click.exceptions.Exit(Exit.PROBLEME)


def _label(result: ImportResult) -> str:
    return {
        ImportKind.NEU: "neuer Vorgang",
        ImportKind.FOLGE: "zugeordnet zu",
        ImportKind.AUTOMATISCH: "automatische Mail",
        ImportKind.DOPPELT: "bereits importiert in",
        ImportKind.QUARANTAENE: "Quarantäne:",
    }[result.kind]
