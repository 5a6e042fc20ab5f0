"""The Excel register (``Vorgangsregister.xlsx``): an overview rebuilt from the Vorgang folders.

The register is a view, never read back. It is streamed with XlsxWriter in
constant-memory mode (memory does not grow with the number of Vorgänge) to a temp
file beside the target, which is then renamed into place (see ``publish``).
XlsxWriter writes the hyperlinks, print titles, header and footer and the page
setup natively: every sheet prints on A4 landscape, one page wide, with the
header row repeated, "Vorgangsregister <Amt> – Stand <Datum Uhrzeit>" on top and
"Seite x von y" below.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..berichte.servicezeit import Kalender
from ..fileio import temp_path_for
from ..models import Status, Vorgang
from . import cells as cellmod
from .cells import CellWriter, relative_link, to_local_naive
from .columns import COLUMNS, SHEET_ALL, SHEET_OPEN, Column, columns_for
from .publish import Counts, RegisterResult, number, publish
from .stats import CHART_AGE, CHART_WEEKS, SHEET_STATISTICS, WEEKS, RegisterStatistik

REGISTER_NAME = "Vorgangsregister.xlsx"
SHEET_INFO = "Info"
PAPER_A4 = 9
LINE_HEIGHT = 13.0  # points per line of the register's font
MAX_ROW_HEIGHT = LINE_HEIGHT * 6 + 2  # longer texts are cut in the printout (the cell keeps all)
CHARS_PER_WIDTH = 1.05  # characters of the register's font per unit of column width


def write_register(
    target: Path,
    open_vorgaenge: Iterable[Vorgang],
    all_vorgaenge: Iterable[Vorgang],
    *,
    ablage_name: str,
    now: datetime | None = None,
    window: Iterable[Vorgang] | None = None,
    all_title: str = "Alle Vorgänge, die neuesten zuerst.",
    year_files: Sequence[Path] = (),
    kalender: Kalender | None = None,
) -> RegisterResult:
    """Write the register to ``target`` (or its side file if ``target`` is open).

    ``open_vorgaenge`` must come sorted (most urgent, then oldest first) and ``all_vorgaenge`` newest
    first; both are consumed once, row by row. The weekly statistics count ``window`` (the Vorgänge
    of the last weeks), or else the Vorgänge of ``all_vorgaenge``. ``year_files`` are listed on the
    Info sheet (the closed years, see ``update``). Raises :class:`RegisterLockedError` if both the
    register and its side file are locked. ``kalender`` counts the statistics' service hours.
    """
    as_of = to_local_naive(now or datetime.now())
    tmp = temp_path_for(target)
    try:
        wb = _workbook(tmp, scratch := tempfile.TemporaryDirectory(prefix="buero-ticket-register-"))
        cells = CellWriter(wb, now=as_of)
        head = _header_text(f"Vorgangsregister {ablage_name}", as_of)
        ws_open = _list_sheet(wb, SHEET_OPEN, head)
        ws_all = _list_sheet(wb, SHEET_ALL, head)
        ws_stats = _sheet(wb, SHEET_STATISTICS, head)
        charts = [_chart_sheet(wb, name, head) for name in (CHART_AGE, CHART_WEEKS)]
        ws_info = _sheet(wb, SHEET_INFO, head)
        stats = RegisterStatistik(now or as_of, kalender)
        counts = Counts(
            open_count=_write_list(ws_open, cells, SHEET_OPEN, open_vorgaenge, target.parent, seen=stats.add),
            all_count=_write_list(
                ws_all, cells, SHEET_ALL, all_vorgaenge, target.parent, seen=stats.add if window is None else None
            ),
        )
        for v in window or ():
            stats.add(v)
        for sheet, chart in zip(charts, stats.schreiben(wb, ws_stats, diagramme_einfuegen=False), strict=True):
            sheet.set_chart(chart)
        _write_info(ws_info, cells, target, ablage_name, as_of, counts, all_title, year_files)
        wb.close()
        return publish(tmp, target, counts)
    finally:
        tmp.unlink(missing_ok=True)  # only left over if something failed
        scratch.cleanup()


def write_year_register(
    target: Path, year: int, vorgaenge: Iterable[Vorgang], *, ablage_name: str, now: datetime | None = None
) -> RegisterResult:
    """A closed year's workbook: the closed Vorgänge received that year, newest first (sheet "Alle");
    the open ones are on the main register's sheet "Offen"."""
    as_of = to_local_naive(now or datetime.now())
    tmp = temp_path_for(target)
    try:
        wb = _workbook(tmp, scratch := tempfile.TemporaryDirectory(prefix="buero-ticket-register-"))
        cells = CellWriter(wb, now=as_of)
        head = _header_text(f"Vorgangsregister {ablage_name} {year}", as_of)
        ws_all = _list_sheet(wb, SHEET_ALL, head)
        ws_info = _sheet(wb, SHEET_INFO, head)
        counts = Counts(0, _write_list(ws_all, cells, SHEET_ALL, vorgaenge, target.parent))
        title = (
            f"Alle erledigten und archivierten Vorgänge mit Eingang im Jahr {year}, die neuesten zuerst. "
            "Noch offene stehen im Hauptregister (Blatt „Offen“), bis sie erledigt sind."
        )
        _write_info(ws_info, cells, target, ablage_name, as_of, counts, title, ())
        wb.close()
        return publish(tmp, target, counts)
    finally:
        tmp.unlink(missing_ok=True)
        scratch.cleanup()


