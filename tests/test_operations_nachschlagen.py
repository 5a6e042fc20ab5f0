"""Operations without a command of their own, tested without the CLI: the knowledge base (``wissen.*``),
the full-text search (``suche.*``), the Art. 15 access (``auskunft_erteilen``) and saving a report
(``berichte.speichern``), each on a real Ablage with a fixed clock; files are reopened and read."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from buero_ticket import history
from buero_ticket.ablage import Ablage
from buero_ticket.clock import FixedClock
from buero_ticket.errors import EingabeFehler, NichtGefunden
from buero_ticket.index import Index
from buero_ticket.models import Absender, Incoming, Kanal, Outgoing, Status
from buero_ticket.operations import berichte, erstkontakt, suche, wissen
from buero_ticket.operations import datenschutz as ds
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
from tests.wissen_artikel import write_articles

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
SPERRMUELL = "Abfall/Sperrmüll anmelden.md"


@pytest.fixture
def ctx(ablage: Ablage) -> Context:
    write_articles(ablage.wissen_dir)
    return Context.of(Store(ablage, clock=FixedClock(T0), user="mweber"))


def _new(ctx: Context, betreff: str, text: str, absender: Absender | None = None) -> str:
    item = Incoming(kanal=Kanal.EMAIL, betreff=betreff, absender=absender or Absender("Erika", "erika@example.org"),
                    zeit=ctx.clock(), text=text)  # fmt: skip
    return ops.create(ctx, item).aktenzeichen


def _closed(ctx: Context, betreff: str, text: str) -> str:
    az = _new(ctx, betreff, text)
    ops.set_status(ctx, az, Status.ERLEDIGT)
    return az


# --- wissen.* --------------------------------------------------------------------------------------


def test_wissen_suggests_looks_up_and_searches_articles(ctx: Context) -> None:
    ablage = ctx.store.ablage
    basis = wissen.wissensbasis(ablage)
    az = _new(ctx, "Sperrmüll Termin", "Wann wird der Sperrmüll abgeholt? Ein Schrank und eine Couch.")
    vorgang = ctx.store.get(az)
    assert "Wann wird der Sperrmüll abgeholt?" in wissen.request_text(vorgang)
    first = wissen.vorschlaege_fuer(basis, vorgang)[0]
    assert (first.artikel.datei, first.rang, first.sicher) == (SPERRMUELL, 1, True)
    assert wissen.vorschlaege(basis, "Mein Reisepass ist abgelaufen", "Pass")[0].artikel.datei == (
        "Reisepass beantragen.md"
    )
    assert wissen.suche_artikel(basis, "Parkausweis")[0].artikel.titel == "Bewohnerparkausweis beantragen"
    with pytest.raises(EingabeFehler):
        wissen.suche_artikel(basis, " ... ")
    assert wissen.artikel(ablage, "Sperrmüll anmelden").datei == SPERRMUELL  # by title
    assert wissen.artikel(ablage, "Hund").datei == "Hund.md"  # by file name without .md
    with pytest.raises(NichtGefunden, match="Reisepas"):
        wissen.artikel(ablage, "Reisepas")
    assert len(wissen.sammlung(ablage).artikel) == 5


def test_wissen_pruefen_names_file_line_and_problem(ctx: Context) -> None:
    found = {str(b) for b in wissen.pruefen(ctx.store.ablage, ctx.clock().date())}
    assert "Hund.md, Zeile 4: LeiKa-Schlüssel „12345“ hat nicht 14 Ziffern." in found
    assert "Hund.md, Zeile 7: Prüfung überfällig seit 01.06.2025." in found
    assert not any(b.startswith("Reisepass beantragen.md") for b in found)  # due 10.01.2027: nothing to say
    later = {str(b) for b in wissen.pruefen(ctx.store.ablage, date(2026, 12, 20))}
    assert "Reisepass beantragen.md, Zeile 7: Prüfung fällig am 10.01.2027." in later


def test_wissen_record_article_and_draft_from_the_answer(ctx: Context) -> None:
    az = _new(ctx, "Grabpflege Friedhof", "Wer pflegt das Grab?")
    artikel = wissen.artikel(ctx.store.ablage, "Sperrmüll anmelden")
    recorded = wissen.record_article(ctx, az, artikel, "Beantwortet")
    assert recorded.wissen == SPERRMUELL
    last = history.read_history(ctx.store.find(az))[-1]
    assert (last.zeit, last.benutzer, last.aktion) == (T0, "mweber", "Wissensartikel")
    assert last.details == f"Beantwortet mit Artikel „Sperrmüll anmelden“ ({SPERRMUELL})"

    draft = wissen.entwurf_aus(ctx.store, az, ctx.clock().date())
    assert draft.ohne_antwort and draft.datei == "Entwürfe/Grabpflege Friedhof.md"
    text = draft.pfad.read_bytes().decode("utf-8")
    assert text.startswith("---\r\ntitel: Grabpflege Friedhof\r\n") and f"quelle: {az}" in text
    assert "geprueft_am: 2026-03-02\r\npruefen_bis: 2027-03-02" in text

    sent = Outgoing(kanal=Kanal.EMAIL, zeit=ctx.clock(), von="buergerbuero@example.org", betreff="Re: Grabpflege",
                    text="Die Friedhofsverwaltung pflegt es.")  # fmt: skip
    ctx.store.add_message(az, sent, "Antwort gesendet", "an erika@example.org")
    assert wissen.answer_text(ctx.store.get(az)) == "Die Friedhofsverwaltung pflegt es."
    second = wissen.entwurf_aus(ctx.store, az, ctx.clock().date())
    assert second.datei == "Entwürfe/Grabpflege Friedhof (2).md" and not second.ohne_antwort
    assert "## Kurzinfo\r\nDie Friedhofsverwaltung pflegt es.\r\n" in second.pfad.read_bytes().decode("utf-8")
    assert (
        wissen.artikel(ctx.store.ablage, "Entwürfe/Grabpflege Friedhof (2).md", entwurf=True).titel
        == "Grabpflege Friedhof"
    )


def test_wissen_luecken_groups_closed_vorgaenge_without_article(ctx: Context) -> None:
    grab = _closed(ctx, "Grabpflege Friedhof", "")
    grabstelle = _closed(ctx, "Friedhof Grabstelle verlängern", "")
    carport = _closed(ctx, "Baugenehmigung Carport", "")
    _new(ctx, "Friedhof Gebühren", "")  # open: no gap yet
    mit_artikel = _closed(ctx, "Friedhof Sperrmüll", "")
    wissen.record_article(ctx, mit_artikel, wissen.artikel(ctx.store.ablage, "Sperrmüll anmelden"), "Beantwortet")
    index = Index(ctx.store)
    index.refresh()
    groups = [(g.woerter, sorted(v.aktenzeichen for v in g.vorgaenge)) for g in wissen.luecken(index.alle())]
    assert groups[0] == (["Friedhof"], sorted([grab, grabstelle]))
    assert [az for _, azs in groups for az in azs] == [*sorted([grab, grabstelle]), carport]


# --- ansehen (what zeige shows) --------------------------------------------------------------------


def test_ansehen_returns_everything_zeige_shows(ctx: Context) -> None:
    erika = Absender("Erika Muster", "erika@example.org", "0731 12345")
    alt = _closed(ctx, "Sperrmüll abholen", "Couch und Schrank sollen weg")
    az = _new(ctx, "Sperrmüll Termin", "Wann wird der Sperrmüll abgeholt? Ein Schrank.", erika)
    _new(ctx, "Parkausweis", "Bewohnerparken", Absender("Erika Muster", "", "+49 731 12345"))
    reply = Incoming(kanal=Kanal.EMAIL, betreff="Re", absender=erika, zeit=ctx.clock(), aktenzeichen=az, text="Und?")
    ops.accept(ctx, reply)
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(hours=1)
    index = Index(ctx.store)
    index.refresh()
    shown = ops.ansehen(ctx, index, az)
    assert shown.vorgang.aktenzeichen == az and shown.vorgang.neue_nachricht is None  # opened: read
    assert [e.aktion for e in shown.verlauf] == [e.aktion for e in history.read_history(ctx.store.find(az))]
    assert (shown.verlauf[-1].aktion, shown.verlauf[-1].zeit) == ("Neue Nachricht gelesen", T0 + timedelta(hours=1))
    assert [v.artikel.datei for v in shown.wissen_vorschlaege][:1] == [SPERRMUELL]
    assert [t.aktenzeichen for t in shown.aehnliche] == [alt]
    assert shown.aufbewahrung == "5 Jahre ab Ende des Jahres der Erledigung (läuft noch nicht)"
    assert shown.weitere_vorgaenge == 2  # the Parkausweis (same phone number), the closed one (same e-mail)
    assert shown.jetzt == T0 + timedelta(hours=1)
    quick = ops.ansehen(ctx, index, az, angaben=False)  # zeige --json: no retention text, no person count
    assert (quick.aufbewahrung, quick.weitere_vorgaenge) == (None, None)
    assert quick.verlauf == shown.verlauf and quick.vorgang.revision == shown.vorgang.revision  # read once
    closed = ops.ansehen(ctx, index, alt)
    assert closed.wissen_vorschlaege == [] and az not in [t.aktenzeichen for t in closed.aehnliche]
    assert closed.aufbewahrung is not None and closed.aufbewahrung.startswith("bis 31.12.2031")


# --- erstkontakt: the knowledge base at first contact --------------------------------------------


def test_erstkontakt_nachschlagen_and_artikel_waehlen(ctx: Context) -> None:
    found = erstkontakt.nachschlagen(ctx, "Wann wird der Sperrmüll abgeholt? Ein Schrank.", "Sperrmüll")
    assert [v.artikel.datei for v in found.vorschlaege][:1] == [SPERRMUELL] and found.vorschlaege[0].sicher
    assert erstkontakt.artikel_waehlen(ctx, "1", found) == found.vorschlaege[0].artikel  # number as shown
    assert erstkontakt.artikel_waehlen(ctx, "Reisepass beantragen", found).datei == "Reisepass beantragen.md"
    assert erstkontakt.artikel_waehlen(ctx, "Hund").datei == "Hund.md"  # without suggestions: by name
    with pytest.raises(NichtGefunden):
        erstkontakt.artikel_waehlen(ctx, str(len(found.vorschlaege) + 1), found)  # no such number, no such name
    for article in ctx.store.ablage.wissen_dir.rglob("*.md"):
        article.unlink()
    assert erstkontakt.nachschlagen(ctx, "Sperrmüll").vorschlaege == []  # no articles: nothing to offer


def test_erstkontakt_direkt_beantwortet_looks_the_article_up_before_writing(ctx: Context) -> None:
    item = erstkontakt.anliegen(ctx, Kanal.TELEFON, "Wann kommt der Sperrmüll?", von="Erika", kontakt="0731 1")
    done = erstkontakt.direkt_beantwortet(ctx, item, "Sperrmüll anmelden")
    assert (done.status, done.erstkontakt_geloest, done.wissen) == (Status.ERLEDIGT, True, SPERRMUELL)
    assert any(e.details == f"direkt beantwortet mit Artikel „Sperrmüll anmelden“ ({SPERRMUELL})"
               for e in history.read_history(ctx.store.find(done.aktenzeichen)))  # fmt: skip
    plain = erstkontakt.direkt_beantwortet(ctx, item)
    assert (plain.status, plain.wissen) == (Status.ERLEDIGT, "")
    before = sorted(p.name for p in ctx.store.ablage.root.rglob("vorgang.json"))
    with pytest.raises(NichtGefunden):
        erstkontakt.direkt_beantwortet(ctx, item, "Gibt es nicht")
    assert sorted(p.name for p in ctx.store.ablage.root.rglob("vorgang.json")) == before  # nothing written


# --- suche.* ---------------------------------------------------------------------------------------


def test_suche_finds_filters_and_names_similar_closed_vorgaenge(ctx: Context) -> None:
    alt = _closed(ctx, "Sperrmüll abholen", "Couch und Schrank sollen weg")
    couch = _closed(ctx, "Couch entsorgen", "Die alte Couch als Sperrmüll")
    hund = _closed(ctx, "Hundesteuer", "Hund angemeldet")
    offen = _new(ctx, "Sperrmüll Termin", "Wann wird der Sperrmüll abgeholt? Ein Schrank.")
    index = Index(ctx.store)
    index.refresh()
    vt = suche.volltext(index)
    try:
        found = suche.suche(vt, "Sperrmüll", suche.Filter())
        assert sorted(t.aktenzeichen for t in found) == sorted([alt, couch, offen])
        closed = suche.suche(vt, "Schrank", suche.Filter(status=["erledigt"]))
        assert [(t.aktenzeichen, t.status) for t in closed] == [(alt, "erledigt")]
        assert [t.aktenzeichen for t in suche.suche(vt, "Hundesteuer", suche.Filter(kanal="telefon"))] == []
        assert [t.aktenzeichen for t in suche.suche(vt, "Hundesteuer", suche.Filter(kanal="email"))] == [hund]
        similar = [t.aktenzeichen for t in suche.aehnliche(vt, ctx.store.get(offen))]
        assert alt in similar and couch in similar and hund not in similar and offen not in similar
        assert [t.aktenzeichen for t in suche.aehnliche(vt, ctx.store.get(alt))] == [couch]  # never itself
    finally:
        vt.close()


def test_suche_sees_a_change_at_the_next_update_and_words_an_unreadable_attachment(ctx: Context) -> None:
    az = _new(ctx, "Anfrage", "Bitte um Auskunft")
    index = Index(ctx.store)
    index.refresh()
    vt = suche.volltext(index)
    assert suche.suche(vt, "Carport", suche.Filter()) == []
    vt.close()
    ops.add_note(ctx, az, "Es geht um einen Carport.")
    broken = ctx.store.find(az) / "Anlagen" / "Plan.pdf"
    broken.parent.mkdir(exist_ok=True)
    broken.write_bytes(b"%PDF-1.4 kaputt")
    index.refresh()
    vt = suche.volltext(index)
    try:
        assert [t.aktenzeichen for t in suche.suche(vt, "Carport", suche.Filter())] == [az]
        [hinweis] = vt.hinweise
        text = suche.hinweis_text(index, hinweis)
        assert text.startswith(f"Anlage „{broken.relative_to(ctx.store.ablage.root).as_posix()}“: ")
        assert "Was tun:" in text
    finally:
        vt.close()


# --- auskunft_erteilen -----------------------------------------------------------------------------


def test_auskunft_erteilen_writes_folder_zip_and_a_history_line(ctx: Context, tmp_path: Path) -> None:
    erika = Absender("Erika Muster", "erika@example.org", "0731 12345")
    first = _new(ctx, "Sperrmüll", "Couch abholen", erika)
    second = _new(ctx, "Parkausweis", "Bewohnerparken", Absender("Erika Muster", "", "+49 731 12345"))
    other = _new(ctx, "Lärm", "Nachbar laut", Absender("Otto", "otto@example.org"))
    index = Index(ctx.store)
    index.refresh()
    person = ds.eine_person(index.alle(), "erika@example.org")
    result = ds.auskunft_erteilen(ctx, person, tmp_path / "Datenschutz")
    assert sorted(result.vorgaenge) == sorted([first, second])
    assert result.ordner.parent == tmp_path / "Datenschutz" and result.ordner.name.endswith("2026-03-02")
    assert result.zip == tmp_path / "Datenschutz" / f"{result.ordner.name}.zip"
    angaben = (result.ordner / "Vorgänge" / first / "Angaben.txt").read_text(encoding="utf-8")
    assert "Betreff: Sperrmüll" in angaben and "E-Mail: erika@example.org" in angaben
    with zipfile.ZipFile(result.zip) as zf:
        names = zf.namelist()
        assert f"{result.ordner.name}/Vorgänge/{second}/Angaben.txt" in names
        assert not any(other in n for n in names)  # nobody else's data
        assert zf.read(f"{result.ordner.name}/Vorgänge/{first}/Angaben.txt").decode("utf-8") == angaben
    for az in (first, second):
        last = history.read_history(ctx.store.find(az))[-1]
        assert (last.zeit, last.benutzer, last.aktion, last.details) == (
            T0, "mweber", "Auskunft nach Art. 15 DSGVO", f"Kopie erstellt: {result.zip.name}"
        )  # fmt: skip
    assert history.read_history(ctx.store.find(other))[-1].aktion != "Auskunft nach Art. 15 DSGVO"
    again = ds.auskunft_erteilen(ctx, person, tmp_path / "Datenschutz")  # a second one the same day: a new name
    assert again.zip != result.zip and result.zip.exists() and again.zip.exists()


# --- berichte.speichern ----------------------------------------------------------------------------


def test_bericht_speichern_writes_text_json_and_xlsx(ctx: Context, tmp_path: Path) -> None:
    for betreff in ("Sperrmüll", "Parkausweis"):
        _new(ctx, betreff, "")
    _closed(ctx, "Hundesteuer", "")
    index = Index(ctx.store)
    index.refresh()
    von, bis = berichte.zeitraum(None, None, ctx.clock().date())
    assert (von, bis) == (date(2026, 2, 1), date(2026, 3, 2))
    b = berichte.bericht(ctx, index.alle(), von=von, bis=bis)
    saved = {}
    for fmt in berichte.FORMATE:
        name = berichte.standard_dateiname(b, fmt)
        saved[fmt] = berichte.speichern(b, fmt, tmp_path / name)
        assert saved[fmt] == tmp_path / name and saved[fmt].read_bytes() == berichte.ausgeben(b, fmt)
    assert saved["text"].name == "Bericht 2026-02-01 bis 2026-03-02.txt"
    data = json.loads(saved["json"].read_text(encoding="utf-8"))
    [volumen] = [a for a in data["abschnitte"] if a["schluessel"] == "volumen"]
    [kanal] = [t for t in volumen["tabellen"] if t["titel"] == "Nach Kanal"]
    [email] = [z for z in kanal["zeilen"] if z["bezeichnung"] == "E-Mail"]
    assert [w["wert"] for w in email["werte"]] == [3, 1]  # received, closed
    text = saved["text"].read_text(encoding="utf-8")
    assert "Zeitraum: 01.02.2026 – 02.03.2026; Stand 02.03.2026 09:30" in text
    assert any(line.split() == ["E-Mail", "3", "1"] for line in text.splitlines())
    book = openpyxl.load_workbook(saved["xlsx"])
    rows = [[c for c in row if c is not None] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]
    assert ["E-Mail", 3, 1] in rows
    saved["text"].write_text("alt", encoding="utf-8")
    berichte.speichern(b, "text", saved["text"])  # an older file of that name is replaced
    assert saved["text"].read_bytes() == berichte.ausgeben(b, "text")
