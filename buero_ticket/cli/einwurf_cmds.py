"""Command ``beobachten``: the Einwurf watcher (running until stopped, or one pass with ``--einmal``)."""

from __future__ import annotations

import logging
import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import click

from .. import history
from ..errors import Exit
from ..intake.beobachter import Beobachter
from ..intake.einwurf import FEHLER_DIR, EinwurfErgebnis
from . import App, cli

log = logging.getLogger("buero_ticket.einwurf")


@dataclass
class _Bilanz:
    neu: int = 0
    folge: int = 0
    mail: int = 0
    fehler: int = 0

    def add(self, result: EinwurfErgebnis) -> None:
        if result.art in ("neu", "folge", "mail", "fehler"):
            setattr(self, result.art, getattr(self, result.art) + 1)

    def zeile(self) -> str:
        return (
            f"{self.neu} neue Vorgänge, {self.folge} Dateien zu Vorgängen hinzugefügt, "
            f"{self.mail} E-Mail-Dateien eingelesen, {self.fehler} nach {FEHLER_DIR} verschoben"
        )


def _zeile(result: EinwurfErgebnis) -> str:
    az = ", ".join(result.aktenzeichen)
    was = {
        "neu": f"neuer Vorgang {az}",
        "folge": f"zu Vorgang {az} hinzugefügt",
        "mail": f"E-Mail eingelesen ({az})" + (f"; {result.grund}" if result.grund else ""),
        "fehler": f"nicht übernommen: {result.grund} Liegt jetzt in {result.pfad}",
    }[result.art]
    return f"{history.now():%H:%M} {result.anzeige}: {was}"


@contextmanager
def _log_file(app: App) -> Iterator[None]:
    folder = app.ablage.log_dir
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / f"einwurf-{history.now():%Y-%m}.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter(f"%(asctime)s {history.current_user()} %(levelname)s %(message)s"))
    logger = logging.getLogger("buero_ticket")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()


@contextmanager
def _stop_on_signals(beobachter: Beobachter) -> Iterator[None]:
    """Ctrl+C and SIGTERM finish the file in hand, then stop; a second Ctrl+C aborts at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        beobachter.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    old_int = signal.signal(signal.SIGINT, handler)
    old_term = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


@cli.command("beobachten")
@click.option("--einmal", is_flag=True, help="Einen Durchgang machen und beenden (für die geplante Aufgabe).")
@click.pass_obj
def beobachten(app: App, einmal: bool) -> None:
    """Den Ordner „0 Einwurf“ beobachten: abgelegte Dateien werden zu Vorgängen.

    Eine Datei (PDF, Bild, Word …) wird ein neuer Vorgang; der Unterordner bestimmt
    den Kanal (Fax, Post = Brief, Scan). E-Mails (.eml, Outlook-.msg) werden wie
    beim Abruf eingelesen. Ein ganzer Ordner wird ein Vorgang. Beginnt der Dateiname
    mit einem Aktenzeichen oder liegt die Datei im Unterordner <Aktenzeichen>, kommt
    sie zu diesem Vorgang. Was nicht geht, landet mit Begründung in „0 Einwurf\\_Fehler“.

    Läuft, bis er mit Strg+C beendet wird (die Datei in Arbeit wird noch fertig).
    Mit --einmal: alles Vorhandene übernehmen und beenden; Rückgabewert 1, wenn
    etwas nach _Fehler ging.

    \b
    Beispiel:
      buero-ticket --ablage "S:\\Bürgerbüro" beobachten
      buero-ticket --ablage "S:\\Bürgerbüro" beobachten --einmal
    """
    app.sync()
    bilanz = _Bilanz()
    # watchdog warns when the kernel reuses a watch number for a folder created right after another
    # one was removed (nested folders dropped at once); harmless, but not for the clerk's console.
    warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)

    def bei_ergebnis(result: EinwurfErgebnis) -> None:
        bilanz.add(result)
        click.echo(_zeile(result))
        log.info("%s", _zeile(result))  # the scheduled task's output is seen by no one

    beobachter = Beobachter(
        app.store,
        index=lambda: app.index,
        # The long-running watcher must not wait for a large register: the background writer (one at a time).
        nach_stapel=app.after_change if einmal else lambda: app.after_change(interactive=True),
        bei_ergebnis=bei_ergebnis,
        hinweis=lambda text: click.echo(text, err=True),
    )
    with _log_file(app):
        if einmal:
            beobachter.einmal()
        else:
            art = "regelmäßige Abfrage" if beobachter.abfragen else "Dateiereignisse"
            click.echo(f"Beobachte {beobachter.einwurf.root} ({art}). Beenden mit Strg+C.")
            with beobachter, _stop_on_signals(beobachter):
                beobachter.run()
            click.echo("Beendet.")
    click.echo(bilanz.zeile())
    if bilanz.fehler:
        click.echo(
            f"Was tun: In {beobachter.einwurf.fehler_dir} liegt neben jeder Datei eine Textdatei mit dem Grund.",
            err=True,
        )
        if einmal:
            raise click.exceptions.Exit(Exit.PROBLEME)
