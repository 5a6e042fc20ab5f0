"""bericht personal: forecast per weekday × slot from a CSV of call arrivals, then Erlang C."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from buero_ticket.berichte import personal
from buero_ticket.berichte.personal import D115_SPANS, Ziel, prognose, slots_aus_spans
from buero_ticket.berichte.servicezeit import D115Kalender

BIS = date(2026, 11, 6)  # a Friday; 6 weeks back: 28.09.–06.11.2026, six Mondays
MONDAYS = [date(2026, 9, 28) + timedelta(weeks=w) for w in range(6)]


def _calls(day: date, hour: int, minute: int, count: int) -> list[datetime]:
    start = datetime(day.year, day.month, day.day, hour, minute)
    return [start + timedelta(seconds=25 * k) for k in range(count)]


def _csv(tmp_path: Path) -> Path:
    lines = ["Zeitpunkt;Nebenstelle;Dauer", "# Export der Telefonanlage"]
    for day in MONDAYS:  # 60 calls 09:00-09:25 every Monday: A = 6 Erlang at 180 s (domain.md case 4)
        lines += [f"{t:%d.%m.%Y %H:%M:%S};201;180" for t in _calls(day, 9, 0, 60)]
    lines.append("05.10.2026 07:10:00;201;60")  # before service time
    lines.append("2026-10-06 14:05:00")  # one Tuesday call, ISO format
    path = tmp_path / "Anrufe.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def _table(data: dict[str, Any], title: str) -> dict[tuple[str, str], Any]:
    for a in data["abschnitte"]:
        for t in a["tabellen"]:
            if t["titel"] == title:
                return {
                    (z["bezeichnung"], w["spalte"]): w["wert"] if w["wert"] is not None else w["fehlt"]
                    for z in t["zeilen"]
                    for w in z["werte"]
                }
    raise KeyError(title)


def test_staffing_from_csv(run: Callable[..., Any], ablage: Any, tmp_path: Path) -> None:
    res = run(
        "--ablage", str(ablage.root), "bericht", "personal", "--anrufe", str(_csv(tmp_path)),
        "--bis", "06.11.2026", "--bearbeitungszeit", "180", "--format", "json",
    )  # fmt: skip
    assert res.code == 0, res.err
    data = json.loads(res.out)
    agents = _table(data, "Gleichzeitig besetzte Plätze (Erlang C)")
    roster = _table(data, "Einzuplanende Personen (Schwund 30 %)")
    calls = _table(data, "Kontakte je Zeitfenster (Prognose, Mittelwert)")
    assert calls["09:00–09:30", "Mo"] == 60
    assert agents["09:00–09:30", "Mo"] == 9  # 75/30 with A = 6: N = 8 gives 74.4 %, N = 9 gives 88.1 %
    assert roster["09:00–09:30", "Mo"] == 13  # ⌈9 / 0.7⌉
    assert agents["09:30–10:00", "Mo"] == 0
    assert calls["14:00–14:30", "Di"] == 1 / 6
    assert agents["14:00–14:30", "Di"] == 1
    assert len(agents) == 20 * 5  # Mon–Fri, 08:00–18:00 in half hours
    assert any("1 außerhalb" in line for line in data["kopf"])
    assert any("überschätzt" in h or "zu hoch" in h for a in data["abschnitte"] for h in a["hinweise"])


def test_staffing_text_and_heat_map(run: Callable[..., Any], ablage: Any, tmp_path: Path) -> None:
    csv = _csv(tmp_path)
    res = run("--ablage", str(ablage.root), "bericht", "personal", "--anrufe", str(csv), "--bis", "06.11.2026")
    assert res.code == 0, res.err
    assert "Grenzen des Modells" in res.out and "09:00–09:30" in res.out
    target = tmp_path / "Personal.xlsx"
    res = run(
        "--ablage", str(ablage.root), "bericht", "personal", "--anrufe", str(csv), "--bis", "06.11.2026",
        "--format", "xlsx", "--datei", str(target),
    )  # fmt: skip
    assert res.code == 0, res.err
    ws = openpyxl.load_workbook(target)["Personalbedarf"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert rules and all(r.type == "colorScale" for r in rules)
    assert ws.page_setup.paperSize == 9


def test_holidays_are_left_out_of_the_mean() -> None:
    calls = [t for day in MONDAYS if day != date(2026, 10, 5) for t in _calls(day, 9, 0, 60)]

    def closed(day: date) -> str:
        return "Feiertag (Test)" if day == date(2026, 10, 5) else ""

    slots = slots_aus_spans(D115_SPANS)
    with_holiday = prognose(calls, bis=BIS, wochen=6, slots=slots, geschlossen=closed, lokal=D115Kalender().lokal)
    assert with_holiday.mittel[0, 9 * 60] == 60
    assert with_holiday.ausgelassen == [(date(2026, 10, 5), "Feiertag (Test)")]
    plain = prognose(calls, bis=BIS, wochen=6, slots=slots, geschlossen=lambda d: "", lokal=D115Kalender().lokal)
    assert plain.mittel[0, 9 * 60] == 50


def test_no_contacts_is_nicht_erfasst(run: Callable[..., Any], ablage: Any) -> None:
    res = run("--ablage", str(ablage.root), "bericht", "personal", "--format", "json")
    assert res.code == 0, res.err
    agents = _table(json.loads(res.out), "Gleichzeitig besetzte Plätze (Erlang C)")
    assert set(agents.values()) == {"nicht erfasst"}


def test_bad_input_is_refused_with_the_lines(run: Callable[..., Any], ablage: Any, tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.csv"
    bad.write_text("Zeit\n23.11.2026 08:15\ngestern früh\n31.02.2026 09:00\n", encoding="utf-8")
    res = run("--ablage", str(ablage.root), "bericht", "personal", "--anrufe", str(bad))
    assert res.code == 2
    assert "Zeile 3" in res.err and "Zeile 4" in res.err
    res = run("--ablage", str(ablage.root), "bericht", "personal", "--ziel", "75%")
    assert res.code == 2 and "75/30" in res.err
    res = run("--ablage", str(ablage.root), "bericht", "personal", "--wochen", "12")
    assert res.code == 2 and "4 bis 8" in res.err


def test_target_parsing() -> None:
    assert Ziel.parse("80/20") == Ziel(0.8, 20)
    assert Ziel.parse("75 % / 30 s") == Ziel(0.75, 30)
    assert str(personal.Ziel()) == "75 % in 30 s"
