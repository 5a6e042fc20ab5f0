"""wissen neu --aus: draft file names are Windows-safe and unique without regard to case (as on the share)."""

from __future__ import annotations

import json

from buero_ticket.ablage import Ablage


def _neu(run, ablage: Ablage, betreff: str) -> str:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", betreff, "--json")
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


def test_drafts_differing_only_in_case_get_their_own_files(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    first, second = _neu(run, ablage, "Grabpflege Friedhof"), _neu(run, ablage, "GRABPFLEGE FRIEDHOF")
    assert run("--ablage", root, "wissen", "neu", "--aus", first).code == 0
    res = run("--ablage", root, "wissen", "neu", "--aus", second)
    assert res.code == 0, res.err
    drafts = sorted(p.name for p in (ablage.wissen_dir / "Entwürfe").iterdir())
    assert drafts == ["GRABPFLEGE FRIEDHOF (2).md", "Grabpflege Friedhof.md"]  # one file each also on SMB
    assert "GRABPFLEGE FRIEDHOF (2).md" in res.out
    assert f"quelle: {first}" in (ablage.wissen_dir / "Entwürfe" / "Grabpflege Friedhof.md").read_text("utf-8")


def test_draft_names_are_never_reserved_or_end_in_a_dot(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    for betreff in ("CON", "Frage?", "Sperrmüll..."):
        assert run("--ablage", root, "wissen", "neu", "--aus", _neu(run, ablage, betreff)).code == 0
    drafts = sorted(p.name for p in (ablage.wissen_dir / "Entwürfe").iterdir())
    assert drafts == ["Frage_.md", "Sperrmüll.md", "_CON.md"]
