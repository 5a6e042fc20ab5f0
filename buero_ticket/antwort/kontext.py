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

#: Names the program fills; ``datum`` and ``bearbeiter`` may be overridden with --feld.
FESTE_NAMEN = ("vorgang", "absender", "amt", "datum", "bearbeiter")
_GESCHUETZT = {"vorgang", "absender", "amt"}
_FELDNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def datum_text(value: date | datetime | None) -> str:
    """German date as in letters: 23.11.2026 (empty for None)."""
    return f"{value:%d.%m.%Y}" if value else ""


def zeilen(text: str) -> list[str]:
    """An address as lines: by line breaks, else by commas ("Marktplatz 1, 12345 Musterstadt")."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def absender_kontext(absender: Absender) -> dict[str, Any]:
    anrede = f"Guten Tag {absender.name}," if absender.name else "Sehr geehrte Damen und Herren,"
    return {
        "name": absender.name,
        "email": absender.email,
        "telefon": absender.telefon,
        "anschrift": absender.anschrift,
        "anschrift_zeilen": zeilen(absender.anschrift),
        "anrede": anrede,
    }


def vorgang_kontext(vorgang: Vorgang) -> dict[str, Any]:
    return {
        "aktenzeichen": vorgang.aktenzeichen,
        "betreff": vorgang.betreff,
        "kanal": vorgang.kanal.label,
        "status": vorgang.status.label,
        "eingang": datum_text(vorgang.eingang.astimezone()),
        "eingang_zeit": f"{vorgang.eingang.astimezone():%d.%m.%Y %H:%M}",
        "frist": datum_text(vorgang.frist),
        "dringlichkeit": vorgang.dringlichkeit.label,
        "bearbeiter": vorgang.bearbeiter,
    }


def amt_kontext(config: Config) -> dict[str, Any]:
    amt = config.section("amt")
    name, anschrift = str(amt["name"]), str(amt["anschrift"])
    email = str(amt["email"]) or parseaddr(str(config.get("smtp", "absender")))[1]
    return {
        "name": name,
        "kuerzel": config.kuerzel,
        "anschrift": anschrift,
        "anschrift_zeilen": zeilen(anschrift),
        "email": email,
        "telefon": str(amt["telefon"]),
        # DIN 5008 Rücksendeangabe: one short line above the address field
        "ruecksendeangabe": " · ".join([name, *zeilen(anschrift)]),
    }


def build(vorgang: Vorgang, config: Config, felder: dict[str, str], *, heute: date | None = None) -> dict[str, Any]:
    """The whole context; ``felder`` (from --feld) override ``datum`` and ``bearbeiter``."""
    context: dict[str, Any] = {
        "vorgang": vorgang_kontext(vorgang),
        "absender": absender_kontext(vorgang.absender),
        "amt": amt_kontext(config),
        "datum": datum_text(heute or history.now().date()),
        "bearbeiter": vorgang.bearbeiter or history.current_user(),
    }
    context.update(felder)
    return context


def parse_felder(values: Iterable[str], dateien: Iterable[str] = ()) -> dict[str, str]:
    """``name=wert`` pairs (and ``name=DATEI`` whose UTF-8 content is the value); all problems at once."""
    felder: dict[str, str] = {}
    problems: list[str] = []
    for raw in values:
        name, value, problem = _split(raw, "--feld")
        if problem:
            problems.append(problem)
        else:
            felder[name] = value
    for raw in dateien:
        name, value, problem = _split(raw, "--feld-datei")
        if not problem:
            value, problem = _read_value(Path(value), name)
        if problem:
            problems.append(problem)
        else:
            felder[name] = value
    if problems:
        raise EingabeFehler(
            "Die Angaben zu den Feldern sind fehlerhaft.",
            "Schreiben Sie --feld name=wert (z. B. --feld bis=15.12.2026) bzw. --feld-datei text=Antwort.txt.",
            problems=problems,
        )
    return felder


def _split(raw: str, option: str) -> tuple[str, str, str]:
    name, sep, value = raw.partition("=")
    name = name.strip()
    if not sep:
        return "", "", f"{option} {raw!r}: es fehlt das Gleichheitszeichen (name=wert)"
    if not _FELDNAME.match(name):
        return "", "", f"{option} {raw!r}: „{name}“ ist kein gültiger Feldname (Buchstaben, Ziffern, _)"
    if name in _GESCHUETZT:
        return "", "", f"{option} {raw!r}: „{name}“ füllt das Programm selbst und kann nicht ersetzt werden"
    return name, value, ""


def _read_value(path: Path, name: str) -> tuple[str, str]:
    try:
        return path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").rstrip("\n"), ""
    except FileNotFoundError:
        return "", f"--feld-datei {name}: die Datei {path} gibt es nicht"
    except (OSError, UnicodeDecodeError) as exc:
        return "", f"--feld-datei {name}: {path} ist nicht lesbar oder kein UTF-8-Text ({exc})"
