"""People, not login names: [benutzer.LOGIN] in the history, zuweisen, liste, register, letters and mails."""

from __future__ import annotations

import json
import os
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import docx
import openpyxl

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from buero_ticket.history import current_user, read_history
from buero_ticket.models import Status

LOGIN = current_user()

BENUTZER = f"""
[benutzer.{LOGIN}]
name = "Maria Weber"
kuerzel = "MW"
telefon = "0731 161-2345"
email = "m.weber@musterstadt.example"

[benutzer.syilmaz]
name = "Sevgi Yilmaz"
kuerzel = "SY"
"""


def _configure(ablage: Ablage, extra: str = BENUTZER) -> None:
    path = ablage.root / "buero-ticket.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def _neu(run, ablage: Ablage, *args: str) -> dict:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--json", *args)
    assert res.code == 0, res.err
    return json.loads(res.out)


def _folder(ablage: Ablage, az: str) -> Path:
    [found] = [Path(e.path) for _s, e in ablage.iter_vorgang_dirs() if e.name.startswith(az)]
    return found


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_names_in_history_zuweisen_liste_and_register(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _configure(ablage)
    root = str(ablage.root)
    v = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Sperrmüll", "--bearbeiter", "sy")
    assert v["bearbeiter"] == "Sevgi Yilmaz"
    entries = read_history(Path(v["ordner"]))
    assert [(e.benutzer, e.aktion, e.details) for e in entries][1] == (
        "Maria Weber",
        "Zugewiesen",
        "niemand → Sevgi Yilmaz",
    )
    assert all(e.benutzer == "Maria Weber" for e in entries) and LOGIN not in (ablage.root / v["ordner"]).name

    assert run("--ablage", root, "zuweisen", v["aktenzeichen"], "--an", "maria WEBER").code == 0
    assert run("--ablage", root, "zuweisen", v["aktenzeichen"], "--an", "mw").code == 0  # same person: no change
    meta = json.loads((_folder(ablage, v["aktenzeichen"]) / "vorgang.json").read_text(encoding="utf-8"))
    assert meta["bearbeiter"] == "Maria Weber"
    last = read_history(_folder(ablage, v["aktenzeichen"]))[-1]
    assert (last.benutzer, last.details) == ("Maria Weber", "Sevgi Yilmaz → Maria Weber")

    typo = run("--ablage", root, "zuweisen", v["aktenzeichen"], "--an", "Maria Webr")
    assert typo.code == Exit.BEDIENUNG and "Meinten Sie: Maria Weber?" in typo.err
    assert "[benutzer.ANMELDENAME]" in typo.err

    listed = run("--ablage", root, "liste", "--bearbeiter", "MW")
    assert "[Maria Weber]" in listed.out and "1 Vorgang offen" in listed.out
    assert "0 Vorgänge offen" in run("--ablage", root, "liste", "--bearbeiter", "SY").out
    sheet = openpyxl.load_workbook(ablage.root / "Vorgangsregister.xlsx", read_only=True)["Offen"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if "Bearbeiter" in r)
    assert [r[header.index("Bearbeiter")] for r in rows[rows.index(header) + 1 :] if r[0]] == ["Maria Weber"]


def test_letters_and_mails_are_signed_with_the_person(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _configure(ablage)
    root = str(ablage.root)
    v = _neu(
        run, ablage, "--kanal", "brief", "--betreff", "Antrag", "--anschrift", "Erika Muster\nWeg 1\n89073 Ulm",
        "--email", "erika@example.org",
    )  # fmt: skip
    assert run("--ablage", root, "brief", v["aktenzeichen"], "antwort", "--feld", "text=Hallo").code == 0
    [letter] = (_folder(ablage, v["aktenzeichen"]) / "Ausgang").glob("*.docx")
    text = _docx_text(letter)
    assert "Maria Weber" in text and "0731 161-2345" in text and "m.weber@musterstadt.example" in text
    assert LOGIN not in text.split()

    res = run("--ablage", root, "antworten", v["aktenzeichen"], "antwort", "--feld", "text=Hallo")
    assert res.code == 0, res.err
    data = json.loads(run("--ablage", root, "zeige", v["aktenzeichen"], "--json").out)
    mail = message_from_bytes(Path(data["nachrichten"][-1]["datei"]).read_bytes())
    assert isinstance(mail, Message)
    body = mail.get_payload(decode=True) if not mail.is_multipart() else mail.get_payload(0).get_payload(decode=True)  # type: ignore[union-attr]
    assert isinstance(body, bytes)
    signed = body.decode("utf-8").replace("\r\n", "\n")
    assert "Grüßen\nMaria Weber\n" in signed and "Telefon: 0731 161-2345" in signed


def test_unknown_login_works_and_is_told_once(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    first = run("--ablage", root, "liste")
    assert first.code == 0
    assert f"Ihr Anmeldename „{LOGIN}“ steht nicht in" in first.err and f"[benutzer.{LOGIN}]" in first.err
    second = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Ohne Tabelle", "--bearbeiter", "Irgendwer")
    assert second["bearbeiter"] == "Irgendwer"  # without [benutzer], any name goes
    assert "Anmeldename" not in run("--ablage", root, "liste").err
    assert read_history(Path(second["ordner"]))[0].benutzer == LOGIN
    _configure(ablage)
    assert "Anmeldename" not in run("--ablage", root, "liste").err


def test_a_move_in_explorer_is_not_attributed_to_the_next_clerk(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _configure(ablage)
    root = str(ablage.root)
    moved = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Verschoben")
    other = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Anderer")
    src = Path(moved["ordner"])
    dst = ablage.status_dir(Status.WARTET) / src.name
    os.rename(src, dst)
    assert run("--ablage", root, "notiz", other["aktenzeichen"], "Rückruf").code == 0
    last = read_history(dst)[-1]
    assert last.aktion == "Statuswechsel (manuell verschoben)"
    assert last.benutzer == "im Explorer"
    assert "im Explorer verschoben (bemerkt von Maria Weber)" in last.details


def test_benutzer_table_errors_have_line_numbers(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _configure(
        ablage, '\n[benutzer.mweber]\nkuerzel = "MW"\ntelefn = "1"\n\n[benutzer.sy]\nname = "S"\nkuerzel = "mw"\n'
    )
    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == Exit.KONFIG
    assert "[benutzer.mweber]: name fehlt" in res.err
    assert "[benutzer.mweber] telefn: unbekannter Schlüssel" in res.err
    assert "Kürzel „mw“ hat schon [benutzer.mweber]" in res.err
    assert "Zeile 0" not in res.err
