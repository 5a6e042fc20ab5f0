"""The mail intake pipeline: duplicates, threading, automatic mail, reopening, the whole corpus."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from buero_ticket import history
from buero_ticket.clock import system_clock
from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter
from buero_ticket.mail.parse import iter_mbox, parse_mail
from buero_ticket.models import Status
from buero_ticket.store import ANLAGEN_DIR, META_NAME, NACHRICHTEN_DIR, Store

from .conftest import CORPUS


def make_mail(
    subject: str = "Frage zum Parkausweis",
    sender: str = "Jonas Becker <j.becker@example.org>",
    body: str = "Guten Tag,\nwelche Unterlagen brauche ich?\n",
    in_reply_to: str = "",
    headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "buergerbuero@musterstadt.example"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.org")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="pdf", filename=attachment[0])
    return msg.as_bytes()


@pytest.fixture
def importer(store: Store) -> MailImporter:
    index = Index(store)
    index.refresh()
    return MailImporter(store, index)


def _mid(raw: bytes) -> str:
    return parse_mail(raw).message_id


def test_new_mail_becomes_vorgang_with_exact_bytes(importer: MailImporter, store: Store) -> None:
    raw = make_mail(attachment=("../../CON.pdf", b"%PDF-1.4 test"))
    result = importer.import_raw(raw, "test")
    assert result.kind == "neu"
    v = store.get(result.aktenzeichen)
    assert v.absender.email == "j.becker@example.org" and v.kanal.value == "email"
    [n] = v.nachrichten
    assert (v.ordner / NACHRICHTEN_DIR / n.datei).read_bytes() == raw  # type: ignore[operator]
    assert "welche Unterlagen" in (v.ordner / NACHRICHTEN_DIR / n.text_datei).read_text(encoding="utf-8")  # type: ignore[operator]
    assert n.anlagen == ["_CON.pdf"]
    assert (v.ordner / ANLAGEN_DIR / "_CON.pdf").read_bytes() == b"%PDF-1.4 test"  # type: ignore[operator]


def test_same_mail_twice_and_same_message_id_to_two_addresses(importer: MailImporter, store: Store) -> None:
    raw = make_mail()
    first = importer.import_raw(raw, "a")
    assert importer.import_raw(raw, "b").kind == "doppelt"
    other_copy = b"Delivered-To: poststelle@musterstadt.example\r\n" + raw  # same Message-ID, other bytes
    assert importer.import_raw(other_copy, "c").kind == "doppelt"
    # a new importer (next run) still knows it, from the ledger and from the folders
    fresh = MailImporter(store, Index(store))
    assert fresh.import_raw(raw, "d").aktenzeichen == first.aktenzeichen
    assert fresh.import_raw(raw, "d").kind == "doppelt"


def test_crash_between_vorgang_and_ledger_is_no_duplicate(importer: MailImporter, store: Store) -> None:
    raw = make_mail()
    result = importer.import_raw(raw, "a")
    for path in importer.ledger.rglob("*.txt"):  # as if the process died before recording
        path.unlink()
    index = Index(store)
    index.refresh()
    again = MailImporter(store, index).import_raw(raw, "again")
    assert again.kind == "doppelt" and again.aktenzeichen == result.aktenzeichen


def test_reply_by_in_reply_to_is_added(importer: MailImporter, store: Store) -> None:
    first = make_mail()
    created = importer.import_raw(first, "a")
    reply = make_mail(subject="Re: Frage zum Parkausweis", in_reply_to=f"<{_mid(first)}>", sender="x@other.example")
    result = importer.import_raw(reply, "b")
    assert result.kind == "folge" and result.aktenzeichen == created.aktenzeichen
    assert len(store.get(created.aktenzeichen).nachrichten) == 2


def test_subject_tag_needs_known_sender(importer: MailImporter, store: Store) -> None:
    created = importer.import_raw(make_mail(), "a")
    tagged = f"Re: [Az. {created.aktenzeichen}] Frage"
    known = importer.import_raw(make_mail(subject=tagged), "b")
    assert known.kind == "folge" and known.aktenzeichen == created.aktenzeichen
    stranger = importer.import_raw(make_mail(subject=tagged, sender="Fremd <fremd@evil.example>"), "c")
    assert stranger.kind == "neu" and stranger.aktenzeichen != created.aktenzeichen
    assert store.get(stranger.aktenzeichen).verknuepft == [created.aktenzeichen]
    assert len(store.get(created.aktenzeichen).nachrichten) == 2  # the stranger wrote nothing into it


def test_reply_to_done_vorgang_reopens_or_links(importer: MailImporter, store: Store) -> None:
    first = make_mail()
    created = importer.import_raw(first, "a")
    store.set_status(created.aktenzeichen, Status.ERLEDIGT)
    reply = make_mail(subject="Re: noch eine Frage", in_reply_to=f"<{_mid(first)}>")
    result = importer.import_raw(reply, "b")
    assert result.kind == "folge" and result.aktenzeichen == created.aktenzeichen
    assert store.get(created.aktenzeichen).status is Status.EINGANG

    store.set_status(created.aktenzeichen, Status.ARCHIV)
    old = system_clock() - timedelta(days=400)

    def backdate(v):  # type: ignore[no-untyped-def]
        v.erledigt = old
        return [history.entry("Test", "zurückdatiert", zeit=system_clock(), benutzer="Test")]

    store.update(created.aktenzeichen, backdate)
    late = make_mail(subject="Re: nach einem Jahr", in_reply_to=f"<{_mid(first)}>")
    linked = importer.import_raw(late, "c")
    assert linked.kind == "neu" and store.get(linked.aktenzeichen).verknuepft == [created.aktenzeichen]
    assert store.get(created.aktenzeichen).status is Status.ARCHIV


def test_out_of_office_is_a_note_and_never_reopens(importer: MailImporter, store: Store) -> None:
    first = make_mail()
    created = importer.import_raw(first, "a")
    store.set_status(created.aktenzeichen, Status.ERLEDIGT)
    ooo = make_mail(
        subject="Abwesenheitsnotiz: Frage",
        in_reply_to=f"<{_mid(first)}>",
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )
    result = importer.import_raw(ooo, "b")
    assert result.kind == "automatisch" and result.aktenzeichen == created.aktenzeichen
    v = store.get(created.aktenzeichen)
    assert v.status is Status.ERLEDIGT and v.nachrichten[-1].automatisch
    stray = importer.import_raw(make_mail(subject="Out of office", headers={"Precedence": "bulk"}), "c")
    assert stray.kind == "automatisch" and stray.aktenzeichen == "" and stray.path is not None
    assert stray.path.is_file() and stray.path.parent.name == "Automatische Mails"
    assert len(list(store.ablage.iter_vorgang_dirs())) == 1  # no new Vorgang from automatic mail


def test_formula_and_control_chars_in_subject_are_kept_as_text(importer: MailImporter, store: Store) -> None:
    raw = make_mail(subject="=cmd|' /C calc'!A0 \x07 Antrag")
    result = importer.import_raw(raw, "a")
    v = store.get(result.aktenzeichen)
    assert v.betreff.startswith("=cmd|")
    assert v.ordner is not None and "|" not in v.ordner.name and "\x07" not in v.ordner.name


def _corpus_messages() -> list[tuple[str, bytes]]:
    items: list[tuple[str, bytes]] = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix == ".eml":
            items.append((str(path.relative_to(CORPUS)), path.read_bytes()))
        elif path.suffix == ".mbox":
            for n, raw in enumerate(iter_mbox(path), 1):
                items.append((f"{path.relative_to(CORPUS)}#{n}", raw))
    return items


def test_whole_corpus_goes_through_the_importer(importer: MailImporter, store: Store) -> None:
    items = _corpus_messages()
    assert len(items) > 150
    outcomes: dict[str, int] = {}
    for name, raw in items:
        result = importer.import_raw(raw, name)
        outcomes[result.kind] = outcomes.get(result.kind, 0) + 1
        assert result.kind in {"neu", "folge", "automatisch", "doppelt", "quarantaene"}, name
        if result.kind == "quarantaene":
            assert result.reason and result.path is not None and result.path.is_file(), name
            continue
        if result.kind in {"neu", "folge"}:
            _check_stored(store, result.aktenzeichen, raw, name)
    assert outcomes.get("neu", 0) > 100, outcomes
    report = store.ablage.root / "corpus-ergebnis.json"
    report.write_text(json.dumps(outcomes))


def _check_stored(store: Store, az: str, raw: bytes, name: str) -> None:
    folder = store.find(az)
    meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    digest = hashlib.sha256(raw).hexdigest()
    [entry] = [n for n in meta["nachrichten"] if n["sha256"] == digest]
    assert hashlib.sha256((folder / NACHRICHTEN_DIR / entry["datei"]).read_bytes()).hexdigest() == digest, name
    expected = len(parse_mail(raw).attachments)
    assert len(entry["anlagen"]) == expected, name
    for anlage in entry["anlagen"]:
        assert (folder / ANLAGEN_DIR / anlage).is_file(), name
        assert len(str(folder / ANLAGEN_DIR / anlage)) < 240


def test_einlesen_cli_reads_eml_and_mbox(run, ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    eml = tmp_path / "Anfrage.eml"
    eml.write_bytes(make_mail())
    mbox = CORPUS / "cpython" / "mailbox_01.mbox"
    res = run("--ablage", str(ablage.root), "mail", "einlesen", str(eml), str(mbox))
    assert res.code == 0, res.err
    assert "neue Vorgänge" in res.out
    again = run("--ablage", str(ablage.root), "mail", "einlesen", str(eml))
    assert "0 neue Vorgänge" in again.out and "1 bereits importiert" in again.out


def test_reused_message_id_with_other_content_is_not_lost(importer: MailImporter, store: Store) -> None:
    first = make_mail(subject="Erste Anfrage")
    mid = _mid(first)
    second = first.replace(b"Erste Anfrage", b"Ganz andere Anfrage")
    assert _mid(second) == mid
    assert importer.import_raw(first, "a").kind == "neu"
    result = importer.import_raw(second, "b")
    assert result.kind == "neu", "a reused Message-ID must not swallow a different mail"
