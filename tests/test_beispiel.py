"""The example tree in beispiel_ordnerstruktur/ is a real Ablage that follows the written spec."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from buero_ticket.ablage import open_ablage
from buero_ticket.aktenzeichen import from_folder_name
from buero_ticket.history import read_history
from buero_ticket.models import Status
from buero_ticket.store import Store

from .conftest import REPO

EXAMPLE = REPO / "beispiel_ordnerstruktur" / "Ablage"
SPEC = REPO / "beispiel_ordnerstruktur" / "README.md"


def test_example_tree_is_clean(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "Ablage"
    shutil.copytree(EXAMPLE, copy)
    res = run("--ablage", str(copy), "pruefen", "--json")
    assert res.code == 0, res.out
    assert json.loads(res.out)["vorgaenge"] == 8
    listed = json.loads(run("--ablage", str(copy), "liste", "--alle", "--json").out)
    assert {v["status"] for v in listed} == {s.value for s in Status}


def test_example_follows_spec() -> None:
    ablage = open_ablage(EXAMPLE)
    store = Store(ablage)
    spec = SPEC.read_text(encoding="utf-8")
    for status, entry in ablage.iter_vorgang_dirs():
        folder = Path(entry.path)
        az = from_folder_name(entry.name)
        assert az is not None, entry.name
        meta = json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))
        for key in meta:
            assert f"`{key}`" in spec, f"Feld {key} fehlt in der Spezifikation"
        vorgang = store.load(folder)
        assert vorgang.status is status and vorgang.aktenzeichen == str(az)
        assert {"Nachrichten", "Anlagen", "Ausgang"} <= {p.name for p in folder.iterdir()}
        for n in vorgang.nachrichten:
            assert re.match(r"^\d{3} \d{4}-\d{2}-\d{2} \d{4} (Eingang|Ausgang) ", n.datei)
            assert (folder / "Nachrichten" / n.datei).is_file()
        assert read_history(folder)[0].aktion == "Angelegt"
