"""The searchable text of a Vorgang folder: message texts, history notes and the text of attachments.

Attachments are read where that is cheap and needs no OCR: plain text, Word (``.docx``, python-docx) and
PDF with a text layer (pypdf, pure Python). Every attachment is capped in size, pages and time; one that
cannot be read (damaged, encrypted, a scan without text) stays unsearchable and is reported as a
:class:`Hinweis` – it never stops the index.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..unterordner import ANLAGEN_DIR, NACHRICHTEN_DIR

MAX_TEXT = 200_000  # characters of text kept per Vorgang
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # larger Word/PDF attachments are not opened
MAX_PDF_PAGES = 60
MAX_PDF_SECONDS = 3.0  # per PDF; what was read until then is kept


@dataclass(frozen=True)
class Hinweis:
    """An attachment whose text could not be read (it stays unsearchable)."""

    datei: Path
    grund: str


def read_text(folder: str | os.PathLike[str], hinweise: list[Hinweis] | None = None) -> str:
    """What a clerk may search for in a Vorgang besides its metadata: messages, attachments, history.

    Messages first (snippets come from them), the history last; at most :data:`MAX_TEXT` characters.
    """
    parts: list[str] = []
    size = 0
    base = os.fspath(folder)
    candidates: list[str] = []
    for sub in (NACHRICHTEN_DIR, ANLAGEN_DIR):
        try:
            with os.scandir(os.path.join(base, sub)) as entries:
                candidates += sorted(e.path for e in entries if e.is_file())
        except OSError:
            continue
    candidates.append(os.path.join(base, "verlauf.txt"))
    for path in candidates:
        if size > MAX_TEXT:
            break
        # most files are text: read without building a Path
        text = _plain_text(path) if path.lower().endswith(".txt") else file_text(Path(path), hinweise)
        if text:
            parts.append(text)
            size += len(text)
    return "\n".join(parts)[:MAX_TEXT]


def _plain_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def file_text(path: Path, hinweise: list[Hinweis] | None = None) -> str:
    """The text of one file ('' for kinds that are not read and for unreadable files)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return _plain_text(str(path))
    reader = _READERS.get(suffix)
    if reader is None:
        return ""
    try:
        if path.stat().st_size > MAX_ATTACHMENT_BYTES:
            _note(hinweise, path, f"größer als {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB, Text nicht gelesen")
            return ""
        text = reader(path)
    except Exception as exc:  # damaged, encrypted, unusual: only this attachment stays unsearchable
        _note(hinweise, path, _reason(exc))
        return ""
    if text is None:
        _note(hinweise, path, "verschlüsselt, Text nicht lesbar")
        return ""
    return text


def _note(hinweise: list[Hinweis] | None, path: Path, grund: str) -> None:
    if hinweise is not None:
        hinweise.append(Hinweis(path, grund))


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    if "Password" in name or "Decrypt" in name or "Dependency" in name:
        return "verschlüsselt, Text nicht lesbar"
    if isinstance(exc, OSError):
        return "Datei nicht lesbar"
    return "beschädigt oder unbekanntes Format, Text nicht lesbar"


def _docx_text(path: Path) -> str | None:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _pdf_text(path: Path) -> str | None:
    """The text layer of a PDF; None if it is encrypted with a password."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its repair notes are not for the clerk
    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):  # many "protected" PDFs open with the empty password
        return None
    deadline = time.monotonic() + MAX_PDF_SECONDS
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size > MAX_TEXT or time.monotonic() > deadline:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n".join(parts)


_READERS = {".docx": _docx_text, ".pdf": _pdf_text}
