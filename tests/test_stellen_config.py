"""The [stellen.KEY] entries are checked like every setting: each problem in German with its line number, through
the CLI (``vorlagen pruefen``, ``stellen``, ``weiterleiten``), nothing forwarded while an entry is broken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit

Run = Callable[..., Any]

BROKEN = """
[stellen.bauamt]
email = "bauamt@musterstadt.example"

[stellen.ordnungsamt]
name = "Ordnungsamt"

[stellen.kaemmerei]
name = "Kämmerei"
email = "kaemmerei-at-musterstadt"

[stellen.umweltamt]
name = "Umweltamt"
email = "umwelt@musterstadt.example"
antwort_servicestunden = "vierzig"
telefon = "0731 123-45"

[stellen.jugendamt]
name = "  "
ablage = '//server/jugendamt/Ablage'
antwort_servicestunden = 0

[stellen.Standesamt]
name = "Standesamt"
email = "standesamt@musterstadt.example, info@musterstadt.example"
"""


def _line(ablage: Ablage, text: str, after: str = "") -> int:
    """1-based number of the first line equal to ``text`` (after the line ``after``)."""
    lines = (ablage.root / "buero-ticket.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index(after) if after else 0
    return lines.index(text, start) + 1


def _write(ablage: Ablage, extra: str) -> None:
    path = ablage.root / "buero-ticket.toml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


@pytest.mark.parametrize(
    "befehl", [("vorlagen", "pruefen"), ("stellen",), ("weiterleiten", "2026-00001-8", "--an", "bauamt")]
)
def test_incomplete_stellen_are_reported_with_line_numbers(run: Run, ablage: Ablage, befehl: tuple[str, ...]) -> None:
    _write(ablage, BROKEN)
    res = run("--ablage", str(ablage.root), *befehl)
    assert res.code == Exit.KONFIG, res.err
    kaemmerei_email = _line(ablage, 'email = "kaemmerei-at-musterstadt"')
    vierzig = _line(ablage, 'antwort_servicestunden = "vierzig"')
    telefon = _line(ablage, 'telefon = "0731 123-45"', "[stellen.umweltamt]")
    zwei = _line(ablage, 'email = "standesamt@musterstadt.example, info@musterstadt.example"')
    expected = [
        f"Zeile {_line(ablage, '[stellen.bauamt]')}: [stellen.bauamt]: name fehlt (z. B. name = ",
        f"Zeile {_line(ablage, '[stellen.ordnungsamt]')}: [stellen.ordnungsamt]: email oder ablage fehlt "
        "(wohin soll weitergeleitet werden?)",
        f"Zeile {kaemmerei_email}: [stellen.kaemmerei] email: „kaemmerei-at-musterstadt“ ist keine E-Mail-Adresse",
        f"Zeile {vierzig}: [stellen.umweltamt] antwort_servicestunden: muss eine Zahl größer 0 sein (ist 'vierzig')",
        f"Zeile {telefon}: [stellen.umweltamt] telefon: unbekannter Schlüssel "
        "(erlaubt: name, email, ablage, antwort_servicestunden)",
        f"Zeile {_line(ablage, '[stellen.jugendamt]')}: [stellen.jugendamt]: name fehlt",
        f"Zeile {_line(ablage, 'antwort_servicestunden = 0')}: [stellen.jugendamt] antwort_servicestunden: "
        "muss eine Zahl größer 0 sein (ist 0)",
        f"Zeile {_line(ablage, '[stellen.Standesamt]')}: [stellen.Standesamt]: der Kurzname nur aus Kleinbuchstaben",
        f"Zeile {zwei}: [stellen.Standesamt] email: „standesamt@musterstadt.example, info@musterstadt.example“ "
        "ist keine E-Mail-Adresse (genau eine",
    ]
    for message in expected:
        assert message in res.err, (message, res.err)
    assert f"enthält {len(expected)} Fehler" in res.err and "Was tun:" in res.err
    assert "Traceback" not in res.err


def test_complete_stellen_pass_and_are_listed(run: Run, ablage: Ablage) -> None:
    _write(
        ablage,
        """
[stellen.bauamt]
name = "Bauamt"
email = "Bauamt Musterstadt <bauamt@musterstadt.example>"
antwort_servicestunden = 40

[stellen.ordnungsamt]
name = "Ordnungsamt"
ablage = '//server/ordnungsamt/Ablage'
antwort_servicestunden = 16.5
""",
    )
    assert run("--ablage", str(ablage.root), "vorlagen", "pruefen").code == Exit.OK
    res = run("--ablage", str(ablage.root), "stellen")
    assert res.code == Exit.OK, res.err
    assert "bauamt" in res.out and "Bauamt Musterstadt <bauamt@musterstadt.example>" in res.out
    assert "ordnungsamt" in res.out and "16,5 Servicestunden" in res.out
