"""Operations of the other areas without the CLI (opening a Vorgang, pruefen, Fristen, first contact,
Datenschutz), each on a real Ablage with a fixed clock: the lines they write follow that clock and user."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from buero_ticket import history
from buero_ticket.ablage import Ablage
from buero_ticket.clock import FixedClock
from buero_ticket.errors import EingabeFehler
from buero_ticket.index import Index
from buero_ticket.models import Absender, Incoming, Kanal, Status
from buero_ticket.operations import datenschutz as ds
from buero_ticket.operations import erstkontakt, fristen
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations.context import Context
from buero_ticket.operations.pruefen import pruefen
from buero_ticket.store import ANLAGEN_DIR, Store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def ctx(ablage: Ablage) -> Context:
    return Context.of(Store(ablage, clock=FixedClock(T0), user="mweber"))


def _new(ctx: Context, **kw: object) -> str:
    item = Incoming(kanal=Kanal.EMAIL, betreff="Sperrmüll", absender=Absender("Erika", "erika@example.org"),
                    zeit=ctx.clock(), text="Wann?", **kw)  # type: ignore[arg-type]  # fmt: skip
    return ops.create(ctx, item).aktenzeichen


def _last(ctx: Context, az: str) -> history.HistoryEntry:
    return history.read_history(ctx.store.find(az))[-1]


def _later(ctx: Context, **delta: float) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(**delta)


def test_oeffnen_reads_a_new_message_once(ctx: Context) -> None:
    az = _new(ctx)
    _later(ctx, hours=2)
    reply = Incoming(kanal=Kanal.EMAIL, betreff="Re", absender=Absender("", "erika@example.org"), zeit=ctx.clock(),
                     aktenzeichen=az)  # fmt: skip
    assert ops.accept(ctx, reply).vorgang.neue_nachricht == T0 + timedelta(hours=2)
    _later(ctx, hours=1)
    opened = ops.oeffnen(ctx, az)
    assert opened.neue_nachricht is None
    assert (_last(ctx, az).aktion, _last(ctx, az).zeit, _last(ctx, az).benutzer) == (
        "Neue Nachricht gelesen",
        T0 + timedelta(hours=3),
        "mweber",
    )
    assert ops.oeffnen(ctx, az).revision == opened.revision  # nothing new: no change


def test_pruefen_reports_then_repairs(ctx: Context) -> None:
    az = _new(ctx)
    folder = ctx.store.find(az)
    (folder / ANLAGEN_DIR).rmdir()
    found = pruefen(ctx, Index(ctx.store))
    assert found.vorgaenge == 1 and found.repariert == []
    assert [(p.art, p.pfad, p.reparierbar) for p in found.offen] == [("unterordner_fehlt", folder / ANLAGEN_DIR, True)]
    fixed = pruefen(ctx, Index(ctx.store), reparieren=True)
    assert [p.art for p in fixed.repariert] == ["unterordner_fehlt"] and fixed.offen == []
    assert (folder / ANLAGEN_DIR).is_dir()


def test_frist_and_wiedervorlage(ctx: Context) -> None:
    az = _new(ctx)
    assert fristen.frist_setzen(ctx, az, "20.03.2026").frist == date(2026, 3, 20)
    assert _last(ctx, az).zeit == T0
    v = fristen.wiedervorlage_setzen(ctx, az, "10.03.2026", grund="Unterlagen fehlen")
    assert (v.status, v.wiedervorlage, v.wiedervorlage_grund) == (Status.WARTET, date(2026, 3, 10), "Unterlagen fehlen")
    assert fristen.frist_setzen(ctx, az, "keine").frist is None


def test_erstkontakt_direkt_is_done_at_once(ctx: Context) -> None:
    item = Incoming(kanal=Kanal.TELEFON, betreff="Perso", absender=Absender("Erika"), zeit=ctx.clock(), text="?")
    v = erstkontakt.erfassen(ctx, item, erstkontakt.Ausgang.DIREKT)
    assert v.status is Status.ERLEDIGT and v.erstkontakt_geloest is True
    lines = history.read_history(ctx.store.find(v.aktenzeichen))
    assert [e.aktion for e in lines][:2] == ["Angelegt", "Erstkontakt"]
    assert {(e.zeit, e.benutzer) for e in lines} == {(T0, "mweber")}


def test_sperren_refuses_erasure_and_loeschen_after_the_retention_period(ctx: Context) -> None:
    az = _new(ctx)
    with pytest.raises(EingabeFehler):
        ds.sperren(ctx, az, " ")  # a restriction needs a reason
    assert ds.sperren(ctx, az, "Richtigkeit bestritten").gesperrt == "Richtigkeit bestritten"
    [(_v, grund)] = ds.loeschplan_vorgang(ctx, az).verweigert
    assert "gesperrt" in grund
    assert ds.entsperren(ctx, az, "geklärt").gesperrt == ""
    ops.set_status(ctx, az, Status.ERLEDIGT)
    assert ds.loeschplan_vorgang(ctx, az).verweigert  # the retention period (5 years) runs
    _later(ctx, days=6 * 366)
    plan = ds.loeschplan_vorgang(ctx, az)
    assert [v.aktenzeichen for v in plan.vorgaenge] == [az] and not plan.verweigert
    result = ds.loeschen(ctx, plan, "Antrag nach Art. 17 DSGVO")
    assert result.geloescht == [az] and result.postfach == ""
    [entry] = ds.loeschprotokoll(ctx.store.ablage)
    assert entry["aktenzeichen"] == az and entry["benutzer"] == "mweber"
