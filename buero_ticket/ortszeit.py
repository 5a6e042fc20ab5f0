"""Times as the office reads them: in the office's time zone ([servicezeiten] zeitzone), everywhere.

Stored times carry the offset of the PC that wrote them (a mail's own Date header, a server in UTC, a
laptop on summer time). ``liste``, ``zeige`` and the register show them all in the office's zone, so the
same moment reads the same on screen and in Excel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .settings import Settings
from .settings.fristen import Servicezeiten

#: The zone the register writer converts to while it writes one Ablage's workbooks (see office_time).
_ZONE: ContextVar[tzinfo | None] = ContextVar("buero_ticket_office_zone", default=None)


def office_zone(settings: Settings) -> tzinfo | None:
    """The office's zone from the settings (None: this computer's own, if the zone is unknown here)."""
    try:
        return ZoneInfo(settings.section(Servicezeiten).zeitzone)
    except (ZoneInfoNotFoundError, ValueError, KeyError):
        return None


def in_office(value: datetime, zone: tzinfo | None) -> datetime:
    """``value`` in the office's zone (naive values are taken as already local)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(zone) if zone is not None else value.astimezone()


@contextmanager
def office_time(zone: tzinfo | None) -> Iterator[None]:
    """While writing one Ablage's register: :func:`naive_office` converts to ``zone``."""
    token = _ZONE.set(zone)
    try:
        yield
    finally:
        _ZONE.reset(token)


def naive_office(value: datetime) -> datetime:
    """For Excel, which has no time zones: the office's wall-clock time without an offset."""
    return in_office(value, _ZONE.get()).replace(tzinfo=None)
