"""What "bereits importiert" means: same content or same IMAP UID, never a Message-ID alone (issue 10, item 3)."""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter, content_key
from buero_ticket.store import NACHRICHTEN_DIR, Store

from .test_intake_mail import make_mail

TRANSPORT = (
    b"Return-Path: <j.becker@example.org>\n"
    b"Delivered-To: poststelle@musterstadt.example\n"
    b"X-Original-To: poststelle@musterstadt.example\n"
    b"Received: from mx1.musterstadt.example (mx1 [10.0.0.1])\n\tby imap.musterstadt.example; Mon, 1 Dec 2026\n"
    b"X-Spam-Status: No, score=-1.0\n"
)


@pytest.fixture
def importer(store: Store) -> MailImporter:
    index = Index(store)
    index.refresh()
    return MailImporter(store, index)


def next_run(store: Store, *, forget_ledger: bool = False) -> MailImporter:
    """A new importer, as in the next scheduled run; ``forget_ledger``: as if the ledger was lost (crash)."""
    if forget_ledger:
        for path in (store.ablage.state_dir / "importiert").rglob("*.txt"):
            path.unlink()
    index = Index(store)
    index.refresh()
    return MailImporter(store, index)


def history(store: Store, az: str) -> str:
    return (store.find(az) / "verlauf.txt").read_text(encoding="utf-8")


def stored_originals(store: Store, az: str) -> list[bytes]:
    vorgang = store.get(az)
    assert vorgang.ordner is not None
    return [(vorgang.ordner / NACHRICHTEN_DIR / n.datei).read_bytes() for n in vorgang.nachrichten]


def test_same_fingerprint_with_other_content_is_stored_in_the_same_vorgang(
    importer: MailImporter, store: Store
) -> None:
    date = {"Date": "Mon, 30 Nov 2026 10:00:00 +0100"}
    first = make_mail(body="Ich möchte einen Termin für Sperrmüll.\n", headers=date)
    second = first.replace(b"Termin f", b"Termin am Freitag f")  # a contact form that reuses its Message-ID
    assert first != second
    a = importer.import_raw(first, "Postfach, UID 1")
    b = importer.import_raw(second, "Postfach, UID 2")
    assert (a.kind, b.kind) == ("neu", "folge") and b.aktenzeichen == a.aktenzeichen
    assert "anderer Inhalt" in b.reason
    assert stored_originals(store, a.aktenzeichen) == [first, second]
    assert len(list(store.ablage.iter_vorgang_dirs())) == 1
    line = [ln for ln in history(store, a.aktenzeichen).splitlines() if "Weitere Fassung" in ln]
    assert len(line) == 1 and "anderem Inhalt" in line[0] and "Postfach, UID 2" in line[0]
    # and both are known from now on, also to the next run without the ledger
    again = next_run(store, forget_ledger=True)
    assert again.import_raw(second, "x").kind == "doppelt" and again.import_raw(first, "y").kind == "doppelt"
    assert len(store.get(a.aktenzeichen).nachrichten) == 2


def test_a_third_fassung_is_compared_with_every_stored_one(importer: MailImporter, store: Store) -> None:
    first = make_mail(body="Fassung A\n")
    variants = [first, first.replace(b"Fassung A", b"Fassung B"), first.replace(b"Fassung A", b"Fassung C")]
    results = [importer.import_raw(raw, f"Nr. {i}") for i, raw in enumerate(variants)]
    assert [r.kind for r in results] == ["neu", "folge", "folge"]
    assert next_run(store, forget_ledger=True).import_raw(variants[1], "noch mal").kind == "doppelt"
    assert stored_originals(store, results[0].aktenzeichen) == variants


@pytest.mark.parametrize("forget_ledger", [False, True])
def test_the_same_mail_with_other_transport_headers_is_a_duplicate(store: Store, forget_ledger: bool) -> None:
    raw = make_mail()
    first = next_run(store).import_raw(raw, "an poststelle@")
    copy = (TRANSPORT + raw).replace(b"\n", b"\r\n")  # another route, another server, CRLF from IMAP
    result = next_run(store, forget_ledger=forget_ledger).import_raw(copy, "an buergerbuero@")
    assert result.kind == "doppelt" and result.aktenzeichen == first.aktenzeichen
    assert stored_originals(store, first.aktenzeichen) == [raw]


def test_a_changed_content_header_is_no_transport_header(importer: MailImporter, store: Store) -> None:
    raw = make_mail(headers={"X-Formular": "Feld 1"})
    changed = raw.replace(b"X-Formular: Feld 1", b"X-Formular: Feld 2")
    assert content_key(raw) != content_key(changed)
    assert content_key(raw) == content_key(TRANSPORT + raw) == content_key((TRANSPORT + raw).replace(b"\n", b"\r\n"))
    assert importer.import_raw(raw, "a").kind == "neu" and importer.import_raw(changed, "b").kind == "folge"


def test_the_same_imap_message_is_a_duplicate_whatever_its_bytes(importer: MailImporter, store: Store) -> None:
    raw = make_mail()
    first = importer.import_raw(raw, "Postfach", uid_key="1700000000/17")
    changed = raw + b"\n-- \nvom Server angehaengt\n"
    refetched = importer.import_raw(changed, "Postfach", uid_key="1700000000/17")
    assert refetched.kind == "doppelt" and refetched.aktenzeichen == first.aktenzeichen
    assert len(store.get(first.aktenzeichen).nachrichten) == 1


def test_einlesen_reports_the_fassung_and_the_duplicate(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    first = make_mail(body="Erste Fassung\n")
    files = {"a.eml": first, "b.eml": first.replace(b"Erste", b"Zweite"), "c.eml": TRANSPORT + first}
    for name, data in files.items():
        (ablage.root.parent / name).write_bytes(data)
    res = run("--ablage", str(ablage.root), "mail", "einlesen", *(str(ablage.root.parent / n) for n in files))
    assert res.code == 0, res.err
    assert "b.eml: zugeordnet zu" in res.out and "anderer Inhalt" in res.out
    assert "c.eml: bereits importiert" in res.out
    [(_s, entry)] = list(ablage.iter_vorgang_dirs())
    meta = json.loads((ablage.root / entry.path / "vorgang.json").read_text(encoding="utf-8"))
    assert len(meta["nachrichten"]) == 2
