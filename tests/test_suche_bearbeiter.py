"""suche --bearbeiter takes a person as liste does: name, Kürzel or login from [benutzer], any case."""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage

BENUTZER = """
[benutzer.mweber]
name = "Maria Weber"
kuerzel = "MW"

[benutzer.syilmaz]
name = "Sevgi Yilmaz"
kuerzel = "SY"
"""


@pytest.mark.parametrize("wer", ["Maria Weber", "maria  weber", "MW", "mw", "mweber"])
def test_suche_bearbeiter_by_name_kuerzel_or_login(run, ablage: Ablage, wer: str) -> None:  # type: ignore[no-untyped-def]
    config = ablage.root / "buero-ticket.toml"
    config.write_text(config.read_text(encoding="utf-8") + BENUTZER, encoding="utf-8")
    root = str(ablage.root)
    found = {}
    for person in ("MW", "SY"):
        res = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Sperrmüll", "--bearbeiter", person,
                  "--json")  # fmt: skip
        assert res.code == 0, res.err
        found[person] = json.loads(res.out)["aktenzeichen"]
    res = run("--ablage", root, "suche", "Sperrmüll", "--bearbeiter", wer, "--json")
    assert res.code == 0, res.err
    assert [t["aktenzeichen"] for t in json.loads(res.out)] == [found["MW"]]
    listed = run("--ablage", root, "liste", "--bearbeiter", wer, "--json")
    assert [v["aktenzeichen"] for v in json.loads(listed.out)] == [found["MW"]]  # the same person as in liste


def test_without_benutzer_the_name_is_matched_without_case(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    res = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Laterne", "--bearbeiter", "Erika Muster",
              "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    found = run("--ablage", root, "suche", "Laterne", "--bearbeiter", "erika  muster", "--json")
    assert [t["aktenzeichen"] for t in json.loads(found.out)] == [az]
