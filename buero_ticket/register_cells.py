"""Safe, styled cells for the Excel register (openpyxl write-only mode).

Everything that reaches a cell passes through here, so outside text (mail
subjects, sender names) can never become a formula, an error value or an
invalid XML character, and dates always carry the German display format.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.datetime import to_excel

#: Excel's limit for the text of one cell (UTF-16 code units).
MAX_CELL_TEXT = 32_767
CUT_MARKER = " …[gekürzt]"
#: Excel keeps at most this many hyperlinks per worksheet.
MAX_LINKS_PER_SHEET = 65_530

FONT_NAME = "Calibri"  # named explicitly: LibreOffice renders a nameless font as a serif font
FORMAT_DATETIME = "DD.MM.YYYY hh:mm"  # Excel (de) shows this as TT.MM.JJJJ hh:mm
FORMAT_DATE = "DD.MM.YYYY"

# C0/C1 controls except tab, LF, CR; lone surrogates and the XML non-characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Leading characters that a spreadsheet (or a CSV export of it) may read as a formula or DDE call.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ERROR_VALUES = frozenset(ERROR_CODES)  # "#N/A" and friends would become error cells
# Characters Excel itself %-escapes in a hyperlink target (XlsxWriter's url.py matches files
# saved by Excel); "#" would otherwise start a location inside the target. "%" must come first.
_LINK_ESCAPES = tuple((c, f"%{ord(c):02x}") for c in '% "#<>[]^`{}\t\n\r')


def clean_text(text: str) -> str:
    """Remove control characters and cut text that would exceed Excel's cell limit."""
    text = _CONTROL_RE.sub("", text)
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
    """Excel has no time zones: aware times become this computer's local time."""
    if value.tzinfo is None:
        return value
    return value.astimezone().replace(tzinfo=None)


def relative_link(folder: Path, base: Path) -> str:
    """Hyperlink target for ``folder`` relative to the register's folder ``base``.

    Written the way Excel stores relative links itself: backslashes and a few
    %-escapes (space, ``#``, ``%``...), umlauts unchanged. LibreOffice resolves the
    same form relative to the workbook. A folder on another drive gets a file URI.
    """
    prefix = os.path.join(base, "")
    path = str(folder)
    if path.startswith(prefix):  # the usual case, and much cheaper than relpath
        rel = path[len(prefix) :]
    else:
        try:
            rel = os.path.relpath(folder, base)
        except ValueError:  # another drive letter on Windows
            return folder.resolve().as_uri()
    rel = rel.replace(os.sep, "\\").replace("/", "\\")
    for char, escaped in _LINK_ESCAPES:
        if char in rel:
            rel = rel.replace(char, escaped)
    return rel


class CellMaker:
    """Builds the cells of one write-only worksheet with shared, prepared styles."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._datetime = _style(ws, number_format=FORMAT_DATETIME)
        self._date = _style(ws, number_format=FORMAT_DATE)
        self._guarded = _style(ws, quote_prefix=True)
        self._link = _style(ws, font=Font(name=FONT_NAME, size=11, color="0563C1", underline="single"))
        self._header = _style(
            ws,
            font=Font(name=FONT_NAME, size=11, bold=True),
            fill=PatternFill("solid", fgColor="D9E1F2"),
        )

    def text(self, value: str) -> str | Cell | None:
        """Outside text: cleaned, and kept as text even if it looks like a formula; "" → empty cell."""
        value = clean_text(value)
        if not value:
            return None
        if not looks_like_formula(value):
            return value
        return self._text_cell(value, self._guarded)

    def when(self, value: datetime | None) -> Cell | None:
        return None if value is None else self._serial(to_local_naive(value), self._datetime)

    def day(self, value: date | None) -> Cell | None:
        return None if value is None else self._serial(value, self._date)

    def _serial(self, value: date, style: Any) -> Cell:
        # Excel stores dates as serial numbers anyway; converting here skips openpyxl's
        # per-cell date-format checks (a third of the cost of a date cell).
        return Cell(self._ws, row=1, column=1, value=to_excel(value), style_array=style)

    def link_text(self, text: str) -> Cell:
        """Text styled as a link; the hyperlink itself is added later (see register_links)."""
        return self._text_cell(clean_text(text), self._link)

    def header(self, text: str) -> Cell:
        return self._text_cell(text, self._header)

    def _text_cell(self, value: str, style: Any) -> Cell:
        cell = Cell(self._ws, row=1, column=1, value=value, style_array=style)
        cell.data_type = "s"  # after the value: setting the value re-infers the type
        return cell


def _style(
    ws: Any,
    *,
    number_format: str | None = None,
    font: Font | None = None,
    fill: PatternFill | None = None,
    quote_prefix: bool = False,
) -> Any:
    """A style array registered in the workbook, shared by many cells.

    Assigning fonts and formats cell by cell would look them up in the workbook's
    style tables for every cell; copying a prepared array is much cheaper.
    """
    template: Any = WriteOnlyCell(ws)  # its style array (below) is openpyxl internals, untyped
    template.font = font or Font(name=FONT_NAME, size=11)
    if number_format:
        template.number_format = number_format
    if fill:
        template.fill = fill
    template.quotePrefix = quote_prefix
    return template._style
