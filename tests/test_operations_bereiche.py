"""Operations of the other areas without the CLI (opening a Vorgang, pruefen, Fristen, first contact,
Datenschutz and Aussonderung, forwarding into a Stelle's Ablage, templates), each on a real Ablage with a
fixed clock: the lines they write follow that clock and user."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from buero_ticket import history
from buero_ticket.ablage import Ablage, init_ablage, open_ablage
from buero_ticket.clock import FixedClock
from buero_ticket.errors import EingabeFehler
from buero_ticket.index import Index
from buero_ticket.models import Absender, Incoming, Kanal, Status
from buero_ticket.operations import datenschutz as ds
from buero_ticket.operations import erstkontakt, fristen
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations import weiterleiten as weiter
from buero_ticket.operations.context import Context
from buero_ticket.operations.erinnern import erinnern
from buero_ticket.operations.pruefen import pruefen
from buero_ticket.operations.vorlagen import copy_templates
from buero_ticket.store import ANLAGEN_DIR, Store
from tests.smtp_sink import set_config

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


def test_frist_berechnen_counts_service_hours_from_the_clock(ctx: Context) -> None:
    b = fristen.frist_berechnen(ctx, "04.12.2026 17:00")  # the D115 example: 24 service hours, Bayern
    assert (b.servicestunden, b.land, b.faellig.isoformat()) == (24, "BY", "2026-12-09T11:00:00+01:00")
    assert (
        fristen.frist_berechnen(ctx, "03.06.2026 12:00", land="be").faellig.isoformat() == "2026-06-05T16:00:00+02:00"
    )
    assert fristen.frist_berechnen(ctx, "jetzt", 0).ab == T0  # "jetzt" is the injected clock
    with pytest.raises(EingabeFehler):
        fristen.frist_berechnen(ctx, "jetzt", land="XX")


def test_erstkontakt_anliegen_and_direkt_is_done_at_once(ctx: Context) -> None:
    mail = erstkontakt.anliegen(ctx, Kanal.PERSOENLICH, " Fundsache abgeben. Eine Geldbörse ", kontakt="e@x.de ")
    assert (mail.betreff, mail.text, mail.absender.email, mail.absender.telefon) == (
        "Fundsache abgeben.",
        "Fundsache abgeben. Eine Geldbörse",
        "e@x.de",
        "",
    )
    assert mail.herkunft == "erfasst mit 'buero-ticket schalter'" and mail.zeit == T0
    item = erstkontakt.anliegen(ctx, Kanal.TELEFON, "Perso abgelaufen, was tun?", von="Erika", kontakt="0731 1")
    assert (item.betreff, item.absender.name, item.absender.telefon) == (
        "Perso abgelaufen, was tun?",
        "Erika",
        "0731 1",
    )
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


def test_personen_zusammenfuehren_und_trennen(ctx: Context) -> None:
    first = _new(ctx)
    item = Incoming(kanal=Kanal.TELEFON, betreff="Rückruf", absender=Absender("Erika M.", telefon="0731 12345"),
                    zeit=ctx.clock())  # fmt: skip
    second = ops.create(ctx, item).aktenzeichen
    alle = [ctx.store.get(az) for az in (first, second)]
    a, b = ds.eine_person(alle, "erika@example.org"), ds.eine_person(alle, "0731 12345")
    with pytest.raises(EingabeFehler):
        ds.eine_person(alle, "Erika")  # two persons: the clerk must say which
    link = ds.personen_zusammenfuehren(ctx, a, b)
    alle = [ctx.store.get(az) for az in (first, second)]
    assert len(ds.personen_finden(alle, "0731 12345")) == 1 and len(ds.personen_finden(alle, "Erika")) == 1
    assert _last(ctx, first).aktion == "Person zusammengeführt" and _last(ctx, first).zeit == T0
    assert ds.personen_trennen(ctx, alle, link) == 2
    assert len(ds.personen_finden([ctx.store.get(az) for az in (first, second)], "Erika")) == 2


def test_dsgvo_frist_verlaengern_once(ctx: Context) -> None:
    az = _new(ctx, kategorie="DSGVO-Anfrage")
    assert ctx.store.get(az).frist == date(2026, 4, 2)  # Art. 12(3): one month
    assert ds.dsgvo_frist_verlaengern(ctx, az, "Umfangreiche Unterlagen").frist == date(2026, 6, 2)
    with pytest.raises(EingabeFehler):
        ds.dsgvo_frist_verlaengern(ctx, az, "noch mehr")  # at most three months in all


def test_aussonderung_anbieten_bewertung_abgeben(ctx: Context, tmp_path: Path) -> None:
    az = _new(ctx)
    ops.set_status(ctx, az, Status.ERLEDIGT)
    _later(ctx, days=6 * 366)
    stichtag = ctx.clock().date()
    assert [f.vorgang.aktenzeichen for fs in ds.aussondern_faellig(ctx, [ctx.store.get(az)], stichtag).values()
            for f in fs] == [az]  # fmt: skip
    angebot = ds.aussondern_anbieten(ctx, [ctx.store.get(az)], stichtag, tmp_path / "Archiv")
    assert angebot.anzahl == 1 and angebot.xml.is_file() and angebot.csv.is_file()
    assert _last(ctx, az).aktion == "Dem Archiv angeboten"
    bewertet = tmp_path / "bewertet.csv"
    bewertet.write_text(f"Aktenzeichen;Bewertung\n{az};V\n", encoding="utf-8")
    assert ds.bewertung_uebernehmen(ctx, bewertet) == {"A": 0, "V": 1, "B": 0}
    abgabe = ds.aussondern_abgeben(ctx, [ctx.store.get(az)], tmp_path / "Archiv")
    assert abgabe.paket is None and abgabe.archiviert == [] and abgabe.vernichtet.geloescht == [az]
    assert [e["anlass"] for e in ds.loeschprotokoll(ctx.store.ablage)] == ["Aussonderung (Bewertung V)"]


def test_weiterleiten_into_a_stelles_ablage_and_zurueck(ablage: Ablage, tmp_path: Path) -> None:
    bauamt, _created = init_ablage(tmp_path / "Bauamt", name="Bauamt")
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    ctx = Context.of(Store(open_ablage(ablage.root), clock=FixedClock(T0), user="mweber"))
    az = _new(ctx)
    result = weiter.weiterleiten(ctx, az, "bauamt")
    assert result.vorgang.status is Status.WARTET and result.vorgang.bei_stelle == ["Bauamt"]
    assert result.datei is not None and result.datei.parent == bauamt.einwurf_dir
    assert [v.aktenzeichen for v in weiter.ablagen_abgleichen(ctx, [result.vorgang])] == [az]
    _later(ctx, hours=3)
    back = weiter.zurueck(ctx, az, stelle="bauamt", notiz="Bauamt: genehmigt")
    assert back.status is Status.IN_BEARBEITUNG and back.bei_stelle == []
    assert back.weiterleitungen[0].antwort == T0 + timedelta(hours=3)
    assert [e.aktion for e in history.read_history(ctx.store.find(az))][-3:] == [
        "Antwort der Fachabteilung",
        "Notiz",
        "Statuswechsel",
    ]


def test_copy_templates_never_overwrites(ablage: Ablage) -> None:
    first = copy_templates(ablage)
    assert first.copied and not first.kept
    own = ablage.vorlagen_dir / first.copied[0]
    own.write_bytes(b"eigene Fassung")
    again = copy_templates(ablage)
    assert again.copied == [] and first.copied[0] in again.kept and own.read_bytes() == b"eigene Fassung"


def test_erinnern_nur_anzeigen_plans_the_team_mail_and_sends_nothing(ablage: Ablage) -> None:
    set_config(ablage.root, {"amt": {"name": "Bürgerbüro", "email": "team@musterstadt.example"}})
    ctx = Context.of(Store(open_ablage(ablage.root), clock=FixedClock(T0), user="mweber"))
    az = _new(ctx)
    fristen.frist_setzen(ctx, az, "02.03.2026")  # due today, nobody assigned: the team gets it
    result = erinnern(ctx, [ctx.store.get(az)], nur_anzeigen=True)
    [mail] = result.mails
    assert mail.an == "team@musterstadt.example" and az in mail.text and "Frist heute" in mail.text
    again = erinnern(ctx, [ctx.store.get(az)], nur_anzeigen=True)
    assert len(again.mails) == 1 and again.schon_erinnert == 0  # only shown: nothing was noted as sent
