"""The register follows every change: once per run, in the background for interactive commands."""

from __future__ import annotations

import json
import time
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from buero_ticket import history
from buero_ticket.ablage import Ablage
from buero_ticket.index import Index
from buero_ticket.intake import accept
from buero_ticket.models import Absender, Incoming, Kanal, Status
from buero_ticket.register import update as register_update
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


def test_closed_years_have_workbooks_rewritten_only_when_they_change(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_update, "SPLIT_FROM", 1)  # as in an office with 20,000 Vorgänge
    ablage = store.ablage
    this_year = datetime.now().year

    def new(year: int, betreff: str) -> str:
        when = datetime(year, 6, 1, 10, 0).astimezone() if year < this_year else datetime.now().astimezone()
        item = Incoming(kanal=Kanal.TELEFON, betreff=betreff, absender=Absender("Erika Muster"), zeit=when)
        return accept(store, item).vorgang.aktenzeichen

    old_done, old_open = new(this_year - 2, "Alt erledigt"), new(this_year - 2, "Alt offen")
    last_year, current = new(this_year - 1, "Letztes Jahr"), new(this_year, "Dieses Jahr")
    for az in (old_done, last_year):
        store.set_status(az, Status.ERLEDIGT)
    index = Index(store)
    index.refresh()

    result = register_update.rewrite(ablage, index)
    assert result is not None and result.file == ablage.register_path
    folder = register_update.years_folder(ablage.register_path)
    files = {y: folder / f"Vorgangsregister {y}.xlsx" for y in (this_year - 2, this_year - 1)}
    assert sorted(folder.iterdir()) == sorted(files.values())
    assert set(all_rows(files[this_year - 2])) == {old_done}  # closed ones only: old_open is in "Offen"
    assert set(all_rows(files[this_year - 1])) == {last_year}
    assert set(all_rows(ablage.register_path)) == {current}  # the main register: this year …
    assert set(offen_rows(ablage.register_path)) == {old_open, current}  # … and every open Vorgang
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files.values()}

    # A note on a closed Vorgang of two years ago: only that year's workbook is written again.
    store.update(
        old_done, lambda v: [history.entry("Notiz", "Nachtrag", zeit=datetime.now().astimezone(), benutzer="Test")]
    )
    index.refresh()
    register_update.rewrite(ablage, index)
    assert files[this_year - 1].read_bytes() == before[files[this_year - 1]][1]
    assert files[this_year - 1].stat().st_mtime_ns == before[files[this_year - 1]][0]
    assert files[this_year - 2].stat().st_mtime_ns != before[files[this_year - 2]][0]

    # A note on an open Vorgang of two years ago: only the main register (its sheet "Offen") is written.
    written = {p: p.stat().st_mtime_ns for p in files.values()}
    main_before = ablage.register_path.stat().st_mtime_ns
    store.update(
        old_open, lambda v: [history.entry("Notiz", "Rückruf", zeit=datetime.now().astimezone(), benutzer="Test")]
    )
    index.refresh()
    register_update.rewrite(ablage, index)
    assert {p: p.stat().st_mtime_ns for p in files.values()} == written
    assert ablage.register_path.stat().st_mtime_ns != main_before

    # Once it is done, it moves from "Offen" into its year's workbook.
    store.set_status(old_open, Status.ERLEDIGT)
    index.refresh()
    register_update.rewrite(ablage, index)
    assert set(all_rows(files[this_year - 2])) == {old_done, old_open}
    assert set(offen_rows(ablage.register_path)) == {current}

    # Nothing changed: nothing is written, the main register is reported as current.
    main_before = ablage.register_path.stat().st_mtime_ns
    again = {p: p.stat().st_mtime_ns for p in files.values()}
    result = register_update.rewrite(ablage, index)
    assert result is not None and "aktuell" in result.message
    assert ablage.register_path.stat().st_mtime_ns == main_before
    assert {p: p.stat().st_mtime_ns for p in files.values()} == again


def all_rows(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [str(r[0]) for r in wb["Alle"].iter_rows(min_row=2, values_only=True) if r[0]]
    finally:
        wb.close()
