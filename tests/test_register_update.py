"""The register follows every change: once per run, in the background for interactive commands."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from buero_ticket import register_update
from buero_ticket.ablage import Ablage
from buero_ticket.index import Index
from buero_ticket.sharelock import ShareLock
from buero_ticket.store import Store

WAIT_S = 60.0


def offen_rows(path: Path) -> dict[str, str]:
    """Aktenzeichen -> Status on the sheet "Offen"."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb["Offen"].iter_rows(min_row=2, values_only=True))
    finally:
        wb.close()
    return {str(r[0]): str(r[5]) for r in rows if r[0]}


def test_commands_rewrite_the_register(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    res = run("--ablage", root, "neu", "--kanal", "brief", "--betreff", "=1+1 Antrag", "--json")
    az = json.loads(res.out)["aktenzeichen"]
    assert offen_rows(ablage.register_path) == {az: "Eingang"}
    run("--ablage", root, "status", az, "wartet")
    assert offen_rows(ablage.register_path) == {az: "Wartet"}
    run("--ablage", root, "status", az, "erledigt")
    assert offen_rows(ablage.register_path) == {}
    out = run("--ablage", root, "register")
    assert out.code == 0 and "Vorgangsregister.xlsx" in out.out


def test_background_mode_catches_up(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUERO_TICKET_REGISTER", "hintergrund")
    root = str(ablage.root)
    az = json.loads(run("--ablage", root, "neu", "--kanal", "fax", "--betreff", "Fax", "--json").out)["aktenzeichen"]
    _wait(lambda: ablage.register_path.exists() and offen_rows(ablage.register_path).get(az) == "Eingang")
    run("--ablage", root, "status", az, "in-bearbeitung")
    _wait(lambda: offen_rows(ablage.register_path).get(az) == "In Bearbeitung")
    lock, _dirty = register_update._paths(ablage)
    with ShareLock(lock, timeout=WAIT_S):  # the background writer has finished and let go
        pass


def test_busy_register_is_marked_and_rewritten_by_the_writer(store: Store) -> None:
    ablage = store.ablage
    index = Index(store)
    index.refresh()
    lock_path, dirty = register_update._paths(ablage)
    with ShareLock(lock_path):
        assert register_update.rewrite(ablage, index) is None  # someone else is writing
        assert dirty.exists()
    result = register_update.rewrite(ablage, index)
    assert result is not None and result.file == ablage.register_path
    assert not dirty.exists()


def test_mode_aus_leaves_the_register_alone(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUERO_TICKET_REGISTER", "aus")
    run("--ablage", str(ablage.root), "neu", "--kanal", "fax", "--betreff", "Fax")
    assert not ablage.register_path.exists()


def _wait(condition) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            if condition():
                return
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):  # being replaced right now
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the register did not catch up in time")
        time.sleep(0.05)
