"""Putting a finished workbook in place: renamed over the old one, or beside it if that is open.

If the register is open in Excel (locked on a share), the new one goes to a side
file (``Vorgangsregister (neu).xlsx``) and the main file is replaced next time.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ZugriffFehler
from ..fileio import fsync_dir, retry_on_busy

#: Attempts to rename over a busy register before falling back to the side file (about 0.5 s).
REPLACE_ATTEMPTS = 5
# Errors that mean "someone has the file open": EACCES on Windows (sharing violation),
# EBUSY from a Linux CIFS mount.
_BUSY_ERRNOS = {errno.EBUSY}


class RegisterLockedError(ZugriffFehler):
    """Neither the register nor its side file could be replaced; the message is German."""

    beschreibung = "Das Register ist geöffnet und kann nicht ersetzt werden."


@dataclass(frozen=True)
class RegisterResult:
    """What writing a register did. ``message`` is meant for the clerk."""

    file: Path  # the file that now holds the new register
    is_side_file: bool  # True: the main file was locked, ``file`` is the side file
    message: str
    open_count: int
    total_count: int


@dataclass(frozen=True)
class Counts:
    open_count: int
    all_count: int


def side_file_for(target: Path) -> Path:
    """``Vorgangsregister.xlsx`` → ``Vorgangsregister (neu).xlsx``."""
    return target.with_name(f"{target.stem} (neu){target.suffix}")


def publish(tmp: Path, target: Path, counts: Counts) -> RegisterResult:
    """Rename the finished temp file over the register, or beside it if the register is locked."""
    side = side_file_for(target)
    try:
        retry_on_busy(lambda: _replace(tmp, target), attempts=REPLACE_ATTEMPTS)
    except PermissionError:
        return _publish_side_file(tmp, target, side, counts)
    fsync_dir(target.parent)
    message = (
        f"Register „{target.name}“ geschrieben ({number(counts.open_count)} offen, "
        f"{number(counts.all_count)} gesamt).{_remove_side_file(side)}"
    )
    return RegisterResult(target, False, message, counts.open_count, counts.all_count)


def _publish_side_file(tmp: Path, target: Path, side: Path, counts: Counts) -> RegisterResult:
    try:
        retry_on_busy(lambda: _replace(tmp, side), attempts=REPLACE_ATTEMPTS)
    except PermissionError as exc:
        raise RegisterLockedError(
            f"„{target.name}“ und „{side.name}“ lassen sich nicht ersetzen (geöffnet oder keine "
            "Schreibrechte). Das Register wurde nicht geschrieben; bitte eine der Dateien schließen "
            "und erneut versuchen."
        ) from exc
    fsync_dir(target.parent)
    message = (
        f"„{target.name}“ ist gerade geöffnet (gesperrt). Das neue Register steht in „{side.name}“; "
        "die Hauptdatei wird beim nächsten Erzeugen ersetzt."
    )
    return RegisterResult(side, True, message, counts.open_count, counts.all_count)


def _remove_side_file(side: Path) -> str:
    """Delete an older side file; the returned sentence (or "") completes the message."""
    try:
        side.unlink()
    except FileNotFoundError:
        return ""
    except OSError:
        return f" Die veraltete Ausweichdatei „{side.name}“ ist geöffnet und konnte nicht gelöscht werden."
    return f" Die veraltete Ausweichdatei „{side.name}“ wurde gelöscht."


def _replace(src: Path, dst: Path) -> None:
    """os.replace that reports "file is open" uniformly as PermissionError."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno not in _BUSY_ERRNOS:
            raise
        raise PermissionError(exc.errno, exc.strerror, str(dst)) from exc


def number(n: int) -> str:
    """German thousands separator: 65530 → 65.530."""
    return f"{n:,}".replace(",", ".")
