"""The Ablage's configuration file ``buero-ticket.toml``.

One declarative schema; validation lists every problem at once, each with its
line number. Passwords never live here (see the IMAP and SMTP sections).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from . import toml_deutsch
from .errors import KonfigFehler
from .settings import Settings, sections, validate

CONFIG_NAME = "buero-ticket.toml"

Config = Settings  # the typed settings of one Ablage (see buero_ticket.settings)


def load_config(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KonfigFehler(
            f"Die Konfigurationsdatei {path} fehlt.",
            "Legen Sie die Ablage mit 'buero-ticket init ORDNER' an.",
        ) from None
    except UnicodeDecodeError as exc:
        raise KonfigFehler(
            f"{path} ist keine UTF-8-Textdatei (Byte {exc.start}).",
            "Speichern Sie die Datei im Editor als UTF-8.",
        ) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Settings:
    name = str(path) if path else CONFIG_NAME
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KonfigFehler(
            f"{name} ist fehlerhaft: {toml_deutsch.german(str(exc))}",
            'Korrigieren Sie die genannte Zeile (TOML-Schreibweise: schluessel = "wert").',
        ) from None
    problems = validate(data, text)
    if problems:
        raise KonfigFehler(
            f"{name} enthält {len(problems)} Fehler.",
            "Korrigieren Sie alle genannten Stellen und starten Sie den Befehl erneut.",
            problems=problems,
        )
    return Settings(path, data)


HEADER = """\
# Konfiguration von buero-ticket für diese Ablage.
# Zeilen mit # sind Kommentare. Texte stehen in Anführungszeichen.
# Passwörter gehören NICHT in diese Datei (sie liegt auf dem gemeinsamen Laufwerk):
# siehe Abschnitte [imap] und [smtp] unten.

"""


def default_config_text(name: str = "Bürgerbüro", kuerzel: str = "") -> str:
    """A new, commented buero-ticket.toml: the header and every section's template."""
    text = HEADER + "\n".join(spec.template for spec in sections() if spec.template)
    return text.replace("{name}", name.replace('"', "'")).replace("{kuerzel}", kuerzel)
