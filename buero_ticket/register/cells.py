"""Safe, formatted cells for the Excel register (XlsxWriter).

Everything that reaches a cell passes through :class:`CellWriter`, so outside
text (mail subjects, sender names) can never become a formula, an error value
or an invalid XML character, and dates always carry the German display format.
"""

from __future__ import annotations

import functools
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..ortszeit import naive_office

#: Excel's limit for the text of one cell (UTF-16 code units).
MAX_CELL_TEXT = 32_767
CUT_MARKER = " …[gekürzt]"
#: Excel keeps at most this many hyperlinks per worksheet.
MAX_LINKS_PER_SHEET = 65_530

FONT_NAME = "Calibri"  # named explicitly: LibreOffice renders a nameless font as a serif font
FONT_SIZE = 10
FORMAT_DATETIME = "DD.MM.YYYY hh:mm"  # Excel (de) shows this as TT.MM.JJJJ hh:mm
FORMAT_DATE = "DD.MM.YYYY"
#: Overdue deadlines: light red fill, dark red text (Excel's own "Hellrote Füllung 2").
OVERDUE_FILL, OVERDUE_FONT = "#FFC7CE", "#9C0006"
OVERDUE = {"bg_color": OVERDUE_FILL, "font_color": OVERDUE_FONT}

# C0/C1 controls except tab, LF, CR; lone surrogates and the XML non-characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Leading characters that a spreadsheet (or a CSV export of it) may read as a formula or DDE call.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ERROR_VALUES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
# Characters Excel itself %-escapes in a hyperlink target (XlsxWriter's url.py matches files
# saved by Excel); "#" would otherwise start a location inside the target. "%" must come first.
_LINK_ESCAPES = tuple((c, f"%{ord(c):02x}") for c in '% "#<>[]^`{}\t\n\r')


def clean_text(text: str) -> str:
    """Remove control characters, make every line break a LF, and cut text beyond Excel's cell limit."""
    text = _CONTROL_RE.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) <= MAX_CELL_TEXT // 2 or _utf16_len(text) <= MAX_CELL_TEXT:
        return text
    keep = MAX_CELL_TEXT - len(CUT_MARKER)
    head = text[:keep]
    while (excess := _utf16_len(head) - keep) > 0:  # astral characters count twice
        head = head[: len(head) - (excess + 1) // 2]
    return head + CUT_MARKER


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def looks_like_formula(text: str) -> bool:
    """True if Excel would read ``text``, typed into a cell, as a formula or an error value."""
    return text.startswith(_FORMULA_START) or text in _ERROR_VALUES


def to_local_naive(value: datetime) -> datetime:
    """Excel has no time zones: aware times become the office's wall-clock time (see ortszeit.py)."""
    return naive_office(value)


def relative_link(folder: Path, base: Path) -> str:
    """Hyperlink target for ``folder`` relative to the register's folder ``base``.

    Written the way Excel stores relative links itself: backslashes and a few
    %-escapes (space, ``#``, ``%``...), umlauts unchanged. LibreOffice resolves the
    same form relative to the workbook. A folder on another drive gets a file URI.
    """
    parent = _relative_folder(str(folder.parent), str(base))  # once per status folder, not per row
    if parent is None:  # another drive letter on Windows
        return folder.resolve().as_uri()
    rel = folder.name if parent == os.curdir else os.path.join(parent, folder.name)
    rel = rel.replace(os.sep, "\\").replace("/", "\\")
    for char, escaped in _LINK_ESCAPES:
        if char in rel:
            rel = rel.replace(char, escaped)
    return rel


def _relative_folder(folder: str, base: str) -> str | None:
    if os.path.isabs(folder) and os.path.isabs(base):
        return _relative_cached(folder, base)
    return _relative(folder, base)  # relative to the current folder, which may change


def _relative(folder: str, base: str) -> str | None:
    try:
        return os.path.relpath(folder, base)
    except ValueError:  # another drive letter on Windows
        return None


_relative_cached = functools.lru_cache(maxsize=256)(_relative)


class CellWriter:
    """Writes the cells of one XlsxWriter workbook with shared formats, one kind of value each.

    Kinds: ``text`` (outside text: cleaned, kept as text even if it looks like a formula),
    ``wrap`` (the same, wrapped in its column), ``label`` (the program's own words), ``number``,
    ``when`` (date and time), ``day`` (date), ``deadline`` (date and time, red once ``now``, the
    time the register is written for, is past it).
    """

    def __init__(self, wb: Any, now: datetime | None = None) -> None:
        self.now = to_local_naive(now) if now is not None else None
        base = {"font_name": FONT_NAME, "font_size": FONT_SIZE, "valign": "top"}
        self.formats = {
            "text": wb.add_format(base),
            "wrap": wb.add_format({**base, "text_wrap": True}),
            "guarded": wb.add_format({**base, "quote_prefix": True}),
            "guarded_wrap": wb.add_format({**base, "quote_prefix": True, "text_wrap": True}),
            "when": wb.add_format({**base, "num_format": FORMAT_DATETIME, "align": "left"}),
            "day": wb.add_format({**base, "num_format": FORMAT_DATE, "align": "left"}),
            "number": wb.add_format({**base, "align": "center"}),
            "link": wb.add_format({**base, "font_color": "#0563C1", "underline": 1}),
            "header": wb.add_format(
                {**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "bottom": 1, "valign": "vcenter"}
            ),
            "title": wb.add_format({**base, "bold": True, "font_size": 12}),
            # a conditional format: only what changes (Excel applies it over the cell's own format)
            "overdue": wb.add_format(OVERDUE),
            # the same red written into the cell: right as of the register's "Stand", also without recalculation
            "when_overdue": wb.add_format({**base, **OVERDUE, "num_format": FORMAT_DATETIME, "align": "left"}),
        }

    def write(self, ws: Any, row: int, col: int, value: Any, kind: str) -> None:
        """Write ``value`` as ``kind``; None and "" leave the cell empty."""
        if value is None or value == "":
            return
        f = self.formats
        if kind in ("text", "wrap"):
            text = clean_text(str(value))
            if not text:
                return
            if looks_like_formula(text):
                ws.write_string(row, col, text, f["guarded" if kind == "text" else "guarded_wrap"])
            else:
                ws.write_string(row, col, text, f[kind])
        elif kind == "label":
            ws.write_string(row, col, str(value), f["text"])
        elif kind == "number":
            ws.write_number(row, col, value, f["number"])
        elif kind == "when":
            ws.write_datetime(row, col, to_local_naive(value), f["when"])
        elif kind == "deadline":
            local = to_local_naive(value)
            overdue = self.now is not None and local < self.now
            ws.write_datetime(row, col, local, f["when_overdue" if overdue else "when"])
        elif kind == "day":
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), f["day"])
        else:
            raise ValueError(f"unknown cell kind {kind!r}")

    def link(self, ws: Any, row: int, col: int, text: str, target: str) -> None:
        """A hyperlink to a folder (target from :func:`relative_link`), shown as ``text`` (kept as text)."""
        url = target if target.startswith("file:") else f"external:{target}"
        ws.write_url(row, col, url, self.formats["link"], clean_text(text))

    def header(self, ws: Any, row: int, col: int, text: str) -> None:
        ws.write_string(row, col, text, self.formats["header"])

    def title(self, ws: Any, row: int, col: int, text: str) -> None:
        ws.write_string(row, col, clean_text(text), self.formats["title"])


def day_of(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return to_local_naive(value).date()
    return value
