"""wissen pruefen and luecken in German: the problems the issue names that test_wissen does not show – review
due within 30 days, a missing field, an unreadable file – each with file and line, exit 1; counts in the
right number; what to do next (through the CLI)."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit

ARTIKEL = """---
titel: Grabpflege
stichwoerter: [Grab, Friedhof]
leika: "99017002000000"
zustaendig:
geprueft_am: 2026-01-01
pruefen_bis: {bis}
---
## Kurzinfo
Die Friedhofsverwaltung pflegt Gräber auf Antrag.
"""


def test_due_soon_and_missing_field_with_file_and_line(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    bis = date.today() + timedelta(days=10)
    (ablage.wissen_dir / "Grabpflege.md").write_text(ARTIKEL.format(bis=bis.isoformat()), encoding="utf-8")
    res = run("--ablage", str(ablage.root), "wissen", "pruefen")
    assert res.code == Exit.PROBLEME, res.out + res.err
    assert f"Grabpflege.md, Zeile 7: Prüfung fällig am {bis:%d.%m.%Y}." in res.out
    assert "Grabpflege.md, Zeile 5: Feld „zustaendig“ fehlt oder ist leer." in res.out
    assert "1 Artikel geprüft, 2 Probleme." in res.out


@pytest.mark.skipif(os.name == "nt", reason="Eine Verknüpfung ins Leere legt dieser Test nur unter Linux an.")
def test_an_unreadable_file_is_named_in_german(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    (ablage.wissen_dir / "Verloren.md").symlink_to(ablage.root / "gibt-es-nicht.md")  # cannot be read
    res = run("--ablage", str(ablage.root), "wissen", "pruefen")
    assert res.code == Exit.PROBLEME, res.out + res.err
    [line] = [ln for ln in res.out.splitlines() if "Verloren.md" in ln]
    assert line.endswith("Verloren.md: Datei nicht lesbar: beim Lesen nicht da (gelöscht, verschoben oder eine "
                         "Verknüpfung ins Leere).")  # fmt: skip
    assert "No such file" not in res.out and "1 Problem." in res.out


def test_luecken_counts_in_german_and_says_what_to_do(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    res = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Grabpflege", "--direkt-beantwortet")
    assert res.code == 0, res.err
    out = run("--ablage", root, "wissen", "luecken").out
    assert "„Grabpflege“: 1 Vorgang ohne Artikel" in out  # was "1 Vorgänge"
    assert "Was tun:" in out and "wissen neu --aus" in out
