"""Forwarding to a Fachabteilung end to end: mail out through aiosmtpd, the Stelle's reply back through
IMAP (pymap) into the same Vorgang; forwarding into a second Ablage; several forwardings; Rückmeldung."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from buero_ticket.ablage import Ablage, init_ablage, open_ablage
from buero_ticket.clock import FixedClock
from buero_ticket.fristen_config import kalender
from buero_ticket.history import read_history
from buero_ticket.models import Status
from buero_ticket.operations import weiterleiten as ops
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
from tests.imap_servers import PymapServer
from tests.smtp_sink import SmtpSink, set_config

from .test_abruf import configure, crlf
from .test_intake_mail import make_mail

Run = Callable[..., Any]
AMT = {"name": "Bürgerbüro Musterstadt", "email": "buergerbuero@musterstadt.example"}
BAUAMT = {"name": "Bauamt", "email": "bauamt@musterstadt.example", "antwort_servicestunden": 40}
ORDNUNGSAMT = {"name": "Ordnungsamt", "email": "ordnung@musterstadt.example"}
CITIZEN = "Jonas Becker <j.becker@example.org>"


def _bt(run: Run, ablage: Ablage, *args: str) -> Any:
    result = run("--ablage", str(ablage.root), *args)
    assert result.code == 0, result.err
    return result


def _only_vorgang(store: Store) -> str:
    [(_status, entry)] = list(store.ablage.iter_vorgang_dirs())
    return store.load(Path(entry.path)).aktenzeichen


def _citizen_mail_via_imap(run: Run, ablage: Ablage, pymap_server: PymapServer) -> tuple[str, bytes]:
    raw = crlf(
        make_mail(
            subject="Carport genehmigungspflichtig?",
            sender=CITIZEN,
            body="Guten Tag,\nbrauche ich für einen Carport eine Baugenehmigung?\n",
            attachment=("Lageplan.pdf", b"%PDF-1.4 Lageplan"),
        )
    )
    pymap_server.append(raw)
    _bt(run, ablage, "mail", "abrufen")
    return _only_vorgang(Store(ablage)), raw


def _reply_from(sender: str, subject: str, body: str, in_reply_to: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = AMT["email"]
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="musterstadt.example")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    msg.set_content(body)
    return crlf(msg.as_bytes())


def test_forward_by_mail_and_the_reply_comes_back_through_imap(
    run: Run, ablage: Ablage, sink: SmtpSink, pymap_server: PymapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT})
    store = Store(ablage)
    az, _raw = _citizen_mail_via_imap(run, ablage, pymap_server)

    out = _bt(run, ablage, "weiterleiten", az, "--an", "Bauamt", "--text", "Bitte Carport prüfen").out
    assert f"Vorgang {az} weitergeleitet an Bauamt (per E-Mail an bauamt@musterstadt.example)" in out
    assert "Rückmeldung an Bürger bis:" in out and "Antwort der Stelle bis:" in out
    [sent] = sink.take()
    assert sent.rcpt_tos == ["bauamt@musterstadt.example"]
    mail = sent.message
    assert f"[Az. {az}]" in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "brauche ich für einen Carport eine Baugenehmigung?" in text and "Bitte Carport prüfen" in text
    assert [part.get_filename() for part in mail.iter_attachments()] == ["Lageplan.pdf"]

    v = store.get(az)
    assert v.status is Status.WARTET and v.bei_stelle == ["Bauamt"]
    [w] = v.weiterleitungen
    cal = kalender(ablage.config)
    assert cal.zwischen(w.zeit, w.rueckmeldung_bis) == timedelta(hours=24)
    assert cal.zwischen(w.zeit, w.antwort_bis) == timedelta(hours=40)
    assert w.message_id and w.message_id == mail["Message-ID"].strip("<>")
    assert "Weitergeleitet" in [e.aktion for e in read_history(v.ordner)]  # type: ignore[arg-type]
    shown = _bt(run, ablage, "zeige", az).out
    assert "Weitergeleitet an Bauamt" in shown and "Rückmeldung an Bürger bis:" in shown
    assert "[bei Bauamt]" in _bt(run, ablage, "liste").out

    # the Stelle answers: threads back by In-Reply-To into the same Vorgang
    pymap_server.append(
        _reply_from(BAUAMT["email"], f"AW: {mail['Subject']}", "Carport bis 30 m² verfahrensfrei.", w.message_id)
    )
    _bt(run, ablage, "mail", "abrufen")
    assert _only_vorgang(store) == az  # no new Vorgang
    v = store.get(az)
    assert v.weiterleitungen[0].antwort is not None and v.weiterleitungen[0].antwort_wie == "email"
    assert v.bei_stelle == [] and v.status is Status.IN_BEARBEITUNG and v.neue_nachricht is not None
    assert "Antwort der Fachabteilung" in [e.aktion for e in read_history(v.ordner)]  # type: ignore[arg-type]
    assert "Antwort der Stelle: am" in _bt(run, ablage, "zeige", az).out

    # the answer to the citizen goes to the citizen (not to the Stelle) and counts as Rückmeldung in time
    _bt(run, ablage, "antworten", az, "antwort", "--feld", "text=Ein Carport bis 30 m² ist verfahrensfrei.", "--senden")
    [answer] = sink.take()
    assert answer.rcpt_tos == ["j.becker@example.org"]
    w = store.get(az).weiterleitungen[0]
    assert w.rueckmeldung is not None and w.rueckmeldung_rechtzeitig is True


def test_reply_with_only_the_subject_tag_counts_because_the_stelle_is_a_known_sender(
    run: Run, ablage: Ablage, sink: SmtpSink, pymap_server: PymapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT})
    store = Store(ablage)
    az, _raw = _citizen_mail_via_imap(run, ablage, pymap_server)
    _bt(run, ablage, "weiterleiten", az, "--an", "bauamt", "--anlagen", "keine")
    [sent] = sink.take()
    assert list(sent.message.iter_attachments()) == []
    # a fresh mail (no In-Reply-To) from the Stelle, naming the Aktenzeichen in the subject
    pymap_server.append(_reply_from(BAUAMT["email"], f"Ihr Carport [Az. {az}]", "Bitte Bauantrag stellen."))
    _bt(run, ablage, "mail", "abrufen")
    assert _only_vorgang(store) == az
    assert store.get(az).weiterleitungen[0].antwort is not None
    # a stranger using the tag is not the Stelle: a new, linked Vorgang
    pymap_server.append(_reply_from("fremd@example.net", f"Ihr Carport [Az. {az}]", "Hallo"))
    _bt(run, ablage, "mail", "abrufen")
    assert sum(1 for _ in ablage.iter_vorgang_dirs()) == 2


def test_two_forwardings_are_tracked_separately_and_zurueck(run: Run, ablage: Ablage, sink: SmtpSink) -> None:
    set_config(
        ablage.root,
        {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT, "stellen.ordnungsamt": ORDNUNGSAMT},
    )
    store = Store(ablage)
    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Gehweg blockiert", "--von", "Erika Muster",
              "--text", "Seit Wochen gesperrt", "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    _bt(run, ablage, "weiterleiten", az, "--an", "bauamt")
    _bt(run, ablage, "weiterleiten", az, "--an", "ordnungsamt")
    assert sorted(r.rcpt_tos[0] for r in sink.take()) == ["bauamt@musterstadt.example", "ordnung@musterstadt.example"]
    v = store.get(az)
    assert v.bei_stelle == ["Bauamt", "Ordnungsamt"] and len(v.weiterleitungen) == 2
    several = run("--ablage", str(ablage.root), "zurueck", az)
    assert several.code == 2 and "mehreren Stellen" in several.err
    _bt(run, ablage, "zurueck", az, "--von", "ordnungsamt", "--notiz", "Kontrolle morgen")
    v = store.get(az)
    assert v.bei_stelle == ["Bauamt"] and v.status is Status.WARTET  # still waiting for the Bauamt
    assert v.weiterleitungen[1].antwort_wie == "zurueck" and v.weiterleitungen[0].antwort is None
    _bt(run, ablage, "zurueck", az)
    v = store.get(az)
    assert v.bei_stelle == [] and v.status is Status.IN_BEARBEITUNG
    unknown = run("--ablage", str(ablage.root), "weiterleiten", az, "--an", "bauamtt")
    assert unknown.code == 2 and "Meinten Sie „bauamt“" in unknown.err
    listing = _bt(run, ablage, "stellen").out
    assert "bauamt" in listing and "Ordnungsamt" in listing and "40 Servicestunden" in listing


def test_forward_into_the_stelle_s_own_ablage(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    bauamt, _created = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt Musterstadt", kuerzel="BA")
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    store = Store(ablage)
    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Carport Genehmigung", "--von", "Erika Muster",
              "--text", "Braucht sie eine Genehmigung?", "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    out = _bt(run, ablage, "weiterleiten", az, "--an", "bauamt", "--text", "Bitte bis Freitag").out
    assert "in den Einwurf von" in out
    [drop] = [p for p in bauamt.einwurf_dir.iterdir() if p.name.startswith("Weiterleitung")]
    assert az in drop.name
    assert "Braucht sie eine Genehmigung?" in (drop / "Weiterleitung.txt").read_text(encoding="utf-8")
    assert "noch nicht übernommen" in _bt(run, ablage, "zeige", az).out

    # the Bauamt's own intake takes the folder: one Vorgang there, with our Aktenzeichen in its subject
    _bt(run, bauamt, "beobachten", "--einmal")
    theirs = Store(bauamt)
    az_there = _only_vorgang(theirs)
    assert az_there.startswith("BA-") and az in theirs.get(az_there).betreff
    shown = _bt(run, ablage, "zeige", az).out
    assert "bei Bauamt: Eingang seit" in shown and az_there in shown
    _bt(run, bauamt, "status", az_there, "in-bearbeitung")
    assert "bei Bauamt: In Bearbeitung seit" in _bt(run, ablage, "zeige", az).out
    assert store.get(az).status is Status.WARTET
    _bt(run, bauamt, "status", az_there, "erledigt")
    shown = _bt(run, ablage, "zeige", az).out
    assert "bei Bauamt: Erledigt seit" in shown
    v = store.get(az)
    assert v.weiterleitungen[0].antwort_wie == "ablage" and v.status is Status.IN_BEARBEITUNG and v.bei_stelle == []


def test_rueckmeldung_in_time_or_late_and_due_lists(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    bauamt, _created = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt")
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    tz = ZoneInfo("Europe/Berlin")
    clock = FixedClock(datetime(2026, 1, 9, 17, 0, tzinfo=tz))  # Friday 17:00
    store = Store(open_ablage(ablage.root), clock=clock)  # the settings with the Stelle
    ctx = Context.of(store)
    items = []
    for betreff in ("Pünktlich", "Zu spät"):
        res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", betreff, "--von", "E. Muster", "--json")
        items.append(json.loads(res.out)["aktenzeichen"])
    for az in items:
        [w] = ops.weiterleiten(ctx, az, "bauamt").vorgang.weiterleitungen
        assert w.rueckmeldung_bis == datetime(2026, 1, 14, 11, 0, tzinfo=tz)  # Wednesday 11:00
    assert clock.advance(days=4, hours=17, minutes=59) == datetime(2026, 1, 14, 10, 59, tzinfo=tz)
    ops.rueckmeldung_notiz(ctx, items[0], "Bürgerin angerufen: Bauamt prüft")
    clock.advance(minutes=2)  # Wednesday 11:01: too late
    ops.rueckmeldung_notiz(ctx, items[1], "Bürgerin angerufen")
    on_time, late = (store.get(az).weiterleitungen[0] for az in items)
    assert on_time.rueckmeldung_rechtzeitig is True and late.rueckmeldung_rechtzeitig is False
    lines = [e.details for e in read_history(store.get(items[1]).ordner) if e.aktion == "Rückmeldung an Bürger"]  # type: ignore[arg-type]
    assert lines and "zu spät" in lines[0]
    # the Stelle's answer is still open and overdue (40 service hours from Fr 17:00 = Fr 16.01. 17:00 … now later):
    due = json.loads(_bt(run, ablage, "liste", "--faellig", "--json").out)
    assert sorted(v["aktenzeichen"] for v in due) == sorted(items)
    # the CLI note does the same through the command line
    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Dritter", "--von", "E. Muster", "--json")
    third = json.loads(res.out)["aktenzeichen"]
    _bt(run, ablage, "weiterleiten", third, "--an", "bauamt")
    _bt(run, ablage, "notiz", third, "Rückruf: Bauamt meldet sich", "--rueckmeldung")
    assert Store(ablage).get(third).weiterleitungen[0].rueckmeldung_rechtzeitig is True


# --- --buerger-informieren ---------------------------------------------------------------------------------------


def test_buerger_informieren_sends_the_weiterleitung_message_and_counts_as_rueckmeldung(
    run: Run, ablage: Ablage, sink: SmtpSink
) -> None:
    """End to end through aiosmtpd: the Stelle gets the forwarding, the citizen the existing 'weiterleitung'
    message (to the citizen's address, Aktenzeichen in the subject), filed in the Vorgang; it is the Rückmeldung,
    and a transfer is no resolution: the Vorgang still waits for the Stelle."""
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT})
    store = Store(ablage)
    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Carport genehmigungspflichtig?",
              "--von", "Jonas Becker", "--email", "j.becker@example.org", "--text", "Brauche ich eine Genehmigung?",
              "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]

    out = _bt(run, ablage, "weiterleiten", az, "--an", "bauamt", "--buerger-informieren").out
    assert "Bürger informiert: E-Mail an Jonas Becker <j.becker@example.org>" in out
    by_rcpt = {r.rcpt_tos[0]: r.message for r in sink.take()}
    assert sorted(by_rcpt) == ["bauamt@musterstadt.example", "j.becker@example.org"]
    mail = by_rcpt["j.becker@example.org"]
    subject = str(mail["Subject"]).strip()  # folded after "Subject:" (a long line): Python keeps the space
    assert subject.startswith("Weitergeleitet an Bauamt: Carport genehmigungspflichtig?") and f"[Az. {az}]" in subject
    assert "j.becker@example.org" in str(mail["To"]) and AMT["email"] in str(mail["From"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "ist eine andere Stelle zuständig" in text and "  Bauamt" in text.splitlines() and az in text

    v = store.get(az)
    [outgoing] = [n for n in v.nachrichten if n.richtung == "ausgang" and n.betreff == subject]
    assert v.ordner is not None and (v.ordner / "Nachrichten" / outgoing.datei).is_file()  # filed in the Vorgang
    assert outgoing.message_id == str(mail["Message-ID"]).strip("<>")
    [w] = v.weiterleitungen
    assert w.rueckmeldung is not None and w.rueckmeldung_rechtzeitig is True
    history = [(e.aktion, e.details) for e in read_history(v.ordner)]
    assert any(a == "Rückmeldung an Bürger" and "rechtzeitig" in d and "Bauamt" in d for a, d in history), history
    assert v.status is Status.WARTET and v.bei_stelle == ["Bauamt"]  # informed, still waiting for the Stelle
    assert az not in json.dumps(
        [x["aktenzeichen"] for x in json.loads(_bt(run, ablage, "liste", "--faellig", "--json").out)]
    )


def test_buerger_informieren_without_address_writes_the_letter_and_a_failure_never_undoes_the_forwarding(
    run: Run, ablage: Ablage, tmp_path: Path
) -> None:
    """No e-mail address: the 'weiterleitung' letter is written into Ausgang (counts as Rückmeldung). With an
    address but no mail server, the forwarding (into the Stelle's Ablage) stands and the clerk is told."""
    bauamt, _created = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt")
    set_config(ablage.root, {"amt": AMT, "stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    store = Store(ablage)
    res = _bt(run, ablage, "neu", "--kanal", "brief", "--betreff", "Zaun zum Nachbarn", "--von", "Erika Muster",
              "--anschrift", "Hauptstraße 1\n12345 Musterstadt", "--json")  # fmt: skip
    letter_az = json.loads(res.out)["aktenzeichen"]
    out = _bt(run, ablage, "weiterleiten", letter_az, "--an", "bauamt", "--buerger-informieren").out
    assert "Bürger informiert: Brief" in out and "ausdrucken" in out
    v = store.get(letter_az)
    assert v.ordner is not None
    [letter] = [p for p in (v.ordner / "Ausgang").iterdir() if p.suffix == ".docx"]
    from docx import Document

    text = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert "ist eine andere Stelle zuständig" in text and "Bauamt" in text and letter_az in text
    assert v.weiterleitungen[0].rueckmeldung is not None and v.weiterleitungen[0].rueckmeldung_rechtzeitig is True

    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Hecke", "--von", "Tom Muster",
              "--email", "tom@example.org", "--json")  # fmt: skip
    mail_az = json.loads(res.out)["aktenzeichen"]
    failed = run("--ablage", str(ablage.root), "weiterleiten", mail_az, "--an", "bauamt", "--buerger-informieren")
    assert failed.code == 0, failed.err  # the forwarding is saved: never reported as a failure
    assert "NICHT informiert" in failed.err
    v = store.get(mail_az)
    assert v.bei_stelle == ["Bauamt"] and v.weiterleitungen[0].rueckmeldung is None  # still owed


def test_text_datei_chosen_attachments_and_the_office_s_own_template(
    run: Run, ablage: Ablage, sink: SmtpSink, tmp_path: Path
) -> None:
    """--text-datei goes into the mail as the clerk's note, --anlagen DATEI sends only that file, and a
    'weiterleitung_intern' in the Ablage's Vorlagen folder replaces the shipped one (editable like the others)."""
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT})
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = CITIZEN, AMT["email"], "Carport mit Anbau"
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content("Guten Tag,\nich plane einen Carport mit Geräteraum.\n")
    for name in ("Lageplan.pdf", "Ansicht.pdf"):
        msg.add_attachment(f"%PDF-1.4 {name}".encode(), maintype="application", subtype="pdf", filename=name)
    eml = tmp_path / "anfrage.eml"
    eml.write_bytes(crlf(msg.as_bytes()))
    _bt(run, ablage, "mail", "einlesen", str(eml))
    az = _only_vorgang(Store(ablage))
    own = ablage.root / "Vorlagen" / "weiterleitung_intern.txt.j2"
    own.parent.mkdir(exist_ok=True)
    own.write_text(
        "Betreff: Bitte um Prüfung: {{ vorgang.betreff }}\n\nLiebe Kolleginnen und Kollegen im {{ stelle }},\n\n"
        "{{ anliegen }}\n\n{% if hinweis is defined %}Hinweis: {{ hinweis }}\n{% endif %}"
        "Antwort bis {{ antwort_bis }}\n",
        encoding="utf-8",
    )
    note = tmp_path / "hinweis.txt"
    note.write_text("Bitte vor allem den Geräteraum prüfen.\n", encoding="utf-8-sig")

    both = run(
        "--ablage", str(ablage.root), "weiterleiten", az, "--an", "bauamt", "--text", "x", "--text-datei", str(note)
    )
    assert both.code == 2 and "nur --text oder --text-datei" in both.err
    missing = run("--ablage", str(ablage.root), "weiterleiten", az, "--an", "bauamt", "--anlagen", "Grundriss.pdf")
    assert missing.code == 2 and "Grundriss.pdf: nicht gefunden" in missing.err
    assert sink.take() == [] and Store(ablage).get(az).weiterleitungen == []  # nothing forwarded

    _bt(run, ablage, "weiterleiten", az, "--an", "bauamt", "--text-datei", str(note), "--anlagen", "Lageplan.pdf")
    [sent] = sink.take()
    mail = sent.message
    assert str(mail["Subject"]).strip().startswith("Bitte um Prüfung: Carport mit Anbau") and f"[Az. {az}]" in str(
        mail["Subject"]
    )
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Liebe Kolleginnen und Kollegen im Bauamt" in text and "Carport mit Geräteraum" in text
    assert "Hinweis: Bitte vor allem den Geräteraum prüfen." in text
    assert [part.get_filename() for part in mail.iter_attachments()] == ["Lageplan.pdf"]


def test_an_own_template_with_a_field_weiterleiten_does_not_set_is_a_template_error(
    run: Run, ablage: Ablage, sink: SmtpSink
) -> None:
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "stellen.bauamt": BAUAMT})
    res = _bt(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Carport", "--von", "E. Muster", "--json")
    az = json.loads(res.out)["aktenzeichen"]
    own = ablage.root / "Vorlagen" / "weiterleitung_intern.txt.j2"
    own.parent.mkdir(exist_ok=True)
    own.write_text("Betreff: {{ vorgang.betreff }}\n\n{{ anliegen }}\nDurchwahl: {{ durchwahl }}\n", encoding="utf-8")
    res = run("--ablage", str(ablage.root), "weiterleiten", az, "--an", "bauamt")
    assert res.code == 1, res.err
    assert (
        "Die Vorlage „weiterleitung_intern“" in res.err
        and "Feld „durchwahl“ fehlt – wird hier nicht gesetzt" in res.err
    )
    assert "--feld" not in res.err and "vorlagen pruefen" in res.err
    assert sink.take() == [] and Store(ablage).get(az).weiterleitungen == []  # nothing sent, nothing recorded
