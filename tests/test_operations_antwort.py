"""The answer operations without the CLI: a letter, a reply (draft, then sent over a real SMTP server) and the
acknowledgement of receipt, each on a real Ablage with a fixed clock; the files reopened with python-docx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from docx import Document

from buero_ticket import history
from buero_ticket.ablage import Ablage, open_ablage
from buero_ticket.antwort.smtp import VersandFehler
from buero_ticket.clock import FixedClock
from buero_ticket.errors import Exit, translate
from buero_ticket.intake.mail import incoming_from_mail
from buero_ticket.mail.parse import parse_mail
from buero_ticket.models import Absender, Incoming, Kanal
from buero_ticket.operations import antwort as antwort_ops
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations.context import Context
from buero_ticket.store import AUSGANG_DIR, NACHRICHTEN_DIR, Store
from tests.smtp_sink import SmtpSink, free_port, set_config

from .test_intake_mail import make_mail

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
AMT = {"name": "Bürgerbüro Musterstadt", "email": "buergerbuero@musterstadt.example"}
ERIKA = Absender("Erika Muster", "erika@example.org", anschrift="Hauptstraße 5, 89073 Ulm")


def _ctx(ablage: Ablage, **sections: dict[str, Any]) -> Context:
    set_config(ablage.root, {"amt": AMT, **sections})
    return Context.of(Store(open_ablage(ablage.root), clock=FixedClock(T0), user="mweber"))


def _new(ctx: Context) -> str:
    item = Incoming(kanal=Kanal.EMAIL, betreff="Sperrmüll Termin", absender=ERIKA, zeit=ctx.clock(), text="Wann?")
    return ops.create(ctx, item).aktenzeichen


def _docx_text(path: Any) -> str:
    doc = Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_file_letter_puts_a_word_file_into_ausgang(ablage: Ablage) -> None:
    ctx = _ctx(ablage)
    az = _new(ctx)
    result = antwort_ops.file_letter(ctx, az, "rueckfrage", {"unterlagen": "Personalausweis"}, pdf=False)
    folder = ctx.store.find(az)
    assert result.pdf is None and result.docx == folder / AUSGANG_DIR / "2026-03-02 Rückfrage.docx"
    text = _docx_text(result.docx)
    assert "Personalausweis" in text and "Hauptstraße 5" in text
    assert "Datum\t02.03.2026" in text  # the letter's date is the clock's, like its file name
    last = history.read_history(folder)[-1]
    assert (last.aktion, last.zeit, last.benutzer) == ("Brief erstellt", T0, "mweber")  # the injected clock and user
    assert len(ctx.store.get(az).nachrichten) == 1  # a letter is a file in Ausgang, no message


def test_send_reply_files_a_draft_then_the_mail_as_sent(ablage: Ablage, sink: SmtpSink) -> None:
    ctx = _ctx(ablage, smtp=sink.toml())
    az = _new(ctx)
    draft = antwort_ops.send_reply(ctx, az, "antwort", {"text": "Abholung am 3.12."}, senden=False)
    assert not draft.sent and sink.received == [] and draft.datei.parent.name == NACHRICHTEN_DIR
    assert ctx.store.get(az).antwort_gesendet is None
    sent = antwort_ops.send_reply(ctx, az, "antwort", {"text": "Abholung am 3.12."}, senden=True)
    [got] = sink.take()
    assert sent.sent and got.rcpt_tos == ["erika@example.org"]
    assert sent.datei.read_bytes() == got.raw  # filed byte for byte, in Nachrichten
    vorgang = ctx.store.get(az)
    assert [n.richtung for n in vorgang.nachrichten] == ["eingang", "ausgang", "ausgang"]
    assert vorgang.nachrichten[-1].zeit == T0 and vorgang.antwort_gesendet == T0
    lines = history.read_history(ctx.store.find(az))
    assert "Antwort gesendet" in [e.aktion for e in lines]
    assert {(e.zeit, e.benutzer) for e in lines} == {(T0, "mweber")}


def test_acknowledge_sends_and_files_an_automatic_mail(ablage: Ablage, sink: SmtpSink) -> None:
    ctx = _ctx(ablage, smtp={**sink.toml(), "eingangsbestaetigung": True})
    parsed = parse_mail(make_mail(subject="Baum umgestürzt", sender="Erika Muster <erika@example.org>"))
    vorgang = ops.create(ctx, incoming_from_mail(parsed, "Test", ctx.clock()))
    antwort_ops.acknowledge(ctx, vorgang, parsed)
    [ack] = sink.take()
    assert ack.rcpt_tos == ["erika@example.org"] and ack.message["Auto-Submitted"] == "auto-replied"
    stored = ctx.store.get(vorgang.aktenzeichen)
    assert [(n.richtung, n.automatisch) for n in stored.nachrichten] == [("eingang", False), ("ausgang", True)]
    assert stored.antwort_gesendet is None  # an acknowledgement is no answer
    assert {(e.zeit, e.benutzer) for e in history.read_history(ctx.store.find(vorgang.aktenzeichen))} == {
        (T0, "mweber")
    }


def test_a_refused_acknowledgement_is_a_history_line_with_the_injected_clock(ablage: Ablage, sink: SmtpSink) -> None:
    ctx = _ctx(ablage, smtp={**sink.toml(), "eingangsbestaetigung": True})
    parsed = parse_mail(make_mail(subject="Re: Abwesenheitsnotiz", sender="Erika Muster <erika@example.org>"))
    vorgang = ops.create(ctx, incoming_from_mail(parsed, "Test", ctx.clock()))
    antwort_ops.acknowledge(ctx, vorgang, parsed)
    assert sink.take() == []
    last = history.read_history(ctx.store.find(vorgang.aktenzeichen))[-1]
    assert (last.aktion, last.zeit, last.benutzer) == ("Keine Eingangsbestätigung", T0, "mweber")


def test_a_mail_without_a_plausible_date_gets_the_stores_time(ablage: Ablage) -> None:
    ctx = _ctx(ablage)
    for date_header in ("Thu, 01 Jan 1970 00:00:00 +0000", ""):
        headers = {"Date": date_header} if date_header else {}
        parsed = parse_mail(make_mail(sender="Erika Muster <erika@example.org>", headers=headers))
        assert incoming_from_mail(parsed, "Test", ctx.clock()).zeit == T0
    dated = parse_mail(make_mail(headers={"Date": "Sun, 01 Mar 2026 18:00:00 +0100"}))
    assert incoming_from_mail(dated, "Test", ctx.clock()).zeit == datetime(2026, 3, 1, 17, tzinfo=UTC)


def test_a_server_that_is_not_there_is_said_in_german_and_the_draft_is_kept(ablage: Ablage) -> None:
    ctx = _ctx(ablage, smtp={"server": "127.0.0.1", "port": free_port(), "verschluesselung": "keine"})
    az = _new(ctx)
    with pytest.raises(VersandFehler) as info:
        antwort_ops.send_reply(ctx, az, "antwort", {"text": "Abholung am 3.12."}, senden=True)
    meldung = translate(info.value)
    assert meldung.exit_code == Exit.VERBINDUNG and "nicht erreichbar" in meldung.text and "Entwurf" in meldung.text
    assert "Error" not in meldung.text and "Errno" not in meldung.text  # no Python text for the clerk
    assert isinstance(info.value.__cause__, OSError)  # the technical cause stays (--debug, log)
    assert [n.richtung for n in ctx.store.get(az).nachrichten] == ["eingang", "ausgang"]  # the draft


def test_vorlagen_pruefen_finds_the_shipped_templates_in_order(ablage: Ablage) -> None:
    from buero_ticket.operations.vorlagen import pruefen

    report = pruefen(_ctx(ablage))
    assert len(report.checks) >= 5 and report.problem_count == 0
