from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from buero_ticket import history
from buero_ticket.ablage import open_ablage
from buero_ticket.clock import system_clock
from buero_ticket.errors import KonfliktFehler, NichtGefunden
from buero_ticket.index import AbweichungArt, Index
from buero_ticket.intake import Incoming, accept
from buero_ticket.models import Absender, Kanal, Status, Vorgang
from buero_ticket.store import META_NAME, Store


def _new(store: Store, betreff: str = "Sperrmüll Termin", **kw: object) -> Vorgang:
    item = Incoming(
        kanal=Kanal.TELEFON,
        betreff=betreff,
        absender=Absender("Erika Muster"),
        zeit=system_clock(),
        text="Bitte Rückruf",
        **kw,
    )  # type: ignore[arg-type]
    return accept(store, item).vorgang


def test_create_writes_complete_folder(store: Store) -> None:
    v = _new(store)
    assert v.ordner is not None and v.ordner.parent.name == "1 Eingang"
    assert v.ordner.name == f"{v.aktenzeichen} Sperrmüll Termin"
    meta = json.loads((v.ordner / META_NAME).read_text(encoding="utf-8"))
    assert meta["format"] == "buero-ticket/vorgang" and meta["format_version"] == 1
    assert meta["status"] == "eingang" and meta["revision"] == 1
    assert {p.name for p in v.ordner.iterdir()} == {
        "vorgang.json",
        "verlauf.txt",
        "Nachrichten",
        "Anlagen",
        "Ausgang",
    }
    [note] = list((v.ordner / "Nachrichten").iterdir())
    assert "Bitte Rückruf" in note.read_text(encoding="utf-8")
    assert [e.aktion for e in history.read_history(v.ordner)] == ["Angelegt"]


def test_hostile_subject_and_attachment_names_stay_inside(store: Store) -> None:
    v = _new(
        store,
        betreff='../../CON: "böse" <Betreff>?',
        anlagen=[("../../x", b"1"), ("CON.pdf", b"2"), ("con.pdf", b"3")],
    )
    assert v.ordner is not None
    assert v.ordner.parent == store.ablage.status_dir(Status.EINGANG)
    names = sorted(p.name for p in (v.ordner / "Anlagen").iterdir())
    assert names == ["_CON (2).pdf", "_CON.pdf", "x"] or names == ["_CON.pdf", "_con (2).pdf", "x"]
    for path in v.ordner.rglob("*"):
        assert len(str(path)) < 240
        assert not any(ch in path.name for ch in '<>:"\\|?*')


def test_long_root_keeps_paths_short(tmp_path: Path) -> None:
    from buero_ticket.ablage import init_ablage

    deep = tmp_path / "Fachbereich 3 Bürgerdienste und Ordnung" / "Sachgebiet Bürgerbüro Anliegenmanagement"
    assert len(str(deep)) > 100
    store = Store(init_ablage(deep)[0])
    v = _new(store, betreff="Ä" * 200, anlagen=[("Anlage " + "x" * 300 + ".pdf", b"%PDF")])
    assert v.ordner is not None
    for path in v.ordner.rglob("*"):
        assert len(str(path)) < 240, path
    assert any(p.suffix == ".pdf" for p in (v.ordner / "Anlagen").iterdir())


def test_status_moves_folder_and_logs(store: Store) -> None:
    v = _new(store)
    moved = store.set_status(v.aktenzeichen, Status.IN_BEARBEITUNG)
    assert moved.ordner is not None and moved.ordner.parent.name == "2 In Bearbeitung"
    assert not v.ordner.exists()  # type: ignore[union-attr]
    archived = store.set_status(v.aktenzeichen, Status.ARCHIV)
    assert archived.ordner.parent.parent.name == "5 Archiv"  # type: ignore[union-attr]
    assert archived.erledigt is not None
    lines = history.read_history(archived.ordner)  # type: ignore[arg-type]
    assert [e.details for e in lines[1:]] == ["Eingang → In Bearbeitung", "In Bearbeitung → Archiv"]


def test_revision_token_refuses_stale_change(store: Store) -> None:
    v = _new(store)
    store.update(v.aktenzeichen, lambda x: [history.entry("Notiz", "erste", zeit=store.clock(), benutzer="Test")])
    with pytest.raises(KonfliktFehler, match="inzwischen"):
        store.update(
            v.aktenzeichen,
            lambda x: [history.entry("Notiz", "zweite", zeit=store.clock(), benutzer="Test")],
            expected_revision=v.revision,
        )
    assert [e.details for e in history.read_history(v.ordner)][-1] == "erste"  # type: ignore[arg-type]


