"""A rebuildable cache of all Vorgänge, and the scan that keeps it true.

The folders are the truth. The cache (SQLite, on the local disk of each PC,
never on the share: SQLite's locking is unreliable on network drives) maps each
Vorgang folder to its metadata. :meth:`Index.refresh` walks the status folders;
a folder whose ``vorgang.json`` changed (size or mtime) or that moved is read
again. A folder that sits in another status folder than its metadata says was
moved by hand: the metadata is repaired from the folder, with a history line.
Deleting the cache file is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .ablage import Ablage
from .aktenzeichen import from_folder_name
from .errors import BueroTicketError
from .models import Status, Vorgang
from .store import META_NAME, Store

ENV_CACHE = "BUERO_TICKET_CACHE"
CACHE_VERSION = 3
WRITE_BATCH = 1000  # rows per executemany while refreshing


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get(ENV_CACHE):
        return Path(env[ENV_CACHE])
    if os.name == "nt":  # pragma: no cover - Windows only
        return Path(env.get("LOCALAPPDATA", Path.home())) / "buero-ticket" / "cache"
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "buero-ticket"


def cache_file(ablage: Ablage, env: Mapping[str, str] = os.environ) -> Path:
    key = hashlib.sha1(str(ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir(env) / f"index-{key}.sqlite"


@dataclass
class RefreshResult:
    manuell_verschoben: list[Vorgang] = field(default_factory=list)
    probleme: list[tuple[Path, str]] = field(default_factory=list)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vorgang (
    relpath TEXT PRIMARY KEY,
    az TEXT NOT NULL,
    status TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    offen INTEGER NOT NULL,
    rang INTEGER NOT NULL,
    eingang_ts REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schluessel (
    relpath TEXT NOT NULL,
    az TEXT NOT NULL,
    key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schluessel_key ON schluessel (key);
CREATE INDEX IF NOT EXISTS schluessel_relpath ON schluessel (relpath);
CREATE INDEX IF NOT EXISTS vorgang_offen ON vorgang (offen, rang, eingang_ts);
CREATE INDEX IF NOT EXISTS vorgang_eingang ON vorgang (eingang_ts);
"""


def message_keys(vorgang: Vorgang) -> set[str]:
    """Keys of the Vorgang's messages.

    ``mid:<Message-ID>`` finds the Vorgang a reply belongs to; ``fp:<fingerprint>`` (Message-ID, sender,
    subject, date) and ``sha:<sha256 of the raw file>`` find duplicates. A Message-ID alone is no proof of
    a duplicate: different mails reuse IDs (broken mailers, test data), and nothing may be lost.
    """
    keys = set()
    for n in vorgang.nachrichten:
        if n.message_id:
            keys.add(f"mid:{n.message_id.lower()}")
        if n.fingerabdruck:
            keys.add(f"fp:{n.fingerabdruck}")
        if n.sha256:
            keys.add(f"sha:{n.sha256}")
    return keys


