"""Where a person's data lives in the Ablage outside the Vorgang folders.

Quarantine copies (``Quarantäne``, ``0 Einwurf\\_Fehler``), log files, and the import ledger
(``.buero-ticket\\importiert``) — each is searched for the person's identifiers (e-mail addresses,
names, phone numbers) or the Aktenzeichen of their Vorgänge. Reading only; removal is in ``loeschen.py``.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..ablage import Ablage
from ..fileio import is_temp_name
from .personen import fold

GRUND_SUFFIX = " - Grund.txt"
_MAX_READ = 50 * 1024 * 1024  # a larger quarantined file is matched on its first 50 MB


class FundArt(StrEnum):
    """Where a Fundstelle is; the value is the German name (folder in the Auskunft, line in the plan)."""

    QUARANTAENE = "Quarantäne"
    EINWURF_FEHLER = "Einwurf-Fehler"
    PROTOKOLL = "Protokoll"  # matching lines of a run log: they are blanked, the file stays
    IMPORTVERZEICHNIS = "Importverzeichnis"


@dataclass
class Fundstelle:
    art: FundArt
    pfad: Path
    zeilen: list[str] = field(default_factory=list)  # matching lines (logs, ledger); empty = whole file


def _text_of(path: Path) -> str:
    """The file's text for matching: raw bytes decoded, plus decoded mail headers (RFC 2047 names)."""
    with open(path, "rb") as fh:
        raw = fh.read(_MAX_READ)
    text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() in {".eml", ".mbox"} or raw[:5] in (b"From:", b"From ", b"Retur", b"Recei"):
        try:
            msg = email.message_from_bytes(raw[:200_000], policy=email.policy.default)
            text += "\n" + "\n".join(str(v) for k, v in msg.items() if k.lower() in {"from", "to", "cc", "reply-to"})
        except Exception:  # a broken header must not hide the rest of the search
            pass
    return text


def _matches(text: str, begriffe: Iterable[str]) -> bool:
    low, folded = text.casefold(), fold(text)
    return any(b.casefold() in low or bool(fold(b) and fold(b) in folded) for b in begriffe)


def _walk_files(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not is_temp_name(d)]
        for name in filenames:
            if not is_temp_name(name):
                yield Path(dirpath) / name


def quarantaene(ablage: Ablage, begriffe: list[str]) -> list[Fundstelle]:
    """Quarantined files that mention the person, each with its "- Grund.txt" companion."""
    found: list[Fundstelle] = []
    places = [(FundArt.QUARANTAENE, ablage.quarantaene_dir), (FundArt.EINWURF_FEHLER, ablage.einwurf_dir / "_Fehler")]
    for art, folder in places:
        for path in _walk_files(folder):
            if path.name.endswith(GRUND_SUFFIX):
                continue
            try:
                hit = _matches(_text_of(path), begriffe)
            except OSError:
                continue
            if hit:
                found.append(Fundstelle(art, path))
                grund = path.with_name(path.stem + GRUND_SUFFIX)
                if grund.is_file():
                    found.append(Fundstelle(art, grund))
    return found


def log_dirs(ablage: Ablage) -> list[Path]:
    """Log folders: this PC's run logs (``protokoll.log_dir``) and the older logs on the share."""
    from ..protokoll import log_dir

    return [d for d in dict.fromkeys([log_dir(), ablage.log_dir]) if d.is_dir()]


def protokolle(ablage: Ablage, begriffe: list[str], aktenzeichen: Iterable[str]) -> list[Fundstelle]:
    needles = list(begriffe) + list(aktenzeichen)
    found = []
    for folder in log_dirs(ablage):
        for path in _walk_files(folder):
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            hits = [line for line in lines if _matches(line, needles)]
            if hits:
                found.append(Fundstelle(FundArt.PROTOKOLL, path, hits))
    return found


def ledger_dir(ablage: Ablage) -> Path:
    return ablage.state_dir / "importiert"


def importverzeichnis(ablage: Ablage, aktenzeichen: Iterable[str]) -> list[Fundstelle]:
    """Ledger entries (one small file per imported mail key) that point to one of these Vorgänge."""
    wanted = set(aktenzeichen)
    found = []
    for path in _walk_files(ledger_dir(ablage)):
        try:
            line = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue
        if line.split("\t", 1)[0] in wanted:
            found.append(Fundstelle(FundArt.IMPORTVERZEICHNIS, path, [line]))
    return found
