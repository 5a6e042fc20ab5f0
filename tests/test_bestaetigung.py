"""Acknowledgement of receipt on import: headers, loop protection, daily limit, failures (real SMTP server)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage, init_ablage, open_ablage
from buero_ticket.clock import FixedClock, system_clock
from buero_ticket.index import Index
from buero_ticket.intake.mail import ImportResult, MailImporter
from buero_ticket.mail.parse import AutoKind, parse_mail
from buero_ticket.store import Store
from tests.smtp_sink import SmtpSink, free_port, set_config

from .test_intake_mail import make_mail

ABSENDER = "Bürgerbüro Musterstadt <versand@musterstadt.example>"
AMT = {"name": "Bürgerbüro Musterstadt", "email": "buergerbuero@musterstadt.example"}
IMAP_USER = "postfach@musterstadt.example"
CITIZEN = "Jörg Müller <j.mueller@example.org>"


def configure(
    ablage: Ablage, smtp: dict[str, object], *, who: tuple[str, str, str] | None = None, **extra: object
) -> MailImporter:
    """Settings for the acknowledgement (``who``: absender, [amt] email, [imap] benutzer), then a fresh importer."""
    absender, amt_email, imap_user = who or (ABSENDER, AMT["email"], IMAP_USER)
    amt = {"name": absender.split(" <")[0], "email": amt_email}
    smtp = {**smtp, "absender": absender, **extra}
    set_config(ablage.root, {"amt": amt, "smtp": smtp, "imap": {"benutzer": imap_user}})
    store = Store(open_ablage(ablage.root))
    index = Index(store)
    index.refresh()
    return MailImporter(store, index)


def verlauf(importer: MailImporter, result: ImportResult) -> str:
    folder = importer.store.find(result.aktenzeichen)
    return (folder / "verlauf.txt").read_text(encoding="utf-8")


def test_off_by_default(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml())
    result = importer.import_raw(make_mail(sender=CITIZEN), "test")
    assert result.kind == "neu" and sink.received == []
    assert "Eingangsbestätigung" not in verlauf(importer, result)


def test_acknowledgement_is_marked_automatic_and_threaded(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    raw = make_mail(
        subject="Baum vor Haus Nr. 5 umgestürzt", sender=CITIZEN, headers={"Reply-To": "joerg@privat.example"}
    )
    result = importer.import_raw(raw, "test")
    [ack] = sink.take()
    assert ack.rcpt_tos == ["joerg@privat.example"] and ack.mail_from == "versand@musterstadt.example"
    msg = ack.message
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All" and msg["Precedence"] == "auto_reply"
    assert str(msg["Subject"]) == f"Eingangsbestätigung: Baum vor Haus Nr. 5 umgestürzt [Az. {result.aktenzeichen}]"
    assert msg["In-Reply-To"] == f"<{parse_mail(raw).message_id}>"
    assert result.aktenzeichen in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert parse_mail(ack.raw).auto is AutoKind.AUTOREPLY  # our own import would never answer it
    vorgang = importer.store.get(result.aktenzeichen)
    [_incoming, stored] = vorgang.nachrichten
    assert stored.richtung == "ausgang" and stored.automatisch and f"<{stored.message_id}>" == msg["Message-ID"]
    assert vorgang.antwort_gesendet is None  # an acknowledgement is no answer
    assert "| Eingangsbestätigung gesendet | an joerg@privat.example" in verlauf(importer, result)


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("Shop <noreply@shop.example>", "automatische Adresse"),
        ("Do Not Reply <do-not-reply@bank.example>", "automatische Adresse"),
        ("Helpdesk <autoreply@helpdesk.example>", "automatische Adresse"),
        ("Wir <versand@musterstadt.example>", "eigene Adresse"),  # [smtp] absender
        ("Wir <Buergerbuero@Musterstadt.example>", "eigene Adresse"),  # [amt] email
        ("Postfach <postfach@musterstadt.example>", "eigene Adresse"),  # [imap] benutzer
    ],
)
def test_never_to_automatic_or_own_addresses(ablage: Ablage, sink: SmtpSink, sender: str, reason: str) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    result = importer.import_raw(make_mail(sender=sender), "test")
    assert result.kind == "neu" and sink.received == []
    assert f"| Keine Eingangsbestätigung | {parse_mail(make_mail(sender=sender)).from_email}" in verlauf(
        importer, result
    ) and reason in verlauf(importer, result)


def test_no_acknowledgement_for_old_mail_read_in_from_an_archive(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    old = make_mail(sender=CITIZEN, headers={"Date": format_datetime(system_clock() - timedelta(days=40))})
    result = importer.import_raw(old, "Datei Archiv.mbox")
    assert result.kind == "neu" and sink.received == []
    assert "älter als 3 Tage" in verlauf(importer, result)


def test_never_to_automatic_mail(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    for headers in ({"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"List-Id": "<news.example.org>"}):
        assert importer.import_raw(make_mail(sender=CITIZEN, headers=headers), "test").kind == "automatisch"
    bounce = make_mail(sender="MAILER-DAEMON@example.org", subject="Undelivered Mail Returned to Sender")
    assert importer.import_raw(bounce, "test").kind == "automatisch"
    assert sink.received == []


def test_daily_limit_per_address(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True, max_bestaetigungen_pro_tag=2)
    results = [importer.import_raw(make_mail(subject=f"Anliegen {i}", sender=CITIZEN), "t") for i in range(3)]
    assert [r.kind for r in results] == ["neu", "neu", "neu"]
    assert len(sink.take()) == 2
    assert "Höchstzahl" in verlauf(importer, results[2])
    other = importer.import_raw(make_mail(sender="Erika Muster <erika@example.org>"), "t")
    assert [m.rcpt_tos for m in sink.take()] == [["erika@example.org"]] and other.kind == "neu"
    [counter] = (ablage.state_dir / "bestaetigungen").glob("*.json")
    counts = json.loads(counter.read_text(encoding="utf-8"))
    per_address = [n for key, n in counts.items() if len(key) == 32]  # address hashes
    assert sorted(per_address) == [1, 2] and counts["gesamt"] == 3
    assert "example.org" not in counter.read_text(encoding="utf-8")


def test_failing_send_never_fails_the_import(ablage: Ablage) -> None:
    closed = {"server": "127.0.0.1", "port": free_port(), "verschluesselung": "keine"}  # nobody listens there
    importer = configure(ablage, closed, eingangsbestaetigung=True)
    first = importer.import_raw(make_mail(subject="Erstes", sender=CITIZEN), "t")
    second = importer.import_raw(make_mail(subject="Zweites", sender="erika@example.org"), "t")
    assert first.kind == second.kind == "neu"
    assert "| Eingangsbestätigung nicht gesendet | Der Mailserver" in verlauf(importer, first)
    assert "nicht erreichbar" in verlauf(importer, first)
    assert "kurz zuvor nicht erreichbar" in verlauf(importer, second)  # no second wait for a dead server


def test_a_server_that_failed_is_tried_again_in_the_next_run(ablage: Ablage) -> None:
    """The pause after a failed server belongs to one run (one importer), not to the process."""
    port = free_port()
    closed = {"server": "127.0.0.1", "port": port, "verschluesselung": "keine"}  # nobody listens there yet
    first_run = configure(ablage, closed, eingangsbestaetigung=True)
    first = first_run.import_raw(make_mail(subject="Erstes", sender=CITIZEN), "t")
    assert "nicht erreichbar" in verlauf(first_run, first)
    server = SmtpSink().start(port)  # the server is back for the next scheduled run
    try:
        next_run = configure(ablage, server.toml(), eingangsbestaetigung=True)
        second = next_run.import_raw(make_mail(subject="Zweites", sender="erika@example.org"), "t")
        assert [m.rcpt_tos for m in server.take()] == [["erika@example.org"]]
        assert "Eingangsbestätigung gesendet" in verlauf(next_run, second)
    finally:
        server.stop()


def _deliver(sink: SmtpSink, systems: dict[str, MailImporter], naive: set[str], limit: int = 30) -> int:
    """Pass every sent mail to its recipient until nobody writes any more; returns the number of mails."""
    total = 0
    for _round in range(limit):
        batch = sink.take()
        if not batch:
            return total
        total += len(batch)
        for mail in batch:
            [rcpt] = mail.rcpt_tos
            if rcpt in systems:
                systems[rcpt].import_raw(mail.raw, "zugestellt")
            elif rcpt in naive:  # a responder that ignores every convention answers with a fresh mail
                answer = make_mail(subject="Ihre Nachricht", sender=f"Autoresponder <{rcpt}>")
                systems[mail.mail_from].import_raw(answer, "zugestellt")
    raise AssertionError("mail loop did not stop")


def test_two_auto_responders_cannot_ping_pong(tmp_path: Path, sink: SmtpSink) -> None:
    a = configure(init_ablage(tmp_path / "A")[0], sink.toml(), eingangsbestaetigung=True)
    b_who = ("Amt B <poststelle@b.example>", "info@b.example", "postfach@b.example")
    b = configure(init_ablage(tmp_path / "B")[0], sink.toml(), who=b_who, eingangsbestaetigung=True)
    systems = {"versand@musterstadt.example": a, "poststelle@b.example": b}
    first = make_mail(sender="Amt B <poststelle@b.example>", subject="Amtshilfe")  # a person at B writes to A
    assert a.import_raw(first, "test").kind == "neu"  # A acknowledges; B sees Auto-Submitted and stays silent
    assert _deliver(sink, systems, naive=set()) == 1
    assert len(list(b.store.ablage.iter_vorgang_dirs())) == 0  # B made no Vorgang of the acknowledgement
    assert list((b.store.ablage.quarantaene_dir / "Automatische Mails").glob("*.eml"))


def test_a_naive_auto_responder_is_stopped_by_the_daily_limit(tmp_path: Path, sink: SmtpSink) -> None:
    a = configure(init_ablage(tmp_path / "A")[0], sink.toml(), eingangsbestaetigung=True, max_bestaetigungen_pro_tag=3)
    systems = {"versand@musterstadt.example": a}
    a.import_raw(make_mail(sender="Autoresponder <bot@naiv.example>", subject="Hallo"), "test")
    assert _deliver(sink, systems, naive={"bot@naiv.example"}) == 3
    assert len(list(a.store.ablage.iter_vorgang_dirs())) == 4  # every naive mail is filed, only 3 answered


# --- loops with helpdesk auto-responders (issue 10, item 13) ------------------------------------------


def configure_at(ablage: Ablage, sink: SmtpSink, clock: FixedClock, **smtp: object) -> MailImporter:
    """Like configure, with the store's clock fixed (the hourly cap must not depend on when the test runs)."""
    configure(ablage, sink.toml(), eingangsbestaetigung=True, **smtp)
    store = Store(open_ablage(ablage.root), clock=clock)
    index = Index(store)
    index.refresh()
    return MailImporter(store, index)


