"""The clerk's desk: zeige with Anschrift and texts, brief's address check, neu --bearbeiter, Vorlagen, demo."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from buero_ticket.history import read_history


def _neu(run, ablage: Ablage, *args: str) -> dict:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--json", *args)
    assert res.code == 0, res.err
    return json.loads(res.out)


ANSCHRIFT = "Erika Muster\nLindenweg 4\n89073 Ulm"
TEXT = "Erste Zeile\nZweite Zeile\n\nDritte Zeile\nVierte Zeile mit dem Rest\nFünfte Zeile"


def test_zeige_shows_anschrift_and_message_text(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "--kanal", "brief", "--betreff", "Antrag", "--von", "Erika Muster")
    v = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Rückruf", "--anschrift", ANSCHRIFT, "--text", TEXT)
    root = str(ablage.root)
    out = run("--ablage", root, "zeige", v["aktenzeichen"]).out
    assert "Anschrift:     Erika Muster\n               Lindenweg 4\n               89073 Ulm\n" in out
    assert "│ Erste Zeile" in out and "│ Dritte Zeile" in out
    assert "Vierte Zeile" not in out and "zeige --voll" in out
    full = run("--ablage", root, "zeige", v["aktenzeichen"], "--voll").out
    assert "│ Vierte Zeile mit dem Rest" in full and "│ Fünfte Zeile" in full and "--voll)" not in full
    data = json.loads(run("--ablage", root, "zeige", v["aktenzeichen"], "--json").out)
    assert data["absender_anschrift"] == ANSCHRIFT
    stored = Path(data["nachrichten"][0]["text_datei"]).read_text(encoding="utf-8")
    assert "Fünfte Zeile" in stored


def test_brief_refuses_an_empty_address_window(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    v = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Ohne Anschrift", "--von", "Erika Muster")
    folder = Path(v["ordner"])
    res = run("--ablage", root, "brief", v["aktenzeichen"], "antwort", "--feld", "text=Hallo")
    assert res.code == Exit.BEDIENUNG
    assert f"Anschrift fehlt – mit `buero-ticket aendern {v['aktenzeichen']} --anschrift …` ergänzen" in res.err
    assert list((folder / "Ausgang").iterdir()) == []

    forced = run("--ablage", root, "brief", v["aktenzeichen"], "antwort", "--feld", "text=Hallo", "--ohne-anschrift")
    assert forced.code == 0, forced.err
    assert len(list((folder / "Ausgang").glob("*.docx"))) == 1

    mail = _neu(run, ablage, "--kanal", "email", "--betreff", "Per Mail", "--email", "a@example.org")
    res = run("--ablage", root, "brief", mail["aktenzeichen"], "antwort", "--feld", "text=Hallo")
    assert res.code == Exit.BEDIENUNG
    assert "kam per E-Mail und hat keine Postanschrift" in res.err
    assert f"buero-ticket antworten {mail['aktenzeichen']}" in res.err
    assert list((Path(mail["ordner"]) / "Ausgang").iterdir()) == []

    ok = _neu(run, ablage, "--kanal", "brief", "--betreff", "Mit Anschrift", "--anschrift", ANSCHRIFT)
    res = run("--ablage", root, "brief", ok["aktenzeichen"], "antwort", "--feld", "text=Hallo")
    assert res.code == 0, res.err
    [letter] = (Path(ok["ordner"]) / "Ausgang").glob("*.docx")
    text = "\n".join(p.text for p in docx.Document(str(letter)).paragraphs)
    text += "\n".join(c.text for t in docx.Document(str(letter)).tables for r in t.rows for c in r.cells)
    assert "Lindenweg 4" in text and "89073 Ulm" in text


def test_neu_bearbeiter_is_in_the_history(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Zugewiesen", "--bearbeiter", "M. Weber")
    entries = read_history(Path(v["ordner"]))
    assert [(e.aktion, e.details) for e in entries][-1] == ("Zugewiesen", "niemand → M. Weber")
    assert json.loads((Path(v["ordner"]) / "vorgang.json").read_text(encoding="utf-8"))["bearbeiter"] == "M. Weber"


def test_vorlagen_kopieren_never_overwrites(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    own = ablage.vorlagen_dir / "Antwort.txt.j2"  # the office's own, other case as Windows allows
    own.write_text("Betreff: Unsere Antwort\n\nEigener Text {{ text }}\n", encoding="utf-8")
    res = run("--ablage", root, "vorlagen", "kopieren")
    assert res.code == 0, res.err
    names = sorted(p.name for p in ablage.vorlagen_dir.iterdir())
    assert "rueckfrage.docx" in names and "eingangsbestaetigung.txt.j2" in names and "antwort.docx" in names
    assert "antwort.txt.j2" not in names and own.read_text(encoding="utf-8").startswith("Betreff: Unsere Antwort")
    assert "schon vorhanden, nicht überschrieben: antwort.txt.j2" in res.out
    shipped = Path(__file__).resolve().parents[1] / "vorlagen" / "rueckfrage.docx"
    assert (ablage.vorlagen_dir / "rueckfrage.docx").read_bytes() == shipped.read_bytes()
    (ablage.vorlagen_dir / "rueckfrage.docx").write_bytes(b"geaendert")
    again = run("--ablage", root, "vorlagen", "kopieren")
    assert again.code == 0 and "0 Vorlagen nach" in again.out
    assert (ablage.vorlagen_dir / "rueckfrage.docx").read_bytes() == b"geaendert"


def test_demo_looks_like_a_real_office(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    rows = json.loads(run("--ablage", root, "liste", "--alle", "--json").out)
    for v in rows:
        assert not v["betreff"].startswith(("=", "+", "@", "-")), v["betreff"]
        assert "Test" not in v["absender"] and "example.com" not in v["absender"], v["absender"]
        if v["kanal"] in ("brief", "fax", "persoenlich"):
            assert v["absender_anschrift"], f"{v['aktenzeichen']} ({v['kanal']}) ohne Anschrift"
        detail = json.loads(run("--ablage", root, "zeige", v["aktenzeichen"], "--json").out)
        first = detail["verlauf"][0]
        assert first["aktion"] == "Angelegt" and first["zeit"] == v["eingang"]  # not the minute the demo ran
        assert {e["benutzer"] for e in detail["verlauf"]} <= {"Maria Weber", "Sevgi Yilmaz"}
    assert "Sevgi Yilmaz" in run("--ablage", root, "zuweisen", rows[0]["aktenzeichen"], "--an", "sy").out
    brief = next(v for v in rows if v["kanal"] == "brief")
    res = run("--ablage", root, "brief", brief["aktenzeichen"], "antwort", "--feld", "text=Ihr Widerspruch")
    assert res.code == 0, res.err


def test_liste_and_register_show_the_same_office_time(run, ablage: Ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    from .smtp_sink import set_config
    from .test_intake_mail import make_mail

    root = str(ablage.root)
    set_config(ablage.root, {"servicezeiten": {"zeitzone": "America/New_York"}})  # an office far away
    eml = tmp_path / "Anfrage.eml"
    raw = make_mail().replace(b"\nSubject:", b"\nDate: Thu, 26 Nov 2026 07:30:00 +0000\nSubject:", 1)
    eml.write_bytes(raw)
    assert run("--ablage", root, "mail", "einlesen", str(eml)).code == 0
    [row] = [line for line in run("--ablage", root, "liste").out.splitlines() if line.startswith("20")]
    assert " 26.11.2026 02:30 " in row, row  # 07:30 UTC in New York
    az = row.split()[0]
    assert "Eingang:       26.11.2026 02:30" in run("--ablage", root, "zeige", az).out
    sheet = openpyxl.load_workbook(ablage.root / "Vorgangsregister.xlsx")["Offen"]
    cells = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    header = next(c for c in cells if c.value == "Eingang")
    value = sheet.cell(row=header.row + 1, column=header.column).value
    assert f"{value:%d.%m.%Y %H:%M}" == "26.11.2026 02:30"


def test_einwurf_log_has_no_traceback_for_a_typo(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket import protokoll

    path = ablage.root / "buero-ticket.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("ruhezeit_sekunden = 5", "ruhezeit_sekunden = 0.1"))
    az = _neu(run, ablage, "--kanal", "telefon", "--betreff", "Da")["aktenzeichen"]
    from buero_ticket.aktenzeichen import Aktenzeichen

    typo = str(Aktenzeichen(int(az[:4]), 10))  # 2026-00001 with two digits swapped: 2026-00010-…
    (ablage.einwurf_dir / f"{typo} Nachtrag.pdf").write_bytes(b"%PDF-1.4 nachtrag")
    res = run("--ablage", str(ablage.root), "beobachten", "--einmal")
    assert res.code == 1 and "nicht übernommen" in res.out
    [log] = protokoll.log_dir().glob("einwurf-*.log")
    text = log.read_text(encoding="utf-8")
    assert "Nachtrag.pdf nicht verarbeitet" in text and "gibt es nicht" in text
    assert "Traceback" not in text and 'File "' not in text
