"""suche: when the filters leave nothing but the words are found, the message says so (through the CLI)."""

from __future__ import annotations

import json
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
