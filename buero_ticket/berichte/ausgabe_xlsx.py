"""The report as an Excel workbook (XlsxWriter): one sheet per section, charts, print-ready on A4.

Every table is written by :func:`schreibe_abschnitt`, which the register's "Statistik" sheet can
call with its own workbook, so the figures are counted once and laid out the same way everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from buero_ticket.register.cells import clean_text

from .definitionen import DEFINITIONEN, METHODE
from .modell import Abschnitt, Art, Bericht, Tabelle, Wert

A4 = 9  # XlsxWriter paper code
CHART_ROWS = 15  # rows a chart covers (20 px each)
_NUMBER_FORMATS = {
    Art.ANZAHL: "#,##0",
    Art.PERSONEN: "0",
    Art.ANTEIL: "0.0 %",
    Art.STUNDEN: "0.0",
    Art.ZAHL: "0.00",
}


@dataclass
class _Formate:
    titel: Any
    untertitel: Any
    tabellentitel: Any
    kopf: Any
    kopf_zahl: Any  # header of a column of figures: right-aligned like them
    text: Any
    hinweis: Any
    fehlt: Any
    zahlen: dict[Art, Any]


def _formate(wb: Any) -> _Formate:
    base = {"font_name": "Arial", "font_size": 10}
    return _Formate(
        titel=wb.add_format({**base, "bold": True, "font_size": 14}),
        untertitel=wb.add_format({**base, "font_color": "#444444"}),
        tabellentitel=wb.add_format({**base, "bold": True, "font_size": 11}),
        kopf=wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True}),
        kopf_zahl=wb.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "bottom": 1, "text_wrap": True, "align": "right"}
        ),
        text=wb.add_format({**base, "text_wrap": True, "valign": "top"}),
        hinweis=wb.add_format({**base, "italic": True, "font_color": "#666666"}),
        fehlt=wb.add_format({**base, "italic": True, "font_color": "#808080", "align": "right"}),
        zahlen={art: wb.add_format({**base, "num_format": fmt}) for art, fmt in _NUMBER_FORMATS.items()},
    )


def als_xlsx(bericht: Bericht) -> bytes:
    """The whole workbook as bytes (the caller writes it atomically)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    fmt = _formate(wb)
    _uebersicht(wb, fmt, bericht)
    for a in bericht.abschnitte:
        ws = wb.add_worksheet(_sheet_name(a.titel))
        schreibe_abschnitt(wb, ws, a, bericht, fmt)
    _definitionen(wb, fmt, bericht)
    wb.close()
    return buffer.getvalue()


def schreibe_abschnitt(
    wb: Any,
    ws: Any,
    a: Abschnitt,
    bericht: Bericht,
    fmt: _Formate | None = None,
    *,
    zeile: int = 0,
    eigenes_blatt: bool = True,
    diagramme_einfuegen: bool = True,
) -> tuple[int, list[Any]]:
    """Write one section on ``ws`` from row ``zeile``: title, tables, then its charts below them.

    ``eigenes_blatt``: the section owns the sheet (print setup, column widths, report line under the
    title). With ``diagramme_einfuegen=False`` the charts are returned instead of placed (e.g. for chart
    sheets). Returns the next free row and the charts.
    """
    fmt = fmt or _formate(wb)
    row = zeile
    if eigenes_blatt:
        breite = max(len(t.spalten) for t in a.tabellen) if a.tabellen else 2
        _druck(ws, bericht, landscape=breite > 4)
        _spalten(ws, a)
    ws.write_string(row, 0, a.titel, fmt.titel)
    row += 1
    if eigenes_blatt:
        kopf = bericht.kopf[0] if bericht.kopf else ""
        ws.write_string(row, 0, clean_text(f"{bericht.titel} – {kopf}"), fmt.untertitel)
        row += 1
    row += 1
    for h in a.hinweise:
        ws.write_string(row, 0, clean_text(h), fmt.hinweis)
        row += 1
    tables = []
    for t in a.tabellen:
        top = row
        row = _tabelle(ws, t, row, fmt)
        if t.diagramm in ("linie", "balken"):
            tables.append((t, top))
        row += 1
    charts = [c for c in (_diagramm(wb, ws, t, top) for t, top in tables) if c is not None]
    if not diagramme_einfuegen:
        return row, charts
    breaks = []
    for chart in charts:
        breaks.append(row)  # each chart starts a page: never cut in half when printed
        ws.insert_chart(row, 0, chart)
        row += CHART_ROWS + 1
    if breaks:
        ws.set_h_pagebreaks(breaks)
    return row, charts


def schreibe_auf_blatt(wb: Any, ws: Any, bericht: Bericht, *, diagramme_einfuegen: bool = True) -> list[Any]:
    """All sections of ``bericht`` one below the other on one sheet (the register's "Statistik")."""
    fmt = _formate(wb)
    alle = Abschnitt("alle", bericht.titel, [t for a in bericht.abschnitte for t in a.tabellen])
    _spalten(ws, alle)
    row, charts = 0, []
    for a in bericht.abschnitte:
        row, neu = schreibe_abschnitt(
            wb, ws, a, bericht, fmt, zeile=row, eigenes_blatt=False, diagramme_einfuegen=diagramme_einfuegen
        )
        charts += neu
    return charts


