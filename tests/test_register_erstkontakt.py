"""The register (real .xlsx, reopened with openpyxl) after first-contact work through the CLI: the sheet
"Statistik" shows the share solved at first contact per week and per channel, "Offen" the article used."""

from __future__ import annotations

import json
from typing import Any

import openpyxl
import pytest

from buero_ticket.ablage import Ablage
from tests.wissen_artikel import write_articles


def _rows(ablage: Ablage, sheet: str) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(ablage.root / "Vorgangsregister.xlsx", read_only=True)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


def test_statistik_shows_first_contact_share_per_week_and_channel(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    calls = (("anruf", "direkt"), ("anruf", "direkt"), ("anruf", "rueckruf"), ("schalter", "direkt"))
    for command, ergebnis in calls:
        res = run("--ablage", root, command, "--von", "Erika Muster", "--anliegen", "Wann ist Sperrmüll?",
                  "--ergebnis", ergebnis)  # fmt: skip
        assert res.code == 0, res.err
    assert run("--ablage", root, "neu", "--kanal", "email", "--betreff", "Frage").code == 0  # not recorded
    assert run("--ablage", root, "register").code == 0
    rows = _rows(ablage, "Statistik")
    header = next(r for r in rows if r[0] == "Woche")
    weeks = rows[rows.index(header) + 1 :]
    this_week = weeks[next(i for i, r in enumerate(weeks) if r[0] == "Summe") - 1]
    quote = header.index("Erstlösungsquote")
    assert this_week[header.index("Gesamt")] == 5
    assert this_week[quote] == pytest.approx(3 / 4)  # of the four with a first-contact record
    table = next(r for r in rows if r[0] == "Kanal" and "Erstlösungsquote" in r)
    by_channel = {r[0]: r[1:4] for r in rows[rows.index(table) + 1 : rows.index(table) + 8]}
    assert by_channel["Telefon"][:2] == (3, 2) and by_channel["Telefon"][2] == pytest.approx(2 / 3)
    assert by_channel["Persönlich"] == (1, 1, 1)
    assert by_channel["Alle Kanäle"][:2] == (4, 3)
    assert by_channel["E-Mail"][2] == "nicht erfasst"  # not 0 %: nobody recorded it for mails


def test_offen_names_the_article_already_used(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    root = str(ablage.root)
    res = run("--ablage", root, "neu", "--kanal", "email", "--betreff", "Frage", "--email", "a@example.org",
              "--text", "Wie lange dauert ein Expresspass?", "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    assert run("--ablage", root, "antworten", az, "antwort", "--wissen", "Reisepass beantragen").code == 0
    assert run("--ablage", root, "register").code == 0
    rows = _rows(ablage, "Offen")
    col = rows[0].index("Wissen")
    [row] = [r for r in rows[1:] if r[0] == az]  # a draft only: the Vorgang is still open
    assert row[col] == "verwendet: Reisepass beantragen"


def test_statistik_crosses_weeks_and_channels(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """One table with a row per week and a column per channel: the first-contact share of each cell."""
    root = str(ablage.root)
    for command, ergebnis in (("anruf", "direkt"), ("anruf", "rueckruf"), ("schalter", "direkt")):
        res = run("--ablage", root, command, "--von", "Erika Muster", "--anliegen", "Wann ist Sperrmüll?",
                  "--ergebnis", ergebnis)  # fmt: skip
        assert res.code == 0, res.err
    assert run("--ablage", root, "register").code == 0
    rows = _rows(ablage, "Statistik")
    title = next(i for i, r in enumerate(rows) if r[0] == "Erstlösungsquote pro Woche nach Kanal")
    header = tuple(c for c in rows[title + 1] if c is not None)
    assert header[0] == "Woche" and header[-1] == "Alle Kanäle"
    body = rows[title + 2 :]
    summe = body[next(i for i, r in enumerate(body) if r[0] == "Summe")]
    this_week = body[next(i for i, r in enumerate(body) if r[0] == "Summe") - 1]
    for row in (this_week, summe):
        assert row[header.index("Telefon")] == pytest.approx(1 / 2)
        assert row[header.index("Persönlich")] == 1
        assert row[header.index("Alle Kanäle")] == pytest.approx(2 / 3)
        assert row[header.index("E-Mail")] == "keine Fälle"  # no mail that week: not 0 %
    earlier = body[: next(i for i, r in enumerate(body) if r[0] == "Summe") - 1]
    assert earlier and all(r[header.index("Telefon")] != pytest.approx(1 / 2) for r in earlier)