class Index:
    def __init__(self, store: Store, path: Path | None = None) -> None:
        self.store = store
        self.ablage = store.ablage
        self.path = path or cache_file(self.ablage)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=30)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != CACHE_VERSION:
                db.executescript("DROP TABLE IF EXISTS vorgang; DROP TABLE IF EXISTS schluessel;")
                db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
            db.executescript(_SCHEMA)
            return db
        except sqlite3.DatabaseError:
            # A broken cache is never a problem: it is rebuilt from the folders.
            self.path.unlink(missing_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
            db.executescript(_SCHEMA)
            return db

    def close(self) -> None:
        self.db.close()

    def _cached(self) -> dict[str, tuple[int, int, str]]:
        rows = self.db.execute("SELECT relpath, mtime_ns, size, status FROM vorgang")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def refresh(self) -> RefreshResult:
        """Bring the cache in line with the folders; repair manual moves."""
        result = RefreshResult()
        cached = self._cached()
        seen: set[str] = set()
        rows: list[tuple[object, ...]] = []
        keys: list[tuple[str, str, str]] = []
        prefix = len(str(self.ablage.root)) + 1
        with self.db:  # one transaction; rows are written in batches so memory stays flat
            for status, entry in self.ablage.iter_vorgang_dirs():
                if from_folder_name(entry.name) is None:
                    continue  # pruefen reports unknown folders
                rel = entry.path[prefix:].replace(os.sep, "/")
                seen.add(rel)
                try:
                    st = os.stat(os.path.join(entry.path, META_NAME))
                except FileNotFoundError:
                    result.probleme.append((Path(entry.path), f"{META_NAME} fehlt"))
                    continue
                if cached.get(rel) == (st.st_mtime_ns, st.st_size, status.value):
                    continue
                self._read_one(Path(entry.path), status, rel, st, result, rows, keys)
                if len(rows) >= WRITE_BATCH:
                    self._write_rows(rows, keys, cached)
            self._write_rows(rows, keys, cached)
            gone = [(g,) for g in set(cached) - seen]
            self.db.executemany("DELETE FROM vorgang WHERE relpath = ?", gone)
            self.db.executemany("DELETE FROM schluessel WHERE relpath = ?", gone)
        return result

    def _write_rows(
        self, rows: list[tuple[object, ...]], keys: list[tuple[str, str, str]], cached: Mapping[str, object]
    ) -> None:
        self.db.executemany("DELETE FROM schluessel WHERE relpath = ?", [(r[0],) for r in rows if r[0] in cached])
        self.db.executemany("INSERT OR REPLACE INTO vorgang VALUES (?,?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT INTO schluessel VALUES (?,?,?)", keys)
        rows.clear()
        keys.clear()

    def _read_one(
        self,
        folder: Path,
        status: Status,
        rel: str,
        st: os.stat_result,
        result: RefreshResult,
        rows: list[tuple[object, ...]],
        keys: list[tuple[str, str, str]],
    ) -> None:
        # ``st`` was taken before reading: a change after it makes the next refresh read again.
        try:
            vorgang, text = self.store.load_with_text(folder)
            if vorgang.status is not status:
                repaired = self.store.repair_status(folder, status)
                if repaired is not None:
                    result.manuell_verschoben.append(repaired)
                    vorgang, text = repaired, json.dumps(repaired.to_json(), ensure_ascii=False)
                st = os.stat(folder / META_NAME)
        except (BueroTicketError, OSError) as exc:
            result.probleme.append((folder, getattr(exc, "text", str(exc))))
            return
        az = vorgang.aktenzeichen
        rows.append(
            (rel, az, status.value, st.st_mtime_ns, st.st_size, int(status.is_open), vorgang.dringlichkeit.rank,
             vorgang.eingang.timestamp(), text)
        )  # fmt: skip
        keys.extend((rel, az, k) for k in message_keys(vorgang))

    def _iter(self, sql: str) -> Iterator[Vorgang]:
        for rel, data in self.db.execute(sql):
            vorgang = Vorgang.from_json(json.loads(data))
            vorgang.ordner = self.ablage.root / rel
            yield vorgang

    def offen(self) -> Iterator[Vorgang]:
        """Open Vorgänge: most urgent first, then oldest first."""
        return self._iter("SELECT relpath, data FROM vorgang WHERE offen = 1 ORDER BY rang, eingang_ts, az")

    def alle(self, newest_first: bool = True) -> Iterator[Vorgang]:
        order = "DESC" if newest_first else "ASC"
        return self._iter(f"SELECT relpath, data FROM vorgang ORDER BY eingang_ts {order}, az {order}")

    def worklist(self) -> Iterator[Vorgang]:
        """All Vorgänge, open ones first in worklist order, then done ones newest first."""
        return self._iter(
            "SELECT relpath, data FROM vorgang ORDER BY offen DESC, "
            "CASE WHEN offen = 1 THEN rang ELSE 0 END, "
            "CASE WHEN offen = 1 THEN eingang_ts ELSE -eingang_ts END, az"
        )

    def find_key(self, key: str) -> str | None:
        """The Aktenzeichen whose messages carry ``key`` (see :func:`message_keys`)."""
        row = self.db.execute("SELECT az FROM schluessel WHERE key = ? LIMIT 1", (key,)).fetchone()
        return str(row[0]) if row else None

    def stale_entries(self) -> list[str]:
        """Cache rows that no longer match the folders (for pruefen)."""
        stale = []
        for rel, (mtime, size, _status) in self._cached().items():
            folder = self.ablage.root / rel
            try:
                st = os.stat(folder / META_NAME)
            except FileNotFoundError:
                stale.append(rel)
                continue
            if (st.st_mtime_ns, st.st_size) != (mtime, size):
                stale.append(rel)
        return stale
