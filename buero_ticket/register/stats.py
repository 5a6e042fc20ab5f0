"""The "Statistik" sheet: the figures of ``bericht`` for the last weeks, counted by the same functions.

The computation lives in :mod:`buero_ticket.berichte.statistik` (backlog by age and status, the weeks
by channel with closed ones and the first-contact rate, first contact by channel, forwardings); this
module only names the sheets. Each chart is a chart sheet of its own, one printed page.
"""

from __future__ import annotations

from datetime import date

from ..berichte.statistik import STATISTIK_WOCHEN, RegisterStatistik, statistik_zeitraum

#: The weekly table and chart show this many weeks, the current one last.
WEEKS = STATISTIK_WOCHEN
SHEET_STATISTICS = "Statistik"
CHART_AGE, CHART_WEEKS = "Diagramm Alter", "Diagramm Wochen"

__all__ = ["CHART_AGE", "CHART_WEEKS", "SHEET_STATISTICS", "WEEKS", "RegisterStatistik", "first_monday"]


def first_monday(today: date) -> date:
    """The Monday the statistics start with."""
    return statistik_zeitraum(today, WEEKS)[0]
