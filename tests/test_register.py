"""The Excel register: content, safety, layout, statistics, locking, and LibreOffice as a second reader."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from buero_ticket.models import Absender, Dringlichkeit, Kanal, Nachricht, Status, Vorgang
from buero_ticket.register import (
    COLUMNS,
    REGISTER_NAME,
    RegisterLockedError,
    RegisterResult,
    side_file_for,
    write_register,
)
from buero_ticket.register import cells as register_cells
from buero_ticket.register.cells import CUT_MARKER, MAX_CELL_TEXT
from buero_ticket.register.columns import columns_for

NOW = datetime(2026, 3, 2, 12, 0)  # a Monday
EXAMPLE = Path(__file__).resolve().parents[1] / "beispiel_ordnerstruktur" / "Ablage"
HEADERS = [c.header for c in columns_for("Alle")]
OPEN_HEADERS = [c.header for c in columns_for("Offen")]  # plus the Wissen suggestion (issue 14)
FORMULA_LIKE = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+49 30 1234567",
    "-x",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def make(ablage_root: Path, az: str, **fields: Any) -> Vorgang:
    """A Vorgang with a real folder below ``ablage_root`` (defaults: open, e-mail, today)."""
    fields.setdefault("betreff", f"Betreff {az}")
    fields.setdefault("kanal", Kanal.EMAIL)
    fields.setdefault("status", Status.EINGANG)
    fields.setdefault("eingang", NOW - timedelta(hours=1))
    v = Vorgang(aktenzeichen=az, **fields)
    if v.ordner is None:
        v.ordner = ablage_root / v.status.folder_name / f"{az} Anfrage"
    v.ordner.mkdir(parents=True, exist_ok=True)
    return v


def write(ablage_root: Path, vorgaenge: list[Vorgang], name: str = REGISTER_NAME) -> RegisterResult:
    """Sort and stream the way the caller does (generators, consumed once)."""
    offen = sorted((v for v in vorgaenge if v.status.is_open), key=Vorgang.sort_key_urgent)
    alle = sorted(vorgaenge, key=lambda v: v.eingang, reverse=True)
    return write_register(ablage_root / name, iter(offen), iter(alle), ablage_name="Bürgeramt Musterstadt", now=NOW)


def column(ws: Any, letter: str) -> list[Any]:
    return [c.value for c in ws[letter][1:]]


def row_of(ws: Any, first_cell: str) -> list[Any]:
    for row in ws.iter_rows(values_only=True):
        if row[0] == first_cell:
            return list(row)
    raise AssertionError(f"no row starting with {first_cell!r}")


@pytest.fixture
def ablage_root(tmp_path: Path) -> Path:
    """An empty Ablage folder (a plain path: the register needs no Ablage object)."""
    root = tmp_path / "Ablage"
    root.mkdir()
    return root


@pytest.fixture
def mixed(ablage_root: Path) -> list[Vorgang]:
    """Open and closed Vorgänge of different urgency and age."""
    return [
        make(ablage_root, "2026-000001-1", eingang=NOW - timedelta(days=9), dringlichkeit=Dringlichkeit.NIEDRIG),
        make(ablage_root, "2026-000002-2", eingang=NOW - timedelta(days=8), status=Status.ERLEDIGT),
        make(ablage_root, "2026-000003-3", eingang=NOW - timedelta(days=7), dringlichkeit=Dringlichkeit.HOCH),
        make(ablage_root, "2026-000004-4", eingang=NOW - timedelta(days=6), status=Status.WARTET),
        make(ablage_root, "2026-000005-5", eingang=NOW - timedelta(days=5), dringlichkeit=Dringlichkeit.HOCH),
        make(ablage_root, "2026-000006-6", eingang=NOW - timedelta(days=4), status=Status.ARCHIV),
    ]


# --- content and order -------------------------------------------------------------------------


def test_sheets_rows_and_order(ablage_root: Path, mixed: list[Vorgang]) -> None:
    result = write(ablage_root, mixed)

    wb = openpyxl.load_workbook(result.file)
    assert wb.sheetnames == ["Offen", "Alle", "Statistik", "Diagramm Alter", "Diagramm Wochen", "Info"]
    assert [c.value for c in wb["Offen"][1]] == OPEN_HEADERS
    assert [c.value for c in wb["Alle"][1]] == HEADERS
    # Offen: most urgent first, then oldest first; closed ones left out.
    assert column(wb["Offen"], "A") == ["2026-000003-3", "2026-000005-5", "2026-000004-4", "2026-000001-1"]
    # Alle: newest first.
    assert column(wb["Alle"], "A") == [f"2026-00000{i}-{i}" for i in range(6, 0, -1)]
    assert (result.open_count, result.total_count, result.is_side_file) == (4, 6, False)


def test_row_values(ablage_root: Path) -> None:
    v = make(
        ablage_root,
        "2026-000042-7",
        betreff="Sperrmüll abholen",
        kanal=Kanal.TELEFON,
        status=Status.IN_BEARBEITUNG,
        eingang=datetime(2026, 2, 3, 9, 30),
        dringlichkeit=Dringlichkeit.HOCH,
        bearbeiter="Frau Schmidt",
        absender=Absender(name="Erika Muster", email="erika@example.org"),
        frist=date(2026, 3, 10),
        nachrichten=[Nachricht(datei=f"{i}.eml", richtung="eingang", zeit=NOW, kanal="email") for i in range(3)],
        antwort_gesendet=datetime(2026, 2, 4, 10, 15),
        geaendert=datetime(2026, 2, 5, 16, 0),
    )
    write(ablage_root, [v])

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]
    assert [c.value for c in ws[2]] == [
        "2026-000042-7",
        datetime(2026, 2, 3, 9, 30),
        "Telefon",
        "Erika Muster <erika@example.org>",
        "Sperrmüll abholen",
        "In Bearbeitung",
        "Frau Schmidt",
        "Hoch",
        datetime(2026, 3, 10),  # openpyxl reads every date back as datetime
        None,  # Rückmeldung bis: not forwarded
        None,  # Antwort der Stelle bis
        datetime(2026, 2, 5, 16, 0),
        3,
        "ja",
        datetime(2026, 2, 4, 10, 15),
        None,  # Wissen: no articles in this Ablage
        None,  # Kategorie
        None,  # Aufbewahren bis: open, the period has not started
    ]


def test_unanswered_and_empty_fields(ablage_root: Path) -> None:
    write(ablage_root, [make(ablage_root, "2026-000001-1", bearbeiter="", frist=None)])

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]
    values = dict(zip(OPEN_HEADERS, (c.value for c in ws[2]), strict=True))
    assert values["Antwort gesendet"] == "nein"
    assert values["Antwort am"] is None
    assert values["Bearbeiter"] is None
    assert values["Frist"] is None
    assert values["Letzte Aktivität"] == values["Eingang"]


def test_aware_times_become_local_time(ablage_root: Path) -> None:
    aware = datetime(2026, 2, 3, 9, 30).astimezone()
    write(ablage_root, [make(ablage_root, "2026-000001-1", eingang=aware)])

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]
    assert ws["B2"].value == datetime(2026, 2, 3, 9, 30)


def test_example_ablage(tmp_path: Path) -> None:
    """The shipped example: real metadata files, aware times, a formula in a subject and a folder name."""
    root = shutil.copytree(EXAMPLE, tmp_path / "Ablage")
    vorgaenge = []
    for meta in root.rglob("vorgang.json"):
        vorgang = Vorgang.from_json(json.loads(meta.read_text(encoding="utf-8")))
        vorgang.ordner = meta.parent
        vorgaenge.append(vorgang)
    write(root, vorgaenge)

    ws = openpyxl.load_workbook(root / REGISTER_NAME)["Alle"]
    assert sorted(column(ws, "A")) == sorted(v.aktenzeichen for v in vorgaenge)
    for cell in ws["A"][1:]:
        folder = root / unquote(cell.hyperlink.target).replace("\\", "/")
        assert json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))["aktenzeichen"] == cell.value
    formel = next(v for v in vorgaenge if v.betreff.startswith("="))
    (cell,) = (row[4] for row in ws.iter_rows(min_row=2) if row[0].value == formel.aktenzeichen)
    assert (cell.value, cell.data_type) == (formel.betreff, "s")


# --- hyperlinks --------------------------------------------------------------------------------


def test_hyperlinks_are_relative_to_the_register_folder(ablage_root: Path) -> None:
    plain = make(ablage_root, "2026-000001-1")
    odd = make(
        ablage_root,
        "2026-000002-2",
        status=Status.IN_BEARBEITUNG,
        ordner=ablage_root / "2 In Bearbeitung" / "2026-000002-2 Müll #3 zu 50% & mehr",
    )
    nowhere = make(ablage_root, "2026-000003-3", eingang=NOW - timedelta(hours=2))
    nowhere.ordner = None
    write(ablage_root, [plain, odd, nowhere])

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Alle"]
    links = {c.value: c.hyperlink.target if c.hyperlink else None for c in ws["A"][1:]}
    assert links == {
        "2026-000001-1": "1%20Eingang\\2026-000001-1%20Anfrage",
        "2026-000002-2": "2%20In%20Bearbeitung\\2026-000002-2%20Müll%20%233%20zu%2050%25%20&%20mehr",
        "2026-000003-3": None,
    }
    assert ws["A2"].font.underline == "single"
    assert ws["A4"].font.underline is None


def test_register_in_a_subfolder_links_upwards(ablage_root: Path) -> None:
    v = make(ablage_root, "2026-000001-1")
    (ablage_root / "Berichte").mkdir()
    write_register(ablage_root / "Berichte" / "R.xlsx", [v], [v], ablage_name="x", now=NOW)

    ws = openpyxl.load_workbook(ablage_root / "Berichte" / "R.xlsx")["Offen"]
    assert ws["A2"].hyperlink.target == "..\\1%20Eingang\\2026-000001-1%20Anfrage"


def test_hyperlinks_stop_at_the_per_sheet_cap(
    ablage_root: Path, mixed: list[Vorgang], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_cells, "MAX_LINKS_PER_SHEET", 2)
    write(ablage_root, mixed)

    wb = openpyxl.load_workbook(ablage_root / REGISTER_NAME)
    for ws in (wb["Offen"], wb["Alle"]):
        assert [c.hyperlink is not None for c in ws["A"][1:4]] == [True, True, False]
    info = " ".join(str(v) for row in wb["Info"].iter_rows(values_only=True) for v in row if v)
    assert "Im Blatt „Offen“ haben die letzten 2 Zeilen keinen Verweis." in info
    assert "Im Blatt „Alle“ haben die letzten 4 Zeilen keinen Verweis." in info


# --- safe cells --------------------------------------------------------------------------------


def test_formula_like_text_stays_text_as_typed(ablage_root: Path) -> None:
    vorgaenge = [
        make(
            ablage_root,
            f"2026-{i:06d}-0",
            betreff=text,
            absender=Absender(name=text),
            bearbeiter=text,
            eingang=NOW - timedelta(minutes=i),
        )
        for i, text in enumerate(FORMULA_LIKE, 1)
    ]
    write(ablage_root, vorgaenge)

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Alle"]
    for row, text in enumerate(FORMULA_LIKE, 2):
        for cell in (ws[f"D{row}"], ws[f"E{row}"], ws[f"G{row}"]):
            if text.startswith("\r"):  # a line break: a CR becomes a LF, and starts no formula
                assert (cell.value, cell.data_type) == ("\n" + text[1:], "s"), cell.coordinate
                continue
            assert (cell.value, cell.data_type) == (text, "s"), cell.coordinate
            assert cell.quotePrefix, cell.coordinate  # Excel keeps it text even after F2 + Enter
    with zipfile.ZipFile(ablage_root / REGISTER_NAME) as z:
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            assert b"<f>" not in z.read(name)


def test_formula_like_ablage_name_and_aktenzeichen_stay_text(ablage_root: Path) -> None:
    v = make(ablage_root, "=2+2")
    write_register(ablage_root / REGISTER_NAME, [v], [v], ablage_name='=HYPERLINK("x")', now=NOW)

    wb = openpyxl.load_workbook(ablage_root / REGISTER_NAME)
    assert (wb["Offen"]["A2"].value, wb["Offen"]["A2"].data_type) == ("=2+2", "s")
    assert row_of(wb["Info"], "Ablage")[1] == '=HYPERLINK("x")'


def test_control_characters_are_removed(ablage_root: Path) -> None:
    betreff = "Hallo\x07 Welt\x1b[0m\x00\x7f\x85\udcff – Zeile 1\nZeile 2\tEnde"
    write(ablage_root, [make(ablage_root, "2026-000001-1", betreff=betreff, absender=Absender(name="Max\x0bMuster"))])

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]
    assert ws["E2"].value == "Hallo Welt[0m – Zeile 1\nZeile 2\tEnde"
    assert ws["D2"].value == "MaxMuster"


@pytest.mark.parametrize("char", ["x", "😀"], ids=["ascii", "astral"])
def test_long_text_is_cut_with_marker(ablage_root: Path, char: str) -> None:
    write(ablage_root, [make(ablage_root, "2026-000001-1", betreff=char * 40_000)])

    value = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]["E2"].value
    assert value.endswith(CUT_MARKER)
    assert len(value.encode("utf-16-le")) // 2 <= MAX_CELL_TEXT  # Excel counts UTF-16 units
    assert value.startswith(char * 1000)


def test_text_at_the_limit_is_kept(ablage_root: Path) -> None:
    write(ablage_root, [make(ablage_root, "2026-000001-1", betreff="x" * MAX_CELL_TEXT)])

    assert openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Offen"]["E2"].value == "x" * MAX_CELL_TEXT


# --- layout ------------------------------------------------------------------------------------


def test_list_sheet_layout(ablage_root: Path, mixed: list[Vorgang]) -> None:
    v = make(ablage_root, "0012345", eingang=NOW, frist=date(2026, 3, 1))
    write(ablage_root, [*mixed, v])

    wb = openpyxl.load_workbook(ablage_root / REGISTER_NAME)
    for name, rows in (("Offen", 5), ("Alle", 7)):
        ws = wb[name]
        assert ws.freeze_panes == "B2"
        last = get_column_letter(len(columns_for(name)))
        assert ws.auto_filter.ref == f"A1:{last}{rows + 1}"
        widths = {c.header: c.width for c in COLUMNS}
        assert ws.column_dimensions["A"].width == pytest.approx(widths["Aktenzeichen"] + 0.71, abs=0.01)
        assert ws.column_dimensions["E"].width == pytest.approx(widths["Betreff"] + 0.71, abs=0.01)
        assert ws["E2"].alignment.wrap_text  # long subjects wrap instead of running over
        assert ws["A1"].font.b and ws["A1"].font.name == "Calibri"
        assert ws["A2"].font.name == "Calibri"
        assert ws.print_title_rows == "$1:$1"
    ws = wb["Alle"]
    assert (ws["A2"].value, ws["A2"].data_type) == ("0012345", "s")  # Aktenzeichen as text
    for col in "BL":
        assert ws[f"{col}2"].number_format == "DD.MM.YYYY hh:mm"
    assert ws["I2"].number_format == "DD.MM.YYYY"


def test_overdue_frist_has_conditional_formatting(ablage_root: Path, mixed: list[Vorgang]) -> None:
    write(ablage_root, mixed)

    wb = openpyxl.load_workbook(ablage_root / REGISTER_NAME)
    for name, rows in (("Offen", 4), ("Alle", 6)):
        formats = {str(cf.sqref): cf for cf in wb[name].conditional_formatting}
        (rule,) = formats.pop(f"I2:I{rows + 1}").rules
        assert rule.formula == ['AND(ISNUMBER($I2),$I2<TODAY(),$F2<>"Erledigt",$F2<>"Archiv")']
        assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")
        # the service-hour deadlines (Rückmeldung bis, Antwort der Stelle bis) turn red once NOW() passes them
        assert sorted(formats) == [f"J2:J{rows + 1}", f"K2:K{rows + 1}"]
        for col, cf in zip("JK", (formats[f"J2:J{rows + 1}"], formats[f"K2:K{rows + 1}"]), strict=True):
            (rule,) = cf.rules
            assert rule.formula == [f"AND(ISNUMBER(${col}2),${col}2<NOW())"]
            assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")


def test_empty_register(ablage_root: Path) -> None:
    result = write(ablage_root, [])

    wb = openpyxl.load_workbook(result.file)
    assert wb["Offen"].max_row == 1
    assert wb["Alle"].auto_filter.ref == f"A1:{get_column_letter(len(HEADERS))}1"
    assert not list(wb["Alle"].conditional_formatting)
    assert "(0 offen, 0 gesamt)" in result.message


def test_info_sheet(ablage_root: Path, mixed: list[Vorgang]) -> None:
    write(ablage_root, mixed)

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Info"]
    assert row_of(ws, "Erstellt am")[1] == NOW
    assert row_of(ws, "Ablage")[1] == "Bürgeramt Musterstadt"
    assert row_of(ws, "Vorgänge offen")[1] == 4
    assert row_of(ws, "Vorgänge gesamt")[1] == 6
    assert "nicht übernommen" in row_of(ws, "Nur Ansicht")[1]
    assert "relativ" in row_of(ws, "Verweise")[1]
    for c in COLUMNS:
        assert row_of(ws, c.header)[1] == c.meaning
    assert ws["B2"].number_format == "DD.MM.YYYY hh:mm"


# --- statistics --------------------------------------------------------------------------------


@pytest.fixture
def known(ablage_root: Path) -> list[Vorgang]:
    """Six Vorgänge with hand-counted statistics (NOW is Monday 2026-03-02)."""
    return [
        make(ablage_root, "A1", eingang=datetime(2026, 3, 2, 8), frist=date(2026, 3, 1)),
        make(
            ablage_root,
            "A2",
            eingang=datetime(2026, 2, 27, 10),
            kanal=Kanal.TELEFON,
            status=Status.IN_BEARBEITUNG,
            frist=date(2026, 3, 10),
        ),
        make(ablage_root, "A3", eingang=datetime(2026, 2, 20, 9), status=Status.WARTET, frist=date(2026, 2, 25)),
        make(ablage_root, "A4", eingang=datetime(2025, 11, 1, 9), kanal=Kanal.BRIEF, status=Status.IN_BEARBEITUNG),
        make(ablage_root, "A5", eingang=datetime(2026, 2, 26, 9), status=Status.ERLEDIGT, frist=date(2026, 2, 1)),
        make(ablage_root, "A6", eingang=datetime(2026, 2, 23, 9), kanal=Kanal.FAX, status=Status.ARCHIV),
    ]


def test_statistik_backlog_by_age(ablage_root: Path, known: list[Vorgang]) -> None:
    """The figures of 'bericht' (buero_ticket.berichte): age buckets 0–2, 3–7, 8–14, 15–30, über 30 days."""
    write(ablage_root, known)

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Statistik"]
    assert row_of(ws, "Alter")[:6] == ["Alter", "Eingang", "In Bearbeitung", "Wartet", "inzwischen erledigt", "Gesamt"]
    expected = {  # Eingang, In Bearbeitung, Wartet, inzwischen erledigt, Gesamt (ages on Monday 2026-03-02)
        "0–2 Tage": [1, 0, 0, 0, 1],  # A1 (today)
        "3–7 Tage": [0, 1, 0, 0, 1],  # A2 (Fri)
        "8–14 Tage": [0, 0, 1, 0, 1],  # A3 (10 days)
        "15–30 Tage": [0, 0, 0, 0, 0],
        "über 30 Tage": [0, 1, 0, 0, 1],  # A4 (2025-11-01)
        "Summe": [1, 2, 1, 0, 4],
    }
    for label, counts in expected.items():
        assert row_of(ws, label)[1:6] == counts, label
    assert row_of(ws, "Frist überschritten")[1] == 2  # A1 (1 March), A3 (25 Feb); A5 is done


def test_statistik_per_week(ablage_root: Path, known: list[Vorgang]) -> None:
    write(ablage_root, known)

    ws = openpyxl.load_workbook(ablage_root / REGISTER_NAME)["Statistik"]
    header = row_of(ws, "Woche")
    assert header == [
        "Woche",
        "E-Mail",
        "Telefon",
        "Persönlich",
        "Brief",
        "Fax",
        "Scan",
        "Gesamt",
        "Erledigt",
        "Erstlösungsquote",
    ]

    def week(label: str) -> dict[str, Any]:
        return dict(zip(header, row_of(ws, label), strict=True))

    kw09 = week("2026-KW09")  # A2 (Fri), A5 (Thu), A6 (Mon)
    assert [kw09[k] for k in ("E-Mail", "Telefon", "Fax", "Brief", "Gesamt")] == [1, 1, 1, 0, 3]
    assert week("2026-KW10")["Gesamt"] == 1
    assert week("2026-KW08")["Gesamt"] == 1
    assert week("2025-KW44")["Brief"] == 1
    assert week("2025-KW49")["Gesamt"] == 0  # weeks without Vorgänge are listed too
    assert week("2026-KW09")["Erstlösungsquote"] == "nicht erfasst"  # none of them records it: not 0 %
    labels = [r[0] for r in ws.iter_rows(values_only=True)]
    start = labels.index("Woche") + 1
    first = labels[start : labels.index("Summe", start)]  # the volume table (another table repeats the weeks)
    weeks = [x for x in first if str(x).startswith(("2025-KW", "2026-KW"))]
    assert weeks == first
    assert weeks[0] == "2025-KW37" and weeks[-1] == "2026-KW10"  # the last 26 weeks: 2025-09-08 … 2026-03-02
    assert len(weeks) == 26
    rows = list(ws.iter_rows(values_only=True))
    total = rows[next(i for i, r in enumerate(rows) if r[0] == "2026-KW10") + 1]
    assert total[0] == "Summe" and dict(zip(header, total, strict=False))["Gesamt"] == 6
    with zipfile.ZipFile(ablage_root / REGISTER_NAME) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2


# --- atomic write and the locked register ------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".xlsx")


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make os.replace onto the given paths fail as a file open in Excel does."""

    def lock(*paths: Path, err: int = errno.EACCES) -> None:
        real_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            if Path(dst) in paths:
                exc_type = PermissionError if err == errno.EACCES else OSError
                raise exc_type(err, os.strerror(err), str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)

    return lock


