"""Aktenzeichen: ``[KÜRZEL-]JJJJ-NNNNN-P`` with an ISO 7064 MOD 11,10 check digit.

Allocation claims a number by creating a directory
``<state>/aktenzeichen/<JJJJ>/<NNNNN>`` — ``mkdir`` is atomic on local disks and
on SMB servers, so the scheduled import, the watcher and two clerks never get
the same number. A hint file only speeds up the search for the next free number.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import EingabeFehler
from .fileio import fsync_dir, temp_path_for

AZ_RE = re.compile(r"^(?:(?P<kuerzel>[A-Za-z0-9]{1,8})-)?(?P<jahr>\d{4})-(?P<nr>\d{1,7})(?:-(?P<pz>\d))?$")
FOLDER_RE = re.compile(r"^(?:(?P<kuerzel>[A-Z0-9]{1,8})-)?(?P<jahr>\d{4})-(?P<nr>\d{5,7})-(?P<pz>\d)(?= |$)")
HINT_NAME = "letzte-nummer.txt"


def check_digit(digits: str) -> str:
    """ISO 7064 Mod 11,10 (as python-stdnum's ``mod_11_10``, which a test compares).

    Written out here because importing python-stdnum loads ``ssl`` and ``pydoc``: longer than a whole
    command at 100,000 Vorgänge should take.
    """
    check = 5
    for digit in digits:
        check = (((check or 10) * 2) % 11 + int(digit)) % 10
    return str((1 - ((check or 10) * 2) % 11) % 10)


@dataclass(frozen=True, order=True)
class Aktenzeichen:
    jahr: int
    nummer: int
    kuerzel: str = ""

    @property
    def pruefziffer(self) -> str:
        return check_digit(f"{self.jahr:04d}{self.nummer:05d}")

    def __str__(self) -> str:
        core = f"{self.jahr:04d}-{self.nummer:05d}-{self.pruefziffer}"
        return f"{self.kuerzel}-{core}" if self.kuerzel else core


def parse(text: str, kuerzel: str = "") -> Aktenzeichen:
    """Parse what a clerk typed. The check digit is optional but must be right if given."""
    cleaned = text.strip().replace(" ", "").replace("/", "-")
    match = AZ_RE.match(cleaned)
    if not match:
        raise EingabeFehler(
            f"'{text}' ist kein Aktenzeichen.",
            "Schreiben Sie es wie 2026-00042-7 (Jahr-Nummer-Prüfziffer); die Prüfziffer darf fehlen.",
        )
    az = Aktenzeichen(int(match["jahr"]), int(match["nr"]), (match["kuerzel"] or kuerzel).upper())
    if match["pz"] is not None and match["pz"] != az.pruefziffer:
        raise EingabeFehler(
            f"Die Prüfziffer von '{text}' stimmt nicht (richtig wäre {az}).",
            "Vermutlich ein Tippfehler: prüfen Sie Jahr und Nummer auf der Akte oder im Register.",
        )
    return az


def from_folder_name(name: str) -> Aktenzeichen | None:
    """The Aktenzeichen a Vorgang folder name starts with, or None (check digit verified)."""
    match = FOLDER_RE.match(name)
    if not match:
        return None
    az = Aktenzeichen(int(match["jahr"]), int(match["nr"]), match["kuerzel"] or "")
    return az if az.pruefziffer == match["pz"] else None


def allocate(state_dir: Path, jahr: int, kuerzel: str = "") -> Aktenzeichen:
    """Claim the next free number of ``jahr`` atomically and return it."""
    year_dir = state_dir / "aktenzeichen" / (f"{kuerzel}-{jahr}" if kuerzel else str(jahr))
    year_dir.mkdir(parents=True, exist_ok=True)
    number = _read_hint(year_dir) + 1
    while True:
        try:
            os.mkdir(year_dir / f"{number:05d}")
        except FileExistsError:
            number += 1
            continue
        fsync_dir(year_dir)  # the claim must survive a crash before the Vorgang is written
        _write_hint(year_dir, number)
        return Aktenzeichen(jahr, number, kuerzel)


def _read_hint(year_dir: Path) -> int:
    try:
        return int((year_dir / HINT_NAME).read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        numbers = [int(e.name) for e in os.scandir(year_dir) if e.is_dir() and e.name.isdigit()]
        return max(numbers, default=0)


def _write_hint(year_dir: Path, number: int) -> None:
    # Only a hint, so no fsync: a lost or stale hint costs a few mkdir retries, never a duplicate.
    tmp = temp_path_for(year_dir / HINT_NAME)
    with contextlib.suppress(OSError):
        tmp.write_text(f"{number}\n", encoding="ascii")
        os.replace(tmp, year_dir / HINT_NAME)
    tmp.unlink(missing_ok=True)
