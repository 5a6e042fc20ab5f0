"""The figures that depend on fields other parts add to a Vorgang (first contact, Wissen article,
forwardings, category, Wiedervorlage), computed over hand-made Vorgänge; values worked out by hand.

Ten Vorgänge received Monday 02.11.2026 09:00 and one the day before; period 02.11.–08.11.2026,
"now" Monday 09.11. 10:00.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from buero_ticket.berichte.faelle import Erfassung
from buero_ticket.berichte.modell import Bericht, Fehlt
from buero_ticket.models import Kanal, Status
from buero_ticket.operations import berichte as ops

BERLIN = ZoneInfo("Europe/Berlin")
ALLES = Erfassung(kategorie=True, wiedervorlage=True, erstkontakt=True, wissen=True, weiterleitungen=True)
NICHTS = Erfassung(kategorie=False, wiedervorlage=False, erstkontakt=False, wissen=False, weiterleitungen=False)


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def _v(n: int, kanal: Kanal, **extra: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "aktenzeichen": f"2026-{n:05d}",
        "kanal": kanal,
        "status": Status.EINGANG,
        "eingang": _t(2, 9),
        "erledigt": None,
        "antwort_gesendet": None,
        "frist": None,
        "bearbeiter": "",
        "kategorie": "",
        "wiedervorlage": None,
        "erstkontakt_geloest": None,
        "wissen": [],
        "weiterleitungen": [],
    }
    base.update(extra)
    return SimpleNamespace(**base)


def _fw(stelle: str, am: datetime, rueck: datetime | None = None, antwort: datetime | None = None) -> dict[str, Any]:
    """A forwarding as vorgang.json would hold it."""
    return {
        "stelle": stelle,
        "am": am.isoformat(),
        "rueckmeldung_am": rueck.isoformat() if rueck else None,
        "antwort_am": antwort.isoformat() if antwort else None,
    }


def _closed(at: datetime) -> dict[str, Any]:
    return {"status": Status.ERLEDIGT, "erledigt": at}


VORGAENGE = [
    _v(0, Kanal.TELEFON, erstkontakt_geloest=True, wissen=["a.md"], kategorie="Meldewesen", bearbeiter="A. Schmidt",
       **_closed(_t(2, 11))),
    _v(1, Kanal.TELEFON, erstkontakt_geloest=True, wissen=["a.md"], kategorie="Meldewesen", bearbeiter="A. Schmidt",
       **_closed(_t(2, 11))),
    _v(2, Kanal.TELEFON, erstkontakt_geloest=True, wissen="b.md", kategorie="Meldewesen", bearbeiter="A. Schmidt",
       **_closed(_t(2, 11))),
    # solved at first contact but forwarded: a transfer is no resolution
    _v(3, Kanal.TELEFON, erstkontakt_geloest=True, kategorie="Meldewesen", bearbeiter="A. Schmidt",
       weiterleitungen=[_fw("Bauamt", _t(2, 10), rueck=_t(3, 10), antwort=_t(4, 10))]),
    _v(4, Kanal.TELEFON, erstkontakt_geloest=False, kategorie="Meldewesen", bearbeiter="A. Schmidt",
       **_closed(_t(3, 9))),
    _v(5, Kanal.TELEFON, kategorie="Abfall", weiterleitungen=[_fw("Bauamt", _t(2, 10), antwort=_t(2, 12))]),
    _v(6, Kanal.EMAIL, erstkontakt_geloest=False, kategorie="Abfall",
       weiterleitungen=[_fw("Ordnungsamt", _t(2, 10), rueck=_t(5, 16))]),
    _v(7, Kanal.EMAIL, erstkontakt_geloest=True, kategorie="Abfall", **_closed(_t(2, 11))),
    # forwarded Friday 17:00: 3 service hours until "now" – not yet due, not counted either way
    _v(8, Kanal.EMAIL, wiedervorlage=date(2026, 11, 10), weiterleitungen=[_fw("Bauamt", _t(6, 17))]),
    _v(9, Kanal.EMAIL, kategorie="Meldewesen", wiedervorlage=date(2026, 11, 5)),
    # received before the period; forwarded in it, in the shape of models.Weiterleitung (deadline recorded):
    # Rückmeldung after 25 service hours but before the recorded deadline (a Stelle with a longer promise)
    _v(10, Kanal.BRIEF, eingang=_t(1, 12), weiterleitungen=[SimpleNamespace(
        stelle="ordnung", stelle_name="Ordnungsamt", zeit=_t(2, 8), rueckmeldung_bis=_t(5, 12),
        rueckmeldung=_t(4, 13), rueckmeldung_rechtzeitig=None, antwort=_t(3, 8))]),
]  # fmt: skip


def _bericht(erfassung: Erfassung = ALLES, **kw: Any) -> Bericht:
    return ops.erstellen(
        VORGAENGE,
        von=date(2026, 11, 2),
        bis=date(2026, 11, 8),
        jetzt=_t(9, 10),
        erfassung=erfassung,
        **kw,
    )


def _get(b: Bericht, table: str, row: str, col: str) -> Any:
    for _, t, r, c, w in b.werte():
        if (t, r, c) == (table, row, col):
            return w.zahl if w.zahl is not None else w.fehlt
    raise KeyError((table, row, col))


FCR = "Erstlösungsquote (D115-Ziel 65 %)"
WL = "Nach Stelle (in Servicestunden)"


def test_first_contact_resolution_as_d115_defines_it() -> None:
    b = _bericht()
    # recorded: 0,1,2,3,4,6,7; solved without forwarding: 0,1,2,7
    assert _get(b, FCR, "Alle Kanäle", "Basis") == 7
    assert _get(b, FCR, "Alle Kanäle", "Im Erstkontakt gelöst") == 4
    assert _get(b, FCR, "Alle Kanäle", "Erstlösungsquote") == pytest.approx(4 / 7)
    assert _get(b, FCR, "Telefon", "Erstlösungsquote") == pytest.approx(3 / 5)
    assert _get(b, FCR, "E-Mail", "Erstlösungsquote") == pytest.approx(1 / 2)
    assert _get(b, FCR, "Brief", "Erstlösungsquote") == Fehlt.KEINE_FAELLE


def test_knowledge_articles() -> None:
    b = _bericht()
    # closed in the period: 0, 1, 2, 4, 7; with article: 0, 1, 2
    assert _get(b, "Antworten mit Wissensartikel", "Anteil mit Wissensartikel", "Wert") == pytest.approx(0.6)
    assert _get(b, "Antworten mit Wissensartikel", "Anfragen ohne Artikel", "Wert") == 2
    top = next(t for a in b.abschnitte for t in a.tabellen if t.titel == "Meistgenutzte Wissensartikel")
    assert [(z.bezeichnung, z.werte[0].zahl) for z in top.zeilen] == [("a.md", 2), ("b.md", 1)]


def test_forwardings_in_service_hours() -> None:
    b = _bericht()
    # Bauamt: #3 Rückmeldung after 10 h (in time), answer after 20 h; #5 no Rückmeldung and overdue (late),
    # answer after 2 h; #8 not yet due. Ordnungsamt: #6 Rückmeldung after 8+10+10+8 = 36 h (late).
    assert _get(b, WL, "Bauamt", "Weitergeleitet") == 3
    assert _get(b, WL, "Bauamt", "Rückmeldung ≤ 24 Std.") == pytest.approx(0.5)
    assert _get(b, WL, "Bauamt", "Rückmeldung Median") == pytest.approx(10.0)
    assert _get(b, WL, "Bauamt", "Antwort Median") == pytest.approx(11.0)
    assert _get(b, WL, "Bauamt", "Antwort 90 %") == pytest.approx(20.0)
    # #10: Rückmeldung Wed 13:00 after 10+10+5 = 25 h, before its recorded deadline Thu 12:00: in time;
    # the Stelle answered after 10 h
    assert _get(b, WL, "Ordnungsamt", "Weitergeleitet") == 2
    assert _get(b, WL, "Ordnungsamt", "Rückmeldung ≤ 24 Std.") == pytest.approx(0.5)
    assert _get(b, WL, "Ordnungsamt", "Rückmeldung Median") == pytest.approx((36 + 25) / 2)
    assert _get(b, WL, "Ordnungsamt", "Antwort Median") == pytest.approx(10.0)
    assert _get(b, WL, "Summe", "Weitergeleitet") == 5
    assert _get(b, WL, "Summe", "Rückmeldung ≤ 24 Std.") == pytest.approx(2 / 4)
    assert _get(b, WL, "Summe", "Rückmeldung Median") == pytest.approx(25.0)


def test_category_wiedervorlage_and_grouping_by_stelle() -> None:
    b = _bericht(nach="stelle")
    assert _get(b, "Nach Kategorie", "Meldewesen", "Eingegangen") == 6
    assert _get(b, "Nach Kategorie", "Abfall", "Eingegangen") == 3
    assert _get(b, "Nach Kategorie", "ohne Kategorie", "Eingegangen") == 1
    assert _get(b, "Überfällig am 08.11.2026", "Wiedervorlage überschritten", "Anzahl") == 1
    assert _get(b, "Übersicht nach Stelle", "Bauamt", "Eingegangen") == 3
    assert _get(b, "Übersicht nach Stelle", "nicht weitergeleitet", "Erledigt") == 5
    assert _get(b, "Übersicht nach Stelle", "nicht weitergeleitet", "Erstlösungsquote") == pytest.approx(4 / 5)


def test_nothing_recorded_means_nicht_erfasst_not_zero() -> None:
    b = _bericht(NICHTS)
    for key in (
        (FCR, "Alle Kanäle", "Erstlösungsquote"),
        ("Antworten mit Wissensartikel", "Anteil mit Wissensartikel", "Wert"),
        (WL, "alle Stellen", "Weitergeleitet"),
        ("Nach Kategorie", "alle Kategorien", "Eingegangen"),
        ("Überfällig am 08.11.2026", "Wiedervorlage überschritten", "Anzahl"),
    ):
        assert _get(b, *key) == Fehlt.NICHT_ERFASST, key


def test_per_person_figures_only_when_switched_on() -> None:
    assert "personen" not in [a.schluessel for a in _bericht().abschnitte]
    b = _bericht(personen=True)
    assert any("personenbezogene Zahlen" in line for line in b.kopf)
    assert _get(b, "Nach Bearbeiter/in", "A. Schmidt", "Eingegangen") == 5
    assert _get(b, "Nach Bearbeiter/in", "A. Schmidt", "Erledigt") == 4
    assert _get(b, "Nach Bearbeiter/in", "ohne Bearbeiter/in", "Offen am Ende") == 5


def test_register_statistics_use_the_same_figures(tmp_path: Any) -> None:
    import openpyxl
    import xlsxwriter

    from buero_ticket.berichte.statistik import RegisterStatistik

    stats = RegisterStatistik(_t(9, 10))
    for v in VORGAENGE:
        stats.add(v)
    b = stats.bericht()
    assert (b.von, b.bis) == (date(2026, 5, 18), date(2026, 11, 9))  # 26 weeks, the current one last
    assert _get(b, "Eingänge pro Woche nach Kanal", "2026-KW45", "Telefon") == 6
    assert _get(b, "Eingänge pro Woche nach Kanal", "2026-KW44", "Brief") == 1  # #10, Sunday 01.11.
    assert _get(b, "Eingänge pro Woche nach Kanal", "Summe", "Gesamt") == 11
    assert _get(b, "Eingänge pro Woche nach Kanal", "2026-KW45", "Erstlösungsquote") == pytest.approx(4 / 7)
    assert _get(b, "Eingänge pro Woche nach Kanal", "2026-KW45", "Erledigt") == 5
    assert _get(b, FCR, "Telefon", "Erstlösungsquote") == pytest.approx(3 / 5)
    if Erfassung.aus_modell().weiterleitungen:
        assert _get(b, WL, "Summe", "Weitergeleitet") == 5
    else:
        assert _get(b, WL, "alle Stellen", "Weitergeleitet") == Fehlt.NICHT_ERFASST

    path = tmp_path / "Statistik.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Statistik")
    charts = stats.schreiben(wb, ws, diagramme_einfuegen=False)
    for n, chart in enumerate(charts):
        wb.add_chartsheet(f"Diagramm {n + 1}").set_chart(chart)
    wb.close()
    assert len(charts) == 2  # backlog by age, weekly by channel
    rows = list(openpyxl.load_workbook(path)["Statistik"].iter_rows(values_only=True))
    i = rows.index(next(r for r in rows if r[0] == "Eingänge pro Woche nach Kanal"))
    kw45 = next(r for r in rows[i:] if r[0] == "2026-KW45")
    assert kw45[1:10] == (4, 6, 0, 0, 0, 0, 10, 5, pytest.approx(4 / 7))
