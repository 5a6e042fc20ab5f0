"""Dates and times as a clerk types them: ``15.12.2026``, ``15.12.``, ``morgen``, ``+3``, ``+2w``.

Pure functions (no clock of their own): the caller passes today's date, so commands,
operations and tests agree on "today". Errors are :class:`EingabeFehler` with a German
message that lists the accepted forms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from .errors import EingabeFehler

FORMEN = "15.12.2026, 15.12., heute, morgen, übermorgen, +3 (Tage), +2w (Wochen), montag … sonntag"
FORMEN_ZEIT = '"04.12.2026 17:00", "15.12. 9:30", "morgen 8:00", "jetzt" oder ein Datum wie bei Fristen'

_WOCHENTAGE = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
_WORTE = {"heute": 0, "morgen": 1, "übermorgen": 2, "uebermorgen": 2}
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?$")
_DM = re.compile(r"^(\d{1,2})\.(\d{1,2})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_REL = re.compile(r"^\+\s*(\d{1,4})\s*([dtwm]?)$")
_ZEIT = re.compile(r"^(\d{1,2})(?::|\.)?(\d{2})?(?:\s*uhr)?$")


def parse_datum(text: str, heute: date) -> date:
    """The date a clerk means. ``15.12.`` is the next 15 December from today on (this year or next)."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise _fehler(text)
    if raw in _WORTE:
        return heute + timedelta(days=_WORTE[raw])
    if raw in _WOCHENTAGE:
        ahead = (_WOCHENTAGE.index(raw) - heute.weekday()) % 7 or 7
        return heute + timedelta(days=ahead)
    rel = _REL.match(raw)
    if rel:
        count, unit = int(rel.group(1)), rel.group(2)
        if unit == "w":
            return heute + timedelta(weeks=count)
        if unit == "m":
            return plus_months(heute, count)
        return heute + timedelta(days=count)
    iso = _ISO.match(raw)
    if iso:
        return _make(text, int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    dmy = _DMY.match(raw) or _DM.match(raw)
    if dmy:
        day, month = int(dmy.group(1)), int(dmy.group(2))
        year_text = dmy.group(3) if dmy.re is _DMY else None
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return _make(text, year, month, day)
        candidate = _make(text, heute.year, month, day, leap_ok=True)
        if candidate < heute:
            candidate = _make(text, heute.year + 1, month, day, leap_ok=True)
        return candidate
    raise _fehler(text)


FORMEN_VERGANGEN = (
    "15.12.2026, 15.12., heute, gestern, vorgestern, -3 (Tage zurück), -2w (Wochen zurück), montag … sonntag"
)
_WORTE_ZURUECK = {"heute": 0, "gestern": 1, "vorgestern": 2}
_ZURUECK = re.compile(r"^-\s*(\d{1,4})\s*([dtw]?)$")


def parse_vergangen(text: str, heute: date) -> date:
    """The day a clerk means when looking back (a search from/to): the past reading of :func:`parse_datum`.

    ``15.12.`` is the last 15 December up to today (in November: last year's, where ``parse_datum`` gives the
    coming one), ``montag`` the last Monday (today if it is one), ``gestern``, ``vorgestern``, ``-3`` days and
    ``-2w`` weeks back; a full date is that date.
    """
    raw = " ".join(text.strip().lower().split())
    if raw in _WORTE_ZURUECK:
        return heute - timedelta(days=_WORTE_ZURUECK[raw])
    if raw in _WOCHENTAGE:
        return heute - timedelta(days=(heute.weekday() - _WOCHENTAGE.index(raw)) % 7)
    back = _ZURUECK.match(raw)
    if back:
        count = int(back.group(1))
        return heute - (timedelta(weeks=count) if back.group(2) == "w" else timedelta(days=count))
    no_year = _DM.match(raw) or (_DMY.match(raw) if raw.endswith(".") else None)
    try:
        if no_year:
            day, month = int(no_year.group(1)), int(no_year.group(2))
            for year in range(heute.year, heute.year - 9, -1):  # "29.02.": the last leap day
                try:
                    candidate = date(year, month, day)
                except ValueError:
                    continue
                if candidate <= heute:
                    return candidate
            return _make(text, heute.year, month, day)  # no such day: the message says so
        return parse_datum(text, heute)
    except EingabeFehler as exc:
        exc.hinweis = exc.hinweis.replace(FORMEN, FORMEN_VERGANGEN)  # the forms that look back
        raise


def parse_zeitpunkt(text: str, jetzt: datetime) -> datetime:
    """A date with optional time (``04.12.2026 17:00``, ``2026-12-04T17:00``, ``jetzt``); naive = office time.

    Without a time the day starts at 00:00 (service-hour arithmetic then counts from the day's service start).
    """
    raw = " ".join(text.strip().split())
    if raw.lower() == "jetzt":
        return jetzt.replace(second=0, microsecond=0)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        pass
    else:
        return parsed  # an ISO time with an offset stays aware; the calendar converts it
    day_part, _, time_part = raw.partition(" ")
    try:
        day = parse_datum(day_part, jetzt.date())
    except EingabeFehler:
        raise EingabeFehler(
            f"„{text}“ ist kein Zeitpunkt, den buero-ticket versteht.",
            f"Schreiben Sie zum Beispiel {FORMEN_ZEIT}.",
        ) from None
    if not time_part:
        return datetime.combine(day, time())
    return datetime.combine(day, parse_uhrzeit(time_part))


def parse_uhrzeit(text: str) -> time:
    """``17:00``, ``9.30``, ``8 Uhr``."""
    match = _ZEIT.match(text.strip().lower())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return time(hour, minute)
    raise EingabeFehler(
        f"„{text}“ ist keine Uhrzeit.",
        "Schreiben Sie die Uhrzeit als Stunden:Minuten, zum Beispiel 17:00 oder 8:30.",
    )


def format_datum(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def format_zeitpunkt(value: datetime) -> str:
    return f"{value:%d.%m.%Y %H:%M}"


_WOCHENTAG_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def format_zeitpunkt_lang(value: datetime) -> str:
    """``Mi 09.12.2026 11:00`` – with the weekday, for deadlines a clerk reads aloud."""
    return f"{_WOCHENTAG_KURZ[value.weekday()]} {value:%d.%m.%Y %H:%M}"


def _make(text: str, year: int, month: int, day: int, *, leap_ok: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and month == 2 and day == 29:  # "29.02." in a year without it: the next leap year
            for later in range(year + 1, year + 8):
                try:
                    return date(later, 2, 29)
                except ValueError:
                    continue
        raise EingabeFehler(
            f"Den Tag „{text.strip()}“ gibt es nicht.", f"Prüfen Sie Tag und Monat. Erlaubt sind: {FORMEN}."
        ) from None


def plus_months(start: date, months: int) -> date:
    """The same day ``months`` later (or the month's last day: 31.01. + 1 = 28./29.02.)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, start.day)


def _fehler(text: str) -> EingabeFehler:
    return EingabeFehler(f"„{text.strip()}“ ist kein Datum, das buero-ticket versteht.", f"Erlaubt sind: {FORMEN}.")
