"""suche shows a history line at the office's time, as zeige does (through the CLI)."""

from __future__ import annotations

import json
import re
from pathlib import Path


def test_a_history_hit_shows_the_same_time_as_zeige(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "demo"
    assert run("demo", str(root)).code == 0
    toml = root / "buero-ticket.toml"  # an office zone far from UTC and from this PC's zone
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("[servicezeiten]\n", '[servicezeiten]\nzeitzone = "Asia/Tokyo"\n', 1),
        encoding="utf-8",
    )
    az = json.loads(run("--ablage", str(root), "liste", "--json").out)[0]["aktenzeichen"]
    assert run("--ablage", str(root), "notiz", az, "Rückruf wegen Zaunhöhe vereinbart").code == 0
    shown = run("--ablage", str(root), "zeige", az).out
    [line] = [x for x in shown.splitlines() if "Zaunhöhe" in x]
    when = re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", line)
    assert when, line
    [hit] = json.loads(run("--ablage", str(root), "suche", "Zaunhöhe", "--json").out)
    # was the time as written in verlauf.txt (the writing PC's offset, here UTC): 9 hours off
    assert f"{when.group(0)} " in hit["ausschnitt"] and "Rückruf wegen »Zaunhöhe«" in hit["ausschnitt"], (line, hit)
    assert hit["eingang"].endswith("+09:00")
