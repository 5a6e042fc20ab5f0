"""The change signal between PCs: a status folder's mtime tells the other PCs' caches to look inside.

Each test has two "PCs" on one Ablage: PC1 changes through the store, PC2 has its own cache
(index.py). A folder's mtime is trusted only once it is older than ``RACY_SECONDS``; the tests
make the folders look settled by setting their mtimes into the past (as minutes of quiet would),
so the cache's shortcut — not statting the Vorgänge of an unchanged folder — is what is tested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from buero_ticket import faults
from buero_ticket.ablage import Ablage
from buero_ticket.index import RACY_SECONDS, Index
from buero_ticket.intake import Incoming, accept
from buero_ticket.models import Absender, Kanal, Status, Vorgang
from buero_ticket.store import META_NAME, Store


def _new(store: Store, betreff: str) -> Vorgang:
    item = Incoming(
        kanal=Kanal.TELEFON, betreff=betreff, absender=Absender("Erika Muster"), zeit=datetime.now().astimezone()
    )
    return accept(store, item).vorgang


def _settle(ablage: Ablage, age: float = RACY_SECONDS + 60) -> None:
    """Every status folder looks untouched for a while (mtime in the past, each a different one)."""
    when = time.time() - age
    for i, (_status, folder) in enumerate(ablage.status_dirs()):
        if folder.is_dir():
            os.utime(folder, (when - i, when - i))


def _assign(store: Store, az: str, who: str) -> None:
    def change(v: Vorgang) -> list:  # type: ignore[type-arg]
        v.bearbeiter = who
        return [store_entry(store, f"niemand → {who}")]

    store.update(az, change)


def store_entry(store: Store, text: str):  # type: ignore[no-untyped-def]
    from buero_ticket import history

    return history.entry("Zugewiesen", text, zeit=store.clock(), benutzer="Test")


def _bearbeiter(index: Index, az: str) -> str:
    [row] = [v for v in index.worklist() if v.aktenzeichen == az]
    return row.bearbeiter


@pytest.fixture
def pcs(store: Store, tmp_path: Path) -> tuple[Store, Index]:
    """PC1 (the store) and PC2's cache, on one Ablage."""
    return store, Index(Store(store.ablage), tmp_path / "pc2" / "index.sqlite")


def test_a_change_on_one_pc_is_seen_by_the_other_through_the_status_folder(pcs: tuple[Store, Index]) -> None:
    pc1, pc2 = pcs
    a, b = _new(pc1, "Sperrmüll"), _new(pc1, "Parkausweis")
    _settle(pc1.ablage)
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == ""
    _assign(pc1, a.aktenzeichen, "M. Weber")  # changes only a file inside the Vorgang: the store announces it
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == "M. Weber"
    assert _bearbeiter(pc2, b.aktenzeichen) == ""


def test_an_unchanged_settled_folder_is_not_looked_into(pcs: tuple[Store, Index]) -> None:
    """What the shortcut costs: an edit in place that leaves the status folder alone waits for its next change."""
    pc1, pc2 = pcs
    a = _new(pc1, "Sperrmüll")
    _settle(pc1.ablage)
    pc2.refresh()
    folder = pc1.ablage.status_dir(Status.EINGANG)
    before = os.stat(folder)
    meta = pc1.find(a.aktenzeichen) / META_NAME
    meta.write_text(meta.read_text(encoding="utf-8").replace('"bearbeiter": ""', '"bearbeiter": "von Hand"'))
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == ""  # not statted: the folder says nothing changed
    os.utime(folder, (time.time() - RACY_SECONDS - 5,) * 2)  # the folder changed (any other change in it)
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == "von Hand"


def test_a_manual_move_between_settled_folders_is_noticed(pcs: tuple[Store, Index]) -> None:
    pc1, pc2 = pcs
    a = _new(pc1, "Sperrmüll")
    _settle(pc1.ablage)
    pc2.refresh()
    folder = pc1.find(a.aktenzeichen)
    os.rename(folder, pc1.ablage.status_dir(Status.WARTET) / folder.name)  # dragged in Explorer on PC1
    _settle(pc1.ablage, RACY_SECONDS + 30)  # long ago already: only the changed mtimes tell
    result = pc2.refresh(light=True)
    assert [(x.ordner.name, x.status) for x in result.abweichungen] == [(folder.name, Status.WARTET)]
    moved = pc2.sync().manuell_verschoben
    assert [(v.aktenzeichen, v.status) for v in moved] == [(a.aktenzeichen, Status.WARTET)]


def test_a_light_refresh_lists_changed_folders_and_leaves_content_to_the_next_full_one(
    pcs: tuple[Store, Index],
) -> None:
    pc1, pc2 = pcs
    a = _new(pc1, "Sperrmüll")
    _settle(pc1.ablage)
    pc2.refresh()
    _assign(pc1, a.aktenzeichen, "M. Weber")
    c = _new(pc1, "Neu von PC1")
    pc2.refresh(light=True)
    assert {v.aktenzeichen for v in pc2.offen()} == {a.aktenzeichen, c.aktenzeichen}  # the new one is there
    assert _bearbeiter(pc2, a.aktenzeichen) == ""  # content of the others: the next full refresh
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == "M. Weber"


def test_a_change_cut_off_right_after_its_commit_is_still_seen(pcs: tuple[Store, Index], tmp_path: Path) -> None:
    """The store announces before the commit: a PC that dies between commit and anything else leaves no
    change the other PCs' caches could miss."""
    pc1, pc2 = pcs
    a = _new(pc1, "Sperrmüll")
    _settle(pc1.ablage)
    pc2.refresh()
    mark = tmp_path / "marke.txt"
    env = {**os.environ, "BUERO_TICKET_REGISTER": "aus", faults.ENV: "nach-metadaten", faults.ENV_MARK: str(mark)}
    done = subprocess.run(
        [sys.executable, "-m", "buero_ticket", "--ablage", str(pc1.ablage.root), "zuweisen", a.aktenzeichen,
         "--an", "M. Weber"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL and mark.read_text(encoding="utf-8") == "nach-metadaten"
    pc2.refresh()
    assert _bearbeiter(pc2, a.aktenzeichen) == "M. Weber"
