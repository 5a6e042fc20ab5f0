"""Dates as a clerk types them (shared by frist, wiedervorlage, aendern --frist)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from buero_ticket.datum import parse_datum, parse_zeitpunkt
from buero_ticket.errors import EingabeFehler

HEUTE = date(2026, 11, 28)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.12.2026", date(2026, 12, 15)),
        ("15.12.26", date(2026, 12, 15)),
        ("15.12.", date(2026, 12, 15)),
        ("15.12", date(2026, 12, 15)),
        ("3.1.", date(2027, 1, 3)),  # already past this year: the next 3 January
        ("28.11.", date(2026, 11, 28)),  # today stays today
        ("2026-12-15", date(2026, 12, 15)),
        ("heute", date(2026, 11, 28)),
        ("morgen", date(2026, 11, 29)),
        ("Morgen", date(2026, 11, 29)),
        ("übermorgen", date(2026, 11, 30)),
        ("+3", date(2026, 12, 1)),
        ("+0", date(2026, 11, 28)),
        ("+2w", date(2026, 12, 12)),
        ("+ 2 W", date(2026, 12, 12)),
        ("+1m", date(2026, 12, 28)),
        ("montag", date(2026, 11, 30)),
        ("samstag", date(2026, 12, 5)),  # never today: the next one
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_datum(text, HEUTE) == expected


@pytest.mark.parametrize("text", ["", "31.02.2026", "15/12/2026", "übermorgen früh", "+3x", "32.1.", "gestern"])
def test_refused_with_german_message(text: str) -> None:
    with pytest.raises(EingabeFehler) as info:
        parse_datum(text, HEUTE)
    assert "Datum" in info.value.text or "gibt es nicht" in info.value.text
    assert "15.12.2026" in info.value.hinweis


def test_month_end_is_clamped() -> None:
    assert parse_datum("+1m", date(2027, 1, 31)) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04.12.2026 17:00", datetime(2026, 12, 4, 17, 0)),
        ("4.12.2026 9.30", datetime(2026, 12, 4, 9, 30)),
        ("2026-12-04T17:00", datetime(2026, 12, 4, 17, 0)),
        ("morgen 8:00", datetime(2026, 11, 29, 8, 0)),
        ("15.12.", datetime(2026, 12, 15, 0, 0)),
        ("jetzt", datetime(2026, 11, 28, 10, 15)),
    ],
)
def test_zeitpunkt(text: str, expected: datetime) -> None:
    assert parse_zeitpunkt(text, datetime(2026, 11, 28, 10, 15, 42)) == expected


def test_bad_time_is_refused() -> None:
    with pytest.raises(EingabeFehler) as info:
        parse_zeitpunkt("04.12.2026 25:00", datetime(2026, 11, 28, 10, 15))
    assert "Uhrzeit" in info.value.text
