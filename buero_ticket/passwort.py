"""Passwords for the mail servers, never from the shared config file.

One rule for IMAP and SMTP: ``passwort_datei`` (readable by its owner only) or
``passwort_befehl`` (a command that prints it) if set, else an environment variable, else the
operating system's keyring (Windows Credential Manager, macOS Keychain, Secret Service on Linux),
filled with ``buero-ticket passwort setzen imap|smtp``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from .errors import KonfigFehler

COMMAND_TIMEOUT_S = 30.0


class PasswortFehler(KonfigFehler):
    """The password could not be found or read; ``text`` and ``hinweis`` are German."""

    beschreibung = "Das Passwort für den Mailserver fehlt oder ist nicht lesbar."


def read_secret(
    section: str, *, datei: str | None, befehl: str | None, env_name: str, env: Mapping[str, str], user: str
) -> str:
    """The password for ``[section]`` from its file, its command or the environment variable."""
    if datei:
        return _from_file(Path(datei), section)
    if befehl:
        return _from_command(befehl, section)
    password = env.get(env_name, "") or from_keyring(section, user)
    if not password:
        raise PasswortFehler(
            f"Kein {section.upper()}-Passwort für {user or 'das Postfach'} gefunden.",
            f"Speichern Sie es in der Windows-Anmeldeinformationsverwaltung mit 'buero-ticket passwort setzen "
            f"{section}', oder setzen Sie die Umgebungsvariable {env_name} oder in [{section}] passwort_datei "
            "bzw. passwort_befehl. Das Passwort gehört nicht in buero-ticket.toml (gemeinsames Laufwerk).",
        )
    return password


# --- the operating system's keyring -------------------------------------------------------------

KEYRING_SERVICE = "buero-ticket"


def keyring_entry(section: str, user: str) -> tuple[str, str]:
    """(service, user name) under which the password of ``[section]`` is kept in the keyring."""
    return f"{KEYRING_SERVICE} {section}", user


def from_keyring(section: str, user: str) -> str:
    """The password from the OS keyring, or "" (no keyring on this PC, nothing stored, keyring locked)."""
    if not user:
        return ""
    try:
        import keyring  # loaded only when a password is needed: it scans the installed backends
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return ""
    try:
        return keyring.get_password(*keyring_entry(section, user)) or ""
    except (KeyringError, OSError, RuntimeError):
        return ""


def store_in_keyring(section: str, user: str, password: str) -> str:
    """Save the password in the OS keyring; returns the keyring's name for the message."""
    import keyring
    from keyring.errors import KeyringError

    backend = keyring.get_keyring()
    try:
        keyring.set_password(*keyring_entry(section, user), password)
    except (KeyringError, OSError, RuntimeError) as exc:
        raise PasswortFehler(
            f"Das Passwort konnte nicht im Schlüsselbund dieses PCs gespeichert werden ({exc}).",
            "Auf diesem PC gibt es keinen nutzbaren Passwortspeicher (unter Linux ohne Desktop üblich). Nutzen "
            f"Sie stattdessen passwort_datei in [{section}] oder die Umgebungsvariable.",
        ) from None
    return _backend_name(backend)


def _backend_name(backend: object) -> str:
    name = type(backend).__name__
    module = type(backend).__module__
    if "Windows" in module or "WinVault" in name:
        return "Windows-Anmeldeinformationsverwaltung"
    if "macOS" in module:
        return "macOS-Schlüsselbund"
    if "SecretService" in module or "libsecret" in module:
        return "Schlüsselbund der Arbeitsumgebung (Secret Service)"
    return f"Schlüsselbund ({module}.{name})"


def _from_file(path: Path, section: str) -> str:
    try:
        mode = path.stat().st_mode & 0o777
        if os.name != "nt" and mode & 0o077:  # Windows has no mode bits; NTFS ACLs protect the file there
            raise PasswortFehler(
                f"Die Passwortdatei {path} ist auch für Gruppe oder andere zugänglich (Rechte {mode:o}).",
                f"Schränken Sie die Rechte ein, z. B. mit: chmod 600 {path}",
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PasswortFehler(
            f"Die Passwortdatei {path} kann nicht gelesen werden ({exc}).",
            f"Prüfen Sie passwort_datei in [{section}] und ob die Datei UTF-8-Text enthält.",
        ) from None
    return _non_empty(_strip_newline(text), f"Die Passwortdatei {path}", section)


def _from_command(command: str, section: str) -> str:
    program = command.split(maxsplit=1)[0] if command.strip() else command
    try:
        args: str | list[str] = command if os.name == "nt" else shlex.split(command)
        done = subprocess.run(args, capture_output=True, encoding="utf-8", timeout=COMMAND_TIMEOUT_S, check=False)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise PasswortFehler(
            f"Der passwort_befehl ({program}) konnte nicht ausgeführt werden ({exc}).",
            f"Prüfen Sie den Befehl in [{section}].",
        ) from None
    if done.returncode != 0:
        raise PasswortFehler(
            f"Der passwort_befehl ({program}) endete mit Fehlercode {done.returncode}: {done.stderr.strip()[:200]}",
            f"Prüfen Sie den Befehl in [{section}].",
        )
    return _non_empty(_strip_newline(done.stdout), f"Der passwort_befehl ({program})", section)


def _strip_newline(text: str) -> str:
    return text.removesuffix("\n").removesuffix("\r")


def _non_empty(password: str, source: str, section: str) -> str:
    if not password:
        raise PasswortFehler(f"{source} liefert ein leeres Passwort.", f"Tragen Sie das Passwort für [{section}] ein.")
    return password
