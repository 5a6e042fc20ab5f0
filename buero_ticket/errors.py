"""All product exceptions in one hierarchy, and the one translator from any exception to a German message.

:func:`translate` maps every exception (ours, OSError by errno, connection and cache errors, anything else)
to a :class:`Meldung`: German text, what to do next, exit code and severity. The CLI, the mail run, the
Einwurf loop and the acknowledgement all use it; nothing else formats errors for people. The severity
decides the blast radius: ``EINZELN`` (one mail or file: quarantine it and go on), ``LAUF`` (the Ablage,
the disk or the mailbox: stop the run with the exit code), ``INTERN`` (a bug: the one item goes to
quarantine, the log has the traceback). No I/O here.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum
from pathlib import PurePath
from typing import ClassVar


class Exit(IntEnum):
    """Documented exit codes (README, section "Exit-Codes")."""

    OK = 0
    PROBLEME = 1  # pruefen found problems; a mail run had failures
    BEDIENUNG = 2  # wrong command line
    ABLAGE = 3  # Ablage missing, unreachable or not an Ablage
    KONFIG = 4  # buero-ticket.toml invalid
    NICHT_GEFUNDEN = 5  # unknown Aktenzeichen, Vorgang deleted meanwhile
    KONFLIKT = 6  # someone else changed the Vorgang meanwhile
    ZUGRIFF = 7  # no write access, file locked, share read-only, disk full
    VERBINDUNG = 8  # mail server unreachable, login failed, connection lost
    INTERN = 10  # a bug: please report with --debug output


class Schwere(StrEnum):
    """How far an error reaches (see the module docstring)."""

    EINZELN = "einzeln"  # this one mail/file/Vorgang
    LAUF = "lauf"  # the whole run: Ablage, disk, mailbox, settings
    INTERN = "intern"  # a bug


class BueroTicketError(Exception):
    """Base class: ``text`` says what happened, ``hinweis`` what to do next.

    Every subclass names in ``beschreibung`` (German) what kind of problem it stands for; a test fails
    for a class without it.
    """

    exit_code: Exit = Exit.INTERN
    schwere: Schwere = Schwere.LAUF
    beschreibung: ClassVar[str] = "Ein Fehler ist aufgetreten."

    def __init__(
        self, text: str = "", hinweis: str = "", problems: list[str] | None = None, *, schwere: Schwere | None = None
    ) -> None:
        text = text or self.beschreibung
        super().__init__(text)
        self.text = text
        self.hinweis = hinweis
        self.problems = problems or []
        if schwere is not None:
            self.schwere = schwere


class EingabeFehler(BueroTicketError):
    exit_code = Exit.BEDIENUNG
    schwere = Schwere.EINZELN
    beschreibung = "Die Eingabe ist nicht richtig."


class AblageFehler(BueroTicketError):
    exit_code = Exit.ABLAGE
    beschreibung = "Die Ablage fehlt, ist nicht erreichbar oder keine buero-ticket-Ablage."


class KonfigFehler(BueroTicketError):
    exit_code = Exit.KONFIG
    beschreibung = "Die Einstellungen (buero-ticket.toml) sind fehlerhaft."


class NichtGefunden(BueroTicketError):
    exit_code = Exit.NICHT_GEFUNDEN
    schwere = Schwere.EINZELN
    beschreibung = "Der Vorgang wurde nicht gefunden."


class KonfliktFehler(BueroTicketError):
    exit_code = Exit.KONFLIKT
    schwere = Schwere.EINZELN
    beschreibung = "Der Vorgang wurde inzwischen von jemand anderem geändert."


class ZugriffFehler(BueroTicketError):
    exit_code = Exit.ZUGRIFF
    beschreibung = "Auf eine Datei der Ablage kann nicht geschrieben werden."


class GesperrtFehler(ZugriffFehler):
    """A restricted Vorgang (Art. 18 DSGVO) was to be changed."""

    beschreibung = "Der Vorgang ist gesperrt (Art. 18 DSGVO) und kann nicht geändert werden."


class DatenFehler(BueroTicketError):
    """A Vorgang's files are unreadable or inconsistent (pruefen reports these)."""

    exit_code = Exit.PROBLEME
    schwere = Schwere.EINZELN
    beschreibung = "Die Dateien eines Vorgangs sind unlesbar oder widersprüchlich."


class VerbindungsFehler(BueroTicketError):
    """A server (IMAP, SMTP) is unreachable, refused the login or dropped the connection."""

    exit_code = Exit.VERBINDUNG
    beschreibung = "Der Mailserver ist nicht erreichbar oder hat die Anmeldung abgelehnt."


