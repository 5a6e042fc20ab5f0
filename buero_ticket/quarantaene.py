"""The quarantine place in the Ablage: what could not be processed, with a German reason beside it."""

from __future__ import annotations

from pathlib import Path

from .clock import system_clock
from .fileio import atomic_write_bytes, atomic_write_text
from .names import short_subject, unique_name

HOW_TO = (
    "Was tun: Öffnen Sie die Datei (E-Mails mit Outlook). Gehört sie zu einem Vorgang, ziehen Sie sie in "
    "'0 Einwurf\\<Aktenzeichen>'. Sonst legen Sie mit 'buero-ticket mail einlesen DATEI' einen Vorgang an "
    "oder löschen Sie sie, wenn sie unerheblich ist."
)


def quarantine(
    base: Path, data: bytes, ext: str, subject: str, grund: str, quelle: str, *, subfolder: str = ""
) -> Path:
    """Store ``data`` in ``base`` (the Ablage's Quarantäne, or the Einwurf's _Fehler) with a ``.txt``
    that says why; never overwrites anything. Returns the file's path."""
    folder = base / subfolder if subfolder else base
    folder.mkdir(parents=True, exist_ok=True)
    now = system_clock()
    stem = f"{now:%Y-%m-%d %H%M%S} {short_subject(subject or 'Nachricht', 40)}"
    name = unique_name(folder, f"{stem}.{ext}")
    atomic_write_bytes(folder / name, data, overwrite=False)
    reason = f"Datei: {name}\nZeit: {now:%d.%m.%Y %H:%M:%S}\nHerkunft: {quelle}\nGrund: {grund}\n\n{HOW_TO}\n"
    atomic_write_text(folder / unique_name(folder, f"{Path(name).stem} - Grund.txt"), reason, overwrite=False)
    return folder / name
