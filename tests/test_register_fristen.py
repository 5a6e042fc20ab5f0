"""The register's "Offen" follows the worklist: a due Wiedervorlage on top; the deadlines of forwardings in
columns of their own, red when overdue; liste and liste --faellig show them too (reopened with openpyxl)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from buero_ticket.ablage import Ablage, init_ablage, open_ablage
from buero_ticket.clock import FixedClock
from buero_ticket.operations import weiterleiten as weiter
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
from tests.smtp_sink import set_config

Run = Callable[..., Any]


def _bt(run: Run, ablage: Ablage, *args: str) -> Any:
    result = run("--ablage", str(ablage.root), *args)
    assert result.code == 0, result.err
    return result


def _neu(run: Run, ablage: Ablage, betreff: str, dringlichkeit: str = "normal") -> str:
    args = ["neu", "--kanal", "telefon", "--betreff", betreff, "--von", "E. Muster", "--dringlichkeit", dringlichkeit]
    return str(json.loads(_bt(run, ablage, *args, "--json").out)["aktenzeichen"])


def test_register_offen_has_the_due_wiedervorlage_on_top(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    bauamt, _created = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt")
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    urgent = _neu(run, ablage, "Dringend", "hoch")
    wv = _neu(run, ablage, "Heute wieder", "niedrig")
    forwarded = _neu(run, ablage, "Carport")
    _bt(run, ablage, "wiedervorlage", wv, "heute", "--grund", "Rückruf Bauamt")
    clock = FixedClock(datetime(2026, 1, 12, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    weiter.weiterleiten(Context.of(Store(open_ablage(ablage.root), clock=clock)), forwarded, "bauamt")
    _bt(run, ablage, "register")
    wb = load_workbook(ablage.register_path)
    ws = wb["Offen"]
    headers = [c.value for c in ws[1]]
    rows = [{h: c.value for h, c in zip(headers, row, strict=False)} for row in ws.iter_rows(min_row=2)]
    assert rows[0]["Aktenzeichen"] == wv  # due Wiedervorlage on top, despite "niedrig"
    assert rows[1]["Aktenzeichen"] == urgent
    assert {r["Aktenzeichen"] for r in rows} == {wv, urgent, forwarded}


# --- the deadlines of forwardings: columns "Rückmeldung bis" and "Antwort der Stelle bis" ------------------------

TZ = ZoneInfo("Europe/Berlin")
FRIDAY_17 = datetime(2026, 1, 9, 17, 0, tzinfo=TZ)  # + 24 service hours = Wed 14.01. 11:00; + 40 = Thu 15.01. 17:00
MONDAY_09 = datetime(2026, 1, 12, 9, 0, tzinfo=TZ)  # + 24 = Wed 14.01. 13:00; + 40 = Fri 16.01. 09:00
WRITTEN_AT = datetime(2026, 1, 14, 11, 1, tzinfo=TZ)  # a minute after the earliest Rückmeldung deadline
RED_FILL, RED_FONT = "FFFFC7CE", "FF9C0006"


def _two_stellen(ablage: Ablage, tmp_path: Path) -> None:
    """Two Stellen with Ablagen of their own (no mail needed); the Ordnungsamt answers within 8 service hours."""
    bauamt, _ = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt")
    ordnung, _ = init_ablage(tmp_path / "Ordnungsamt-Ablage", name="Ordnungsamt")
    set_config(
        ablage.root,
        {
            "stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)},
            "stellen.ordnungsamt": {"name": "Ordnungsamt", "ablage": str(ordnung.root), "antwort_servicestunden": 8},
        },
    )


def _forward(ablage: Ablage, az: str, stelle: str, at: datetime) -> None:
    weiter.weiterleiten(Context.of(Store(open_ablage(ablage.root), clock=FixedClock(at))), az, stelle)


def _rows(ws: Any) -> dict[str, dict[str, Any]]:
    """Aktenzeichen → {header: cell} of a list sheet."""
    headers = [c.value for c in ws[1]]
    return {str(row[0].value): dict(zip(headers, row, strict=True)) for row in ws.iter_rows(min_row=2)}


def _is_red(cell: Any) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED_FILL and cell.font.color.rgb == RED_FONT


def test_register_shows_both_forwarding_deadlines_red_when_overdue(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    from buero_ticket.ortszeit import office_time
    from buero_ticket.register.workbook import write_register

    _two_stellen(ablage, tmp_path)
    early, later, twice, answered, closed, plain = (
        _neu(run, ablage, betreff) for betreff in ("Früh", "Später", "Zweimal", "Rückgemeldet", "Erledigt", "Nie")
    )
    _forward(ablage, early, "bauamt", FRIDAY_17)
    _forward(ablage, later, "bauamt", MONDAY_09)
    # forwarded twice: the Ordnungsamt (due Mon 12.01. 15:00) has answered, the Bauamt (Fri 16.01. 09:00) not yet
    _forward(ablage, twice, "ordnungsamt", FRIDAY_17)
    _forward(ablage, twice, "bauamt", MONDAY_09)
    at_ten = Context.of(Store(open_ablage(ablage.root), clock=FixedClock(MONDAY_09 + timedelta(hours=1))))
    weiter.zurueck(at_ten, twice, stelle="ordnungsamt", notiz="telefonisch geklärt")
    # the citizen was called: no Rückmeldung due any more, but the Ordnungsamt's answer is overdue since 15:00
    _forward(ablage, answered, "ordnungsamt", FRIDAY_17)
    weiter.rueckmeldung_notiz(at_ten, answered, "Bürgerin angerufen")
    _forward(ablage, closed, "bauamt", FRIDAY_17)
    _bt(run, ablage, "status", closed, "erledigt")

    store = Store(ablage)
    vorgaenge = [store.get(az) for az in (early, later, twice, answered, closed, plain)]
    offen = [v for v in vorgaenge if v.status.is_open]
    with office_time(TZ):  # as 'register' writes: the office's wall-clock times
        write_register(ablage.register_path, iter(offen), iter(vorgaenge), ablage_name="Test", now=WRITTEN_AT)

    wb = load_workbook(ablage.register_path)
    rows = _rows(wb["Offen"])
    bis, stelle = "Rückmeldung bis", "Antwort der Stelle bis"
    expected = {
        early: (datetime(2026, 1, 14, 11, 0), True, datetime(2026, 1, 15, 17, 0), False),
        later: (datetime(2026, 1, 14, 13, 0), False, datetime(2026, 1, 16, 9, 0), False),
        twice: (datetime(2026, 1, 14, 11, 0), True, datetime(2026, 1, 16, 9, 0), False),  # the earliest still open
        answered: (None, False, datetime(2026, 1, 12, 15, 0), True),
        plain: (None, False, None, False),
    }
    assert set(rows) == set(expected)
    for az, (rueck, rueck_red, antwort, antwort_red) in expected.items():
        row = rows[az]
        assert (row[bis].value, _is_red(row[bis])) == (rueck, rueck_red), (az, bis)
        assert (row[stelle].value, _is_red(row[stelle])) == (antwort, antwort_red), (az, stelle)
        if row[bis].value is not None:
            assert row[bis].number_format == "DD.MM.YYYY hh:mm"
    assert not _is_red(rows[early]["Frist"])  # the written red is only on the overdue deadline itself
    done = _rows(wb["Alle"])[closed]  # a closed Vorgang owes nothing any more
    assert (done[bis].value, done[stelle].value) == (None, None)

    # the Statistik: forwardings per Stelle and the share of Rückmeldungen in time (the figures of 'bericht')
    stats = [[c.value for c in row] for row in wb["Statistik"].iter_rows()]
    header = next(r for r in stats if r[0] == "Stelle")
    per_stelle = {r[0]: dict(zip(header, r, strict=True)) for r in stats if r[0] in ("Bauamt", "Ordnungsamt")}
    assert per_stelle["Bauamt"]["Weitergeleitet"] == 4 and per_stelle["Ordnungsamt"]["Weitergeleitet"] == 2
    # Ordnungsamt: "Rückgemeldet" in time, "Zweimal" overdue without Rückmeldung (late) → 1 of 2
    assert per_stelle["Ordnungsamt"]["Rückmeldung ≤ 24 Std."] == 0.5


def test_register_command_and_liste_show_the_forwarding_deadlines(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    """Through the CLI at the real time: a forwarding from January 2026 is overdue, one made now is not."""
    _two_stellen(ablage, tmp_path)
    old, fresh = _neu(run, ablage, "Alt weitergeleitet"), _neu(run, ablage, "Eben weitergeleitet")
    assert "Weiterl. bis" not in _bt(run, ablage, "liste").out  # no forwarding: the list keeps its width
    _forward(ablage, old, "bauamt", FRIDAY_17)
    _bt(run, ablage, "weiterleiten", fresh, "--an", "bauamt")
    _bt(run, ablage, "register")
    rows = _rows(load_workbook(ablage.register_path)["Offen"])
    assert rows[old]["Rückmeldung bis"].value == datetime(2026, 1, 14, 11, 0) and _is_red(rows[old]["Rückmeldung bis"])
    assert _is_red(rows[old]["Antwort der Stelle bis"])
    w = Store(ablage).get(fresh).weiterleitungen[0]
    assert rows[fresh]["Rückmeldung bis"].value == w.rueckmeldung_bis.astimezone(TZ).replace(tzinfo=None)
    assert not _is_red(rows[fresh]["Rückmeldung bis"]) and not _is_red(rows[fresh]["Antwort der Stelle bis"])

    # liste: a column with the earliest open deadline ("!" when overdue), and under the row both deadlines
    table = _bt(run, ablage, "liste").out.splitlines()
    assert "Weiterl. bis" in table[0]
    cell = {
        line.split()[0]: line[table[0].index("Weiterl. bis") :][:13].strip() for line in table[2:] if line[:4].isdigit()
    }
    r, a = (f"{t.astimezone(TZ):%d.%m. %H:%M}" for t in (w.rueckmeldung_bis, w.antwort_bis))
    first = min(w.rueckmeldung_bis, w.antwort_bis).astimezone(TZ)
    assert cell[old] == "14.01. 11:00!" and cell[fresh] == f"{first:%d.%m. %H:%M}"
    under = {table[i - 2].split()[0]: line.strip() for i, line in enumerate(table) if "Antwort der Stelle bis" in line}
    assert (
        under[old] == "> Rückmeldung bis 14.01. 11:00 (überfällig) · Antwort der Stelle bis 15.01. 17:00 (überfällig)"
    )
    assert under[fresh] == f"> Rückmeldung bis {r} · Antwort der Stelle bis {a}"
    # zeige: both deadlines of each forwarding, overdue marked
    shown = _bt(run, ablage, "zeige", old).out
    assert "Rückmeldung an Bürger bis: 14.01.2026 11:00 – ÜBERFÄLLIG" in shown
    assert "Antwort der Stelle bis: 15.01.2026 17:00 – ÜBERFÄLLIG" in shown
    shown = _bt(run, ablage, "zeige", fresh).out
    assert f"Rückmeldung an Bürger bis: {w.rueckmeldung_bis.astimezone(TZ):%d.%m.%Y %H:%M}\n" in shown
    assert f"Antwort der Stelle bis: {w.antwort_bis.astimezone(TZ):%d.%m.%Y %H:%M}\n" in shown
    # liste --faellig: only the overdue one, with what is due under its row
    due = _bt(run, ablage, "liste", "--faellig").out
    assert old in due and fresh not in due
    assert "ÜBERFÄLLIG: Rückmeldung an Bürger (Bauamt): überfällig seit 14.01.2026 11:00" in due
    assert "ÜBERFÄLLIG: Antwort der Stelle (Bauamt): überfällig seit 15.01.2026 17:00" in due


def test_a_deadline_is_overdue_only_after_its_minute(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    """ "Rückmeldung bis 11:00": a Rückmeldung at 11:00 is in time, so at 11:00 nothing is overdue yet."""
    from buero_ticket.operations.fristen import faelligkeiten, ueberschritten

    _two_stellen(ablage, tmp_path)
    az = _neu(run, ablage, "Grenzfall")
    _forward(ablage, az, "bauamt", FRIDAY_17)
    bis = datetime(2026, 1, 14, 11, 0, tzinfo=TZ)
    assert not ueberschritten(bis, bis) and ueberschritten(bis, bis + timedelta(minutes=1))
    v = Store(ablage).get(az)
    [at_eleven] = [f for f in faelligkeiten(v, bis) if f.art == "Rückmeldung an Bürger"]
    [later] = [f for f in faelligkeiten(v, bis + timedelta(minutes=1)) if f.art == "Rückmeldung an Bürger"]
    assert (at_eleven.ueberfaellig, later.ueberfaellig) == (False, True)
    weiter.rueckmeldung_notiz(Context.of(Store(open_ablage(ablage.root), clock=FixedClock(bis))), az, "angerufen")
    assert Store(ablage).get(az).weiterleitungen[0].rueckmeldung_rechtzeitig is True


def test_zeige_shows_the_forwarding_s_times_in_the_office_s_zone(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    """A forwarding recorded by a PC or server on UTC (Fri 16:00 UTC = 17:00 in Berlin) reads as office time."""
    from datetime import UTC

    _two_stellen(ablage, tmp_path)
    az = _neu(run, ablage, "Zeitzone")
    _forward(ablage, az, "bauamt", datetime(2026, 1, 9, 16, 0, tzinfo=UTC))
    at = Context.of(Store(open_ablage(ablage.root), clock=FixedClock(datetime(2026, 1, 12, 8, 30, tzinfo=UTC))))
    weiter.rueckmeldung_notiz(at, az, "angerufen")
    weiter.zurueck(at, az, notiz="telefonisch")
    shown = _bt(run, ablage, "zeige", az).out
    assert "Weitergeleitet an Bauamt am 09.01.2026 17:00" in shown
    assert "Rückmeldung an Bürger: am 12.01.2026 09:30 (rechtzeitig)" in shown
    assert "Antwort der Stelle: am 12.01.2026 09:30 (telefonisch/persönlich)" in shown
