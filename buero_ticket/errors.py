"""Domain errors. Each carries German text for the clerk, the next step and an exit code.

The CLI has exactly one translator (``cli.main``) that prints these; nothing else
formats errors for people. No I/O here.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Documented exit codes (README, section "Exit-Codes")."""

    OK = 0
    PROBLEME = 1  # pruefen found problems; a mail run had failures
    BEDIENUNG = 2  # wrong command line
    ABLAGE = 3  # Ablage missing, unreachable or not an Ablage
    KONFIG = 4  # buero-ticket.toml invalid
    NICHT_GEFUNDEN = 5  # unknown Aktenzeichen, Vorgang deleted meanwhile
    KONFLIKT = 6  # someone else changed the Vorgang meanwhile
    ZUGRIFF = 7  # no write access, file locked, share read-only
    VERBINDUNG = 8  # mail server unreachable, login failed, connection lost
    INTERN = 10  # a bug: please report with --debug output


class BueroTicketError(Exception):
    """Base class: ``text`` says what happened, ``hinweis`` what to do next."""

    exit_code: Exit = Exit.INTERN

    def __init__(self, text: str, hinweis: str = "", problems: list[str] | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.hinweis = hinweis
        self.problems = problems or []


class EingabeFehler(BueroTicketError):
    exit_code = Exit.BEDIENUNG


class AblageFehler(BueroTicketError):
    exit_code = Exit.ABLAGE


class KonfigFehler(BueroTicketError):
    exit_code = Exit.KONFIG


class NichtGefunden(BueroTicketError):
    exit_code = Exit.NICHT_GEFUNDEN


class KonfliktFehler(BueroTicketError):
    exit_code = Exit.KONFLIKT


class ZugriffFehler(BueroTicketError):
    exit_code = Exit.ZUGRIFF


class DatenFehler(BueroTicketError):
    """A Vorgang's files are unreadable or inconsistent (pruefen reports these)."""

    exit_code = Exit.PROBLEME
