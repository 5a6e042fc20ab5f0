"""bericht through the CLI on a generated Ablage whose figures are worked out by hand below.

The Ablage (built once per module): for r in 0..19 five Vorgänge each, received in the 4 weeks
05.10.–01.11.2026 (Mon–Sun) on week r//5, weekday r%5, at 09:00 German time; channel r%4
(E-Mail, Telefon, Persönlich, Brief). Their fate follows the weekday:
  Mon → open (status Eingang), Tue → open (In Bearbeitung),
  Wed → erledigt 2 service hours later, Thu → 7 service hours later, Fri → one week later (50 h).
E-Mail ones got an answer 1 service hour after receipt; Brief ones the next calendar day 09:00
(10 service hours, 9 for a Friday: the answer came on Saturday). Frist: Eingang + 14 days. Plus 3 fax
Vorgänge of 21.09.2026 that still wait (age 41 days at the period end, Frist 05.10.2026).
First contact is recorded for the phone and counter ones: solved (closed ones of residues 9, 13, 17 and
2, 14, 18, some with a Wissen article) or not (the open ones); for mail and letters it is not recorded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from buero_ticket import history, models
from buero_ticket.ablage import Ablage, init_ablage
from buero_ticket.berichte.faelle import Erfassung
from buero_ticket.berichte.modell import Art, Wert, format_wert
from buero_ticket.models import Absender, HistoryEntry, Incoming, Kanal, Status, Vorgang
from buero_ticket.store import Store

from .smtp_sink import set_config

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2026, 10, 5)
PERIOD = ("--von", "05.10.2026", "--bis", "01.11.2026")
KANAELE = (Kanal.EMAIL, Kanal.TELEFON, Kanal.PERSOENLICH, Kanal.BRIEF)


#: Wiedervorlage of open Tuesday ones: overdue at the period end (20.10.) or not yet (05.11.); the old fax
#: ones have theirs on the period's last day (due, not overdue).
WIEDERVORLAGE = {1: date(2026, 10, 20), 6: date(2026, 11, 5)}
#: Residues solved at first contact (phone: 9, 13, 17; counter: 2, 14, 18), with the article used.
GELOEST = {9: "Reisepass.md", 13: "Reisepass.md", 17: "", 2: "Meldebescheinigung.md", 14: "", 18: ""}


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def _set(store: Store, az: str, **values: Any) -> None:
    def change(v: Vorgang) -> list[HistoryEntry]:
        for key, value in values.items():
            setattr(v, key, value)
        return [history.entry("Test", "Werte für den Bericht gesetzt", zeit=store.clock(), benutzer="Test")]

    store.update(az, change)


def _build(root: Path) -> Ablage:
    ablage = init_ablage(root, name="Bürgerbüro Test")[0]
    store = Store(ablage)
    for r in range(20):
        week, weekday = divmod(r, 5)
        day = START + timedelta(days=7 * week + weekday)
        eingang = _at(day, 9)
        kanal = KANAELE[r % 4]
        for copy in range(5):
            absender = Absender(name=f"Person {r}")
            v = store.create(Incoming(betreff=f"Anliegen {r}-{copy}", kanal=kanal, absender=absender, zeit=eingang))
            az = v.aktenzeichen
            _set(store, az, frist=day + timedelta(days=14), kategorie="Meldewesen" if r % 2 == 0 else "")
            if weekday == 1:
                store.set_status(az, Status.IN_BEARBEITUNG)
                if r in WIEDERVORLAGE:
                    _set(store, az, wiedervorlage=WIEDERVORLAGE[r])
            elif weekday >= 2:
                store.set_status(az, Status.ERLEDIGT)
                done = {2: eingang + timedelta(hours=2), 3: eingang + timedelta(hours=7)}.get(
                    weekday, eingang + timedelta(days=7)
                )
                _set(store, az, erledigt=done)
            if r in GELOEST:
                _set(store, az, erstkontakt_geloest=True, wissen=GELOEST[r])
            elif kanal in (Kanal.TELEFON, Kanal.PERSOENLICH):
                _set(store, az, erstkontakt_geloest=False)
            if kanal is Kanal.EMAIL:
                _set(store, az, antwort_gesendet=eingang + timedelta(hours=1))
            elif kanal is Kanal.BRIEF:
                _set(store, az, antwort_gesendet=eingang + timedelta(days=1))
    for n in range(3):
        v = store.create(
            Incoming(betreff=f"Alt {n}", kanal=Kanal.FAX, absender=Absender(name="Alt"), zeit=_at(date(2026, 9, 21), 9))
        )
        store.set_status(v.aktenzeichen, Status.WARTET)
        _set(store, v.aktenzeichen, frist=date(2026, 10, 5), wiedervorlage=date(2026, 11, 1))
    return ablage


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield _build(tmp_path_factory.mktemp("bericht") / "Ablage").root


def _json(run: Callable[..., Any], root: Path, *args: str) -> dict[str, Any]:
    res = run("--ablage", str(root), "bericht", *PERIOD, "--format", "json", *args)
    assert res.code == 0, res.err
    return dict(json.loads(res.out))


def _figures(data: dict[str, Any]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    out = {}
    for a in data["abschnitte"]:
        for t in a["tabellen"]:
            for z in t["zeilen"]:
                for w in z["werte"]:
                    out[a["schluessel"], t["titel"], z["bezeichnung"], w["spalte"]] = w
    return out


def _value(w: dict[str, Any]) -> Any:
    return w["wert"] if w["wert"] is not None else w["fehlt"]


def test_figures_worked_out_by_hand(run: Callable[..., Any], generated: Path) -> None:
    f = _figures(_json(run, generated))

    def get(section: str, table: str, row: str, col: str) -> Any:
        return _value(f[section, table, row, col])

    # received and closed by channel: 25 each received; closed = Wed, Thu and the Fridays of weeks 1-3
    assert [get("volumen", "Nach Kanal", k.label, "Eingegangen") for k in Kanal] == [25, 25, 25, 25, 0, 0]
    assert [get("volumen", "Nach Kanal", k.label, "Erledigt") for k in Kanal] == [15, 15, 15, 10, 0, 0]
    assert get("volumen", "Nach Kanal", "Summe", "Eingegangen") == 100
    assert get("volumen", "Nach Kanal", "Summe", "Erledigt") == 55
    # category: even residues "Meldewesen"; closed: 2, 12, 8, 18, 4, 14 (even) and 7, 17, 3, 13, 9 (odd)
    assert get("volumen", "Nach Kategorie", "Meldewesen", "Eingegangen") == 50
    assert get("volumen", "Nach Kategorie", "Meldewesen", "Erledigt") == 30
    assert get("volumen", "Nach Kategorie", "ohne Kategorie", "Erledigt") == 25
    weeks = [(get("volumen", "Pro Woche", f"2026-KW{w}", "Eingegangen"), get("volumen", "Pro Woche", f"2026-KW{w}",
              "Erledigt")) for w in (41, 42, 43, 44)]  # fmt: skip
    assert weeks == [(25, 10), (25, 15), (25, 15), (25, 15)]  # a Friday's Vorgang is closed the week after

    # backlog at 01.11.2026 by age and status; the Fridays of week 4 were closed only afterwards
    table = "Offen am 01.11.2026 nach Alter und Status"
    cols = ("Eingang", "In Bearbeitung", "Wartet", "inzwischen erledigt", "Gesamt")
    expected = {
        "0–2 Tage": (0, 0, 0, 5, 5),
        "3–7 Tage": (5, 5, 0, 0, 10),
        "8–14 Tage": (5, 5, 0, 0, 10),
        "15–30 Tage": (10, 10, 0, 0, 20),
        "über 30 Tage": (0, 0, 3, 0, 3),
        "Summe": (20, 20, 3, 5, 48),
    }
    for row, values in expected.items():
        assert tuple(get("bestand", table, row, c) for c in cols) == values, row
    # Frist = Eingang + 14 days: open ones of weeks 1-2 and the three old fax Vorgänge
    assert get("bestand", "Überfällig am 01.11.2026", "Frist überschritten", "Anzahl") == 23
    assert get("bestand", "Überfällig am 01.11.2026", "Wiedervorlage überschritten", "Anzahl") == 5

    # service hours: closing 20×2, 20×7, 15×50 → median 7, 90 % (rank 50 of 55) 50
    times = "In Servicestunden"
    assert get("zeiten", times, "Bis zur Erledigung", "Anzahl") == 55
    assert get("zeiten", times, "Bis zur Erledigung", "Median") == pytest.approx(7.0)
    assert get("zeiten", times, "Bis zur Erledigung", "90 %") == pytest.approx(50.0)
    # first answer: 30×0 (solved at first contact), 25×1 (mail), 5×9 (Friday letters, answered Saturday),
    # 20×10 → median (40th + 41st of 80) / 2 = 1, 90 % (rank 72) 10
    assert get("zeiten", times, "Bis zur ersten Antwort", "Anzahl") == 80
    assert get("zeiten", times, "Bis zur ersten Antwort", "Median") == pytest.approx(1.0)
    assert get("zeiten", times, "Bis zur ersten Antwort", "90 %") == pytest.approx(10.0)

    # D115 first-contact resolution: recorded for 25 phone + 25 counter Vorgänge, 15 + 15 solved
    fcr = "Erstlösungsquote (D115-Ziel 65 %)"
    assert get("erstkontakt", fcr, "Alle Kanäle", "Basis") == 50
    assert get("erstkontakt", fcr, "Alle Kanäle", "Im Erstkontakt gelöst") == 30
    assert get("erstkontakt", fcr, "Alle Kanäle", "Erstlösungsquote") == pytest.approx(0.6)
    assert get("erstkontakt", fcr, "Telefon", "Erstlösungsquote") == pytest.approx(0.6)
    assert get("erstkontakt", fcr, "E-Mail", "Erstlösungsquote") == "nicht erfasst"  # not 0 %
    assert get("volumen", "Übersicht nach Kanal", "Persönlich", "Erstlösungsquote") == pytest.approx(0.6)
    # Wissen: 15 of the 55 closed ones name an article (residues 9, 13: Reisepass; 2: Meldebescheinigung)
    share = "Antworten mit Wissensartikel"
    assert get("erstkontakt", share, "Anteil mit Wissensartikel", "Wert") == pytest.approx(15 / 55)
    assert get("erstkontakt", share, "Anfragen ohne Artikel", "Wert") == 40
    top = "Meistgenutzte Wissensartikel"
    assert get("erstkontakt", top, "Reisepass.md", "Verwendet") == 10
    assert get("erstkontakt", top, "Meldebescheinigung.md", "Verwendet") == 5

    # overview by channel: E-Mail residues 0,4,8,12,16 → open at the end: 0, 16 (Mon) → 10
    assert get("volumen", "Übersicht nach Kanal", "E-Mail", "Offen am Ende") == 10
    assert get("volumen", "Übersicht nach Kanal", "E-Mail", "Erledigung Median") == pytest.approx(7.0)


def test_figures_without_data_say_nicht_erfasst(run: Callable[..., Any], generated: Path) -> None:
    """What the data model does not record is "nicht erfasst", never 0 (the Vorgänge here carry none of it)."""
    f = _figures(_json(run, generated))
    erf = Erfassung.aus_modell()
    checks = [  # (recorded by the model?, section, table, row or None for the whole table)
        (erf.erstkontakt, "erstkontakt", "Erstlösungsquote (D115-Ziel 65 %)", None),
        (erf.wissen, "erstkontakt", "Antworten mit Wissensartikel", None),
        (erf.wissen, "erstkontakt", "Meistgenutzte Wissensartikel", None),
        (erf.weiterleitungen, "weiterleitung", "Nach Stelle (in Servicestunden)", None),
        (erf.wiedervorlage, "bestand", "Überfällig am 01.11.2026", "Wiedervorlage überschritten"),
        (erf.kategorie, "volumen", "Nach Kategorie", None),
    ]
    for recorded, section, table, row in checks:
        if not recorded:
            cells = [k for k in f if k[:2] == (section, table) and row in (None, k[2])]
            assert cells and all(f[k]["fehlt"] == "nicht erfasst" for k in cells), (section, table, row)


def test_json_names_a_definition_for_every_figure(run: Callable[..., Any], generated: Path) -> None:
    data = _json(run, generated)
    keys = {w["definition"] for w in _figures(data).values()}
    assert keys == set(data["definitionen"])
    assert all(len(text) > 20 for text in data["definitionen"].values())


def _text_tables(text: str, titles: list[str]) -> dict[str, list[list[str]]]:
    """Table title → rows of cells (the header and the dashes line removed)."""
    lines = text.splitlines()
    out = {}
    for title in titles:
        i = lines.index(title)
        rows = []
        for line in lines[i + 3 :]:
            if not line.strip() or line.startswith("Hinweis:"):
                break
            rows.append(re.split(r"\s{2,}", line.strip()))
        out[title] = rows
    return out


def _xlsx_tables(path: Path, data: dict[str, Any]) -> dict[tuple[str, str], list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for a in data["abschnitte"]:
        ws = wb[a["titel"][:31]]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        for t in a["tabellen"]:
            i = next(n for n, r in enumerate(rows) if r and r[0] == t["titel"])
            out[a["schluessel"], t["titel"]] = rows[i + 2 : i + 2 + len(t["zeilen"])]
    return out


def test_text_xlsx_and_json_show_the_same_figures(run: Callable[..., Any], generated: Path, tmp_path: Path) -> None:
    data = _json(run, generated)
    res = run("--ablage", str(generated), "bericht", *PERIOD)
    assert res.code == 0, res.err
    target = tmp_path / "bericht.xlsx"
    res_x = run("--ablage", str(generated), "bericht", *PERIOD, "--format", "xlsx", "--ziel", str(target))
    assert res_x.code == 0, res_x.err
    titles = [t["titel"] for a in data["abschnitte"] for t in a["tabellen"]]
    text = _text_tables(res.out, titles)
    sheets = _xlsx_tables(target, data)
    compared = 0
    for a in data["abschnitte"]:
        for t in a["tabellen"]:
            assert [r[0] for r in text[t["titel"]]] == [z["bezeichnung"] for z in t["zeilen"]]
            for z, text_row, xlsx_row in zip(t["zeilen"], text[t["titel"]], sheets[a["schluessel"], t["titel"]],
                                             strict=True):  # fmt: skip
                assert xlsx_row[0] == z["bezeichnung"]
                for n, w in enumerate(z["werte"], 1):
                    shown = format_wert(Wert(w["wert"], Art(w["art"]), w["definition"], w["fehlt"] and _fehlt(w)))
                    assert text_row[n] == shown, (t["titel"], z["bezeichnung"], w["spalte"])
                    if w["wert"] is None:
                        assert xlsx_row[n] == w["fehlt"]
                    else:
                        assert xlsx_row[n] == pytest.approx(w["wert"]), (t["titel"], z["bezeichnung"], w["spalte"])
                    compared += 1
    assert compared > 100


def _fehlt(w: dict[str, Any]) -> Any:
    from buero_ticket.berichte.modell import Fehlt

    return Fehlt(w["fehlt"])


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found and shutil.which("pdfinfo"):
        return found
    import os

    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) und pdfinfo (poppler-utils) müssen in CI installiert sein")
    pytest.skip("LibreOffice oder pdfinfo nicht installiert")


def test_xlsx_has_charts_and_prints_on_a4(run: Callable[..., Any], generated: Path, tmp_path: Path) -> None:
    soffice = _soffice()
    target = tmp_path / "Bericht.xlsx"
    res = run("--ablage", str(generated), "bericht", *PERIOD, "--format", "xlsx", "--ziel", str(target))
    assert res.code == 0, res.err
    assert str(target) in res.out
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "Übersicht" and wb.sheetnames[-1] == "Definitionen"
    volumen, bestand = wb["Eingang und Erledigung"], wb["Offene Vorgänge"]
    assert [type(c).__name__ for c in volumen._charts] == ["LineChart"]
    assert [type(c).__name__ for c in bestand._charts] == ["BarChart"]
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    out = tmp_path / "pdf"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profil'}", "--convert-to", "pdf",
         "--outdir", str(out), str(target)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(out / "Bericht.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+(595\.\d+ x 841\.\d+|841\.\d+ x 595\.\d+) pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", str(out / "Bericht.pdf"), "-"], capture_output=True, text=True).stdout
    for expected in ("Offen am 01.11.2026 nach Alter und Status", "Pro Woche", "Seite 1 von"):
        assert expected in text


def test_period_the_wrong_way_round_is_refused(run: Callable[..., Any], generated: Path) -> None:
    res = run("--ablage", str(generated), "bericht", "--von", "01.11.2026", "--bis", "05.10.2026")
    assert res.code == 2
    assert "beginnt (01.11.2026) nach seinem Ende (05.10.2026)" in res.err
    res = run("--ablage", str(generated), "bericht", "--von", "31.02.2026")
    assert res.code == 2 and "kein Datum" in res.err


def test_per_person_figures_are_off_by_default(run: Callable[..., Any], generated: Path) -> None:
    data = _json(run, generated)
    assert "personen" not in [a["schluessel"] for a in data["abschnitte"]]
    assert any("Ohne personenbezogene Zahlen" in line for line in data["kopf"])


def test_readme_explains_every_figure() -> None:
    from buero_ticket.berichte.definitionen import DEFINITIONEN, METHODE

    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [key for key, text in DEFINITIONEN.items() if f"| `{key}` | {text} |" not in readme]
    assert not missing, f"README: Definitionen fehlen oder weichen ab: {missing}"
    assert METHODE in readme


def test_per_person_figures_when_the_setting_is_on(run: Callable[..., Any], ablage: Ablage) -> None:
    set_config(ablage.root, {"berichte": {"personen": True}})
    for name in ("M. Weber", "M. Weber", ""):
        res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Frage", "--bearbeiter", name)
        assert res.code == 0, res.err
    res = run("--ablage", str(ablage.root), "bericht")
    assert res.code == 0, res.err
    assert "Enthält personenbezogene Zahlen (Einstellung [berichte] personen = true)" in res.out
    rows = {r[0]: r[1:] for r in _text_tables(res.out, ["Nach Bearbeiter/in"])["Nach Bearbeiter/in"]}
    assert rows["M. Weber"][:3] == ["2", "0", "2"]
    assert rows["ohne Bearbeiter/in"][:3] == ["1", "0", "1"]


def test_a_wrong_setting_is_reported_with_its_line(run: Callable[..., Any], ablage: Ablage) -> None:
    set_config(ablage.root, {"berichte": {"ziel": "75", "wochen": 12}})
    res = run("--ablage", str(ablage.root), "bericht")
    assert res.code == 4
    assert "[berichte] ziel" in res.err and "[berichte] wochen" in res.err


def test_forwardings_through_the_cli(run: Callable[..., Any], ablage: Ablage) -> None:
    """Four forwardings in the week 02.–08.11.2026, service hours of the office calendar (Mo–Fr 8–18, BY)."""
    store = Store(ablage)

    def forwarded(kanal: Kanal, eingang: datetime, geloest: bool | None, *forwardings: dict[str, Any]) -> None:
        v = store.create(Incoming(betreff="Weitergeleitet", kanal=kanal, absender=Absender(name="X"), zeit=eingang))
        records = [
            models.Weiterleitung(weg="email", antwort_bis=f["zeit"] + timedelta(days=5), **f) for f in forwardings
        ]
        _set(store, v.aktenzeichen, erstkontakt_geloest=geloest, weiterleitungen=records)

    def fw(stelle: str, zeit: datetime, bis: datetime, rueck: datetime | None, ok: bool | None,
           antwort: datetime | None) -> dict[str, Any]:  # fmt: skip
        return {"stelle": stelle.lower(), "stelle_name": stelle, "zeit": zeit, "rueckmeldung_bis": bis,
                "rueckmeldung": rueck, "rueckmeldung_rechtzeitig": ok, "antwort": antwort}  # fmt: skip

    mon, tue, wed, thu = (date(2026, 11, d) for d in (2, 3, 4, 5))
    # Rückmeldung after 10 service hours (in time), the Bauamt answered after 20
    forwarded(Kanal.TELEFON, _at(mon, 9), False, fw("Bauamt", _at(mon, 10), _at(wed, 14), _at(tue, 10), True,
                                                   _at(wed, 10)))  # fmt: skip
    # Rückmeldung after 6 + 10 + 10 + 1 = 27 service hours (late), answer after 10
    forwarded(Kanal.EMAIL, _at(mon, 9), None, fw("Bauamt", _at(mon, 12), _at(wed, 16), _at(thu, 9), False,
                                                _at(tue, 12)))  # fmt: skip
    # no Rückmeldung and long overdue: late; no answer yet
    forwarded(Kanal.EMAIL, _at(tue, 9), None, fw("Ordnungsamt", _at(tue, 9), _at(thu, 13), None, None, None))
    # "solved" at first contact but forwarded: a transfer is no resolution (D115); Rückmeldung after 0.5 h
    half = _at(mon, 11) + timedelta(minutes=30)
    forwarded(Kanal.TELEFON, _at(mon, 11), True, fw("Bauamt", _at(mon, 11), _at(wed, 15), half, True, None))

    res = run("--ablage", str(ablage.root), "bericht", "--von", "02.11.2026", "--bis", "08.11.2026", "--nach",
              "stelle", "--format", "json")  # fmt: skip
    assert res.code == 0, res.err
    f = _figures(json.loads(res.out))
    table = ("weiterleitung", "Nach Stelle (in Servicestunden)")
    expected = {  # Weitergeleitet, in time, Rückmeldung median, answer median, answer 90 %
        "Bauamt": [3, 2 / 3, 10.0, 15.0, 20.0],
        "Ordnungsamt": [1, 0, "keine Fälle", "keine Fälle", "keine Fälle"],
        "Summe": [4, 0.5, 10.0, 15.0, 20.0],
    }
    cols = ["Weitergeleitet", "Rückmeldung ≤ 24 Std.", "Rückmeldung Median", "Antwort Median", "Antwort 90 %"]
    for row, values in expected.items():
        got = [_value(f[(*table, row, c)]) for c in cols]
        assert got == [pytest.approx(v) if isinstance(v, float) else v for v in values], row
    fcr = ("erstkontakt", "Erstlösungsquote (D115-Ziel 65 %)", "Alle Kanäle")
    assert [_value(f[(*fcr, c)]) for c in ("Basis", "Im Erstkontakt gelöst")] == [2, 0]
    assert _value(f["volumen", "Übersicht nach Stelle", "Bauamt", "Eingegangen"]) == 3
    assert _value(f["volumen", "Übersicht nach Stelle", "Ordnungsamt", "Eingegangen"]) == 1
    # first answer: the Rückmeldung counts (11 h and 9 + 10 + 10 + 1 = 30 h), solved at first contact 0 h
    first = ("zeiten", "In Servicestunden", "Bis zur ersten Antwort")
    assert [_value(f[(*first, c)]) for c in ("Anzahl", "Median", "90 %")] == [3, 11.0, 30.0]


def test_first_contact_recorded_by_anruf_and_schalter(run: Callable[..., Any], ablage: Ablage) -> None:
    """The whole way: calls and visits answered directly or not, then the D115 rate of the report."""
    calls = (("anruf", "direkt"), ("anruf", "direkt"), ("anruf", "rueckruf"), ("schalter", "rueckruf"))
    for command, ergebnis in calls:
        res = run("--ablage", str(ablage.root), command, "--von", "Erika Muster", "--kontakt", "0731 12345",
                  "--anliegen", "Personalausweis abgelaufen, was tun?", "--ergebnis", ergebnis)  # fmt: skip
        assert res.code == 0, res.err
    res = run("--ablage", str(ablage.root), "bericht", "--format", "json")
    assert res.code == 0, res.err
    f = _figures(json.loads(res.out))
    fcr = ("erstkontakt", "Erstlösungsquote (D115-Ziel 65 %)")
    assert [_value(f[(*fcr, "Telefon", c)]) for c in ("Basis", "Im Erstkontakt gelöst")] == [3, 2]
    assert _value(f[(*fcr, "Telefon", "Erstlösungsquote")]) == pytest.approx(2 / 3)
    assert _value(f[(*fcr, "Persönlich", "Erstlösungsquote")]) == 0
    assert _value(f[(*fcr, "Alle Kanäle", "Erstlösungsquote")]) == pytest.approx(2 / 4)
    assert _value(f[(*fcr, "E-Mail", "Erstlösungsquote")]) == "keine Fälle"
