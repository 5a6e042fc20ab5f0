"""Answering at first contact: anruf/schalter (interactive and with options), neu --direkt-beantwortet,
antworten/brief --wissen. Checked on the files left behind (vorgang.json, verlauf.txt, the reply)."""

from __future__ import annotations

import io
import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from docx import Document

from buero_ticket.ablage import Ablage, init_ablage
from buero_ticket.errors import Exit
from tests.smtp_sink import set_config
from tests.wissen_artikel import write_articles


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    return ablage


def _folder(ablage: Ablage, az: str) -> Path:
    return next(p for p in ablage.root.glob(f"*/{az} *"))


def _meta(ablage: Ablage, az: str) -> dict:  # type: ignore[type-arg]
    return dict(json.loads((_folder(ablage, az) / "vorgang.json").read_text(encoding="utf-8")))


def test_anruf_interactive_dialogue_answers_directly_with_article(
    run, wissen: Ablage, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    answers = "Erika Muster\n0123 456789\nIch brauche schnell einen Reisepass, geht ein Expresspass?\nq\n1\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    res = run("--ablage", str(wissen.root), "anruf")
    assert res.code == 0, res.err
    out = res.out
    assert "Name der Anruferin / des Anrufers (Enter: ohne Namen)" in out
    assert "Worum geht es?" in out
    assert "[1] Reisepass beantragen (sicher)" in out
    assert "Expresspass ist in drei Werktagen fertig" in out  # the Kurzinfo at once
    assert "= direkt beantwortet mit diesem Artikel" in out and "r  = Rückruf nötig / in die Liste" in out
    assert "Bitte eines davon tippen" in out  # "q" is no choice: asked again
    assert "an Fachabteilung" not in out  # forwarding does not exist yet
    az = out.split("Vorgang ")[-1].split()[0]
    meta = _meta(wissen, az)
    assert meta["status"] == "erledigt" and _folder(wissen, az).parent.name == "4 Erledigt"
    assert meta["erstkontakt_geloest"] is True
    assert meta["wissen"] == "Reisepass beantragen.md"
    assert meta["kanal"] == "telefon"
    assert meta["absender"]["telefon"] == "0123 456789"
    verlauf = (_folder(wissen, az) / "verlauf.txt").read_text(encoding="utf-8")
    assert "Erstkontakt | direkt beantwortet mit Artikel „Reisepass beantragen“" in verlauf


def test_schalter_with_options_rueckruf_goes_to_the_list(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    res = run(
        "--ablage", str(wissen.root), "schalter", "--von", "Max Beispiel", "--kontakt", "max@example.org",
        "--anliegen", "Frage zur Grundsteuer. Bitte zurückrufen.", "--ergebnis", "rueckruf", "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert data["status"] == "eingang" and data["erstkontakt_geloest"] is False
    assert data["betreff"] == "Frage zur Grundsteuer."
    meta = _meta(wissen, data["aktenzeichen"])
    assert meta["kanal"] == "persoenlich" and meta["absender"]["email"] == "max@example.org"
    assert meta["erstkontakt_geloest"] is False


def test_anruf_fachabteilung_needs_stellen_in_the_settings(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(wissen.root), "anruf", "--anliegen", "Baugenehmigung", "--ergebnis", "fachabteilung")
    assert res.code == Exit.BEDIENUNG
    assert "[stellen.KURZNAME]" in res.err and "--ergebnis rueckruf" in res.err
    assert not list(wissen.root.glob("*/20*"))  # nothing was created


def test_anruf_an_fachabteilung_forwards_into_the_stelle_s_ablage(
    run, wissen: Ablage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    bauamt, _ = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt", kuerzel="BA")
    set_config(wissen.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("Erika Muster\n\nBrauche ich für einen Carport eine Baugenehmigung?\nf\nxx\nbauamt\n")
    )
    res = run("--ablage", str(wissen.root), "anruf")
    assert res.code == 0, res.err
    assert "f  = an Fachabteilung weitergeben" in res.out
    assert "bauamt (Bauamt)" in res.out and "Bitte einen dieser Kurznamen tippen" in res.out
    az = res.out.split("Vorgang ")[-1].split()[0]
    meta = _meta(wissen, az)
    assert meta["status"] == "wartet" and meta["erstkontakt_geloest"] is False
    assert meta["weiterleitungen"][0]["stelle"] == "bauamt"
    assert [p for p in bauamt.einwurf_dir.iterdir() if az in p.name]  # the request went into the Bauamt's Einwurf
    bad = run(
        "--ablage", str(wissen.root), "anruf", "--anliegen", "x", "--ergebnis", "fachabteilung", "--stelle", "zoo"
    )
    assert bad.code == Exit.BEDIENUNG


def test_neu_direkt_beantwortet_with_wissen(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    res = run(
        "--ablage", str(wissen.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll",
        "--direkt-beantwortet", "--wissen", "Sperrmüll anmelden", "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    az = json.loads(res.out)["aktenzeichen"]
    meta = _meta(wissen, az)
    assert meta["status"] == "erledigt" and meta["erstkontakt_geloest"] is True
    assert meta["wissen"] == "Abfall/Sperrmüll anmelden.md"
    plain = run("--ablage", str(wissen.root), "neu", "--kanal", "telefon", "--betreff", "x", "--json")
    assert _meta(wissen, json.loads(plain.out)["aktenzeichen"])["erstkontakt_geloest"] is None  # not recorded
    wrong = run("--ablage", str(wissen.root), "neu", "--kanal", "telefon", "--betreff", "x", "--wissen", "Pass")
    assert wrong.code == Exit.BEDIENUNG and "--direkt-beantwortet" in wrong.err


def test_antworten_with_wissen_inserts_the_answer_sections_and_records_the_article(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(wissen.root)
    res = run(
        "--ablage", root, "neu", "--kanal", "email", "--betreff", "Pass", "--email", "erika@example.org", "--json"
    )
    az = json.loads(res.out)["aktenzeichen"]
    res = run("--ablage", root, "antworten", az, "antwort", "--wissen", "Reisepass beantragen")
    assert res.code == 0, res.err
    folder = _folder(wissen, az)
    eml = max((folder / "Nachrichten").glob("*.eml"))
    body = BytesParser(policy=policy.default).parsebytes(eml.read_bytes()).get_body(("plain",)).get_content()
    assert "Expresspass ist in drei Werktagen fertig" in body
    assert "Unterlagen" in body and "biometrisches Passfoto" in body
    assert "Nur für das Team" not in body  # "## Intern" stays internal
    assert _meta(wissen, az)["wissen"] == "Reisepass beantragen.md"
    verlauf = (folder / "verlauf.txt").read_text(encoding="utf-8")
    assert "Wissensartikel | E-Mail-Entwurf mit Artikel „Reisepass beantragen“" in verlauf


def test_brief_with_wissen(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(wissen.root)
    res = run(
        "--ablage", root, "neu", "--kanal", "brief", "--betreff", "Parken", "--von", "Erika Muster",
        "--anschrift", "Musterstraße 1, 12345 Musterstadt", "--json",
    )  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    res = run("--ablage", root, "brief", az, "antwort", "--wissen", "Bewohnerparkausweis", "--feld", "text=Guten Tag.")
    assert res.code == 0, res.err
    docx = max((_folder(wissen, az) / "Ausgang").glob("*.docx"))
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "Guten Tag." in text and "120 € im Jahr" in text
    assert _meta(wissen, az)["wissen"] == "Bewohnerparkausweis.md"
