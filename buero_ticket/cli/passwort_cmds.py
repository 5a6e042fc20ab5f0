"""``passwort setzen imap|smtp``: the mail passwords into the PC's own password store."""

from __future__ import annotations

import sys

import click

from ..config import CONFIG_NAME
from ..errors import EingabeFehler
from ..passwort import store_in_keyring
from . import App, cli


@cli.group("passwort")
def passwort_group() -> None:
    """Passwörter für Postfach (IMAP) und Mailversand (SMTP) im Passwortspeicher dieses PCs ablegen.

    Unter Windows ist das die Anmeldeinformationsverwaltung des angemeldeten Kontos; das Passwort
    liegt so nie auf dem gemeinsamen Laufwerk. Umgebungsvariable, passwort_datei und
    passwort_befehl gehen weiterhin vor.

    \b
    Beispiel:
      buero-ticket passwort setzen imap
    """


@passwort_group.command("setzen")
@click.argument("dienst", type=click.Choice(["imap", "smtp"], case_sensitive=False), metavar="imap|smtp")
@click.option("--stdin", "from_stdin", is_flag=True, help="Passwort aus der Standardeingabe lesen (für Skripte).")
@click.pass_obj
def setzen(app: App, dienst: str, from_stdin: bool) -> None:
    """Passwort für das Postfach (imap) oder den Mailversand (smtp) sicher auf diesem PC speichern.

    Gilt für das Konto, unter dem der Befehl läuft – für die geplante Aufgabe also unter dem
    Dienstkonto ausführen (z. B. mit „Ausführen als anderer Benutzer“).

    \b
    Beispiel:
      buero-ticket passwort setzen imap
      echo geheim | buero-ticket passwort setzen smtp --stdin
    """
    section = dienst.lower()
    settings = app.ablage.config
    user = settings.imap.benutzer if section == "imap" else settings.smtp.benutzer
    if not user:
        raise EingabeFehler(
            f"In [{section}] von {app.ablage.root / CONFIG_NAME} ist kein benutzer eingetragen.",
            f'Tragen Sie erst benutzer = "…" in [{section}] ein und rufen Sie den Befehl dann erneut auf.',
        )
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = click.prompt(f"Passwort für {user} ({section})", hide_input=True, confirmation_prompt=True)
    if not password:
        raise EingabeFehler("Es wurde kein Passwort eingegeben; nichts gespeichert.", "Geben Sie das Passwort ein.")
    where = store_in_keyring(section, user, password)
    click.echo(f"Passwort für {user} ({section}) gespeichert in: {where}.")
