"""What ``pruefen`` saw in each folder of each Vorgang last time, on this PC (local, never on the share).

On a network drive each listing costs several round trips, and ``pruefen`` looks into every folder
of every Vorgang. A folder whose mtime is the same as when it was listed last has the same entries
(creating, deleting or renaming a file in a folder changes its mtime), so after one stat its recorded
listing is used. An mtime younger than ``store.SETTLE_SECONDS`` is not relied on (a change in the
same second, a client's cached listing). A file edited in place leaves its folder's mtime alone: the
files ``pruefen`` reads (``vorgang.json``, ``verlauf.txt``) are statted every time.

Deleting the file is always safe: the next ``pruefen`` lists everything again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path

from .ablage import Ablage
from .index import cache_dir
from .store import SETTLE_SECONDS

Listing = list[tuple[str, bool]]  # (name, is a folder)
_SCHEMA = "CREATE TABLE IF NOT EXISTS ordner (relpath TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, namen TEXT NOT NULL)"
_SEP = "\0"  # no file system allows it in a name, nor "/" (which marks a folder)


def stand_file(ablage: Ablage, env: Mapping[str, str] = os.environ) -> Path:
    key = hashlib.sha1(str(ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir(env) / f"pruefen-{key}.sqlite"


class Pruefstand:
    """The recorded listings; :meth:`listing` may be called from several threads, :meth:`save` once after."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[str, tuple[int, str]] = {}
        self._new: dict[str, tuple[int, str] | None] = {}  # None: listed as recorded (nothing to write)
        try:
            with contextlib.closing(sqlite3.connect(path)) as db:
                db.execute(_SCHEMA)
                self._old = {rel: (mtime, names) for rel, mtime, names in db.execute("SELECT * FROM ordner")}
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a broken record is never a problem: everything is listed

    def listing(self, folder: Path, rel: str, mtime: int | None = None) -> Listing:
        """The entries of ``folder`` (``rel``: its path in the Ablage); ``mtime``: its mtime if known."""
        if mtime is None:
            mtime = os.stat(folder).st_mtime_ns
        old = self._old.get(rel)
        if old is not None and old[0] == mtime:
            self._new[rel] = None
            return _decode(old[1])
        with os.scandir(folder) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        settled = time.time() - mtime / 1e9 >= SETTLE_SECONDS
        self._new[rel] = (mtime if settled else 0, _encode(entries))
        return entries

    def save(self) -> None:
        """Keep what this run saw; folders it did not see (gone, or not looked into) are forgotten."""
        fresh = [(rel, *row) for rel, row in self._new.items() if row is not None]
        gone = [(rel,) for rel in self._old if rel not in self._new]
        with contextlib.suppress(sqlite3.DatabaseError, OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path)) as db, db:
                db.execute(_SCHEMA)
                db.executemany("DELETE FROM ordner WHERE relpath = ?", gone)
                db.executemany("INSERT OR REPLACE INTO ordner VALUES (?,?,?)", fresh)


def _encode(entries: Listing) -> str:
    return _SEP.join(f"{name}/" if is_dir else name for name, is_dir in entries)


def _decode(text: str) -> Listing:
    if not text:
        return []
    return [(name[:-1], True) if name.endswith("/") else (name, False) for name in text.split(_SEP)]