def _workbook(path: Path, scratch: tempfile.TemporaryDirectory[str]) -> Any:
    """A workbook streamed row by row; its parts are spooled in ``scratch`` on the local disk."""
    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "tmpdir": scratch.name, "strings_to_numbers": False, "use_zip64": True},
    )
    wb.set_properties({"title": "Vorgangsregister", "comments": "Erzeugt von buero-ticket; wird neu geschrieben."})
    wb.set_calc_mode("auto")
    return wb


def _header_text(title: str, as_of: datetime) -> str:
    """Page header: the title with the time of writing, centred; the sheet name on the right."""
    text = f"{title} – Stand {as_of:%d.%m.%Y %H:%M}".replace("&", "&&")
    if len(text) > 200:  # Excel allows 255 characters including the codes
        text = text[:199] + "…"
    return f'&C&"{cellmod.FONT_NAME},Bold"&12{text}&R&A'


def _sheet(wb: Any, name: str, head: str, *, landscape: bool = True) -> Any:
    ws = wb.add_worksheet(name)
    _page_setup(ws, head, landscape=landscape)
    ws.fit_to_pages(1, 0)
    return ws


def _page_setup(ws: Any, head: str, *, landscape: bool = True) -> None:
    ws.set_paper(PAPER_A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.6)
    ws.set_header(head, {"margin": 0.3})
    ws.set_footer("&CSeite &P von &N", {"margin": 0.3})


def _chart_sheet(wb: Any, name: str, head: str) -> Any:
    sheet = wb.add_chartsheet(name)
    _page_setup(sheet, head)
    return sheet


def _list_sheet(wb: Any, name: str, head: str) -> Any:
    ws = _sheet(wb, name, head)
    for col, column in enumerate(columns_for(name)):
        ws.set_column(col, col, column.width)
    ws.repeat_rows(0)
    ws.freeze_panes(1, 1)
    ws.set_row(0, 28)
    return ws


def _write_list(
    ws: Any,
    cells: CellWriter,
    sheet: str,
    vorgaenge: Iterable[Vorgang],
    base: Path,
    seen: Callable[[Vorgang], None] | None = None,
) -> int:
    """Stream one list sheet (header + one row per Vorgang); returns the number of rows."""
    columns = columns_for(sheet)
    for col, column in enumerate(columns):
        cells.header(ws, 0, col, column.header)
    rows = 0
    for v in vorgaenge:
        rows += 1
        values = [column.value(v) for column in columns]
        lines = max((_lines(value, column.width) for value, column in zip(values, columns, strict=True)
                     if column.kind == "wrap" and value), default=1)  # fmt: skip
        if lines > 1:  # wrapped text: the row grows (set before the row's cells in constant-memory mode)
            ws.set_row(rows, min(LINE_HEIGHT * lines + 2, MAX_ROW_HEIGHT))
        for col, (column, value) in enumerate(zip(columns, values, strict=True)):
            if column.kind == "link":
                _write_link(ws, cells, rows, col, str(value), v, base, rows)
            else:
                cells.write(ws, rows, col, value, column.kind)
        if seen is not None:
            seen(v)
    _finish_list_sheet(ws, cells, columns, rows)
    return rows