NOON = FixedClock(datetime(2026, 11, 30, 12, 0, 0).astimezone())


def test_a_responder_answering_from_a_new_address_each_time_is_stopped_per_domain(
    ablage: Ablage, sink: SmtpSink
) -> None:
    """ticket-1@, ticket-2@, … : the per-address cap never bites, the per-domain cap does."""
    a = configure_at(ablage, sink, NOON, max_bestaetigungen_pro_domain=3, max_bestaetigungen_pro_tag=3)
    a.import_raw(make_mail(sender="Helpdesk <ticket-0@helpdesk.example>", subject="Anfrage"), "test")
    sent = 0
    for n in range(1, 30):
        batch = sink.take()
        if not batch:
            break
        sent += len(batch)
        answer = make_mail(sender=f"Helpdesk <ticket-{n}@helpdesk.example>", subject="Ihre Nachricht")
        a.import_raw(answer, "zugestellt")  # a naive responder: no headers, a fresh address every time
    else:
        raise AssertionError("the loop did not stop")
    assert sent == 3
    last = sorted(a.store.ablage.iter_vorgang_dirs(), key=lambda e: e[1].name)[-1][1]
    assert "Höchstzahl je Domain und Tag" in (Path(last.path) / "verlauf.txt").read_text(encoding="utf-8")
    other = a.import_raw(make_mail(sender="Erika <erika@example.org>"), "test")  # other domains still get one
    assert [m.rcpt_tos for m in sink.take()] == [["erika@example.org"]] and other.kind == "neu"


