"""Statistics for the register, gathered while the Vorgänge stream past.

Only small aggregates are kept (one counter per week and per age bucket), so
memory does not grow with the number of Vorgänge.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter

from buero_ticket.models import Kanal, Status, Vorgang
from buero_ticket.register_cells import CellMaker, to_local_naive

#: Upper bounds (days since Eingang, inclusive) and labels of the backlog age buckets.
AGE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (1, "bis 1 Tag"),
    (7, "2–7 Tage"),
    (14, "8–14 Tage"),
    (30, "15–30 Tage"),
    (90, "31–90 Tage"),
    (None, "über 90 Tage"),
)
OPEN_STATUSES = tuple(s for s in Status if s.is_open)
#: The weekly chart shows at most this many of the latest weeks.
CHART_WEEKS = 52

BACKLOG_HEADERS = ("Alter seit Eingang", *(s.label for s in OPEN_STATUSES), "Gesamt", "davon Frist überschritten")
WEEK_HEADERS = ("Woche", "ab Montag", *(k.label for k in Kanal), *(s.label for s in Status), "Gesamt")
STATS_WIDTHS = (20, 12, 10, 15, 10, 10, 12, 10, 10, 10, 15, 10, 10, 10, 10)


@dataclass
class Statistics:
    """Counts per week (channel and status) and the open backlog by age."""

    today: date
    per_week: Counter[tuple[date, Kanal | Status]] = field(default_factory=Counter)
    backlog: Counter[tuple[int, Status]] = field(default_factory=Counter)
    overdue: Counter[int] = field(default_factory=Counter)

    def add(self, v: Vorgang) -> None:
        received = to_local_naive(v.eingang).date()
        monday = received - timedelta(days=received.weekday())
        self.per_week[monday, v.kanal] += 1
        self.per_week[monday, v.status] += 1
        if v.status.is_open:
            bucket = age_bucket((self.today - received).days)
            self.backlog[bucket, v.status] += 1
            if v.frist is not None and v.frist < self.today:
                self.overdue[bucket] += 1

    def weeks(self) -> list[date]:
        """Every Monday from the first to the last week with a Vorgang (gaps included)."""
        mondays = {monday for monday, _ in self.per_week}
        if not mondays:
            return []
        first, last = min(mondays), max(mondays)
        return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]

    def week_row(self, monday: date) -> list[Any]:
        iso_year, iso_week, _ = monday.isocalendar()
        channels = [self.per_week[monday, k] for k in Kanal]
        statuses = [self.per_week[monday, s] for s in Status]
        return [f"{iso_year}-KW{iso_week:02d}", monday, *channels, *statuses, sum(channels)]

    def backlog_rows(self) -> list[list[Any]]:
        rows = []
        for i, (_, label) in enumerate(AGE_BUCKETS):
            counts = [self.backlog[i, s] for s in OPEN_STATUSES]
            rows.append([label, *counts, sum(counts), self.overdue[i]])
        totals = [sum(col) for col in zip(*(r[1:] for r in rows), strict=True)]
        return [*rows, ["Summe", *totals]]


def age_bucket(days: int) -> int:
    for i, (upper, _) in enumerate(AGE_BUCKETS):
        if upper is None or days <= upper:
            return i
    raise AssertionError("the last bucket has no upper bound")


def write_statistics(ws: Any, stats: Statistics, as_of: datetime) -> None:
    """Fill the (write-only) Statistik sheet: backlog table, weekly table, two charts."""
    cells = CellMaker(ws)
    for col, width in enumerate(STATS_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    sheet = _RowCounter(ws)
    sheet.append([cells.header("Offene Vorgänge nach Alter"), "Stand", cells.when(as_of)])
    backlog_header = sheet.append([cells.header(h) for h in BACKLOG_HEADERS])
    for row in stats.backlog_rows():
        sheet.append(row)
    sheet.append([])
    sheet.append([cells.header("Eingänge pro Woche nach Kanal und heutigem Status")])
    sheet.append([cells.header(h) for h in WEEK_HEADERS])
    week_rows = [sheet.append(_with_date(cells, stats.week_row(monday))) for monday in stats.weeks()]
    _add_backlog_chart(ws, backlog_header)
    if week_rows:
        _add_week_chart(ws, week_rows[-CHART_WEEKS:][0], week_rows[-1])


class _RowCounter:
    """Appends rows to a write-only sheet and tells the number of the row just written."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._rows = 0

    def append(self, row: list[Any]) -> int:
        self._ws.append(row)
        self._rows += 1
        return self._rows


def _with_date(cells: CellMaker, week_row: list[Any]) -> list[Any]:
    week_row[1] = cells.day(week_row[1])
    return week_row


def _add_backlog_chart(ws: Any, header_row: int) -> None:
    """Stacked columns per age bucket (without the "Summe" row), one series per open status."""
    chart = _bar_chart("Offene Vorgänge nach Alter", "Anzahl")
    last = header_row + len(AGE_BUCKETS)
    data = Reference(ws, min_col=2, max_col=1 + len(OPEN_STATUSES), min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    ws.add_chart(chart, "P1")


def _add_week_chart(ws: Any, first: int, last: int) -> None:
    """Stacked columns per week (the latest CHART_WEEKS), one series per channel."""
    chart = _bar_chart(f"Eingänge pro Woche nach Kanal (letzte {CHART_WEEKS} Wochen)", "Vorgänge")
    for col, channel in enumerate(Kanal, 3):
        chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
        chart.series[-1].tx = SeriesLabel(v=channel.label)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.width, chart.height = 24, 9
    ws.add_chart(chart, "P17")


def _bar_chart(title: str, y_title: str) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = title
    chart.y_axis.title = y_title
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    return chart
