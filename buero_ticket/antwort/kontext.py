"""The context a template sees: plain dicts and strings only.

Templates run in a sandbox and get copies of chosen fields, never the domain
objects, so a template can reach nothing else (no paths, no configuration, no
methods with side effects). Top-level names: ``vorgang``, ``absender``, ``amt``,
``datum``, ``bearbeiter``, plus the values given with ``--feld name=wert``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from .. import history
from ..config import Config
from ..errors import EingabeFehler
from ..models import Absender, Vorgang
from ..personen import display_name, person_named

_PROTECTED = {"vorgang", "absender", "amt"}
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def date_text(value: date | datetime | None) -> str:
    """German date as in letters: 23.11.2026 (empty for None)."""
    return f"{value:%d.%m.%Y}" if value else ""


def split_lines(text: str) -> list[str]:
    """An address as lines: by line breaks, else by commas ("Marktplatz 1, 12345 Musterstadt")."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def sender_context(sender: Absender) -> dict[str, Any]:
    salutation = f"Guten Tag {sender.name}," if sender.name else "Sehr geehrte Damen und Herren,"
    return {
        "name": sender.name,
        "email": sender.email,
        "telefon": sender.telefon,
        "anschrift": sender.anschrift,
        "anschrift_zeilen": split_lines(sender.anschrift),
        "anrede": salutation,
    }


def vorgang_context(vorgang: Vorgang) -> dict[str, Any]:
    return {
        "aktenzeichen": vorgang.aktenzeichen,
        "betreff": vorgang.betreff,
        "kanal": vorgang.kanal.label,
        "status": vorgang.status.label,
        "eingang": date_text(vorgang.eingang.astimezone()),
        "eingang_zeit": f"{vorgang.eingang.astimezone():%d.%m.%Y %H:%M}",
        "frist": date_text(vorgang.frist),
        "dringlichkeit": vorgang.dringlichkeit.label,
        "bearbeiter": vorgang.bearbeiter,
    }


def office_context(config: Config) -> dict[str, Any]:
    office = config.amt
    name, address = office.name, office.anschrift
    email = office.email or parseaddr(config.smtp.absender)[1]
    return {
        "name": name,
        "kuerzel": config.kuerzel,
        "anschrift": address,
        "anschrift_zeilen": split_lines(address),
        "email": email,
        "telefon": office.telefon,
        # DIN 5008 Rücksendeangabe: one short line above the address field
        "ruecksendeangabe": " · ".join([name, *split_lines(address)]),
    }


def bearbeiter_context(vorgang: Vorgang, config: Config) -> dict[str, str]:
    """Who signs: the Vorgang's Bearbeiter, else the person at this PC ([benutzer.LOGIN]), with their line."""
    name = vorgang.bearbeiter or display_name(config, history.current_user())
    person = person_named(config, name)
    return {
        "bearbeiter": name,
        "bearbeiter_kuerzel": person.kuerzel if person else "",
        "bearbeiter_telefon": person.telefon if person else "",
        "bearbeiter_email": person.email if person else "",
    }


def build(vorgang: Vorgang, config: Config, fields: dict[str, str], *, today: date) -> dict[str, Any]:
    """The whole context; ``today`` from the store's clock; ``fields`` (from --feld) override ``datum`` and
    ``bearbeiter``."""
    context: dict[str, Any] = {
        "vorgang": vorgang_context(vorgang),
        "absender": sender_context(vorgang.absender),
        "amt": office_context(config),
        "datum": date_text(today),
        **bearbeiter_context(vorgang, config),
    }
    context.update(fields)
    return context


def parse_fields(values: Iterable[str], files: Iterable[str] = ()) -> dict[str, str]:
    """``name=wert`` pairs (and ``name=DATEI`` whose UTF-8 content is the value); all problems at once."""
    fields: dict[str, str] = {}
    problems: list[str] = []
    for raw in values:
        name, value, problem = _split(raw, "--feld")
        if problem:
            problems.append(problem)
        else:
            fields[name] = value
    for raw in files:
        name, value, problem = _split(raw, "--feld-datei")
        if not problem:
            value, problem = _read_value(Path(value), name)
        if problem:
            problems.append(problem)
        else:
            fields[name] = value
    if problems:
        raise EingabeFehler(
            "Die Angaben zu den Feldern sind fehlerhaft.",
            "Schreiben Sie --feld name=wert (z. B. --feld bis=15.12.2026) bzw. --feld-datei text=Antwort.txt.",
            problems=problems,
        )
    return fields


def _split(raw: str, option: str) -> tuple[str, str, str]:
    name, sep, value = raw.partition("=")
    name = name.strip()
    if not sep:
        return "", "", f"{option} {raw!r}: es fehlt das Gleichheitszeichen (name=wert)"
    if not _FIELD_NAME.match(name):
        return "", "", f"{option} {raw!r}: „{name}“ ist kein gültiger Feldname (Buchstaben, Ziffern, _)"
    if name in _PROTECTED:
        return "", "", f"{option} {raw!r}: „{name}“ füllt das Programm selbst und kann nicht ersetzt werden"
    return name, value, ""


def _read_value(path: Path, name: str) -> tuple[str, str]:
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").rstrip("\n"), ""
    except FileNotFoundError:
        return "", f"--feld-datei {name}: die Datei {path} gibt es nicht"
    except (OSError, UnicodeDecodeError) as exc:
        return "", f"--feld-datei {name}: {path} ist nicht lesbar oder kein UTF-8-Text ({exc})"