def _lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide (an estimate)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, -(-len(part) // per_line)) for part in str(value).split("\n"))


def _write_link(ws: Any, cells: CellWriter, row: int, col: int, text: str, v: Vorgang, base: Path, n: int) -> None:
    if v.ordner is not None and n <= cellmod.MAX_LINKS_PER_SHEET:
        cells.link(ws, row, col, text, relative_link(v.ordner, base))
    else:
        cells.write(ws, row, col, text, "text")


def _finish_list_sheet(ws: Any, cells: CellWriter, columns: list[Column], rows: int) -> None:
    """Filter over all rows and the red "Frist überschritten" rules (Excel re-evaluates TODAY() and NOW())."""
    ws.autofilter(0, 0, rows, len(columns) - 1)
    headers = [c.header for c in columns]
    overdue = cells.formats["overdue"]
    for col, column in enumerate(columns):
        if rows and column.kind == "deadline":  # a service-hour deadline that passes after writing turns red too
            d = xl_col_to_name(col)
            rule = {"type": "formula", "criteria": f"=AND(ISNUMBER(${d}2),${d}2<NOW())", "format": overdue}
            ws.conditional_format(1, col, rows, col, rule)
    if rows == 0 or "Frist" not in headers or "Status" not in headers:
        return
    deadline, status = headers.index("Frist"), headers.index("Status")
    d, s = xl_col_to_name(deadline), xl_col_to_name(status)
    closed = ",".join(f'${s}2<>"{st.label}"' for st in Status if not st.is_open)
    formula = f"=AND(ISNUMBER(${d}2),${d}2<TODAY(),{closed})"
    ws.conditional_format(1, deadline, rows, deadline, {"type": "formula", "criteria": formula, "format": overdue})


def _write_info(
    ws: Any,
    cells: CellWriter,
    target: Path,
    ablage_name: str,
    as_of: datetime,
    counts: Counts,
    all_title: str,
    year_files: Sequence[Path],
) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 95)
    rows: list[tuple[str, Any, str]] = [
        ("Vorgangsregister", None, "title"),
        ("Erstellt am", as_of, "when"),
        ("Ablage", ablage_name, "text"),
        ("Datei", target.name, "text"),
        ("Vorgänge offen", counts.open_count, "number"),
        ("Vorgänge gesamt", counts.all_count, "number"),
        ("", None, ""),
        (
            "Nur Ansicht",
            "Diese Datei wird aus den Vorgangsordnern neu erzeugt. Änderungen hier werden nicht "
            "übernommen und beim nächsten Erzeugen überschrieben; bitte im Vorgang selbst ändern.",
            "wrap",
        ),
        (
            "Verweise",
            "Das Aktenzeichen verweist auf den Ordner des Vorgangs, relativ zum Ordner dieser Datei: "
            "Das klappt mit jedem Laufwerksbuchstaben, aber nur, solange die Datei in der Ablage liegt.",
            "wrap",
        ),
    ]
    for sheet, count in ((SHEET_OPEN, counts.open_count), (SHEET_ALL, counts.all_count)):
        if count > cellmod.MAX_LINKS_PER_SHEET:
            rows.append(
                (
                    "",
                    f"Excel erlaubt höchstens {number(cellmod.MAX_LINKS_PER_SHEET)} Verweise pro Blatt: Im Blatt "
                    f"„{sheet}“ haben die letzten {number(count - cellmod.MAX_LINKS_PER_SHEET)} Zeilen keinen Verweis.",
                    "wrap",
                )
            )
    rows += [
        ("", None, ""),
        ("Blatt", "Inhalt", "header"),
        (
            SHEET_OPEN,
            "Alle nicht erledigten Vorgänge: die dringendsten zuerst, dann die ältesten (die tägliche Arbeitsliste).",
            "wrap",
        ),
        (SHEET_ALL, all_title, "wrap"),
        (
            SHEET_STATISTICS,
            f"Offene Vorgänge nach Alter und Status, überschrittene Fristen; die letzten {WEEKS} Wochen: Eingänge "
            "nach Kanal, Erledigte, Erstlösungsquote; Weiterleitungen – dieselben Zahlen wie 'buero-ticket bericht' "
            "(Definitionen in der Anleitung). Die beiden Diagramme stehen auf eigenen Blättern.",
            "wrap",
        ),
    ]
    r = 0
    for label, value, kind in rows:
        if kind == "title":
            cells.title(ws, r, 0, label)
        elif kind == "header":
            cells.header(ws, r, 0, label)
            cells.header(ws, r, 1, str(value))
        else:
            cells.write(ws, r, 0, label, "label")
            if kind:
                cells.write(ws, r, 1, value, kind)
        r += 1
    if year_files:
        r += 1
        cells.header(ws, r, 0, "Frühere Jahre")
        cells.header(
            ws, r, 1, "Abgeschlossene Jahre stehen in eigenen Dateien (neu geschrieben, wenn sich dort etwas ändert):"
        )
        for path in year_files:
            r += 1
            cells.write(ws, r, 0, path.stem.rsplit(" ", 1)[-1], "label")
            cells.link(ws, r, 1, str(path.relative_to(target.parent)), relative_link(path, target.parent))
    r += 2
    cells.header(ws, r, 0, "Spalte")
    cells.header(ws, r, 1, "Bedeutung")
    for column in COLUMNS:
        r += 1
        cells.write(ws, r, 0, column.header, "label")
        cells.write(ws, r, 1, column.meaning, "wrap")