def _tabelle(ws: Any, t: Tabelle, row: int, fmt: _Formate) -> int:
    """Title, header and rows of one table starting at ``row``; returns the row after it."""
    ws.write_string(row, 0, clean_text(t.titel), fmt.tabellentitel)
    for col, name in enumerate(t.spalten):
        ws.write_string(row + 1, col, clean_text(name), fmt.kopf_zahl if col else fmt.kopf)
    r = row + 2
    for z in t.zeilen:
        ws.write_string(r, 0, clean_text(z.bezeichnung), fmt.text)
        for col, w in enumerate(z.werte, 1):
            _wert(ws, r, col, w, fmt)
        r += 1
    if t.diagramm == "heatmap" and t.zeilen:
        scale = {"type": "3_color_scale", "min_color": "#63BE7B", "mid_color": "#FFEB84", "max_color": "#F8696B"}
        ws.conditional_format(row + 2, 1, r - 1, len(t.spalten) - 1, scale)
    if t.hinweis:
        ws.write_string(r, 0, clean_text(t.hinweis), fmt.hinweis)
        r += 1
    return r


def _wert(ws: Any, row: int, col: int, w: Wert, fmt: _Formate) -> None:
    if w.zahl is None:
        ws.write_string(row, col, str(w.fehlt), fmt.fehlt)
    else:
        ws.write_number(row, col, w.zahl, fmt.zahlen[w.art])


def _diagramm(wb: Any, ws: Any, t: Tabelle, top: int) -> Any:
    """A chart of table ``t`` (written at row ``top`` of ``ws``), or None for an empty table."""
    sheet = ws.get_name().replace("'", "''")
    first, last = top + 2, top + 1 + len(t.zeilen)
    if t.zeilen and t.zeilen[-1].bezeichnung == "Summe":
        last -= 1  # the total is no category
    wanted = t.diagramm_spalten or [name for name in t.spalten[1:] if name != "Gesamt"]
    cols = [i for i, name in enumerate(t.spalten) if i and name in wanted]
    if t.diagramm == "balken":
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        chart.set_y_axis({"name": "Anzahl"})
    else:
        chart = wb.add_chart({"type": "line"})
        chart.set_y_axis({"name": "Vorgänge"})
    if last < first:
        return None
    for col in cols:
        chart.add_series(
            {
                "name": f"='{sheet}'!{xl_rowcol_to_cell(top + 1, col, row_abs=True, col_abs=True)}",
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, col, last, col],
                **({"marker": {"type": "circle"}} if t.diagramm == "linie" else {}),
            }
        )
    chart.set_title({"name": clean_text(t.titel)})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": CHART_ROWS * 20})
    return chart


def _druck(ws: Any, bericht: Bericht, *, landscape: bool) -> None:
    """A4, one page wide, title and date in the header, page x of y in the footer."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
    titel = clean_text(bericht.titel).replace("&", "&&")[:100]
    ws.set_header(f"&L&B{titel}&R{bericht.von:%d.%m.%Y} – {bericht.bis:%d.%m.%Y}")
    ws.set_footer(f"&LStand {bericht.erstellt:%d.%m.%Y %H:%M}&RSeite &P von &N")


def _spalten(ws: Any, a: Abschnitt) -> None:
    labels = [len(z.bezeichnung) for t in a.tabellen for z in t.zeilen] + [len(t.spalten[0]) for t in a.tabellen]
    ws.set_column(0, 0, min(max([24, *labels]) + 2, 48))
    breite = max(len(t.spalten) for t in a.tabellen) if a.tabellen else 2
    ws.set_column(1, breite - 1, 15)


def _uebersicht(wb: Any, fmt: _Formate, bericht: Bericht) -> None:
    ws = wb.add_worksheet("Übersicht")
    _druck(ws, bericht, landscape=False)
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, clean_text(bericht.titel), fmt.titel)
    row = 2
    for line in bericht.kopf:
        ws.write_string(row, 0, clean_text(line), fmt.text)
        row += 1
    row += 1
    ws.write_string(row, 0, "Blätter", fmt.tabellentitel)
    for a in bericht.abschnitte:
        row += 1
        ws.write_string(row, 0, f"{_sheet_name(a.titel)}: {', '.join(t.titel for t in a.tabellen)}", fmt.text)
    ws.write_string(row + 2, 0, "Die Definition jeder Zahl steht im Blatt „Definitionen“.", fmt.hinweis)


def _definitionen(wb: Any, fmt: _Formate, bericht: Bericht) -> None:
    ws = wb.add_worksheet("Definitionen")
    _druck(ws, bericht, landscape=True)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 110)
    ws.write_string(0, 0, "Definitionen", fmt.titel)
    ws.write_string(2, 0, "Schlüssel", fmt.kopf)
    ws.write_string(2, 1, "Bedeutung", fmt.kopf)
    used = sorted({w.definition for *_, w in bericht.werte()})
    for row, key in enumerate(used, 3):
        ws.write_string(row, 0, key, fmt.text)
        ws.write_string(row, 1, DEFINITIONEN[key], fmt.text)
    ws.write_string(len(used) + 4, 0, "Methode", fmt.tabellentitel)
    ws.write_string(len(used) + 4, 1, METHODE, fmt.text)


def _sheet_name(titel: str) -> str:
    for ch in "[]:*?/\\":
        titel = titel.replace(ch, " ")
    return titel[:31]