def test_citizens_of_one_mail_provider_are_not_capped_per_domain(ablage: Ablage, sink: SmtpSink) -> None:
    a = configure_at(ablage, sink, NOON, max_bestaetigungen_pro_domain=2)
    for i in range(4):
        a.import_raw(make_mail(sender=f"Person {i} <person{i}@gmx.de>", subject=f"Anliegen {i}"), "test")
    assert len(sink.take()) == 4


def test_the_global_caps_per_hour_and_per_day(tmp_path: Path, sink: SmtpSink) -> None:
    clock = FixedClock(NOON.now)
    hourly = configure_at(init_ablage(tmp_path / "A")[0], sink, clock, max_bestaetigungen_pro_stunde_gesamt=2)
    results = [hourly.import_raw(make_mail(sender=f"p{i}@d{i}.example", subject=f"A {i}"), "t") for i in range(3)]
    assert len(sink.take()) == 2 and "Höchstzahl pro Stunde" in verlauf(hourly, results[2])
    clock.advance(hours=1)  # the next hour has room again
    hourly.import_raw(make_mail(sender="p9@d9.example", subject="B"), "t")
    assert len(sink.take()) == 1
    daily = configure_at(init_ablage(tmp_path / "B")[0], sink, clock, max_bestaetigungen_pro_tag_gesamt=2)
    results = [daily.import_raw(make_mail(sender=f"q{i}@e{i}.example", subject=f"C {i}"), "t") for i in range(3)]
    assert len(sink.take()) == 2 and "Höchstzahl pro Tag, alle zusammen" in verlauf(daily, results[2])


