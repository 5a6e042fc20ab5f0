"""The clock: every operation takes one instead of asking the system for the time.

A clock is any callable returning an aware local ``datetime`` without microseconds. Production code
passes :func:`system_clock`; tests pass a :class:`FixedClock` and move it forward explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, local time with offset, whole seconds (as written to files and the history)."""
    return datetime.now().astimezone().replace(microsecond=0)


@dataclass
class FixedClock:
    """A clock that stands still until a test moves it (``advance``)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now
