"""What ``pruefen`` saw in each folder of each Vorgang last time, on this PC (local, never on the share).

On a network drive every listing and every stat is a round trip (≈ 0.35 ms here, not parallel), and
a Vorgang has six things to look at: its folder, ``vorgang.json``, ``verlauf.txt`` and three
subfolders. Two rules make the check cheap:

- A folder whose mtime is the same as when it was listed last has the same entries (creating,
  deleting or renaming an entry changes its folder's mtime), so its recorded listing is used.
- The quick check (``pruefen`` without ``--gruendlich``) stats only the Vorgang folder itself: if its
  mtime is the one recorded, the recorded stats of ``vorgang.json`` and ``verlauf.txt`` and the
  recorded listings of its subfolders are used without asking the share. Every change the program
  makes moves that mtime: ``vorgang.json`` is replaced (a rename in the folder) at every change, and
  the store touches the folder before it writes into a subfolder (``store.mark_changing``), so a
  crash between the two is seen as well. What stays unseen until the Vorgang changes or
  ``pruefen --gruendlich`` runs: a person's change *inside* a subfolder or an edit of a file in
  place with an editor.

An mtime younger than ``store.SETTLE_SECONDS`` is not relied on (a change in the same second, a
client's cached listing); a Vorgang in which problems were found is looked at in full next time.
Deleting the file is always safe: the next ``pruefen`` lists everything again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from .ablage import Ablage
from .index import cache_dir
from .sharelock import CLOCK_SKEW
from .store import SETTLE_SECONDS

Listing = list[tuple[str, bool]]  # (name, is a folder)
FileStat = tuple[int, int]  # (mtime_ns, size)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ordner (relpath TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, namen TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dateien (relpath TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, groesse INTEGER)",
    "CREATE TABLE IF NOT EXISTS info (schluessel TEXT PRIMARY KEY, wert TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS statusordner (relpath TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, namen TEXT)",
)
# A status folder's mtime is set by the PC that changes a Vorgang in it (store._announce: its own clock), so it
# is relied on only when older than the clocks of two PCs may differ.
PARENT_SETTLE_SECONDS = SETTLE_SECONDS + CLOCK_SKEW
_THOROUGH_KEY = "gruendlich_am"
_SEP = "\0"  # no file system allows it in a name, nor "/" (which marks a folder)


def stand_file(ablage: Ablage, env: Mapping[str, str] = os.environ) -> Path:
    key = hashlib.sha1(str(ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir(env) / f"pruefen-{key}.sqlite"


class Pruefstand:
    """The recorded listings and stats; :meth:`listing` and :meth:`file_stat` may be called from several
    threads (each with its own paths), :meth:`save` once after."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, tuple[int, str]] = {}
        self._new: dict[str, tuple[int, str] | None] = {}  # None: listed as recorded (nothing to write)
        self._old_files: dict[str, FileStat] = {}
        self._new_files: dict[str, FileStat | None] = {}  # None: absent now
        self._distrusted: set[str] = set()
        self._old_parents: dict[str, tuple[int, str]] = {}
        self._new_parents: dict[str, tuple[int, str]] = {}
        self.gruendlich_am: datetime | None = None  # the last thorough check on this PC
        self._thorough_now: datetime | None = None
        try:
            with contextlib.closing(sqlite3.connect(path)) as db:
                for statement in _SCHEMA:
                    db.execute(statement)
                self._old = {rel: (mtime, names) for rel, mtime, names in db.execute("SELECT * FROM ordner")}
                self._old_files = {rel: (mtime, size) for rel, mtime, size in db.execute("SELECT * FROM dateien")}
                self._old_parents = {rel: (mt, names) for rel, mt, names in db.execute("SELECT * FROM statusordner")}
                row = db.execute("SELECT wert FROM info WHERE schluessel = ?", (_THOROUGH_KEY,)).fetchone()
                if row:
                    with contextlib.suppress(ValueError):
                        self.gruendlich_am = datetime.fromisoformat(row[0])
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a broken record is never a problem: everything is listed

    def quiet(self, rel: str, mtime: int, names: list[str]) -> bool:
        """A status folder ``rel`` (or any folder Vorgänge lie in) with the Vorgang folders ``names``: True if
        it was recorded with this very (settled) mtime and these names – then the program changed none of
        its Vorgänge since (every change announces itself on it, see ``store._announce``)."""
        text = _SEP.join(sorted(names))
        settled = time.time() - mtime / 1e9 >= PARENT_SETTLE_SECONDS
        self._new_parents[rel] = (mtime if settled else 0, text)
        old = self._old_parents.get(rel)
        return old is not None and old[0] == mtime != 0 and old[1] == text

    def recorded_vorgaenge(self) -> set[str]:
        """The names of the Vorgang folders the last run saw (in any folder)."""
        return {name for _mtime, text in self._old_parents.values() for name in text.split(_SEP) if name}

    def settled(self, rel: str) -> bool:
        """The folder ``rel`` has a recorded listing with a settled mtime."""
        old = self._old.get(rel)
        return old is not None and old[0] != 0

    def unchanged(self, rel: str, mtime: int) -> bool:
        """True if the folder ``rel`` was recorded with this very (settled) mtime."""
        old = self._old.get(rel)
        return old is not None and old[0] == mtime

    def listing(self, folder: Path, rel: str, mtime: int | None = None, *, trust: bool = False) -> Listing:
        """The entries of ``folder`` (``rel``: its path in the Ablage); ``mtime``: its mtime if known.

        ``trust``: use a recorded (settled) listing without asking for the folder's mtime."""
        old = self._old.get(rel)
        if trust and old is not None and old[0] != 0:
            self._new[rel] = None
            return _decode(old[1])
        if mtime is None:
            mtime = os.stat(folder).st_mtime_ns
        if old is not None and old[0] == mtime:
            self._new[rel] = None
            return _decode(old[1])
        with os.scandir(folder) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        settled = time.time() - mtime / 1e9 >= SETTLE_SECONDS
        self._new[rel] = (mtime if settled else 0, _encode(entries))
        return entries

    def file_stat(self, path: Path, rel: str, *, trust: bool = False) -> FileStat | None:
        """``(mtime_ns, size)`` of the file ``path`` (None: not readable); ``trust``: the recorded one."""
        if trust and rel in self._old_files:
            self._new_files.setdefault(rel, self._old_files[rel])
            return self._old_files[rel]
        try:
            st = os.stat(path)
        except OSError:
            self._new_files[rel] = None
            return None
        self._new_files[rel] = (st.st_mtime_ns, st.st_size)
        return self._new_files[rel]

    def distrust(self, rel: str) -> None:
        """Look at the Vorgang folder ``rel`` in full next time (problems were found in it)."""
        self._distrusted.add(rel)

    def thorough(self, when: datetime) -> None:
        """This run looked at everything (``pruefen --gruendlich``)."""
        self._thorough_now = when

    def save(self) -> None:
        """Keep what this run saw; folders and files it did not see (gone, or not looked into) are forgotten."""
        fresh = [(rel, *row) for rel, row in self._new.items() if row is not None and rel not in self._distrusted]
        fresh += [(rel, 0, self._names(rel)) for rel in self._distrusted if rel in self._new]
        gone = [(rel,) for rel in self._old if rel not in self._new]
        files = [(rel, *row) for rel, row in self._new_files.items() if row is not None]
        files_gone = [(rel,) for rel in self._old_files if self._new_files.get(rel) is None]
        with contextlib.suppress(sqlite3.DatabaseError, OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path)) as db, db:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.executemany("DELETE FROM ordner WHERE relpath = ?", gone)
                db.executemany("INSERT OR REPLACE INTO ordner VALUES (?,?,?)", fresh)
                db.executemany("DELETE FROM dateien WHERE relpath = ?", files_gone)
                db.executemany("INSERT OR REPLACE INTO dateien VALUES (?,?,?)", files)
                db.execute("DELETE FROM statusordner")
                db.executemany(
                    "INSERT INTO statusordner VALUES (?,?,?)", [(r, *row) for r, row in self._new_parents.items()]
                )
                if self._thorough_now is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO info VALUES (?,?)", (_THOROUGH_KEY, self._thorough_now.isoformat())
                    )

    def _names(self, rel: str) -> str:
        row = self._new.get(rel) or self._old.get(rel)
        return row[1] if row else ""


def _encode(entries: Listing) -> str:
    return _SEP.join(f"{name}/" if is_dir else name for name, is_dir in entries)


def _decode(text: str) -> Listing:
    if not text:
        return []
    return [(name[:-1], True) if name.endswith("/") else (name, False) for name in text.split(_SEP)]
