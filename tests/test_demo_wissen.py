"""The demo as a new office first meets it has a small Wissen: suggestions, the anruf dialogue and the
register's column show something, and the articles pass 'wissen pruefen' (through the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl


def test_demo_has_articles_that_answer_its_requests(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    checked = run("--ablage", root, "wissen", "pruefen")
    assert checked.code == 0, checked.out
    assert "4 Artikel geprüft: alles in Ordnung." in checked.out
    alle = json.loads(run("--ablage", root, "liste", "--alle", "--json").out)
    by_subject = {v["betreff"]: v["aktenzeichen"] for v in alle}
    for betreff, datei in (("Hundesteuer Abmeldung nach Umzug", "Hundesteuer.md"),
                           ("Sperrmüll Termin", "Sperrmüll anmelden.md")):  # fmt: skip
        res = run("--ablage", root, "wissen", "vorschlagen", by_subject[betreff], "--json")
        top = json.loads(res.out)[0]
        assert (top["datei"], top["sicher"]) == (datei, True), betreff
    laterne = run("--ablage", root, "wissen", "vorschlagen", by_subject["Straßenlaterne defekt Lindenweg 4"])
    assert "kein passender Artikel" in laterne.out  # the demo shows that case too
    rows = list(openpyxl.load_workbook(Path(root) / "Vorgangsregister.xlsx")["Offen"].iter_rows(values_only=True))
    column = rows[0].index("Wissen")
    assert any(str(r[column]).startswith("Hundesteuer (0.") for r in rows[1:])