@pytest.mark.parametrize(
    "subject",
    [
        "[Ticket#2026113012345] Ihre Anfrage",
        "[#48213] Wir haben Ihre Nachricht erhalten",
        "Automatische Antwort: Sperrmüll",
        "Out of Office: Sperrmüll",
        "Abwesenheitsnotiz",
        "AW: Eingangsbestätigung: Sperrmüll [Az. 2026-00001-8]",
        "Ihre Anfrage ist bei uns eingegangen",
        "Automatic reply: Request",
        "We have received your request",
        "Thank you for contacting Stadtwerke",
    ],
)
def test_a_mail_that_looks_like_an_acknowledgement_is_never_acknowledged(
    ablage: Ablage, sink: SmtpSink, subject: str
) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    result = importer.import_raw(make_mail(sender="Service <service@stadtwerke.example>", subject=subject), "t")
    assert result.kind == "neu" and sink.received == []  # filed, so nothing is lost; not answered
    assert "sieht nach einer automatischen Antwort oder Bestätigung aus" in verlauf(importer, result)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Ihre Nachricht"},
        {"X-Auto-Response-Suppress": "All"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
        {"List-Id": "<ankuendigungen.helpdesk.example>"},
    ],
)
def test_rfc3834_and_helpdesk_headers_get_no_acknowledgement(
    ablage: Ablage, sink: SmtpSink, headers: dict[str, str]
) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    assert importer.import_raw(make_mail(sender=CITIZEN, headers=headers), "t").kind == "automatisch"
    assert sink.received == []


def test_an_ordinary_subject_still_gets_its_acknowledgement(ablage: Ablage, sink: SmtpSink) -> None:
    importer = configure(ablage, sink.toml(), eingangsbestaetigung=True)
    for subject in ("Ist mein Antrag angekommen?", "Ticket für das Stadtfest", "Antwort auf Ihr Schreiben"):
        importer.import_raw(make_mail(sender=CITIZEN, subject=subject), "t")
    assert len(sink.take()) == 3
