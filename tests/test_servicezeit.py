"""Golden cases for the service-hours arithmetic (D115: "Rückmeldung innerhalb von 24 Servicestunden").

Each expected value was worked out by hand from the calendar (see the comment of each case), not
taken from the code. Times are office wall-clock times in Europe/Berlin; the UTC offset of the
result is checked too, so a daylight-saving mistake shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from buero_ticket.errors import KonfigFehler
from buero_ticket.servicezeit import Servicekalender, kalender_aus_einstellungen, parse_spans

RUND_UM_DIE_UHR = dict.fromkeys(
    ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"), "00:00-24:00"
)
MITTAGSPAUSE = dict.fromkeys(("montag", "dienstag", "mittwoch", "donnerstag"), "08:00-12:00, 13:00-16:00") | {
    "freitag": "08:00-12:00"
}
SCHLIESSTAGE = {"schliesstage": ["24.12.2026", "2026-12-31", "08.02.2027"]}

# (name, settings, start (office time), service hours, expected (office time), expected UTC offset in hours)
GOLDEN: list[tuple[str, dict[str, object], str, float, str, int]] = [
    # Fr 1 h, Mo 10 h, Di 10 h, Mi 3 h
    ("D115 Freitag 17:00 + 24 = Mittwoch 11:00", {"land": "BY"}, "2026-12-04 17:00", 24, "2026-12-09 11:00", 1),
    # 17:59 → 18:00 is one minute; 59 more minutes from Tuesday 08:00
    ("Start 17:59 + 1 h", {"land": "BY"}, "2026-12-07 17:59", 1, "2026-12-08 08:59", 1),
    # before opening: counts from 08:00; Mo 10, Di 10, Mi 4
    ("Start 07:00 + 24 h", {"land": "BY"}, "2026-12-07 07:00", 24, "2026-12-09 12:00", 1),
    # Saturday: nothing until Monday 08:00; Mo 10, Di 10, Mi 4
    ("Start Samstag + 24 h", {"land": "BY"}, "2026-12-05 10:00", 24, "2026-12-09 12:00", 1),
    ("genau bis Dienstschluss", {"land": "BY"}, "2026-12-07 08:00", 10, "2026-12-07 18:00", 1),
    ("Minuten zählen", {"land": "BY"}, "2026-12-07 09:17", 0.5, "2026-12-07 09:47", 1),
    ("Start 18:00 zählt ab 08:00", {"land": "BY"}, "2026-12-07 18:00", 2, "2026-12-08 10:00", 1),
    # Fronleichnam Do 04.06.2026 in Bayern: Mi 6, Fr 10, Mo 8
    ("Fronleichnam Bayern", {"land": "BY"}, "2026-06-03 12:00", 24, "2026-06-08 16:00", 2),
    # ... not in Berlin: Mi 6, Do 10, Fr 8
    ("Fronleichnam gilt nicht in Berlin", {"land": "BE"}, "2026-06-03 12:00", 24, "2026-06-05 16:00", 2),
    # Buß- und Bettag Mi 18.11.2026 only in Sachsen: Di 6, Do 10, Fr 8
    ("Buß- und Bettag Sachsen", {"land": "SN"}, "2026-11-17 12:00", 24, "2026-11-20 16:00", 1),
    ("Buß- und Bettag nicht in Bayern", {"land": "BY"}, "2026-11-17 12:00", 24, "2026-11-19 16:00", 1),
    # Reformationstag Fr 31.10.2025 in Niedersachsen: Do 6, Mo 10, Di 8
    ("Reformationstag Niedersachsen", {"land": "NI"}, "2025-10-30 12:00", 24, "2025-11-04 16:00", 1),
    ("Reformationstag nicht in Bayern", {"land": "BY"}, "2025-10-30 12:00", 24, "2025-11-03 16:00", 1),
    # Frauentag Mo 08.03.2027 in Berlin: Fr 1, Di 10, Mi 10, Do 3
    ("Frauentag Berlin", {"land": "BE"}, "2027-03-05 17:00", 24, "2027-03-11 11:00", 1),
    ("Frauentag nicht in Bayern", {"land": "BY"}, "2027-03-05 17:00", 24, "2027-03-10 11:00", 1),
    # Heilige Drei Könige Mi 06.01.2027 in Bayern: Mo 10, Di 10, Do 4
    ("Heilige Drei Könige Bayern", {"land": "BY"}, "2027-01-04 08:00", 24, "2027-01-07 12:00", 1),
    # Mariä Himmelfahrt Fr 15.08.2025 im Saarland: Do 6, Mo 10, Di 8
    ("Mariä Himmelfahrt Saarland", {"land": "SL"}, "2025-08-14 12:00", 24, "2025-08-19 16:00", 2),
    # Weltkindertag Mo 20.09.2027 in Thüringen: Fr 1, Di 10, Mi 10, Do 3
    ("Weltkindertag Thüringen", {"land": "TH"}, "2027-09-17 17:00", 24, "2027-09-23 11:00", 2),
    # Clocks go forward on Sun 29.03.2026: wall-clock result unchanged, offset +02:00
    ("Sommerzeit beginnt (Bürozeiten)", {"land": "BY"}, "2026-03-27 17:00", 24, "2026-04-01 11:00", 2),
    # Clocks go back on Sun 25.10.2026: offset +01:00
    ("Sommerzeit endet (Bürozeiten)", {"land": "BY"}, "2026-10-23 17:00", 24, "2026-10-28 11:00", 1),
    # Round the clock: the night of 29.03.2026 has only 23 hours, so 24 real hours end at 13:00
    ("Sommerzeit beginnt (rund um die Uhr)", RUND_UM_DIE_UHR, "2026-03-28 12:00", 24, "2026-03-29 13:00", 2),
    # ... and the night of 25.10.2026 has 25 hours: 24 real hours end at 11:00
    ("Sommerzeit endet (rund um die Uhr)", RUND_UM_DIE_UHR, "2026-10-24 12:00", 24, "2026-10-25 11:00", 1),
    # Closing days 24.12. and 31.12.: Mi 6, (Do 24. zu, Fr 25. Feiertag) Mo 10, Di 8
    ("Schließtag Heiligabend", {"land": "BY", **SCHLIESSTAGE}, "2026-12-23 12:00", 24, "2026-12-29 16:00", 1),
    ("ohne Schließtag", {"land": "BY"}, "2026-12-23 12:00", 24, "2026-12-28 16:00", 1),
    # Rosenmontag 08.02.2027 as closing day: Fr 1, Di 10, Mi 10, Do 3
    ("Schließtag Rosenmontag", {"land": "BY", **SCHLIESSTAGE}, "2027-02-05 17:00", 24, "2027-02-11 11:00", 1),
    # A Stelle answering within 40 service hours: Mo 8, Di 10, Mi 10, Do 10, Fr 2
    ("Stelle mit 40 Servicestunden", {"land": "BY"}, "2026-12-07 10:00", 40, "2026-12-11 10:00", 1),
    # 40 h over Christmas with closing days: Mo–Mi 30, Do 24. zu, Fr 25. Feiertag, Mo 28. 10 (ends at closing time)
    (
        "40 Servicestunden über Weihnachten",
        {"land": "BY", **SCHLIESSTAGE},
        "2026-12-21 08:00",
        40,
        "2026-12-28 18:00",
        1,
    ),
    # Lunch break: 11–12 is one hour, the second from 13:00
    ("Mittagspause", MITTAGSPAUSE, "2026-12-07 11:00", 2, "2026-12-07 14:00", 1),
    # Friday only until 12:00: Do 15–16 is 1 h, Fr 08:00 + 2 h
    ("kurzer Freitag", MITTAGSPAUSE, "2026-12-03 15:00", 3, "2026-12-04 10:00", 1),
    # Saturday service 09–13: Fr 1, Sa 4, Mo 10, Di 9
    ("Samstagsdienst", {"samstag": "09:00-13:00"}, "2026-12-04 17:00", 24, "2026-12-08 17:00", 1),
    ("null Stunden vor Dienstbeginn", {}, "2026-12-07 07:00", 0, "2026-12-07 08:00", 1),
]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("name", "settings", "start", "hours", "expected", "offset"), GOLDEN, ids=[g[0] for g in GOLDEN]
)
def test_golden(name: str, settings: dict[str, object], start: str, hours: float, expected: str, offset: int) -> None:
    kalender = kalender_aus_einstellungen(settings)
    due = kalender.plus_stunden(_at(start), hours)
    assert due.replace(tzinfo=None) == _at(expected), name
    assert due.utcoffset() == timedelta(hours=offset), name
    # the inverse: exactly that many service hours lie between start and due
    assert kalender.zwischen(_at(start), due) == timedelta(hours=hours), name


def test_at_least_twenty_golden_cases() -> None:
    assert len(GOLDEN) >= 20


def test_aware_start_is_converted_to_office_time() -> None:
    kalender = Servicekalender()
    due = kalender.plus_stunden(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), 24)  # 17:00 in Berlin
    assert due.replace(tzinfo=None) == datetime(2026, 12, 9, 11, 0)


def test_closed_days_are_named() -> None:
    kalender = kalender_aus_einstellungen({"land": "SN", **SCHLIESSTAGE})
    assert kalender.geschlossen(date(2026, 11, 18)) == "Feiertag (Buß- und Bettag)"
    assert kalender.geschlossen(date(2026, 12, 24)) == "Schließtag"
    assert kalender.geschlossen(date(2026, 12, 5)) == "Samstag"
    assert kalender.geschlossen(date(2026, 12, 7)) == ""


def test_zwischen_is_negative_backwards() -> None:
    kalender = Servicekalender()
    assert kalender.zwischen(_at("2026-12-09 11:00"), _at("2026-12-04 17:00")) == -timedelta(hours=24)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"land": "XX"}, "Bundesland"),
        ({"zeitzone": "Mars/Olympus"}, "Zeitzone"),
    ],
)
def test_bad_settings_are_reported_in_german(settings: dict[str, object], fragment: str) -> None:
    with pytest.raises(KonfigFehler) as info:
        kalender_aus_einstellungen(settings)
    assert fragment in info.value.text


@pytest.mark.parametrize("text", ["8-18", "18:00-08:00", "08:00-12:00, 11:00-13:00", "08:00-25:00"])
def test_bad_spans_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_spans(text)


def test_no_service_time_at_all_is_a_config_error() -> None:
    kalender = kalender_aus_einstellungen(
        {tag: "" for tag in ("montag", "dienstag", "mittwoch", "donnerstag", "freitag")}
    )
    with pytest.raises(KonfigFehler):
        kalender.plus_stunden(_at("2026-12-07 08:00"), 1)