def test_a_folder_dropped_beside_the_year_folders_is_out_of_place(store: Store) -> None:
    v = _new(store)
    store.set_status(v.aktenzeichen, Status.ARCHIV)
    index = Index(store)
    index.refresh()
    placed = store.find(v.aktenzeichen)
    dropped = store.ablage.status_dir(Status.ARCHIV) / placed.name  # "5 Archiv" itself, not its year folder
    os.rename(placed, dropped)
    found = index.refresh()
    assert [(a.ordner, a.status, a.art) for a in found.abweichungen] == [(dropped, Status.ARCHIV, AbweichungArt.ORT)]
    assert type(found.abweichungen[0].art) is AbweichungArt  # the enum, not the cache's string


def test_manual_move_is_detected_and_repaired(store: Store) -> None:
    v = _new(store)
    index = Index(store)
    index.refresh()
    target = store.ablage.status_dir(Status.ERLEDIGT) / v.ordner.name  # type: ignore[union-attr]
    os.rename(v.ordner, target)  # type: ignore[arg-type]
    before = (target / META_NAME).read_bytes()
    found = index.refresh()  # reading only: reports the move, writes nothing
    assert [(a.ordner, a.status, a.art) for a in found.abweichungen] == [
        (target, Status.ERLEDIGT, AbweichungArt.STATUS)
    ]
    assert found.manuell_verschoben == [] and (target / META_NAME).read_bytes() == before
    assert [x.status for x in index.alle()] == [Status.ERLEDIGT]  # the folder wins in what is shown
    result = index.sync()
    assert [x.aktenzeichen for x in result.manuell_verschoben] == [v.aktenzeichen]
    reloaded = store.load(target)
    assert reloaded.status is Status.ERLEDIGT and reloaded.erledigt is not None
    last = history.read_history(target)[-1]
    assert last.aktion == "Statuswechsel (manuell verschoben)" and "Eingang → Erledigt" in last.details
    assert index.sync().manuell_verschoben == []  # recorded once only
    assert index.refresh().abweichungen == []
    assert [x.aktenzeichen for x in index.alle()] == [v.aktenzeichen]


def test_temp_leftovers_are_invisible(store: Store) -> None:
    v = _new(store)
    crashed = store.ablage.status_dir(Status.EINGANG) / ".~bt-deadbeef0000.tmp"
    crashed.mkdir()
    (crashed / META_NAME).write_text("{halb", encoding="utf-8")
    (v.ordner / ".~bt-0000-vorgang.json.tmp").write_text("{halb", encoding="utf-8")  # type: ignore[operator]
    index = Index(store)
    index.refresh()
    assert [x.aktenzeichen for x in index.alle()] == [v.aktenzeichen]
    assert store.get(v.aktenzeichen).betreff == "Sperrmüll Termin"


def test_unknown_aktenzeichen_suggests(store: Store) -> None:
    v = _new(store)
    wrong = v.aktenzeichen.replace("00001", "00011")[:10]
    with pytest.raises(NichtGefunden) as info:
        store.get(wrong)
    assert v.aktenzeichen in info.value.hinweis


def _hammer(root: str, az: str, worker: int, count: int) -> None:
    store = Store(open_ablage(Path(root)))
    for i in range(count):
        store.update(az, lambda v, i=i: [history.entry("Notiz", f"w{worker}-{i}", zeit=store.clock(), benutzer="Test")])
        if i % 10 == 0:
            target = Status.WARTET if (worker + i) % 20 == 0 else Status.IN_BEARBEITUNG
            store.set_status(az, target)


def test_concurrent_writers_lose_no_history_line(store: Store) -> None:
    v = _new(store)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(str(store.ablage.root), v.aktenzeichen, w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
        assert p.exitcode == 0
    final = store.get(v.aktenzeichen)
    notes = [e.details for e in history.read_history(final.ordner) if e.aktion == "Notiz"]  # type: ignore[arg-type]
    assert sorted(notes) == sorted(f"w{w}-{i}" for w in range(4) for i in range(40))
    status_changes = sum(1 for e in history.read_history(final.ordner) if e.aktion == "Statuswechsel")  # type: ignore[arg-type]
    assert final.revision == 1 + 160 + status_changes
