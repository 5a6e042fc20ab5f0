"""The append-only history file ``verlauf.txt`` of a Vorgang.

One line per event, readable in Notepad::

    2026-11-23T14:10:28+01:00 | mweber | Statuswechsel | Eingang → In Bearbeitung

Fields are separated by `` | ``; newlines and backslashes inside details are
escaped. Appends rewrite the file atomically and must be made while holding the
Vorgang's lock (see :mod:`buero_ticket.store`), so concurrent writers never lose
a line and a crash never leaves a half line.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path

from .fileio import atomic_write_bytes, read_fresh
from .models import HistoryEntry

HISTORY_NAME = "verlauf.txt"
HEADER = "# Verlauf: Zeit | Benutzer | Aktion | Details\n"
SEP = " | "


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account without USERNAME)
        return "unbekannt"


def _clean_field(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def format_line(entry: HistoryEntry) -> str:
    fields = [entry.zeit.isoformat(), _clean_field(entry.benutzer), _clean_field(entry.aktion)]
    return SEP.join([*fields, _escape(entry.details)]) + "\n"


def parse_lines(text: str) -> list[HistoryEntry]:
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(SEP, 3)
        if len(parts) < 3:
            continue
        try:
            zeit = datetime.fromisoformat(parts[0])
        except ValueError:
            continue
        details = _unescape(parts[3]) if len(parts) == 4 else ""
        entries.append(HistoryEntry(zeit, parts[1], parts[2], details))
    return entries


def read_history(folder: Path) -> list[HistoryEntry]:
    try:
        return parse_lines((folder / HISTORY_NAME).read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        return []


def new_file_content(entries: list[HistoryEntry]) -> bytes:
    return (HEADER + "".join(format_line(e) for e in entries)).encode("utf-8")


def read_text(folder: Path) -> str:
    """The whole history file (the header alone if it is missing), ending with a newline."""
    try:
        old = read_fresh(folder / HISTORY_NAME).decode("utf-8", errors="replace")  # never a cached old version
    except FileNotFoundError:
        old = HEADER
    if old and not old.endswith("\n"):
        old += "\n"
    return old


def write_text(folder: Path, text: str) -> None:
    """Replace the history file atomically (never append in place: no half lines, no append mode on
    SMB). Caller holds the Vorgang lock."""
    atomic_write_bytes(folder / HISTORY_NAME, text.encode("utf-8"))


def append_history(folder: Path, entries: list[HistoryEntry]) -> None:
    """Append lines by rewriting the file atomically. Caller holds the Vorgang lock."""
    write_text(folder, read_text(folder) + "".join(format_line(e) for e in entries))


def entry(aktion: str, details: str = "", *, zeit: datetime, benutzer: str) -> HistoryEntry:
    """A history line; ``zeit`` from the caller's injected clock and ``benutzer`` from its store or context
    (no default: a line stamped with the system clock would not follow a FixedClock)."""
    return HistoryEntry(zeit, benutzer, aktion, details)
