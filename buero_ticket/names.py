"""Windows-safe file and folder names.

Every name the tool writes on the share passes through :func:`safe_name`, so a
mail attachment called ``../../x`` or ``CON.pdf`` can never escape its folder or
break Explorer. Umlauts are kept; text is normalised to Unicode NFC.

Two kinds of name are never produced:

* names with Unicode *format* characters (category Cf: bidi controls such as
  U+202E, zero-width characters, soft hyphens): ``rechnung\u202efdp.exe`` would
  show as ``rechnungexe.pdf`` in Explorer;
* names the program itself skips as temp files (:func:`~buero_ticket.fileio.is_temp_name`:
  ``*.tmp``, ``*.part``, ``*.crdownload``, ``~$…``, ``Thumbs.db`` …): a Vorgang named
  after the subject "Bericht.tmp" would vanish from every list. The dot before
  such an ending becomes ``_`` (``Bericht_tmp``); other cases get a leading ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import AblageFehler
from .fileio import is_temp_name

#: Total path length we stay below (Windows MAX_PATH is 260; leave room for Office's ~$ files).
MAX_PATH = 240

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
_RESERVED |= {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
_RESERVED |= {"COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
_SPACES = re.compile(r"\s+")
_TEMP_ENDING = re.compile(r"\.(tmp|part|crdownload)$", re.IGNORECASE)


def strip_format_chars(text: str) -> str:
    """``text`` without Unicode format characters (category Cf: bidi controls, zero-width characters …)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _not_ignored(text: str) -> str:
    """``text`` changed as little as possible so the program never skips it as a temp or system file."""
    while is_temp_name(text):
        ending = _TEMP_ENDING.search(text)
        text = text[: ending.start()] + "_" + ending.group(1) if ending else "_" + text
    return text


def safe_name(name: str, *, fallback: str = "Datei", max_len: int = 120) -> str:
    """Return a name that is valid on Windows and POSIX and keeps the extension.

    >>> safe_name('../../x')
    'x'
    >>> safe_name('CON.pdf')
    '_CON.pdf'
    """
    text = strip_format_chars(unicodedata.normalize("NFC", name or ""))
    text = text.replace("\\", "/").split("/")[-1]  # drop any directory part
    text = _FORBIDDEN.sub("_", text)
    text = _SPACES.sub(" ", text).strip()
    text = text.rstrip(". ").lstrip(". ") if text.strip(". ") else ""
    if not text:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if text.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:  # "com1.tar.gz" is reserved too (Windows, SMB)
        text = "_" + text
        stem = "_" + stem
    if len(text) > max_len:
        ext_part = ("." + ext[:16]) if dot and ext else ""
        text = stem[: max(1, max_len - len(ext_part))].rstrip(". ") + ext_part
    return _not_ignored(text)


def short_subject(subject: str, max_len: int = 40) -> str:
    """A short, safe part of a subject for a Vorgang folder name."""
    # A subject is not a path: "Antrag 3/2026" keeps both parts.
    text = safe_name(subject.replace("/", "-").replace("\\", "-"), fallback="ohne Betreff", max_len=max_len * 2)
    if len(text) > max_len:
        cut = text[:max_len]
        if " " in cut[max_len // 2 :]:
            cut = cut[: cut.rfind(" ")]
        text = _not_ignored(cut.rstrip(" .-_,;"))
    return text or "ohne Betreff"


def fit_name(folder: Path, name: str, *, max_path: int = MAX_PATH) -> str:
    """Shorten ``name`` so that ``folder / name`` stays below ``max_path`` characters."""
    budget = max_path - len(str(folder)) - 2
    if budget < 8:
        raise AblageFehler(
            f"Der Pfad {folder} ist zu lang für weitere Dateien (Windows erlaubt etwa 260 Zeichen).",
            "Legen Sie die Ablage in einen Ordner mit kürzerem Pfad, z. B. direkt auf S:\\.",
        )
    return safe_name(name, max_len=min(120, budget))


def unique_name(folder: Path | None, name: str, taken: set[str] | None = None) -> str:
    """Return ``name`` or ``name (2).ext`` … so nothing in ``folder`` (or ``taken``) is overwritten.

    Comparison is case-insensitive, as on Windows. ``folder=None`` compares with ``taken`` only.
    """
    existing = {p.name.casefold() for p in folder.iterdir()} if folder and folder.is_dir() else set()
    if taken:
        existing |= {t.casefold() for t in taken}
    if name.casefold() not in existing:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    n = 2
    while f"{stem} ({n}){suffix}".casefold() in existing:
        n += 1
    return f"{stem} ({n}){suffix}"
