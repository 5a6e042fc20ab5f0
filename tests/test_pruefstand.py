"""pruefen's memory on this PC (buero_ticket/pruefstand.py): a folder of a Vorgang whose mtime is unchanged
since the last pruefen is not listed again (``--gruendlich``: anything that changes a folder's entries is
found); the quick check takes a Vorgang whose own folder is unchanged from the record, and every change the
program makes – also one cut off by ``kill -9`` before its commit – moves that folder's mtime.

The folders are made to look settled by setting their mtimes into the past (as minutes of quiet would),
so the shortcut itself is what is tested, through the real CLI.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.index import RACY_SECONDS
from buero_ticket.models import Status
from buero_ticket.pruefstand import PARENT_SETTLE_SECONDS
from buero_ticket.store import META_NAME

from .test_absturz import FIRST, REPLY, _killed_at


def _neu(run, root: str, betreff: str) -> str:  # type: ignore[no-untyped-def]
    done = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", betreff, "--text", "Bitte Rückruf", "--json")
    assert done.code == 0, done.err
    return str(json.loads(done.out)["aktenzeichen"])


def _settle(ablage: Ablage) -> dict[Path, int]:
    """Every folder of every Vorgang (and the status folders) looks untouched for a minute; returns the mtimes."""
    when = int((time.time() - max(RACY_SECONDS, PARENT_SETTLE_SECONDS) - 60) * 1e9)
    stamps = {}
    for _status, folder in ablage.status_dirs():
        for path in [p for p in folder.rglob("*") if p.is_dir()] + [folder]:
            os.utime(path, ns=(when, when))
            stamps[path] = when
    return stamps


def _problems(run, root: str, *options: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    done = run("--ablage", root, "pruefen", "--json", *options)
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
    expected = [
        ("nachricht_unterbrochen", ".~bt-neu-0003.json"),
        ("temp_rest", ".~bt-0001-Brief.docx.tmp"),
        ("temp_rest", ".~bt-0002-Foto.jpg.tmp"),
    ]
    assert _problems(run, root) == []  # made by hand inside the subfolders: the quick check takes the record
    quick = run("--ablage", root, "pruefen")
    assert quick.code == 0 and "Schnellprüfung" in quick.out and "noch nie" in quick.out and "--gruendlich" in quick.out
    assert sorted(_problems(run, root, "--gruendlich")) == expected
    assert sorted(_problems(run, root)) == expected  # a Vorgang with findings is looked at in full until clean
    assert "zuletzt am" in run("--ablage", root, "pruefen").out


def test_an_unchanged_folder_is_not_listed_again(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """What the shortcut relies on: an entry made without changing its folder's mtime stays unseen."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    stamps = _settle(ablage)
    assert _problems(run, root) == []
    ausgang = _folder(ablage) / "Ausgang"
    (ausgang / ".~bt-0001-Brief.docx.tmp").write_bytes(b"halb")
    os.utime(ausgang, ns=(stamps[ausgang], stamps[ausgang]))
    assert _problems(run, root, "--gruendlich") == []  # the recorded listing was used
    os.utime(ausgang, ns=(stamps[ausgang] + 10**9, stamps[ausgang] + 10**9))  # any real change moves the mtime
    assert _problems(run, root) == []  # quick: the Vorgang folder itself is unchanged
    assert _problems(run, root, "--gruendlich") == [("temp_rest", ".~bt-0001-Brief.docx.tmp")]


