"""suche: full-text search over every Vorgang through the CLI, with the German edge cases of issue 14."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from buero_ticket.ablage import Ablage


def _neu(
    run, ablage: Ablage, betreff: str, text: str = "", von: str = "", email: str = "", kanal: str = "telefon"
) -> str:  # type: ignore[no-untyped-def]
    res = run(
        "--ablage", str(ablage.root), "neu", "--kanal", kanal, "--betreff", betreff, "--text", text,
        "--von", von, "--email", email, "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


def _suche(run, ablage: Ablage, *args: str) -> list[dict]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "suche", *args, "--json")
    assert res.code == 0, res.err
    return list(json.loads(res.out))


@pytest.fixture
def faelle(run, ablage: Ablage) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "park": _neu(run, ablage, "Anwohnerparkausweis Zone C", "Bitte um Verlängerung.", "Erika Muster"),
        "amt": _neu(run, ablage, "Frage ans Bürgeramt", "Die Anträge liegen in der Hauptstraße 5 vor.", "Max Beispiel"),
        "name": _neu(
            run, ablage, "Rückruf", "Schwerbehindertenausweis verloren", "Ayşe Özdemir", "ayse@example.org", "email"
        ),
        "bescheinigung": _neu(run, ablage, "Meldebescheinigung", "Brauche eine Bescheinigung für die Bank."),
    }


@pytest.mark.parametrize(
    ("begriff", "key"),
    [
        ("Bürgeramt", "amt"),
        ("Buergeramt", "amt"),
        ("Burgeramt", "amt"),
        ("BÜRGERAMT", "amt"),
        ("Strasse", "amt"),  # "Hauptstraße": ß = ss, and a compound part
        ("Antrag", "amt"),  # Anträge
        ("Bescheinigungen", "bescheinigung"),
        ("Parkausweis", "park"),  # Anwohnerparkausweis
        ("Schwerbehind*", "name"),
        ("Oezdemir", "name"),
        ("Ozdemir", "name"),
        ("ayse@example.org", "name"),
    ],
)
def test_german_as_clerks_type_it(run, ablage: Ablage, faelle: dict[str, str], begriff: str, key: str) -> None:  # type: ignore[no-untyped-def]
    found = [t["aktenzeichen"] for t in _suche(run, ablage, begriff)]
    assert found == [faelle[key]], (begriff, found)


def test_json_fields_snippet_marks_and_exact_aktenzeichen(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    hits = _suche(run, ablage, faelle["park"])
    assert [t["aktenzeichen"] for t in hits] == [faelle["park"]]
    assert set(hits[0]) >= {"aktenzeichen", "betreff", "status", "score", "ausschnitt"}
    hit = _suche(run, ablage, "Verlängerung")[0]
    assert "»Verlängerung«" in hit["ausschnitt"]
    short = faelle["park"].rsplit("-", 1)[0]  # without the check digit
    assert [t["aktenzeichen"] for t in _suche(run, ablage, short)] == [faelle["park"]]


def test_phrase_needs_the_words_in_order(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert [t["aktenzeichen"] for t in _suche(run, ablage, '"Zone C"')] == [faelle["park"]]
    assert _suche(run, ablage, '"C Zone"') == []


def test_filters_and_the_archive(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    assert run("--ablage", root, "status", faelle["amt"], "archiv").code == 0
    assert [t["status"] for t in _suche(run, ablage, "Bürgeramt")] == ["archiv"]  # found in the archive
    assert _suche(run, ablage, "Bürgeramt", "--status", "eingang") == []
    assert _suche(run, ablage, "Schwerbehind*", "--kanal", "telefon") == []
    assert len(_suche(run, ablage, "Schwerbehind*", "--kanal", "email")) == 1
    assert _suche(run, ablage, "Bürgeramt", "--von", "01.01.2099") == []
    assert len(_suche(run, ablage, "Bürgeramt", "--bis", "31.12.2099")) == 1


def test_changes_are_found_at_the_next_command(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert _suche(run, ablage, "Sperrmülltermin") == []
    assert run("--ablage", str(ablage.root), "notiz", faelle["park"], "Sperrmülltermin vereinbart").code == 0
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Sperrmülltermin")] == [faelle["park"]]


def test_word_attachments_are_searched(run, ablage: Ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    az = _neu(run, ablage, "Brief mit Anlage")
    folder = next(ablage.root.glob(f"*/{az}*"))
    doc = Document()
    doc.add_paragraph("Widerspruch gegen den Gebührenbescheid")
    doc.save(str(folder / "Anlagen" / "Schreiben.docx"))
    assert run("--ablage", str(ablage.root), "notiz", az, "Anlage abgelegt").code == 0  # a change through the store
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Gebührenbescheid")] == [az]


def test_no_hit_says_what_to_do(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "suche", "Walfang")
    assert res.code == 0, res.err
    assert "Keine Vorgänge gefunden" in res.out and "Was tun" in res.out


def test_zeige_lists_similar_closed_vorgaenge_and_suggestions(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    from tests.wissen_artikel import write_articles

    write_articles(ablage.wissen_dir)
    root = str(ablage.root)
    alt = _neu(run, ablage, "Sperrmüll abholen", "Couch und Schrank sollen weg")
    anders = _neu(run, ablage, "Hundesteuer", "Hund angemeldet")
    for az in (alt, anders):
        assert run("--ablage", root, "status", az, "erledigt").code == 0
    neu = _neu(run, ablage, "Sperrmüll Termin", "Wann wird der Sperrmüll abgeholt? Ein Schrank.")
    res = run("--ablage", root, "zeige", neu, "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert [t["aktenzeichen"] for t in data["aehnliche"]] == [alt]
    assert data["wissen_vorschlaege"][0]["datei"] == "Abfall/Sperrmüll anmelden.md"
    text = run("--ablage", root, "zeige", neu).out
    assert "Ähnliche erledigte Vorgänge" in text and alt in text
    assert "1. Sperrmüll anmelden" in text


def test_a_folder_deleted_by_hand_leaves_the_results(run, ablage: Ablage, faelle: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    import shutil

    assert _suche(run, ablage, "Meldebescheinigung")
    shutil.rmtree(next(ablage.root.glob(f"*/{faelle['bescheinigung']} *")))
    assert _suche(run, ablage, "Meldebescheinigung") == []
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Bürgeramt")] == [faelle["amt"]]  # the rest still there


def _pdf_with_text(text: str) -> bytes:
    """A real PDF made by LibreOffice from a Word document (skips without it, except under CI=1)."""
    import io
    import os
    import shutil

    from buero_ticket.antwort.brief import to_pdf

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        if os.environ.get("CI") == "1":
            pytest.fail("LibreOffice (soffice) muss in CI installiert sein")
        pytest.skip("LibreOffice (soffice) ist nicht installiert: kein PDF für den Test")
    doc = Document()
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return to_pdf(buffer.getvalue(), office)


def test_pdf_attachments_are_searched_and_a_broken_one_is_skipped(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfWriter

    root = str(ablage.root)
    assert _suche(run, ablage, "Walfang") == []  # the index exists before the attachments arrive
    az = _neu(run, ablage, "Brief mit PDF")
    kaputt = _neu(run, ablage, "Kaputtes PDF", "Dachrinnenreinigung bestellt")
    folder = next(ablage.root.glob(f"*/{az}*"))
    (folder / "Anlagen" / "Bescheid.pdf").write_bytes(_pdf_with_text("Widerspruch zur Grundsteuerveranlagung 2025"))
    broken = next(ablage.root.glob(f"*/{kaputt}*")) / "Anlagen" / "Scan.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF")
    secret = io.BytesIO()
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_text("Geheimwort Zwetschgenkuchen")))
    writer.encrypt(user_password="geheim", algorithm="RC4-128")
    writer.write(secret)
    (broken.parent / "Passwort.pdf").write_bytes(secret.getvalue())
    for changed in (az, kaputt):  # a change through the store: the next command indexes them again
        assert run("--ablage", root, "notiz", changed, "Anlage abgelegt").code == 0
    res = run("--ablage", root, "suche", "Grundsteuerveranlagung", "--json")
    assert res.code == 0, res.err
    assert [t["aktenzeichen"] for t in json.loads(res.out)] == [az]  # a word only in the PDF
    assert "Scan.pdf" in res.err and kaputt in res.err  # the broken one is named, indexing went on
    assert "Passwort.pdf“: verschlüsselt" in res.err
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Dachrinnenreinigung")] == [kaputt]
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Grundsteuer*")] == [az]


def test_a_vorgang_restricted_after_indexing_is_no_longer_found(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    az = _neu(run, ablage, "Nachbarschaftsstreit", "Lärm am Abend")
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Nachbarschaftsstreit")] == [az]
    assert run("--ablage", root, "sperren", az, "--grund", "Richtigkeit bestritten").code == 0
    assert _suche(run, ablage, "Nachbarschaftsstreit") == []
    assert _suche(run, ablage, "Lärm") == []
    assert run("--ablage", root, "entsperren", az, "--grund", "geklärt").code == 0
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Lärm")] == [az]


def test_a_vanished_vorgang_leaves_no_readable_rest_in_the_index(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from buero_ticket.index import cache_dir

    weg = _neu(run, ablage, "Quorkelbaumschule", "Herr Zyprianowski fragt nach dem Quorkelbaum", "Zyprianowski")
    bleibt = _neu(run, ablage, "Baumschule", "Frage nach Obstbäumen")
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Zyprianowski")] == [weg]
    shutil.rmtree(next(ablage.root.glob(f"*/{weg} *")))  # as an erasure or Aussonderung leaves it
    assert _suche(run, ablage, "Zyprianowski") == []
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Obstbäume")] == [bleibt]
    rest = b"".join(p.read_bytes() for p in cache_dir().glob("suche-*"))
    for word in (b"zyprianowski", b"quorkelbaum", b"ikswonairpyz", b"muablekrouq"):  # as stems and reversed
        assert word not in rest.lower()


def test_a_full_build_in_worker_processes_finds_the_same(run, ablage: Ablage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket.suche import aufbau, volltext

    if aufbau.workers() == 0:
        pytest.skip("Nur ein Prozessorkern: der Aufbau läuft ohne Hilfsprozesse")
    monkeypatch.setattr(volltext, "PARALLEL_FROM", 1)  # at 1,000 Vorgänge and more the build runs in workers
    monkeypatch.setattr(volltext, "PROGRESS_FROM", 1)  # and shows its progress from 500
    park = _neu(run, ablage, "Anwohnerparkausweis Zone C", "Bitte um Verlängerung.", "Erika Muster")
    amt = _neu(run, ablage, "Frage ans Bürgeramt", "Die Anträge liegen vor.", "Ayşe Özdemir")
    kaputt = _neu(run, ablage, "Kaputte Anlage")
    (next(ablage.root.glob(f"*/{kaputt}*")) / "Anlagen" / "Scan.pdf").write_bytes(b"%PDF-1.4 kein PDF")
    assert run("--ablage", str(ablage.root), "notiz", kaputt, "Anlage abgelegt").code == 0

    def not_here(auftrag: aufbau.Auftrag) -> aufbau.Vorbereitet:
        raise AssertionError("prepared in the main process, not in a worker")

    monkeypatch.setattr(aufbau, "prepare", not_here)  # the workers import the real one
    res = run("--ablage", str(ablage.root), "suche", "Parkausweis", "--json")  # the first search builds the index
    assert res.code == 0, res.err
    assert [t["aktenzeichen"] for t in json.loads(res.out)] == [park]
    assert "Scan.pdf" in res.err  # a note from a worker process arrives
    assert "Der Suchindex auf diesem PC wird aufgebaut" in res.err  # not "Erster Start", as for the metadata
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Oezdemir")] == [amt]
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Antrag")] == [amt]


def test_a_full_build_whose_workers_die_prepares_their_jobs_itself(run, ablage: Ablage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket.suche import aufbau, volltext

    if aufbau.workers() == 0:
        pytest.skip("Nur ein Prozessorkern: der Aufbau läuft ohne Hilfsprozesse")
    monkeypatch.setattr(volltext, "PARALLEL_FROM", 1)
    monkeypatch.setattr(aufbau, "CHUNK", 1)  # one job per Vorgang: some are sent before the worker is gone
    # each worker takes its first job and dies (as by kill -9), before answering
    monkeypatch.setattr(aufbau, "_START", "import os, sys; sys.stdin.buffer.read(8); os._exit(9)")
    park = _neu(run, ablage, "Anwohnerparkausweis Zone C", "Bitte um Verlängerung.", "Erika Muster")
    amt = _neu(run, ablage, "Frage ans Bürgeramt", "Die Anträge liegen vor.", "Ayşe Özdemir")
    _neu(run, ablage, "Sperrmüll", "Couch und Schrank")
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Parkausweis")] == [park]
    assert [t["aktenzeichen"] for t in _suche(run, ablage, "Oezdemir")] == [amt]
    assert len(_suche(run, ablage, "Sperrmüll")) == 1


def test_a_full_build_with_slow_workers_keeps_each_vorgang_with_its_own_text(run, ablage: Ablage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket.suche import aufbau, volltext

    if aufbau.workers() == 0:
        pytest.skip("Nur ein Prozessorkern: der Aufbau läuft ohne Hilfsprozesse")
    monkeypatch.setattr(volltext, "PARALLEL_FROM", 1)
    monkeypatch.setattr(aufbau, "CHUNK", 1)  # more jobs than the workers take: the main process prepares spares
    monkeypatch.setattr(aufbau, "_START", "import time; time.sleep(1); " + aufbau._START)  # while they start
    words = ["Quittenmus", "Rhabarber", "Zwetschge", "Holunder", "Kornelkirsche", "Mispel", "Schlehe",
             "Hagebutte", "Sanddorn", "Speierling", "Elsbeere", "Maulbeere", "Felsenbirne", "Kriecherl"]  # fmt: skip
    made = {word: _neu(run, ablage, f"Anfrage {i}", f"Es geht um {word}.") for i, word in enumerate(words)}
    for word, az in made.items():  # a result given to the wrong Vorgang would show here
        assert [t["aktenzeichen"] for t in _suche(run, ablage, word)] == [az]


def test_zeige_leaves_a_first_build_to_suche(run, ablage: Ablage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket.operations import suche as ops

    monkeypatch.setattr(ops, "KURZ", 1)  # as if there were more Vorgänge than zeige indexes on its own
    root = str(ablage.root)
    alt = _neu(run, ablage, "Sperrmüll abholen", "Couch und Schrank sollen weg")
    assert run("--ablage", root, "status", alt, "erledigt").code == 0
    neu = _neu(run, ablage, "Sperrmüll Termin", "Wann wird der Sperrmüll abgeholt? Ein Schrank.")
    shown = run("--ablage", root, "zeige", neu)
    assert shown.code == 0, shown.err
    assert "erst wenn der Suchindex" in shown.out and "buero-ticket suche" in shown.out
    assert json.loads(run("--ablage", root, "zeige", neu, "--json").out)["aehnliche"] == []
    assert _suche(run, ablage, "Sperrmüll")  # suche builds it (with its progress bar)
    data = json.loads(run("--ablage", root, "zeige", neu, "--json").out)
    assert [t["aktenzeichen"] for t in data["aehnliche"]] == [alt]
    assert "aehnliche_hinweis" not in data
