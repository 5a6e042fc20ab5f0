"""Hostile names and text: bidi controls, escape sequences, subjects that look like temp files (issue 10, 6 and 15)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.cli.terminal import terminal_text
from buero_ticket.names import safe_name, short_subject

from .conftest import Result
from .test_intake_mail import make_mail

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
OSC_TITLE = "\x1b]0;Passwort eingeben\x07"
OSC_LINK = "\x1b]8;;http://evil.example/\x1b\\hier\x1b]8;;\x1b\\"
CSI_CLEAR = "\x1b[2J\x1b[H"


@pytest.mark.parametrize("char", [*BIDI, "\u200b", "\u2060", "\ufeff", "\u00ad", "\u061c"])
def test_names_never_carry_format_characters(char: str) -> None:
    assert safe_name(f"rechnung{char}fdp.exe") == "rechnungfdp.exe"
    assert char not in short_subject(f"Antrag{char} Parkausweis")


def test_reversed_file_name_from_a_mail_attachment_is_stored_as_it_really_is(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    mail = ablage.root.parent / "anhang.eml"
    mail.write_bytes(make_mail(subject="Rechnung \u202eanbei", attachment=("rechnung\u202efdp.exe", b"MZ")))
    assert run("--ablage", str(ablage.root), "mail", "einlesen", str(mail)).code == 0
    [(_status, entry)] = list(ablage.iter_vorgang_dirs())
    names = [p.name for p in Path(entry.path).rglob("*")]
    assert "rechnungfdp.exe" in names
    assert not [n for n in [entry.name, *names] if any(ch in n for ch in BIDI)]


@pytest.mark.parametrize(
    "subject",
    ["Bericht.tmp", "Download.part", "Bescheid.crdownload", "Rechnung.TMP", "~$Antrag", "Thumbs.db", "desktop.ini"],
)
def test_a_subject_never_becomes_a_name_the_program_skips(run, ablage: Ablage, subject: str) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    made = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", subject, "--json")
    assert made.code == 0, made.err
    az = json.loads(made.out)["aktenzeichen"]
    listed = run("--ablage", root, "liste", "--json")
    assert [v["aktenzeichen"] for v in json.loads(listed.out)] == [az]
    assert run("--ablage", root, "zeige", az).code == 0
    checked = run("--ablage", root, "pruefen")
    assert checked.code == 0 and "1 Vorgang" in checked.out, checked.out


def test_temp_like_subjects_by_mail_and_einwurf_stay_visible(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    mail = ablage.root.parent / "m.eml"
    mail.write_bytes(make_mail(subject="Stellungnahme.part"))
    assert run("--ablage", root, "mail", "einlesen", str(mail)).code == 0
    (ablage.einwurf_dir / "Angebot.crdownload.pdf").write_bytes(b"%PDF-1.4 Angebot\n")
    assert run("--ablage", root, "beobachten", "--einmal").code == 0
    listed = json.loads(run("--ablage", root, "liste", "--json").out)
    assert sorted(v["betreff"] for v in listed) == ["Angebot.crdownload", "Stellungnahme.part"]
    folders = [e.name for _s, e in ablage.iter_vorgang_dirs()]
    assert len(folders) == 2 and not any(n.lower().endswith((".part", ".crdownload")) for n in folders)


def _encoded(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _assert_clean(result: Result) -> None:
    for stream in (result.out, result.err):
        assert not any(ch in stream for ch in "\x1b\x07\x9b\x08"), repr(stream)
        assert not any(ch in stream for ch in BIDI), repr(stream)


def test_escape_sequences_from_mail_data_never_reach_the_terminal(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    sender = f"{_encoded('Erika ' + OSC_TITLE + 'Muster' + CSI_CLEAR)} <erika@example.org>"
    subject = _encoded(f"Antrag {OSC_LINK} \u202eFDP.exe \x9b31m rot")
    mail = ablage.root.parent / "boese.eml"
    mail.write_bytes(
        make_mail(subject="x", sender="x@example.org")
        .replace(b"Subject: x", b"Subject: " + subject.encode())
        .replace(b"From: x@example.org", b"From: " + sender.encode())
    )
    imported = run("--ablage", root, "mail", "einlesen", str(mail))
    assert imported.code == 0, imported.err
    _assert_clean(imported)
    [(_s, entry)] = list(ablage.iter_vorgang_dirs())
    az = entry.name.split(" ", 1)[0]
    stored = json.loads((Path(entry.path) / "vorgang.json").read_text(encoding="utf-8"))
    assert "\x1b" in stored["absender"]["name"]  # the data itself is kept as it came; only the output is cleaned
    for args in (("liste",), ("liste", "--alle"), ("zeige", az), ("liste", "--json"), ("zeige", az, "--json")):
        result = run("--ablage", root, *args)
        assert result.code == 0, result.err
        _assert_clean(result)
        assert "Erika" in result.out  # the text stays, made inert


def test_terminal_text_keeps_ordinary_text() -> None:
    text = "Müller & Söhne\tAntrag 3/2026\nZeile 2 – „Zitat“ 😀"
    assert terminal_text(text) == text
    assert terminal_text(f"a{OSC_TITLE}b\x00c\x7fd\u202ee") == "a]0;Passwort eingebenbcde"
