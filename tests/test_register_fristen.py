"""The register's "Offen" follows the worklist: a due Wiedervorlage on top (reopened with openpyxl)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from buero_ticket.ablage import Ablage, init_ablage, open_ablage
from buero_ticket.clock import FixedClock
from buero_ticket.operations import weiterleiten as weiter
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
from tests.smtp_sink import set_config

Run = Callable[..., Any]


def _bt(run: Run, ablage: Ablage, *args: str) -> Any:
    result = run("--ablage", str(ablage.root), *args)
    assert result.code == 0, result.err
    return result


def _neu(run: Run, ablage: Ablage, betreff: str, dringlichkeit: str = "normal") -> str:
    args = ["neu", "--kanal", "telefon", "--betreff", betreff, "--von", "E. Muster", "--dringlichkeit", dringlichkeit]
    return str(json.loads(_bt(run, ablage, *args, "--json").out)["aktenzeichen"])


def test_register_offen_has_the_due_wiedervorlage_on_top(run: Run, ablage: Ablage, tmp_path: Path) -> None:
    bauamt, _created = init_ablage(tmp_path / "Bauamt-Ablage", name="Bauamt")
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "ablage": str(bauamt.root)}})
    urgent = _neu(run, ablage, "Dringend", "hoch")
    wv = _neu(run, ablage, "Heute wieder", "niedrig")
    forwarded = _neu(run, ablage, "Carport")
    _bt(run, ablage, "wiedervorlage", wv, "heute", "--grund", "Rückruf Bauamt")
    clock = FixedClock(datetime(2026, 1, 12, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    weiter.weiterleiten(Context.of(Store(open_ablage(ablage.root), clock=clock)), forwarded, "bauamt")
    _bt(run, ablage, "register")
    wb = load_workbook(ablage.register_path)
    ws = wb["Offen"]
    headers = [c.value for c in ws[1]]
    rows = [{h: c.value for h, c in zip(headers, row, strict=False)} for row in ws.iter_rows(min_row=2)]
    assert rows[0]["Aktenzeichen"] == wv  # due Wiedervorlage on top, despite "niedrig"
    assert rows[1]["Aktenzeichen"] == urgent
    assert {r["Aktenzeichen"] for r in rows} == {wv, urgent, forwarded}
