"""Files that are no mail and empty drops never become a Vorgang (issue 10, item 12)."""

from __future__ import annotations

import os

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from buero_ticket.index import Index
from buero_ticket.intake.einwurf import Einwurf
from buero_ticket.intake.mail import MailImporter
from buero_ticket.store import Store

from .test_intake_mail import make_mail

GARBAGE = bytes((i * 7919 + 13) % 256 for i in range(4000))  # binary noise, no header line
BROKEN = {
    "leer.eml": (b"", "leere Datei (0 Bytes)"),
    "leerzeilen.eml": (b"\r\n  \r\n\t\n", "leere Datei"),
    "nullbytes.eml": (b"\x00" * 512, "nur Nullbytes"),
    "muell.eml": (GARBAGE, "keine E-Mail-Kopfzeilen"),
    "notiz.eml": (b"Notiz: bitte zurueckrufen\n\nDanke", "keine E-Mail-Kopfzeilen"),
    "muell.mbox": (b"From nobody Mon Jan  1 00:00:00 2024\n" + b"\x00\x01garbage\xff" * 50, "keine E-Mail-Kopfzeilen"),
    "leer.mbox": (b"", "Keine E-Mail in der mbox-Datei"),
}


def vorgang_count(ablage: Ablage) -> int:
    return len(list(ablage.iter_vorgang_dirs()))


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_mail_einlesen_puts_what_is_no_mail_into_quarantine_with_a_reason(run, ablage: Ablage, name: str) -> None:  # type: ignore[no-untyped-def]
    data, reason = BROKEN[name]
    path = ablage.root.parent / name
    path.write_bytes(data)
    res = run("--ablage", str(ablage.root), "mail", "einlesen", str(path))
    assert res.code == Exit.PROBLEME, res.out + res.err
    assert f"{name}: Quarantäne:" in res.out and reason in res.out, res.out
    assert "1 Fehler" in res.out
    assert vorgang_count(ablage) == 0
    [stored] = [p for p in ablage.quarantaene_dir.iterdir() if not p.name.endswith(" - Grund.txt")]
    assert stored.read_bytes() in (data, data.partition(b"\n")[2])  # an mbox message: without its From_ line
    [why] = ablage.quarantaene_dir.glob("* - Grund.txt")
    assert reason in why.read_text(encoding="utf-8")


def test_a_real_mail_beside_a_broken_one_is_still_read(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    good, bad = ablage.root.parent / "gut.eml", ablage.root.parent / "leer.eml"
    good.write_bytes(make_mail())
    bad.write_bytes(b"")
    res = run("--ablage", str(ablage.root), "mail", "einlesen", str(bad), str(good))
    assert res.code == Exit.PROBLEME and "1 neuer Vorgang" in res.out.replace("1 neue Vorgänge", "1 neuer Vorgang")
    assert vorgang_count(ablage) == 1


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("Bescheid.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF-Dokument"),
        ("Bescheid.eml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF-Dokument"),  # a PDF with a mail's name
        ("Antrag.docx", b"PK\x03\x04\x14\x00\x06\x00", "Office-Dokument"),
        ("Foto.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "Bild"),
    ],
)
def test_mail_einlesen_refuses_a_document_and_points_to_the_einwurf(  # type: ignore[no-untyped-def]
    run, ablage: Ablage, name: str, data: bytes, kind: str
) -> None:
    path = ablage.root.parent / name
    path.write_bytes(data)
    good = ablage.root.parent / "vorher.eml"
    good.write_bytes(make_mail())
    res = run("--ablage", str(ablage.root), "mail", "einlesen", str(good), str(path))
    assert res.code == Exit.BEDIENUNG, res.out + res.err
    assert kind in res.err and "0 Einwurf" in res.err and "beobachten" in res.err
    assert vorgang_count(ablage) == 0, "refused before anything was read"
    assert not ablage.quarantaene_dir.exists() or not any(ablage.quarantaene_dir.iterdir())
    assert path.read_bytes() == data


@pytest.fixture
def einwurf(store: Store) -> Einwurf:
    result = Einwurf(store)
    result.prepare()
    return result


@pytest.fixture
def importer(store: Store, einwurf: Einwurf) -> MailImporter:
    index = Index(store)
    index.refresh()
    return einwurf.importer(index)


