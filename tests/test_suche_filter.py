"""suche: when the filters leave nothing but the words are found, the message says so (through the CLI)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path


def test_no_hit_because_of_a_filter_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    alle = json.loads(run("--ablage", root, "suche", "Sperrmüll", "--json").out)
    assert alle and all(v["kanal"] != "fax" for v in alle)
    res = run("--ablage", root, "suche", "Sperrmüll", "--kanal", "fax")
    assert res.code == 0, res.err
    # was "Keine Vorgänge gefunden für: Sperrmüll" and "weniger oder andere Begriffe versuchen", as if there were none
    assert (
        f"Keine Vorgänge gefunden für: Sperrmüll mit --kanal fax; ohne diese Angaben: {len(alle)} Treffer." in res.out
    )
    assert "Was tun: die Angaben weglassen oder ändern." in res.out
    nichts = run("--ablage", root, "suche", "Zaunhöhe", "--status", "archiv").out
    assert "Keine Vorgänge gefunden für: Zaunhöhe mit --status archiv\nWas tun: weniger oder andere Begriffe" in nichts


def test_von_and_bis_look_back(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    [hit] = json.loads(run("--ablage", root, "suche", "Sperrmüll", "Termin", "--json").out)
    eingang = datetime.fromisoformat(hit["eingang"]).date()
    tag = f"{eingang - timedelta(days=1):%d.%m.}"  # without a year, as clerks type it
    # "--von 21.11." was read as the coming 21 November (next year), so a search from last week found nothing
    found = json.loads(run("--ablage", root, "suche", "Sperrmüll", "Termin", "--von", tag, "--json").out)
    assert [v["aktenzeichen"] for v in found] == [hit["aktenzeichen"]], tag
    assert json.loads(run("--ablage", root, "suche", "Sperrmüll", "Termin", "--von", "-60", "--json").out)
    assert not json.loads(run("--ablage", root, "suche", "Sperrmüll", "Termin", "--bis", tag, "--json").out)
    res = run("--ablage", root, "suche", "Sperrmüll", "--von", "letzte Woche")
    assert "gestern, vorgestern, -3 (Tage zurück)" in res.err  # the forms that look back


def test_only_function_words_are_named_as_such(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "demo")
    assert run("demo", root).code == 0
    res = run("--ablage", root, "suche", "der", "die", "und")
    assert res.code == 0, res.err
    # was "Keine Vorgänge gefunden für: der die und" and "andere Begriffe versuchen"
    assert "„der die und“ sind nur Füllwörter (wie der, die, und), nach denen nicht gesucht wird." in res.out
    assert "Keine Vorgänge" in run("--ablage", root, "suche", "die", "Zaunhöhe").out  # a word with content: as before