def test_metadata_edited_in_place_is_read_again(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """--gruendlich stats vorgang.json every time: the cache's copy is used only while size and mtime match."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    run("--ablage", root, "liste")
    stamps = _settle(ablage)
    assert _problems(run, root) == []
    folder = _folder(ablage)
    (folder / META_NAME).write_text('{"kaputt', encoding="utf-8")  # in place: the folder's mtime stays
    os.utime(folder, ns=(stamps[folder], stamps[folder]))
    assert _problems(run, root) == []  # the quick check takes the record: an editor's change is left to --gruendlich
    found = _problems(run, root, "--gruendlich")
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


@pytest.mark.parametrize(
    ("point", "found"),
    [
        ("nachricht-angekuendigt", {"nachricht_unterbrochen"}),
        ("nachricht-erste-datei", {"nachricht_unterbrochen", "nachricht_verwaist"}),  # the raw mail, not the rest
    ],
)
def test_the_quick_check_sees_a_crash_inside_a_recorded_vorgang(  # type: ignore[no-untyped-def]
    run, ablage: Ablage, tmp_path: Path, point: str, found: set[str]
) -> None:
    """The program touches the Vorgang folder before it writes into a subfolder (store.mark_changing): a
    crash before the commit leaves files only in Nachrichten, yet the quick check looks there."""
    root = str(ablage.root)
    first, reply = tmp_path / "erste.eml", tmp_path / "antwort.eml"
    first.write_bytes(FIRST)
    reply.write_bytes(REPLY)
    assert run("--ablage", root, "mail", "einlesen", str(first)).code == 0
    run("--ablage", root, "liste")
    _settle(ablage)
    assert _problems(run, root) == []  # recorded
    assert _problems(run, root) == []  # from the record
    _killed_at(ablage.root, tmp_path, point, "mail", "einlesen", str(reply))
    assert {art for art, _name in _problems(run, root)} == found


def test_after_a_repair_the_quick_check_looks_again(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """A Vorgang with findings is looked at in full next time: a repair inside a subfolder leaves the
    Vorgang folder's mtime alone, and the record must not report what the repair removed."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    run("--ablage", root, "liste")
    _settle(ablage)
    assert _problems(run, root) == []
    intent = _folder(ablage) / "Nachrichten" / ".~bt-neu-0003.json"
    intent.write_text("[]", encoding="utf-8")  # made by hand: only --gruendlich sees it
    _settle(ablage)  # minutes later: the listing with the intent file is recorded as settled
    assert _problems(run, root, "--gruendlich") == [("nachricht_unterbrochen", intent.name)]
    repaired = run("--ablage", root, "pruefen", "--reparieren")
    assert repaired.code == 0 and "repariert" in repaired.out and not intent.exists()
    assert _problems(run, root) == []


def test_a_vorgang_dragged_into_another_is_found_by_the_quick_check(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """The target's status folder is quiet, but a Vorgang the last run saw is gone: every Vorgang folder is
    statted, and the one it was dropped into is looked into."""
    root = str(ablage.root)
    target_az = _neu(run, root, "Sperrmüll")
    assert run("--ablage", root, "status", target_az, "in-bearbeitung").code == 0
    az = _neu(run, root, "Hund angemeldet")
    run("--ablage", root, "liste")
    _settle(ablage)
    assert _problems(run, root) == []
    assert _problems(run, root) == []  # from the record, the status folders quiet
    [moved] = list(ablage.status_dir(Status.EINGANG).iterdir())
    [target] = list(ablage.status_dir(Status.IN_BEARBEITUNG).iterdir())
    assert moved.name.startswith(az) and target.name.startswith(target_az)
    moved.rename(target / moved.name)  # dropped one level too deep, into a Vorgang in another status folder
    assert ("falscher_ort", moved.name) in _problems(run, root)


def test_after_the_thorough_check_the_quick_one_needs_no_round_trip_per_vorgang(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    """The nightly --gruendlich records the status folders too, so the next quick check takes the Vorgänge of a
    quiet status folder from the record without a stat each: a file made by hand directly in a Vorgang folder
    (the status folder's mtime stays) is seen by the next --gruendlich, not by the quick check."""
    root = str(ablage.root)
    _neu(run, root, "Sperrmüll")
    run("--ablage", root, "liste")
    _settle(ablage)
    assert _problems(run, root, "--gruendlich") == []
    leftover = _folder(ablage) / ".~bt-0001-vorgang.json.tmp"
    leftover.write_bytes(b"halb")
    assert _problems(run, root) == []  # one stat per status folder, none per Vorgang
    assert _problems(run, root, "--gruendlich") == [("temp_rest", leftover.name)]