@pytest.mark.parametrize("err", [errno.EACCES, errno.EBUSY], ids=["windows", "cifs"])
def test_locked_register_goes_to_side_file_then_back(
    ablage_root: Path, mixed: list[Vorgang], locked: Callable[..., None], monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    target, side = ablage_root / REGISTER_NAME, side_file_for(ablage_root / REGISTER_NAME)
    write(ablage_root, mixed[:2])
    before = target.read_bytes()

    locked(target, err=err)
    result = write(ablage_root, mixed)

    assert result.is_side_file and result.file == side == ablage_root / "Vorgangsregister (neu).xlsx"
    assert target.read_bytes() == before
    assert openpyxl.load_workbook(side)["Alle"].max_row == 7
    assert "„Vorgangsregister.xlsx“ ist gerade geöffnet" in result.message
    assert "„Vorgangsregister (neu).xlsx“" in result.message
    assert leftovers(ablage_root) == []

    monkeypatch.undo()
    result = write(ablage_root, mixed)

    assert not result.is_side_file and result.file == target
    assert not side.exists()
    assert openpyxl.load_workbook(target)["Alle"].max_row == 7
    assert "Ausweichdatei „Vorgangsregister (neu).xlsx“ wurde gelöscht" in result.message


def test_side_file_that_cannot_be_deleted_is_reported(
    ablage_root: Path, mixed: list[Vorgang], locked: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    target, side = ablage_root / REGISTER_NAME, side_file_for(ablage_root / REGISTER_NAME)
    locked(target)
    write(ablage_root, mixed)
    monkeypatch.undo()
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self == side:
            raise PermissionError(errno.EACCES, "Datei ist geöffnet", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = write(ablage_root, mixed)

    assert result.file == target and not result.is_side_file
    assert side.exists()
    assert "„Vorgangsregister (neu).xlsx“ ist geöffnet und konnte nicht gelöscht werden" in result.message


def test_register_and_side_file_both_locked(
    ablage_root: Path, mixed: list[Vorgang], locked: Callable[..., None]
) -> None:
    target = ablage_root / REGISTER_NAME
    write(ablage_root, mixed[:2])
    before = target.read_bytes()
    locked(target, side_file_for(target))

    with pytest.raises(RegisterLockedError, match="nicht geschrieben"):
        write(ablage_root, mixed)

    assert target.read_bytes() == before
    assert not side_file_for(target).exists()
    assert leftovers(ablage_root) == []


def test_failure_while_streaming_leaves_nothing(ablage_root: Path, mixed: list[Vorgang]) -> None:
    def broken() -> Iterator[Vorgang]:
        yield mixed[0]
        raise OSError("Ablage nicht erreichbar")

    with pytest.raises(OSError, match="nicht erreichbar"):
        write_register(ablage_root / REGISTER_NAME, broken(), [], ablage_name="x", now=NOW)

    assert not (ablage_root / REGISTER_NAME).exists()
    assert leftovers(ablage_root) == []


def test_configurable_name(ablage_root: Path, mixed: list[Vorgang]) -> None:
    result = write(ablage_root, mixed, name="Register 2026.xlsx")

    assert result.file == ablage_root / "Register 2026.xlsx"
    assert side_file_for(result.file).name == "Register 2026 (neu).xlsx"
    assert "„Register 2026.xlsx“" in result.message


# --- LibreOffice as a second reader ------------------------------------------------------------

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,true,false,false,-1"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    message = "LibreOffice (soffice) fehlt: apt-get install -y --no-install-recommends libreoffice-calc-nogui"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def convert(xlsx: Path, fmt: str, outdir: Path, profile: Path) -> None:
    cmd = [
        soffice(),
        "--headless",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        str(xlsx),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_libreoffice_reads_the_register(ablage_root: Path, tmp_path: Path) -> None:
    vorgaenge = [
        make(
            ablage_root,
            "2026-000001-1",
            betreff="=cmd|' /C calc'!A0",
            absender=Absender(name="=1+1"),
            eingang=datetime(2026, 2, 3, 9, 30),
            frist=date(2026, 3, 1),
        ),
        make(
            ablage_root,
            "2026-000002-2",
            betreff="Müll",
            eingang=datetime(2026, 2, 2, 8, 0),
            ordner=ablage_root / "1 Eingang" / "2026-000002-2 Müll #2 zu 50%",
        ),
    ]
    write(ablage_root, vorgaenge)
    out, profile = tmp_path / "out", tmp_path / "profile"

    convert(ablage_root / REGISTER_NAME, CSV_ALL_SHEETS, out, profile)
    sheets = {p.stem.rsplit("-", 1)[1]: read_csv(p) for p in out.glob("*.csv")}
    assert set(sheets) == {"Offen", "Alle", "Statistik", "Diagramm Alter", "Diagramm Wochen", "Info"}
    offen = sheets["Offen"]
    assert offen[0] == OPEN_HEADERS
    assert offen[1][:5] == ["2026-000002-2", "02.02.2026 08:00", "E-Mail", "", "Müll"]
    assert offen[2][:5] == ["2026-000001-1", "03.02.2026 09:30", "E-Mail", "=1+1", "=cmd|' /C calc'!A0"]
    assert offen[2][8] == "01.03.2026"
    summe = next(r for r in sheets["Statistik"] if r[0] == "Summe")  # the backlog table's
    assert summe[1:6] == ["2", "0", "0", "0", "2"]
    assert next(r for r in sheets["Statistik"] if r[0] == "Frist überschritten")[1] == "1"

    # The hyperlinks, as LibreOffice resolves them, lead to the real folders.
    convert(ablage_root / REGISTER_NAME, "fods", out, profile)
    tree = ElementTree.parse(out / "Vorgangsregister.fods")
    hrefs = [e.get("{http://www.w3.org/1999/xlink}href") for e in tree.iter() if e.tag.endswith("}a")]
    resolved = {Path(unquote(urljoin(out.as_uri() + "/", h)).removeprefix("file://")) for h in hrefs if h}
    assert resolved == {v.ordner for v in vorgaenge}


# --- printing: LibreOffice converts the register to PDF ---------------------------------------


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext keeps the page breaks as form feeds)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def pdf_page_sizes(pdf: Path) -> list[str]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True)
    return [line.split(":", 1)[1].strip() for line in out.stdout.splitlines() if re.match(r"Page +\d+ size:", line)]


def test_register_prints_on_a4_landscape_with_title_and_page_numbers(ablage_root: Path, tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        message = "pdftotext fehlt: apt-get install -y poppler-utils"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    long_subject = "Beschwerde über die defekte Straßenbeleuchtung in der Hauptstraße zwischen Marktplatz und Bahnhof"
    vorgaenge = [
        make(
            ablage_root,
            f"2026-{i:06d}-{i % 10}",
            betreff=long_subject if i % 7 == 0 else f"Anfrage Sperrmüll Nr. {i}",
            absender=Absender(name=f"Erika Mustermann {i}", email=f"erika{i}@example.org"),
            status=(Status.EINGANG, Status.IN_BEARBEITUNG, Status.ERLEDIGT)[i % 3],
            eingang=NOW - timedelta(days=i),
            frist=date(2026, 2, 20) if i % 4 == 0 else None,
        )
        for i in range(60)
    ]
    # One Vorgang from long ago must not add years of empty weeks to the statistics.
    vorgaenge.append(make(ablage_root, "2023-000001-1", eingang=datetime(2023, 1, 5, 9), status=Status.ARCHIV))
    write(ablage_root, vorgaenge)
    out, profile = tmp_path / "pdf", tmp_path / "profile"

    convert(ablage_root / REGISTER_NAME, "pdf", out, profile)
    pdf = out / "Vorgangsregister.pdf"

    sizes = pdf_page_sizes(pdf)
    assert sizes and all(s.startswith("841.89 x 595.") and "(A4)" in s for s in sizes), sizes  # A4 landscape
    pages = pdf_pages(pdf)
    # Offen (40 rows; with the deadline columns the page scales down to fit them on one page) and Alle (61 rows)
    # one page wide; Statistik (the figures of 'bericht') on two pages; each chart on its own; Info.
    assert len(pages) == len(sizes) == 8
    for number, page in enumerate(pages, 1):
        assert "Vorgangsregister Bürgeramt Musterstadt – Stand 02.03.2026 12:00" in page, number
        assert f"Seite {number} von {len(pages)}" in page, number
    sheet_of = [re.search(r"Stand 02\.03\.2026 12:00 +(\S.*)", p)[1].strip() for p in pages]  # type: ignore[index]
    assert sheet_of == ["Offen", "Alle", "Alle", "Statistik", "Statistik", "Diagramm Alter", "Diagramm Wochen", "Info"]
    page = pages[2]  # the header row is repeated on the second page of a list
    assert "Aktenzeichen" in page and "Betreff" in page and "Letzte Aktivität" in page
    assert "Eingänge pro Woche nach Kanal" in pages[6] and "Offen am 02.03.2026 nach Alter und Status" in pages[5]
    assert "2026-000059-9" in pages[2] and "2023-000001-1" in pages[2]
    statistik = pages[3] + pages[4]
    assert "2023-KW" not in statistik and "###" not in statistik  # 26 weeks, every cell wide enough
    assert "2025-KW37" in statistik and "2026-KW10" in statistik
    assert "Dringlichkeit" in pages[0] and "Antwort am" in pages[0]  # one page wide: the last column too