class NichtAbgelegt(BueroTicketError):
    """A mail was sent but could not be filed; the exit code is that of the cause (never "Bedienfehler")."""

    exit_code = Exit.ZUGRIFF
    beschreibung = "Die E-Mail wurde gesendet, konnte aber nicht im Vorgang abgelegt werden."

    def __init__(self, text: str, hinweis: str, cause: BaseException) -> None:
        super().__init__(text, hinweis)
        meldung = translate(cause)
        self.exit_code = meldung.exit_code if meldung.exit_code not in (Exit.BEDIENUNG, Exit.OK) else Exit.ZUGRIFF


# --- the translator ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meldung:
    """What a person reads about an exception, and what the program does about it."""

    text: str
    hinweis: str
    exit_code: Exit
    schwere: Schwere
    problems: tuple[str, ...] = ()
    technik: str = ""  # exception type and text, for the IT only (log, "Für die IT:" in reason files)

    def lines(self, prefix: str = "Fehler: ") -> list[str]:
        """The message as printed: text, one line per problem, "Was tun: …"."""
        out = [f"{prefix}{self.text}"]
        out += [f"  - {p}" for p in self.problems]
        if self.hinweis:
            out.append(f"Was tun: {self.hinweis}")
        return out

    def fuer_eintrag(self) -> tuple[str, str]:
        """(reason, what to do) for one mail or file set aside in a batch run (quarantine, ``_Fehler``)."""
        if self.schwere is Schwere.INTERN:
            return (
                f"Interner Fehler beim Verarbeiten (ein Programmfehler, nicht Ihrer). Für die IT: {self.technik}",
                "Geben Sie diese Datei und das Protokoll aus '.buero-ticket\\protokoll' an die IT.",
            )
        return " ".join([self.text, *self.problems]), self.hinweis

    @property
    def einzeln(self) -> bool:
        """True when only the one mail/file is affected (quarantine it and go on)."""
        return self.schwere is not Schwere.LAUF


_TEMP_PREFIX = ".~bt-"  # fileio.TEMP_PREFIX (not imported: errors.py imports nothing of the product)
_IT = "Wiederholen Sie den Befehl mit --debug und geben Sie die Ausgabe an die IT."
_FULL = getattr(errno, "EDQUOT", None), errno.ENOSPC, errno.EFBIG
_GONE = (
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EIO,
    getattr(errno, "ESTALE", None),
    getattr(errno, "EHOSTDOWN", None),
    getattr(errno, "ENETDOWN", None),
    getattr(errno, "ENETUNREACH", None),
    getattr(errno, "EHOSTUNREACH", None),
    getattr(errno, "ENOTCONN", None),
    getattr(errno, "ECONNRESET", None),
    getattr(errno, "ECONNREFUSED", None),
    getattr(errno, "ETIMEDOUT", None),
)
_BUSY = (errno.EBUSY, getattr(errno, "ETXTBSY", None), 32, 33)  # 32/33: Windows sharing/lock violation


def _path_of(exc: OSError) -> str:
    """The file a person knows: for a failed rename of our temp file, the target."""
    name = str(exc.filename or "")
    if exc.filename2 and (not name or os.path.basename(name).startswith(_TEMP_PREFIX)):
        name = str(exc.filename2)
    parts = PurePath(name).parts
    for i, part in enumerate(parts):
        if part.startswith(_TEMP_PREFIX):  # inside a folder still being written: name its visible parent
            return str(PurePath(*parts[:i])) if i else ""
    return name


def _where(exc: OSError) -> str:
    name = _path_of(exc)
    return f" ({name})" if name else ""


