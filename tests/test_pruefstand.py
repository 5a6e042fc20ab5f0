"""pruefen's memory on this PC (buero_ticket/pruefstand.py): a folder of a Vorgang whose mtime is unchanged
since the last pruefen is not listed again; anything that changes a folder's entries is found.

The folders are made to look settled by setting their mtimes into the past (as minutes of quiet would),
so the shortcut itself is what is tested, through the real CLI.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from buero_ticket.ablage import Ablage
from buero_ticket.index import RACY_SECONDS
from buero_ticket.models import Status
from buero_ticket.store import META_NAME


def _neu(run, root: str, betreff: str) -> str:  # type: ignore[no-untyped-def]
    done = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", betreff, "--text", "Bitte Rückruf", "--json")
    assert done.code == 0, done.err
    return str(json.loads(done.out)["aktenzeichen"])


def _settle(ablage: Ablage) -> dict[Path, int]:
    """Every folder of every Vorgang (and the status folders) looks untouched for a minute; returns the mtimes."""
    when = int((time.time() - RACY_SECONDS - 60) * 1e9)
    stamps = {}
    for _status, folder in ablage.status_dirs():
        for path in [p for p in folder.rglob("*") if p.is_dir()] + [folder]:
            os.utime(path, ns=(when, when))
            stamps[path] = when
    return stamps


def _problems(run, root: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    done = run("--ablage", root, "pruefen", "--json")
    return [(p["art"], Path(p["pfad"]).name) for p in json.loads(done.out)["probleme"]]


def _folder(ablage: Ablage) -> Path:
    [folder] = list(ablage.status_dir(Status.EINGANG).iterdir())
    return folder


def test_a_leftover_in_a_settled_vorgang_is_found_the_next_time(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    run("--ablage", root, "liste")
    _settle(ablage)
    assert _problems(run, root) == []  # lists everything and records it
    assert _problems(run, root) == []  # from the record: nothing listed again
    folder = _folder(ablage)
    (folder / "Ausgang" / ".~bt-0001-Brief.docx.tmp").write_bytes(b"halb")  # a write cut off later on
    (folder / "Anlagen" / "Fotos").mkdir()  # a folder made by hand, with a leftover inside
    (folder / "Anlagen" / "Fotos" / ".~bt-0002-Foto.jpg.tmp").write_bytes(b"halb")
    (folder / "Nachrichten" / ".~bt-neu-0003.json").write_text("[]", encoding="utf-8")
    found = _problems(run, root)
    assert sorted(found) == [
        ("nachricht_unterbrochen", ".~bt-neu-0003.json"),
        ("temp_rest", ".~bt-0001-Brief.docx.tmp"),
        ("temp_rest", ".~bt-0002-Foto.jpg.tmp"),
    ]


def test_an_unchanged_folder_is_not_listed_again(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """What the shortcut relies on: an entry made without changing its folder's mtime stays unseen."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    stamps = _settle(ablage)
    assert _problems(run, root) == []
    ausgang = _folder(ablage) / "Ausgang"
    (ausgang / ".~bt-0001-Brief.docx.tmp").write_bytes(b"halb")
    os.utime(ausgang, ns=(stamps[ausgang], stamps[ausgang]))
    assert _problems(run, root) == []  # the recorded listing was used
    os.utime(ausgang, ns=(stamps[ausgang] + 10**9, stamps[ausgang] + 10**9))  # any real change moves the mtime
    assert _problems(run, root) == [("temp_rest", ".~bt-0001-Brief.docx.tmp")]


def test_metadata_edited_in_place_is_read_again(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """vorgang.json is statted every time: the cache's copy is used only while size and mtime match."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    run("--ablage", root, "liste")
    stamps = _settle(ablage)
    assert _problems(run, root) == []
    folder = _folder(ablage)
    (folder / META_NAME).write_text('{"kaputt', encoding="utf-8")  # in place: the folder's mtime stays
    os.utime(folder, ns=(stamps[folder], stamps[folder]))
    found = _problems(run, root)
    assert ("metadaten_unlesbar", META_NAME) in found and ("cache_veraltet", folder.name) in found


def test_a_broken_record_is_rebuilt(run, ablage: Ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket.pruefstand import stand_file

    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    _settle(ablage)
    assert _problems(run, root) == []
    record = stand_file(ablage)
    assert record.is_file()
    record.write_bytes(b"kein SQLite")
    assert _problems(run, root) == []
    assert record.is_file() and record.read_bytes().startswith(b"SQLite format 3")
