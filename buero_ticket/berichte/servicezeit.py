"""The calendar the reports count in: service hours, closed days, local time.

The reports only need three things from a calendar (:class:`Kalender`): service time between two
instants, why a day has no service, and an instant as the office's local time. The office's own
calendar (settings ``[servicezeiten]``, with the Bundesland's holidays) provides them; without it,
:class:`D115Kalender` counts Mon–Fri 08:00–18:00 German time without holidays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

ServiceHours = Callable[[datetime, datetime], float]
BUERO_ZEIT = ZoneInfo("Europe/Berlin")
Spans = tuple[tuple[tuple[int, int], ...], ...]  # per weekday (0 = Monday): (start, end) minutes


class Kalender(Protocol):
    @property
    def spans(self) -> Spans: ...

    def zwischen(self, von: datetime, bis: datetime) -> timedelta: ...

    def geschlossen(self, day: date) -> str: ...

    def lokal(self, moment: datetime) -> datetime: ...


class D115Kalender:
    """Mon–Fri 08:00–18:00 office time (Europe/Berlin); no holidays (the fallback)."""

    spans: Spans = tuple(((480, 1080),) if d < 5 else () for d in range(7))

    def lokal(self, moment: datetime) -> datetime:
        """``moment`` as office time (naive input already is office time)."""
        return moment.astimezone(BUERO_ZEIT) if moment.tzinfo else moment.replace(tzinfo=BUERO_ZEIT)

    def geschlossen(self, day: date) -> str:
        return "Wochenende" if not self.spans[day.weekday()] else ""

    def zwischen(self, von: datetime, bis: datetime) -> timedelta:
        a, b = self.lokal(von).replace(tzinfo=None), self.lokal(bis).replace(tzinfo=None)
        if b < a:
            return -self.zwischen(bis, von)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            for start, end in self.spans[day.weekday()]:
                lo = max(a, datetime.combine(day, datetime.min.time()) + timedelta(minutes=start))
                hi = min(b, datetime.combine(day, datetime.min.time()) + timedelta(minutes=end))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def stunden(kalender: Kalender) -> ServiceHours:
    """Service hours from the first to the second instant (0 if the second is earlier)."""

    def hours(von: datetime, bis: datetime) -> float:
        return max(0.0, kalender.zwischen(von, bis).total_seconds() / 3600)

    return hours


def beschreibung(kalender: Kalender) -> str:
    """German one-line description of the service times, e.g. "Mo–Fr 08:00–18:00"."""
    names = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
    parts: list[str] = []
    groups: list[tuple[list[int], str]] = []
    for day, spans in enumerate(kalender.spans):
        text = ", ".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in spans)
        if not text:
            continue
        if groups and groups[-1][1] == text and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    for days, text in groups:
        label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        parts.append(f"{label} {text}")
    text = "; ".join(parts) or "keine Servicezeit"
    land = getattr(kalender, "land", "")
    text += f"; ohne Feiertage ({land})" if land else "; Feiertage nicht berücksichtigt"
    schliesstage = len(getattr(kalender, "schliesstage", ()) or ())
    if schliesstage:
        text += f" und {schliesstage} eigene Schließtage"
    return text
