"""The register shows the same markers as `liste` behind the subject (issue 13: Wiedervorlage with its reason,
"neue Nachricht")."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl

from buero_ticket.ablage import Ablage
from buero_ticket.store import Store
from tests.test_datenschutz import Run, _cli, _neu_az, _set


def test_register_betreff_carries_the_markers_of_liste(run: Run, ablage: Ablage) -> None:
    """Issue 13: a due Wiedervorlage with its reason and the marker "neue Nachricht" are visible in the register."""
    az = _neu_az(run, ablage, "Baugenehmigung", "Lea")
    heute = date.today()
    res = _cli(run, ablage, "wiedervorlage", az, f"{heute:%d.%m.%Y}", "--grund", "Unterlagen nachfragen")
    assert res.code == 0, res.err
    other = _neu_az(run, ablage, "Hundesteuer", "Tom")
    Store(ablage).update(other, lambda v: _set(v, neue_nachricht=datetime.now().astimezone()))
    assert _cli(run, ablage, "register").code == 0
    ws = openpyxl.load_workbook(ablage.root / "Vorgangsregister.xlsx", read_only=True)["Offen"]
    rows = list(ws.iter_rows(values_only=True))
    betreff = {str(r[0]): str(r[rows[0].index("Betreff")]) for r in rows[1:] if r and r[0]}
    full = {a[:10]: a for a in betreff}
    assert betreff[full[az[:10]]] == f"Baugenehmigung [Wiedervorlage {heute:%d.%m.}: Unterlagen nachfragen]"
    assert betreff[full[other[:10]]] == "Hundesteuer [neue Nachricht]"