def _fehler(einwurf: Einwurf) -> dict[str, str]:
    """File name in _Fehler → its reason text."""
    found = {}
    for path in einwurf.error_dir.iterdir():
        if path.name.endswith(" - Grund.txt"):
            continue
        stem = path.name if path.is_dir() else path.stem
        found[path.name] = (einwurf.error_dir / f"{stem} - Grund.txt").read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("Scan.pdf", b"", "leere Datei"),
        ("Fax/Seite.tif", b"", "leere Datei"),
        ("leer.eml", b"", "leere Datei"),
        ("null.eml", b"\x00" * 64, "nur Nullbytes"),
        ("muell.eml", GARBAGE, "keine E-Mail"),
        ("muell.mbox", GARBAGE, "keine E-Mail"),
        ("leer.mbox", b"", "Keine E-Mail in der mbox-Datei"),
        ("Bescheid.eml", b"%PDF-1.7\n%\xe2\xe3\n", "PDF-Dokument"),
    ],
)
def test_empty_and_broken_drops_go_to_fehler_with_a_reason(
    einwurf: Einwurf, importer: MailImporter, store: Store, name: str, data: bytes, reason: str
) -> None:
    unit = einwurf.root / name
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_bytes(data)
    result = einwurf.process(unit, importer)
    assert result.kind == "fehler" and reason in result.reason, result
    assert vorgang_count(store.ablage) == 0
    [(stored, why)] = _fehler(einwurf).items()
    assert reason in why and "Was tun" in why
    assert (einwurf.error_dir / stored).read_bytes() == data or name.endswith(".mbox")
    assert not unit.exists()


def test_a_folder_of_empty_files_goes_to_fehler(einwurf: Einwurf, importer: MailImporter, store: Store) -> None:
    folder = einwurf.root / "Post" / "Antrag Müller"
    folder.mkdir(parents=True)
    for name in ("Seite 1.pdf", "Seite 2.pdf"):
        (folder / name).write_bytes(b"")
    result = einwurf.process(folder, importer)
    assert result.kind == "fehler" and "nur leere Dateien" in result.reason
    assert vorgang_count(store.ablage) == 0 and os.path.isdir(einwurf.error_dir / "Antrag Müller")


def test_a_small_real_file_is_still_a_vorgang(einwurf: Einwurf, importer: MailImporter, store: Store) -> None:
    unit = einwurf.root / "Notiz.txt"
    unit.write_bytes(b"x")
    assert einwurf.process(unit, importer).kind == "neu"
    assert vorgang_count(store.ablage) == 1


HEAD = (
    b"From: Erika Muster <erika@example.org>\nTo: bb@example.org\nSubject: Tief verschachtelt\n"
    b"Message-ID: <tief@example.org>\nDate: Mon, 30 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\n"
)


def nested_multipart(levels: int) -> bytes:
    body = b"Content-Type: text/plain\n\nText ganz innen\n"
    for i in range(levels):
        body = b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n%s\n--b%d--\n" % (i, i, body, i)
    return HEAD + body


def nested_messages(levels: int) -> bytes:
    body = b"Content-Type: text/plain\n\nText ganz innen\n"
    for i in range(levels):
        body = b"Content-Type: message/rfc822\n\nSubject: innen %d\n%s" % (i, body)
    return HEAD + body


@pytest.mark.parametrize("raw", [nested_multipart(1000), nested_messages(1000)], ids=["multipart", "rfc822"])
def test_a_mail_nested_1000_levels_keeps_its_outer_headers_and_raw_bytes(store: Store, raw: bytes) -> None:
    index = Index(store)
    index.refresh()
    result = MailImporter(store, index).import_raw(raw, "Postfach")
    assert result.kind == "neu", result
    vorgang = store.get(result.aktenzeichen)
    assert vorgang.betreff == "Tief verschachtelt" and vorgang.absender.email == "erika@example.org"
    assert vorgang.absender.name == "Erika Muster"
    [message] = vorgang.nachrichten
    assert message.message_id == "tief@example.org"
    assert vorgang.ordner is not None
    assert (vorgang.ordner / "Nachrichten" / message.datei).read_bytes() == raw
    text = (vorgang.ordner / "Nachrichten" / message.text_datei).read_text(encoding="utf-8")
    assert "zu tief verschachtelt" in text and "vollständig als .eml" in text