def _translate_os_error(exc: OSError) -> Meldung:
    code = exc.errno
    where = _where(exc)
    if code in _FULL and code is not None:
        quota = code == getattr(errno, "EDQUOT", -1)
        what = "Ihr Speicherkontingent auf dem Laufwerk ist erschöpft" if quota else "Das Laufwerk ist voll"
        return Meldung(
            f"{what}{where}. Keine Datei wurde halb geschrieben.",
            "Schaffen Sie Platz (alte Dateien löschen oder archivieren) oder bitten Sie die IT um mehr "
            "Speicherplatz, und wiederholen Sie dann den Befehl.",
            Exit.ZUGRIFF,
            Schwere.LAUF,
        )
    if code == errno.EROFS:
        return Meldung(
            f"Das Laufwerk ist schreibgeschützt{where}; es wurde nichts gespeichert.",
            "Bitten Sie die IT, das Laufwerk wieder beschreibbar zu machen, und wiederholen Sie den Befehl.",
            Exit.ZUGRIFF,
            Schwere.LAUF,
        )
    if isinstance(exc, IsADirectoryError):
        return Meldung(
            f"Dort liegt ein Ordner, wo eine Datei erwartet wird{where}.",
            "Benennen Sie den Ordner um oder verschieben Sie ihn und wiederholen Sie den Befehl.",
            Exit.ZUGRIFF,
            Schwere.LAUF,
        )
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return Meldung(
            f"Keine Berechtigung für {_path_of(exc) or 'eine Datei'} (schreibgeschützt oder geöffnet?).",
            "Prüfen Sie Ihre Rechte auf dem Laufwerk oder schließen Sie die Datei.",
            Exit.ZUGRIFF,
            Schwere.LAUF,
        )
    if code in _BUSY and code is not None:
        return Meldung(
            f"Eine Datei ist gerade von einem anderen Programm gesperrt{where}.",
            "Schließen Sie die Datei (z. B. in Word oder Excel) und wiederholen Sie den Befehl.",
            Exit.ZUGRIFF,
            Schwere.LAUF,
        )
    if code == errno.ENAMETOOLONG:
        return Meldung(
            f"Ein Datei- oder Ordnername ist zu lang für das Laufwerk{where}.",
            "Kürzen Sie den Namen (z. B. den Betreff) und versuchen Sie es erneut.",
            Exit.ZUGRIFF,
            Schwere.EINZELN,
        )
    if code in _GONE and code is not None:
        return Meldung(
            f"Die Ablage ist nicht (mehr) erreichbar oder eine Datei fehlt{where}.",
            "Ist das Netzlaufwerk verbunden? Prüfen Sie die Verbindung und wiederholen Sie den Befehl.",
            Exit.ABLAGE,
            Schwere.LAUF,
        )
    return Meldung(
        f"Eine Datei konnte nicht gelesen oder geschrieben werden{where}: {ursache(exc)}.",
        "Prüfen Sie das Laufwerk und Ihre Rechte und wiederholen Sie den Befehl.",
        Exit.ZUGRIFF,
        Schwere.LAUF,
    )


def translate(exc: BaseException) -> Meldung:
    """The one translator: any exception → German text, what to do, exit code, severity."""
    if isinstance(exc, BueroTicketError):
        return Meldung(exc.text, exc.hinweis, exc.exit_code, exc.schwere, tuple(exc.problems))
    return replace(_translate_foreign(exc), technik=_technik(exc))


def _translate_foreign(exc: BaseException) -> Meldung:
    ssl = sys.modules.get("ssl")  # an SSLError needs ssl imported; importing it here would slow every start
    connection = (ConnectionError, TimeoutError, *((ssl.SSLError,) if ssl is not None else ()))
    if isinstance(exc, connection) and not exc.filename:
        return Meldung(
            f"Die Verbindung zu einem Server ist fehlgeschlagen ({ursache(exc)}).",
            "Prüfen Sie Netz und Server; der nächste Versuch kann gelingen.",
            Exit.VERBINDUNG,
            Schwere.LAUF,
        )
    if isinstance(exc, OSError):
        return _translate_os_error(exc)
    if isinstance(exc, sqlite3.Error):
        return Meldung(
            "Der lokale Zwischenspeicher (Cache) dieses PCs ist beschädigt.",
            "Löschen Sie den Ordner buero-ticket\\cache in Ihrem Benutzerprofil (er wird neu aufgebaut) und "
            "wiederholen Sie den Befehl.",
            Exit.INTERN,
            Schwere.LAUF,
        )
    if isinstance(exc, MemoryError):
        return Meldung(
            "Der Arbeitsspeicher dieses PCs reicht für diese Aufgabe nicht aus.",
            "Schließen Sie andere Programme und wiederholen Sie den Befehl; hilft das nicht, an die IT wenden.",
            Exit.INTERN,
            Schwere.INTERN,
        )
    if isinstance(exc, UnicodeError):
        return Meldung(
            "Ein Text konnte nicht gelesen werden (unbekannte Zeichenkodierung).",
            _IT,
            Exit.INTERN,
            Schwere.INTERN,
        )
    return Meldung("Interner Fehler (ein Programmfehler, nicht Ihrer).", _IT, Exit.INTERN, Schwere.INTERN)


def ursache(exc: BaseException) -> str:
    """The OS's or the server's own words for a product error's text ("Connection refused"), without
    Python's class names and "[Errno …]" (those stay in the cause: --debug, log)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or "keine Antwort"


def _technik(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
