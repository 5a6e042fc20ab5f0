"""Answers: e-mail over a real SMTP server (aiosmtpd), the IMAP round trip, Word letters, PDF, templates."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from docx import Document

from buero_ticket.ablage import Ablage, open_ablage
from buero_ticket.antwort.vorlagen import shipped_dir
from buero_ticket.clock import system_clock
from buero_ticket.errors import Exit
from buero_ticket.index import Index
from buero_ticket.intake.mail import TAG_RE, MailImporter
from buero_ticket.mail.parse import parse_mail
from tests.imap_servers import PymapServer
from tests.smtp_sink import SmtpSink, make_certificate, set_config

from .test_intake_mail import make_mail

AMT = {
    "name": "Bürgerbüro Musterstadt",
    "anschrift": "Marktplatz 1, 12345 Musterstadt",
    "email": "buergerbuero@musterstadt.example",
    "telefon": "0731 123-0",
}
CITIZEN = "Jörg Müller <j.mueller@example.org>"
TRICKY = "Müller & Söhne <GmbH>"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def import_mail(ablage: Ablage, raw: bytes) -> str:
    """Import one mail through the real pipeline; returns the Aktenzeichen."""
    from buero_ticket.store import Store

    store = Store(open_ablage(ablage.root))
    index = Index(store)
    index.refresh()
    return MailImporter(store, index).import_raw(raw, "test").aktenzeichen


def folder_of(ablage: Ablage, az: str) -> Path:
    [folder] = [Path(e.path) for _s, e in ablage.iter_vorgang_dirs() if e.name.startswith(az)]
    return folder


def meta(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def new_phone_vorgang(run, ablage: Ablage, **extra: str) -> str:  # type: ignore[no-untyped-def]
    args = ["--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll Termin", "--json"]
    args += ["--von", extra.get("von", TRICKY), "--anschrift", "Hauptstraße 5, 89073 Ulm"]
    if extra.get("email"):
        args += ["--email", extra["email"]]
    res = run(*args)
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    parts += [p.text for s in doc.sections for p in s.footer.paragraphs]
    return "\n".join(parts)


# --- e-mail over SMTP ------------------------------------------------------------------------------


def test_answer_is_threaded_tagged_encoded_and_carries_the_letter(run, ablage: Ablage, sink: SmtpSink) -> None:  # type: ignore[no-untyped-def]
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml()})
    raw = make_mail(subject="Sperrmüll: Termin für Größe XXL", sender=CITIZEN, in_reply_to="<alt.1@example.org>")
    az = import_mail(ablage, raw)
    citizen_mid = parse_mail(raw).message_id
    root = str(ablage.root)
    felder = ("--feld", "unterlagen=Meldebescheinigung", "--ohne-anschrift")  # the letter goes with the mail
    assert run("--ablage", root, "brief", az, "rueckfrage", *felder).code == 0
    [letter] = (folder_of(ablage, az) / "Ausgang").glob("*.docx")
    assert letter.name.endswith("Rückfrage.docx")
    text = f"Abholung am 3.12. durch {TRICKY}."
    res = run(
        "--ablage", root, "antworten", az, "antwort", "--feld", f"text={text}", "--anlage", letter.name, "--senden"
    )
    assert res.code == 0, res.err
    [got] = sink.take()
    assert got.mail_from == "buergerbuero@musterstadt.example" and got.rcpt_tos == ["j.mueller@example.org"]
    head = got.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head  # umlauts encoded (RFC 2047), nothing raw
    msg = got.message
    assert str(msg["Subject"]) == f"AW: Sperrmüll: Termin für Größe XXL [Az. {az}]"
    match = TAG_RE.search(" ".join(str(msg["Subject"]).split()))
    assert match is not None and match.group(1) == az  # the import's tag pattern finds it
    assert msg["To"].addresses[0].display_name == "Jörg Müller"
    assert msg["From"].addresses[0].display_name == "Bürgerbüro Musterstadt"
    assert msg["In-Reply-To"] == f"<{citizen_mid}>"
    assert str(msg["References"]).split() == ["<alt.1@example.org>", f"<{citizen_mid}>"]
    assert msg["Auto-Submitted"] is None and msg["X-Unsent"] is None
    assert text in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == letter.name and attachment.get_content() == letter.read_bytes()
    data = meta(folder_of(ablage, az))
    sent = data["nachrichten"][-1]
    assert sent["richtung"] == "ausgang" and f"<{sent['message_id']}>" == msg["Message-ID"].strip()
    assert (folder_of(ablage, az) / "Nachrichten" / sent["datei"]).read_bytes() == got.raw  # byte for byte
    assert data["antwort_gesendet"] is not None
    listed = json.loads(run("--ablage", root, "liste", "--json").out)
    assert listed[0]["antwort_gesendet"] == data["antwort_gesendet"]
    verlauf = (folder_of(ablage, az) / "verlauf.txt").read_text(encoding="utf-8")
    assert "| E-Mail gesendet |" in verlauf and "| Antwort gesendet | an j.mueller@example.org" in verlauf


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_sending_over_tls_with_login(run, ablage: Ablage, cert, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    server = SmtpSink(mode=mode, user="bb@musterstadt.example", password="Gehëim-1", cert=cert).start()
    try:
        set_config(ablage.root, {"amt": AMT, "smtp": server.toml()})
        monkeypatch.setenv("BUERO_TICKET_SMTP_PASSWORT", "Gehëim-1")
        az = import_mail(ablage, make_mail(sender=CITIZEN))
        res = run(
            "--ablage", str(ablage.root), "antworten", az, "zwischennachricht", "--feld", "bis=15.12.2026", "--senden"
        )
        assert res.code == 0, res.err
        [got] = server.take()
        assert server.logins == ["bb@musterstadt.example"]
        assert "bis zum 15.12.2026" in got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    finally:
        server.stop()


def test_failed_send_keeps_a_draft_and_says_why(run, ablage: Ablage, cert, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    server = SmtpSink(mode="starttls", user="bb", password="richtig", cert=cert).start()
    try:
        root = str(ablage.root)
        set_config(ablage.root, {"amt": AMT, "smtp": server.toml()})
        az = import_mail(ablage, make_mail(sender=CITIZEN))
        folder = folder_of(ablage, az)
        before = snapshot(folder)
        args = ("--ablage", root, "antworten", az, "zwischennachricht", "--feld", "bis=1.12.", "--senden")
        no_password = run(*args)
        assert no_password.code == Exit.KONFIG and "BUERO_TICKET_SMTP_PASSWORT" in no_password.err
        assert snapshot(folder) == before  # checked before anything was written
        monkeypatch.setenv("BUERO_TICKET_SMTP_PASSWORT", "falsch")
        wrong = run(*args)
        assert wrong.code == Exit.VERBINDUNG and "Anmeldung" in wrong.err and "Entwurf" in wrong.err
        assert server.received == []
        data = meta(folder)
        draft = folder / "Nachrichten" / data["nachrichten"][-1]["datei"]
        assert b"X-Unsent: 1" in draft.read_bytes() and data["antwort_gesendet"] is None
        assert "| E-Mail nicht gesendet |" in (folder / "verlauf.txt").read_text(encoding="utf-8")
    finally:
        server.stop()
    untrusted = SmtpSink(mode="starttls", cert=cert).start()
    try:  # without ca_datei the server's self-signed certificate is not trusted
        set_config(ablage.root, {"smtp": {"port": untrusted.port, "ca_datei": "", "benutzer": ""}})
        res = run("--ablage", root, "antworten", az, "zwischennachricht", "--feld", "bis=1.12.", "--senden")
        assert res.code == Exit.VERBINDUNG and "Zertifikat" in res.err and untrusted.received == []
    finally:
        untrusted.stop()


def test_without_senden_a_draft_is_filed_and_no_server_is_needed(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    set_config(ablage.root, {"amt": AMT})
    az = new_phone_vorgang(run, ablage, email="m@example.org")
    res = run("--ablage", str(ablage.root), "antworten", az, "antwort", "--feld", "text={{ 7*7 }} & <b>")
    assert res.code == 0, res.err
    assert "Entwurf" in res.out and "(nicht gesendet)" in res.out
    data = meta(folder_of(ablage, az))
    draft = parse_mail((folder_of(ablage, az) / "Nachrichten" / data["nachrichten"][-1]["datei"]).read_bytes())
    assert "{{ 7*7 }} & <b>" in draft.body_text  # a value is never rendered again
    assert draft.subject == f"AW: Sperrmüll Termin [Az. {az}]" and draft.to == ["m@example.org"]
    assert data["antwort_gesendet"] is None
    nobody = new_phone_vorgang(run, ablage)
    res = run("--ablage", str(ablage.root), "antworten", nobody, "antwort", "--feld", "text=x")
    assert res.code == Exit.BEDIENUNG and "keine E-Mail-Adresse" in res.err and "brief" in res.err


def test_reply_to_our_answer_lands_in_the_same_vorgang(  # type: ignore[no-untyped-def]
    run, ablage: Ablage, sink: SmtpSink, pymap_server: PymapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap = {"server": pymap_server.host, "port": pymap_server.port, "benutzer": pymap_server.user}
    smtp = {**sink.toml(), "eingangsbestaetigung": True}
    set_config(ablage.root, {"amt": AMT, "smtp": smtp, "imap": {**imap, "verschluesselung": "keine"}})
    monkeypatch.setenv("BUERO_TICKET_IMAP_PASSWORT", pymap_server.password)
    root = str(ablage.root)
    pymap_server.append(make_mail(subject="Parkausweis für Anwohner", sender=CITIZEN).replace(b"\n", b"\r\n"))
    assert "1 neuer Vorgang" in run("--ablage", root, "mail", "abrufen").out
    [ack] = sink.take()
    assert ack.message["Auto-Submitted"] == "auto-replied" and ack.rcpt_tos == ["j.mueller@example.org"]
    [(_s, entry)] = list(ablage.iter_vorgang_dirs())
    az = entry.name.split(" ", 1)[0]
    res = run("--ablage", root, "antworten", az, "rueckfrage", "--feld", "unterlagen=Meldebescheinigung", "--senden")
    assert res.code == 0, res.err
    [answer] = sink.take()
    ours = answer.message
    reply = EmailMessage()
    reply["From"] = "Jörg Müller <joerg@privat.example>"  # another address, subject without the tag:
    reply["To"] = str(ours["From"])  # only the Message-ID can thread this reply
    reply["Subject"] = "AW: Rückfrage"
    reply["Message-ID"] = make_msgid(domain="privat.example")
    reply["In-Reply-To"] = str(ours["Message-ID"])
    reply["References"] = f"{ours['References']} {ours['Message-ID']}"
    reply.set_content("Anbei die Meldebescheinigung.\n")
    pymap_server.append(reply.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    res = run("--ablage", root, "mail", "abrufen")
    assert "0 neue Vorgänge, 1 Antwort zugeordnet" in res.out, res.out + res.err
    assert sink.take() == []  # no acknowledgement for a follow-up
    assert [e.name for _s, e in ablage.iter_vorgang_dirs()] == [entry.name]
    nachrichten = meta(Path(entry.path))["nachrichten"]
    assert [n["richtung"] for n in nachrichten] == ["eingang", "ausgang", "ausgang", "eingang"]
    assert "joerg@privat.example" in nachrichten[-1]["von"]


# --- Word letters and PDF -----------------------------------------------------------------------


def test_word_letter_keeps_umlauts_and_special_characters(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    set_config(ablage.root, {"amt": AMT})
    az = new_phone_vorgang(run, ablage)
    text = "Die Gebühr über 25 € & <Zuschlag> entfällt.\nZweiter Absatz: {{ 7*7 }}"
    res = run("--ablage", str(ablage.root), "brief", az, "antwort", "--feld", f"text={text}")
    assert res.code == 0, res.err
    folder = folder_of(ablage, az)
    [letter] = (folder / "Ausgang").glob("*.docx")
    assert letter.name == f"{system_clock():%Y-%m-%d} Antwort.docx"
    content = docx_text(letter)
    for expected in (
        TRICKY,  # Anschriftfeld and Anrede
        f"Guten Tag {TRICKY},",
        "Hauptstraße 5",
        "89073 Ulm",
        "Die Gebühr über 25 € & <Zuschlag> entfällt.",
        "Zweiter Absatz: {{ 7*7 }}",
        f"Aktenzeichen\t{az}",
        f"Datum\t{system_clock():%d.%m.%Y}",
        "Bürgerbüro Musterstadt · Marktplatz 1 · 12345 Musterstadt",  # Rücksendeangabe
        "Sperrmüll Termin",  # Betreff
        "Mit freundlichen Grüßen",
    ):
        assert expected in content, expected
    assert "{{" not in content.replace("{{ 7*7 }}", "")  # no tag left over
    verlauf = (folder / "verlauf.txt").read_text(encoding="utf-8")
    assert (
        f"| Brief erstellt | Vorlage antwort (mitgelieferte Vorlage antwort.docx), Datei Ausgang\\\\{letter.name}"
        in verlauf
    )


def _soffice_or_skip() -> None:
    if shutil.which("soffice") and shutil.which("pdftotext"):
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) und pdftotext müssen in CI installiert sein")
    pytest.skip("LibreOffice oder pdftotext nicht installiert")


def test_pdf_with_libreoffice(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _soffice_or_skip()
    set_config(ablage.root, {"amt": AMT})
    az = new_phone_vorgang(run, ablage)
    res = run(
        "--ablage", str(ablage.root), "brief", az, "rueckfrage", "--feld", "unterlagen=Geburtsurkunde; Foto", "--pdf"
    )
    assert res.code == 0, res.err
    [pdf] = (folder_of(ablage, az) / "Ausgang").glob("*.pdf")
    assert pdf.with_suffix(".docx").is_file()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for expected in (az, TRICKY, "Rückfrage – fehlende Unterlagen: Sperrmüll Termin", "Geburtsurkunde", "Grüßen"):
        assert expected in text, expected


def test_pdf_without_libreoffice_says_so_and_writes_nothing(
    run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    az = new_phone_vorgang(run, ablage)
    before = snapshot(folder_of(ablage, az))
    monkeypatch.setenv("BUERO_TICKET_SOFFICE", str(ablage.root / "gibt-es-nicht" / "soffice.exe"))
    res = run("--ablage", str(ablage.root), "brief", az, "antwort", "--feld", "text=x", "--pdf")
    assert res.code == Exit.BEDIENUNG and "LibreOffice" in res.err and "ohne --pdf" in res.err
    assert snapshot(folder_of(ablage, az)) == before


# --- templates ----------------------------------------------------------------------------------


def test_missing_fields_are_listed_at_once_and_nothing_is_written(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    set_config(ablage.root, {"amt": AMT})
    az = new_phone_vorgang(run, ablage, email="m@example.org")
    (ablage.vorlagen_dir / "termin.txt.j2").write_text(
        "Betreff: Termin {{ termin }}\n\n{{ ort }} {{ raum }} {{ vorgang.aktenzeichn }}\n", encoding="utf-8"
    )
    folder = folder_of(ablage, az)
    before = snapshot(folder)
    res = run("--ablage", str(ablage.root), "antworten", az, "termin", "--feld", "ort=Rathaus", "--feld", "uhrzet=9")
    assert res.code == Exit.BEDIENUNG
    for expected in ("„termin“ fehlt", "„raum“ fehlt", "„vorgang.aktenzeichn“ gibt es nicht", "„vorgang.aktenzeichen“"):
        assert expected in res.err, expected
    assert "„uhrzet“ kommt in der Vorlage nicht vor" in res.err and "nichts geschrieben" in res.err
    res = run("--ablage", str(ablage.root), "brief", az, "weiterleitung", "--feld", "stele=Ordnungsamt")
    assert res.code == Exit.BEDIENUNG and "„stelle“ fehlt" in res.err and "Meinten Sie „stelle“?" in res.err
    assert snapshot(folder) == before


def test_own_template_in_vorlagen_overrides_the_shipped_one(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    az = new_phone_vorgang(run, ablage, email="m@example.org")
    (ablage.vorlagen_dir / "Antwort.txt.j2").write_text("Betreff: Eigene Antwort\n\nEIGEN {{ text }}\n", "utf-8")
    doc = Document()
    doc.add_paragraph("EIGENER BRIEF {{ vorgang.aktenzeichen }} für {{ absender.name }}")
    doc.save(str(ablage.vorlagen_dir / "antwort.docx"))
    root = str(ablage.root)
    assert run("--ablage", root, "antworten", az, "antwort", "--feld", "text=Hallo").code == 0
    assert run("--ablage", root, "brief", az, "antwort").code == 0  # the own letter needs no text field
    folder = folder_of(ablage, az)
    draft = parse_mail((folder / "Nachrichten" / meta(folder)["nachrichten"][-1]["datei"]).read_bytes())
    assert draft.subject == f"Eigene Antwort [Az. {az}]" and "EIGEN Hallo" in draft.body_text
    [letter] = (folder / "Ausgang").glob("*.docx")
    assert docx_text(letter).strip() == f"EIGENER BRIEF {az} für {TRICKY}"
    res = run("--ablage", root, "vorlagen", "pruefen")
    assert res.code == 0, res.out
    assert "ersetzt die mitgelieferte" in res.out and "Antwort.txt.j2" in res.out


def test_vorlagen_pruefen_lists_every_problem(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    clean = run("--ablage", root, "vorlagen", "pruefen")
    assert clean.code == 0 and "Alle 12 Vorlagen sind in Ordnung." in clean.out
    own = ablage.vorlagen_dir
    (own / "kaputt.txt.j2").write_text("Betreff: x\n\n{% if vorgang.betreff %}offen\n", encoding="utf-8")
    (own / "tippfehler.txt.j2").write_text("Betreff: {{ vorgang.betref }}\n\n{{ amt.nam }}\n", encoding="utf-8")
    (own / "ohne-betreff.txt.j2").write_text("Guten Tag\n", encoding="utf-8")
    (own / "ausbruch.txt.j2").write_text("Betreff: x\n\n{{ amt.name.__class__.__mro__ }}\n", encoding="utf-8")
    (own / "eingangsbestaetigung.txt.j2").write_text("Betreff: Danke\n\n{{ persoenlich }}\n", encoding="utf-8")
    (own / "defekt.docx").write_bytes(b"kein Word")
    (own / "notizen.txt").write_text("keine Vorlage", encoding="utf-8")
    res = run("--ablage", root, "vorlagen", "pruefen")
    assert res.code == Exit.PROBLEME
    for expected in (
        "FEHLER kaputt (E-Mail",
        "Zeile 3",  # unclosed if: the line is named
        "„vorgang.betref“ gibt es nicht",
        "„amt.nam“ gibt es nicht",
        "FEHLER ohne-betreff",
        "Betreff:",
        "FEHLER ausbruch",
        "nicht dürfen",
        "FEHLER eingangsbestaetigung (E-Mail, eigene Vorlage, ersetzt die mitgelieferte",
        "persoenlich",
        "FEHLER defekt (Brief",
        "keine lesbare Word-Datei",
        "notizen.txt ist keine Vorlage",
        "ok     antwort (Brief, mitgeliefert",
    ):
        assert expected in res.out, expected
    assert "6 von 18 Vorlagen sind fehlerhaft" in res.err


def test_shipped_word_templates_match_their_generator() -> None:
    spec = importlib.util.spec_from_file_location("erzeuge_vorlagen", shipped_dir() / "erzeuge_vorlagen.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    for name in generator.BRIEFE:
        committed = (shipped_dir() / f"{name}.docx").read_bytes()
        assert generator.build(name) == committed, f"{name}.docx: python vorlagen/erzeuge_vorlagen.py ausführen"


def test_commands_explain_themselves_with_an_example(run) -> None:  # type: ignore[no-untyped-def]
    for args in (["brief"], ["antworten"], ["vorlagen"], ["vorlagen", "pruefen"]):
        res = run(*args, "--hilfe")
        assert res.code == 0 and "Beispiel:" in res.out, args
