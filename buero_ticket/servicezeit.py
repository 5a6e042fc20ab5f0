"""Service-hours arithmetic: "24 Servicestunden" counted in the office's opening hours.

The calendar knows the service times per weekday (e.g. Mon–Fri 08:00–18:00, several spans per
day allowed), the Bundesland's public holidays (from the ``holidays`` package), the office's own
closing days and its time zone. Spans are wall-clock times of the office; durations are real
elapsed time (computed in UTC), so a span across a daylight-saving change counts the hours that
really passed. Pure: no clock, no files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import KonfigFehler

WOCHENTAGE = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
#: The Bundesländer as the ``holidays`` package names them (a test compares; importing ``holidays`` takes
#: longer than a whole command should, so it is loaded only when a holiday is looked up).
LAENDER = ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")
STANDARD_ZEITEN = {tag: "08:00-18:00" for tag in WOCHENTAGE[:5]} | {"samstag": "", "sonntag": ""}
STANDARD_ZEITZONE = "Europe/Berlin"
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_MAX_DAYS = 3 * 366  # a calendar without service time for three years is a configuration error

Span = tuple[int, int]  # minutes after midnight, end may be 1440 (24:00)


@dataclass(frozen=True)
class Servicekalender:
    """When the office serves: spans per weekday (0 = Monday), Bundesland, closing days, time zone."""

    spans: tuple[tuple[Span, ...], ...] = tuple(((8 * 60, 18 * 60),) if d < 5 else () for d in range(7))
    land: str = "BY"
    schliesstage: frozenset[date] = field(default_factory=frozenset)
    zeitzone: str = STANDARD_ZEITZONE

    def __post_init__(self) -> None:
        if self.land and self.land not in LAENDER:
            raise KonfigFehler(
                f"„{self.land}“ ist kein Bundesland-Kürzel.",
                f'Erlaubt sind: {", ".join(LAENDER)} (z. B. land = "BY").',
            )
        _zone(self.zeitzone)  # fails early with a German message

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zeitzone)

    def mit_land(self, land: str) -> Servicekalender:
        return Servicekalender(self.spans, land.upper(), self.schliesstage, self.zeitzone)

    # -- days -----------------------------------------------------------------------------
    def feiertag(self, day: date) -> str:
        """Name of the public holiday on ``day`` in this Bundesland, or ""."""
        return _holidays(self.land, day.year).get(day, "")

    def geschlossen(self, day: date) -> str:
        """Why there is no service on ``day`` ("" when it is a service day)."""
        name = self.feiertag(day)
        if name:
            return f"Feiertag ({name})"
        if day in self.schliesstage:
            return "Schließtag"
        if not self.spans[day.weekday()]:
            return WOCHENTAGE[day.weekday()].capitalize()
        return ""

    def fenster(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's service spans as UTC datetimes (empty on closed days)."""
        if self.geschlossen(day):
            return []
        return [(self._at(day, start), self._at(day, end)) for start, end in self.spans[day.weekday()]]

    def _at(self, day: date, minutes: int) -> datetime:
        if minutes >= 24 * 60:
            day, minutes = day + timedelta(days=1), minutes - 24 * 60
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def _windows_from(self, start_utc: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = start_utc.astimezone(self.tz).date() - timedelta(days=1)  # a 24:00 span of yesterday may still run
        for offset in range(_MAX_DAYS):
            for begin, end in self.fenster(day + timedelta(days=offset)):
                if end > start_utc:
                    yield max(begin, start_utc), end
        raise KonfigFehler(
            "Der Servicekalender hat in den nächsten drei Jahren keine einzige Servicezeit.",
            'Tragen Sie in [servicezeiten] Zeiten ein, z. B. montag = "08:00-18:00".',
        )

    # -- arithmetic -----------------------------------------------------------------------
    def lokal(self, moment: datetime) -> datetime:
        """``moment`` as the office's local time (naive input already is office time)."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def plus(self, start: datetime, dauer: timedelta) -> datetime:
        """The moment ``dauer`` of service time after ``start`` (office time zone).

        Outside service time the count starts at the next service start; a deadline that ends
        exactly at closing time is that closing time (18:00), not the next morning.
        """
        if dauer < timedelta(0):
            raise ValueError("negative Dauer")
        remaining = dauer
        for begin, end in self._windows_from(self.lokal(start).astimezone(UTC)):
            available = end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(self.tz)
            remaining -= available
        raise AssertionError("unreachable")  # _windows_from raises when it runs out

    def plus_stunden(self, start: datetime, stunden: float) -> datetime:
        return self.plus(start, timedelta(hours=stunden))

    def zwischen(self, von: datetime, bis: datetime) -> timedelta:
        """Service time from ``von`` to ``bis`` (negative when ``bis`` is earlier)."""
        a, b = self.lokal(von).astimezone(UTC), self.lokal(bis).astimezone(UTC)
        if b < a:
            return -self.zwischen(bis, von)
        total = timedelta(0)
        for begin, end in self._windows_from(a):
            if begin >= b:
                break
            total += min(end, b) - begin
        return total


@functools.lru_cache(maxsize=64)
def _holidays(land: str, year: int) -> Mapping[date, str]:
    import holidays

    return dict(holidays.country_holidays("DE", subdiv=land or None, years=year, language="de"))


@functools.lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise KonfigFehler(
            f"Die Zeitzone „{name}“ ist unbekannt.",
            f'Schreiben Sie zeitzone = "{STANDARD_ZEITZONE}" (oder lassen Sie die Zeile weg).',
        ) from None


def parse_spans(text: str) -> tuple[Span, ...]:
    """``"08:00-12:00, 13:00-18:00"`` → spans in minutes; ``""`` or ``"geschlossen"`` → none."""
    cleaned = text.strip().lower()
    if cleaned in ("", "geschlossen", "-"):
        return ()
    spans: list[Span] = []
    for part in cleaned.replace(";", ",").split(","):
        match = _SPAN.match(part.strip())
        if not match:
            raise ValueError(f"„{part.strip()}“ ist keine Zeitspanne wie 08:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60 or end <= start:
            raise ValueError(f"„{part.strip()}“: Beginn muss vor dem Ende liegen, Zeiten zwischen 00:00 und 24:00")
        if spans and start < spans[-1][1]:
            raise ValueError(f"„{part.strip()}“ überschneidet sich mit der Spanne davor (aufsteigend angeben)")
        spans.append((start, end))
    return tuple(spans)


def format_span(span: Span) -> str:
    return f"{span[0] // 60:02d}:{span[0] % 60:02d}-{span[1] // 60:02d}:{span[1] % 60:02d}"


def parse_schliesstage(values: Iterable[Any]) -> frozenset[date]:
    """Closing days as ``"24.12.2026"`` or ``"2026-12-24"`` (TOML dates too)."""
    days: set[date] = set()
    for value in values:
        if isinstance(value, datetime):
            days.add(value.date())
        elif isinstance(value, date):
            days.add(value)
        else:
            text = str(value).strip()
            match = re.match(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", text)
            try:
                days.add(
                    date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
                    if match
                    else date.fromisoformat(text)
                )
            except ValueError:
                raise ValueError(f"„{text}“ ist kein Datum wie 24.12.2026") from None
    return frozenset(days)


def kalender_aus_einstellungen(section: Mapping[str, Any]) -> Servicekalender:
    """The calendar from the ``[servicezeiten]`` settings (missing keys: Mon–Fri 08:00–18:00, BY)."""
    spans = tuple(parse_spans(str(section.get(tag, STANDARD_ZEITEN[tag]))) for tag in WOCHENTAGE)
    return Servicekalender(
        spans=spans,
        land=str(section.get("land", "BY")).upper(),
        schliesstage=parse_schliesstage(section.get("schliesstage", []) or []),
        zeitzone=str(section.get("zeitzone", STANDARD_ZEITZONE)),
    )
