"""Command ``beobachten``: the Einwurf watcher (running until stopped, or one pass with ``--einmal``)."""

from __future__ import annotations

import logging
import signal
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

import click

from ..clock import system_clock
from ..errors import Exit
from ..intake.beobachter import Watcher
from ..intake.einwurf import ERROR_DIR, DropKind, DropResult
from ..mengen import anzahl
from ..protokoll import run_log
from . import App, cli

log = logging.getLogger("buero_ticket.einwurf")


@dataclass
class _Tally:
    by_kind: Counter[DropKind] = field(default_factory=Counter)

    def add(self, result: DropResult) -> None:
        self.by_kind[result.kind] += 1

    @property
    def fehler(self) -> int:
        return self.by_kind[DropKind.FEHLER]

    def summary_line(self) -> str:
        count = self.by_kind
        return (
            f"{anzahl(count[DropKind.NEU], 'neuer Vorgang', 'neue Vorgänge')}, "
            f"{anzahl(count[DropKind.FOLGE], 'Datei', 'Dateien')} zu Vorgängen hinzugefügt, "
            f"{anzahl(count[DropKind.MAIL], 'E-Mail-Datei', 'E-Mail-Dateien')} eingelesen, "
            f"{anzahl(count[DropKind.FEHLER], 'Eintrag', 'Einträge')} nach {ERROR_DIR} verschoben"
        )


def _result_line(result: DropResult) -> str:
    az = ", ".join(result.aktenzeichen)
    what = {
        DropKind.NEU: f"neuer Vorgang {az}",
        DropKind.FOLGE: f"zu Vorgang {az} hinzugefügt",
        DropKind.MAIL: f"E-Mail eingelesen ({az})" + (f"; {result.reason}" if result.reason else ""),
        DropKind.FEHLER: f"nicht übernommen: {result.reason} Liegt jetzt in {result.path}",
    }[result.kind]
    return f"{system_clock():%H:%M} {result.display}: {what}"


@contextmanager
def _stop_on_signals(watcher: Watcher) -> Iterator[None]:
    """Ctrl+C and SIGTERM finish the file in hand, then stop; a second Ctrl+C aborts at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        watcher.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    old_int = signal.signal(signal.SIGINT, handler)
    old_term = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


@cli.command("beobachten")
@click.option("--einmal", "once", is_flag=True, help="Einen Durchgang machen und beenden (für die geplante Aufgabe).")
@click.pass_obj
def beobachten(app: App, once: bool) -> None:
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
    tally = _Tally()

    def on_result(result: DropResult) -> None:
        tally.add(result)
        click.echo(_result_line(result))
        log.info("%s", _result_line(result))  # the scheduled task's output is seen by no one

    watcher = Watcher(
        app.store,
        index=lambda: app.index,
        # The long-running watcher must not wait for a large register: the background writer (one at a time).
        after_batch=app.after_change if once else lambda: app.after_change(interactive=True),
        on_result=on_result,
        notice=lambda text: click.echo(text, err=True),
    )
    # watchdog warns when the kernel reuses a watch number for a folder created right after another
    # one was removed (nested folders dropped at once); harmless, but not for the clerk's console.
    # Filtered only while the command runs: the process's warning filters are left as they were.
    with run_log("einwurf", app.ablage.root), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
        if once:
            watcher.once()
        else:
            kind = "regelmäßige Abfrage" if watcher.polling else "Dateiereignisse"
            click.echo(f"Beobachte {watcher.einwurf.root} ({kind}). Beenden mit Strg+C.")
            with watcher, _stop_on_signals(watcher):
                watcher.run()
            click.echo("Beendet.")
    click.echo(tally.summary_line())
    if tally.fehler:
        click.echo(
            f"Was tun: In {watcher.einwurf.error_dir} liegt neben jeder Datei eine Textdatei mit dem Grund.",
            err=True,
        )
        if once:
            raise click.exceptions.Exit(Exit.PROBLEME)
