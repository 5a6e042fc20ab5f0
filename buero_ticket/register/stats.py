"""Statistics for the register, gathered while the Vorgänge stream past.

Only small aggregates are kept (one counter per week and per age bucket), so
memory does not grow with the number of Vorgänge. The weekly table covers a
fixed window (the last :data:`WEEKS` weeks): one old Vorgang no longer adds
years of empty weeks. Each chart is a chart sheet of its own, one printed page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..models import Kanal, Status, Vorgang
from .cells import CellWriter, to_local_naive

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
#: The weekly table and chart show this many weeks, the current one last.
WEEKS = 26
SHEET_STATISTICS = "Statistik"
CHART_AGE, CHART_WEEKS = "Diagramm Alter", "Diagramm Wochen"

BACKLOG_HEADERS = ("Alter seit Eingang", *(s.label for s in OPEN_STATUSES), "Gesamt", "davon Frist überschritten")
WEEK_HEADERS = ("Woche", "ab Montag", *(k.label for k in Kanal), *(s.label for s in Status), "Gesamt")
STATS_WIDTHS = (18, 11, 11, 9, 10, 13, 6, 6, 9, 11, 8, 9, 8, 8)


@dataclass
class Statistics:
    """Counts per week (channel and status) in the window, and the open backlog by age."""

    today: date
    per_week: Counter[tuple[date, Kanal | Status]] = field(default_factory=Counter)
    backlog: Counter[tuple[int, Status]] = field(default_factory=Counter)
    overdue: Counter[int] = field(default_factory=Counter)

    @property
    def first_monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday(), weeks=WEEKS - 1)

    def add(self, v: Vorgang) -> None:
        """Count a Vorgang in its week (outside the window: ignored)."""
        if v.beschaedigt:
            return
        received = to_local_naive(v.eingang).date()
        monday = received - timedelta(days=received.weekday())
        if monday < self.first_monday:
            return
        self.per_week[monday, v.kanal] += 1
        self.per_week[monday, v.status] += 1

    def add_open(self, v: Vorgang) -> None:
        """Count an open Vorgang in the backlog."""
        if v.beschaedigt or not v.status.is_open:
            return
        received = to_local_naive(v.eingang).date()
        bucket = age_bucket((self.today - received).days)
        self.backlog[bucket, v.status] += 1
        if v.frist is not None and v.frist < self.today:
            self.overdue[bucket] += 1

    def weeks(self) -> list[date]:
        """The Mondays of the window, oldest first (weeks without Vorgänge included)."""
        return [self.first_monday + timedelta(weeks=i) for i in range(WEEKS)]

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


def write_statistics(wb: Any, ws: Any, cells: CellWriter, stats: Statistics, as_of: datetime) -> list[Any]:
    """Fill the Statistik sheet (backlog table, weekly table); returns the two chart sheets' charts."""
    for col, width in enumerate(STATS_WIDTHS):
        ws.set_column(col, col, width)
    cells.title(ws, 0, 0, f"Offene Vorgänge nach Alter (Stand {as_of:%d.%m.%Y %H:%M})")
    header = 1
    ws.set_row(header, 42)
    for col, title in enumerate(BACKLOG_HEADERS):
        cells.header(ws, header, col, title)
    rows = stats.backlog_rows()
    for r, row in enumerate(rows, header + 1):
        _write_row(ws, cells, r, row)
    week_title = header + len(rows) + 2
    cells.title(ws, week_title, 0, f"Eingänge pro Woche nach Kanal und heutigem Status (letzte {WEEKS} Wochen)")
    week_header = week_title + 1
    ws.set_row(week_header, 30)
    for col, title in enumerate(WEEK_HEADERS):
        cells.header(ws, week_header, col, title)
    first = week_header + 1
    for r, monday in enumerate(stats.weeks(), first):
        row = stats.week_row(monday)
        cells.write(ws, r, 0, row[0], "label")
        cells.write(ws, r, 1, row[1], "day")
        _write_row(ws, cells, r, row[2:], start=2)
    last = first + WEEKS - 1
    return [_backlog_chart(wb, header), _week_chart(wb, first, last)]


def _write_row(ws: Any, cells: CellWriter, r: int, row: list[Any], start: int = 0) -> None:
    for c, value in enumerate(row, start):
        cells.write(ws, r, c, value, "number" if isinstance(value, int) else "label")


def _backlog_chart(wb: Any, header: int) -> Any:
    """Stacked columns per age bucket (without the "Summe" row), one series per open status."""
    chart = _bar_chart(wb, "Offene Vorgänge nach Alter", "Anzahl")
    first, last = header + 1, header + len(AGE_BUCKETS)
    for col, _status in enumerate(OPEN_STATUSES, 1):
        chart.add_series(
            {
                "name": [SHEET_STATISTICS, header, col],
                "categories": [SHEET_STATISTICS, first, 0, last, 0],
                "values": [SHEET_STATISTICS, first, col, last, col],
            }
        )
    return chart


def _week_chart(wb: Any, first: int, last: int) -> Any:
    """Stacked columns per week of the window, one series per channel."""
    chart = _bar_chart(wb, f"Eingänge pro Woche nach Kanal (letzte {WEEKS} Wochen)", "Vorgänge")
    for col, _kanal in enumerate(Kanal, 2):
        chart.add_series(
            {
                "name": [SHEET_STATISTICS, first - 1, col],
                "categories": [SHEET_STATISTICS, first, 0, last, 0],
                "values": [SHEET_STATISTICS, first, col, last, col],
            }
        )
    return chart


def _bar_chart(wb: Any, title: str, y_title: str) -> Any:
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    chart.set_title({"name": title})
    chart.set_y_axis({"name": y_title, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    return chart
