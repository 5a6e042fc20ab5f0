"""The demo as a new office first meets it: its scanned letter and fax are PDFs whose text 'suche' finds."""

from __future__ import annotations

import json
from pathlib import Path


def test_demo_attachments_are_readable_and_searched(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    res = run("--ablage", root, "suche", "Baugerüst", "--json")
    assert res.code == 0, res.err
    assert [t["betreff"] for t in json.loads(res.out)] == ["Widerspruch Gebührenbescheid"]  # text of the letter
    fax = run("--ablage", root, "suche", "Außenbestuhlung", "--json")
    assert [t["betreff"] for t in json.loads(fax.out)] == ["Antrag Sondernutzung Marktplatz"]
    assert "Anlage" not in res.err + fax.err  # no "Hinweis: Anlage …: beschädigt" on the first search


def test_snippets_carry_no_column_line_of_the_history(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    hits = json.loads(run("--ablage", root, "suche", "Baugerüst", "--json").out)
    assert hits and "»Baugerüst«" in hits[0]["ausschnitt"]
    assert "# Verlauf" not in hits[0]["ausschnitt"]  # was "… dreißig. # Verlauf: Zeit | Benutzer | Aktion …"


def test_a_hit_in_the_history_reads_as_a_sentence(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    az = json.loads(run("--ablage", root, "liste", "--json").out)[0]["aktenzeichen"]
    assert run("--ablage", root, "notiz", az, "Rückruf wegen Zaunhöhe vereinbart").code == 0
    [hit] = json.loads(run("--ablage", root, "suche", "Zaunhöhe", "--json").out)
    assert ": Notiz – Rückruf wegen »Zaunhöhe« vereinbart" in hit["ausschnitt"], hit["ausschnitt"]
    assert " | " not in hit["ausschnitt"] and "T" not in hit["ausschnitt"].split(":")[0][-3:]
