"""A rebuildable cache of all Vorgänge, and the scan that keeps it true.

The folders are the truth. The cache (SQLite, on the local disk of each PC,
never on the share: SQLite's locking is unreliable on network drives) maps each
Vorgang folder to its metadata. Deleting the cache file is always safe; a cache
that SQLite cannot read is deleted and rebuilt the same way.

:meth:`Index.refresh` only reads. Every status folder (and each "5 Archiv/<Jahr>")
is rescanned only when its own mtime changed since the last scan — a folder moved
in or out, renamed or deleted changes it, and the store touches it before every
change of a Vorgang inside (:data:`SETTLE_SECONDS`, the change signal) — or when
that mtime is too recent to trust. A rescan lists the folder and reads again each
``vorgang.json`` whose size or mtime changed. On a network drive each stat is a
round trip: a command at 10,000 Vorgänge stats a dozen folders, not every open
Vorgang. ``light`` refreshes (commands that work on one Vorgang) only list a
changed folder: moved, new and vanished Vorgänge are found, the content of the
others is brought up to date by the next full refresh (``liste``, ``register``…).
An edit of a ``vorgang.json`` by hand, in place, is seen once its folder changes
again or by ``pruefen``. What the scan finds out of line — a folder
moved by hand into another status folder, or lying where the program would never
put it — is reported in :class:`RefreshResult`; :meth:`Index.sync` hands it to
the store's repair (the one place that writes such a change), the read-only
commands only show it.

A Vorgang whose metadata cannot be read, or whose folder name carries a wrong
check digit, stays in the cache as a row marked :data:`BESCHAEDIGT`, so ``liste``
and the register show it instead of hiding it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple, Protocol, cast

from .ablage import Ablage, looks_like_vorgang
from .aktenzeichen import FOLDER_RE, from_folder_name
from .errors import BueroTicketError
from .models import Kanal, Status, Vorgang
from .store import META_NAME, SETTLE_SECONDS, Store

ENV_CACHE = "BUERO_TICKET_CACHE"
CACHE_VERSION = 5  # 5: person keys in schluessel (Datenschutz)
WRITE_BATCH = 1000  # rows per executemany while refreshing
#: A folder mtime this close to "now" is not trusted yet: a change in the same clock tick (one second
#: on some SMB clients), a client's cached listing or stat (Windows keeps them up to 10 s) or a change
#: the store announced and is still committing would be missed.
RACY_SECONDS = SETTLE_SECONDS
#: A metadata file older than this is read through the page cache (a network client's cache may
#: hold an old version of a file replaced moments ago on another PC, never of one settled this long).
SETTLED_SECONDS = 60.0
#: Shown instead of the subject of a Vorgang that cannot be read.
BESCHAEDIGT = "beschädigt – siehe pruefen"
#: Reads before a refresh shows progress (a cold start on a new PC).
PROGRESS_FROM = 2000

Progress = Callable[[int, int], None]  # (done, total); total 0: still listing the folders, done of them found


def cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get(ENV_CACHE):
        return Path(env[ENV_CACHE])
    if os.name == "nt":  # pragma: no cover - Windows only
        return Path(env.get("LOCALAPPDATA", Path.home())) / "buero-ticket" / "cache"
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "buero-ticket"


def cache_file(ablage: Ablage, env: Mapping[str, str] = os.environ) -> Path:
    key = hashlib.sha1(str(ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir(env) / f"index-{key}.sqlite"


BUSY_TRIES = 20  # ~10 s in all: several commands on one PC at once wait for each other, never rebuild


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's "database is locked"/busy: another process on this PC holds the cache – wait and try
    again. Only any other error means the file is unusable (then it is rebuilt from the folders)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class AbweichungArt(StrEnum):
    """How a folder is out of line (the value is what the cache's column ``abweichung`` holds)."""

    STATUS = "status"  # its metadata say another status than the folder it lies in
    ORT = "ort"  # not where the program puts it (e.g. dragged straight into "5 Archiv")


@dataclass(frozen=True)
class Abweichung:
    """A Vorgang folder out of line with its metadata or its place (a manual move in Explorer)."""

    ordner: Path
    status: Status  # the status of the folder it lies in: the folder wins
    art: AbweichungArt


_STATUS, _ORT = AbweichungArt.STATUS.value, AbweichungArt.ORT.value  # as stored per row (plain strings)


@dataclass(frozen=True)
class Fingerprints:
    years: dict[int, str]  # year of Eingang -> digest of its closed rows
    main: str  # digest of the rows in the main register (open, this year, the statistics' window)
    total: int
    open_count: int
    main_count: int


@dataclass
class RefreshResult:
    abweichungen: list[Abweichung] = field(default_factory=list)
    manuell_verschoben: list[Vorgang] = field(default_factory=list)  # filled by Index.sync
    probleme: list[tuple[Path, str]] = field(default_factory=list)
    cache_neu_aufgebaut: bool = False  # the cache was unreadable and was rebuilt


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vorgang (
    relpath TEXT PRIMARY KEY,
    behaelter TEXT NOT NULL,
    az TEXT NOT NULL,
    status TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    offen INTEGER NOT NULL,
    rang INTEGER NOT NULL,
    eingang_ts REAL NOT NULL,
    jahr INTEGER NOT NULL,
    abweichung TEXT NOT NULL,
    beschaedigt TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schluessel (
    relpath TEXT NOT NULL,
    az TEXT NOT NULL,
    key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS behaelter (
    relpath TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    unterordner TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schluessel_key ON schluessel (key);
CREATE INDEX IF NOT EXISTS schluessel_relpath ON schluessel (relpath);
CREATE INDEX IF NOT EXISTS vorgang_offen ON vorgang (offen, rang, eingang_ts);
CREATE INDEX IF NOT EXISTS vorgang_eingang ON vorgang (eingang_ts);
CREATE INDEX IF NOT EXISTS vorgang_az ON vorgang (az);
CREATE INDEX IF NOT EXISTS vorgang_behaelter ON vorgang (behaelter);
CREATE INDEX IF NOT EXISTS vorgang_abweichung ON vorgang (abweichung) WHERE abweichung != '';
CREATE INDEX IF NOT EXISTS vorgang_jahr ON vorgang (jahr, eingang_ts);
CREATE INDEX IF NOT EXISTS vorgang_stand ON vorgang
    (relpath, jahr, offen, eingang_ts, mtime_ns, size, status, beschaedigt);  -- fingerprints without the data
"""
_COLUMNS = (
    "relpath, behaelter, az, status, mtime_ns, size, offen, rang, eingang_ts, jahr, abweichung, beschaedigt, data"
)
_SELECT = "SELECT relpath, status, beschaedigt, data FROM vorgang"
_ROW_PLACEHOLDERS = ",".join("?" * len(_COLUMNS.split(",")))
_WORKLIST = (
    f"{_SELECT} ORDER BY offen DESC, "
    "CASE WHEN offen = 1 THEN rang ELSE 0 END, "
    "CASE WHEN offen = 1 THEN eingang_ts ELSE -eingang_ts END, az, relpath"
)


class CacheRow(NamedTuple):
    """A Vorgang as the cache stores it, for output that copies fields (no model built: at 100,000 rows
    building them costs more than everything else). ``data`` is the metadata file's content, which
    :meth:`Vorgang.from_json` accepted when the row was written."""

    data: dict[str, Any]
    status: Status  # of the folder it lies in (the folder wins)
    ordner: str
    beschaedigt: str


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
    from .datenschutz.personen import keys_of  # the citizen's contact keys, for "weitere Vorgänge"

    keys.update(f"person:{k}" for k in keys_of(vorgang))
    return keys


def _sha1(lines: list[str]) -> str:
    return hashlib.sha1("".join(lines).encode("utf-8")).hexdigest()


def folder_az_key(name: str) -> str:
    """The Aktenzeichen a folder name starts with, even with a wrong check digit ("" if none).

    A folder with a wrong check digit is kept under the right Aktenzeichen, so a clerk (or a
    reply) naming it finds the damaged Vorgang instead of nothing.
    """
    az = from_folder_name(name)
    if az is not None:
        return str(az)
    match = FOLDER_RE.match(name)
    if match is None:
        return ""
    from .aktenzeichen import Aktenzeichen

    return str(Aktenzeichen(int(match["jahr"]), int(match["nr"]), match["kuerzel"] or ""))


class Index:
    def __init__(self, store: Store, path: Path | None = None) -> None:
        self.store = store
        self.ablage = store.ablage
        self.path = path or cache_file(self.ablage)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rebuilt = False  # True once the cache was found broken and rebuilt in this process
        self.db = self._connect()
        store.locator = self.locate
        self.db.execute("PRAGMA secure_delete = ON")  # erased Vorgänge leave no readable rest in the file
        self.gesperrte_zeigen = False

    # -- the database and its repair -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        for attempt in range(BUSY_TRIES):
            try:
                return self._open()
            except sqlite3.DatabaseError as exc:
                if not _busy(exc):
                    return self._recreate()
                if attempt == BUSY_TRIES - 1:  # still held: say so, but never delete it under the other command
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _open(self) -> sqlite3.Connection:
        """The cache, its tables made or renewed under SQLite's write lock.

        Several commands started at once on a new PC (or after an update of the program) each find no
        tables or an old version: without the lock one of them dropped the tables another had just
        made and was filling, which then failed with "no such table" and was taken for a broken
        cache (deleted under the others). Under ``BEGIN IMMEDIATE`` the second one waits, then reads
        the version the first one wrote and leaves the tables alone.
        """
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != CACHE_VERSION:
                for table in ("vorgang", "schluessel", "behaelter"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.commit()
        except BaseException:
            db.rollback()
            db.close()
            raise
        return db

    def _recreate(self) -> sqlite3.Connection:
        """A broken cache is never a problem: it is deleted and rebuilt from the folders."""
        self.rebuilt = True
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
        db.executescript(_SCHEMA)
        return db

    def _rebuild(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        self.db = self._recreate()

    def close(self) -> None:
        self.db.close()

    # -- refreshing -------------------------------------------------------------------------------
    def refresh(
        self,
        *,
        full: bool = False,
        light: bool = False,
        named: list[str] | None = None,
        progress: Progress | None = None,
    ) -> RefreshResult:
        """Bring the cache in line with the folders. Writes nothing on the share.

        ``full``: rescan every status folder, whatever its mtime says (``pruefen``).
        ``light``: for a command that works on one Vorgang — a changed status folder is only listed
        (moved, new and vanished Vorgänge), the other Vorgänge' content waits for the next full refresh.
        ``named``: Aktenzeichen the command works on; they are checked in full (also in a light refresh).
        ``progress`` is called while many metadata files are read (a cold start).
        """
        for attempt in range(BUSY_TRIES):
            try:
                result = self._refresh(full, light and not full, progress, named or [])
                break
            except sqlite3.DatabaseError as exc:
                if _busy(exc) and attempt < BUSY_TRIES - 1:  # another command on this PC writes just now
                    with contextlib.suppress(sqlite3.Error):
                        self.db.rollback()
                    time.sleep(0.05 * (attempt + 1))
                    continue
                self._rebuild()
                result = self._refresh(True, False, progress, [])
                break
        result.cache_neu_aufgebaut = self.rebuilt
        return result

    def sync(
        self, *, light: bool = False, named: list[str] | None = None, progress: Progress | None = None
    ) -> RefreshResult:
        """Refresh, then let the store record what was moved by hand (for commands that change things)."""
        result = self.refresh(light=light, named=named, progress=progress)
        result.manuell_verschoben = reconcile(self, result.abweichungen)
        return result

    def _refresh(self, full: bool, light: bool, progress: Progress | None, named: list[str]) -> RefreshResult:
        result = RefreshResult()
        known = {
            rel: (mtime, subs)
            for rel, mtime, subs in self.db.execute("SELECT relpath, mtime_ns, unterordner FROM behaelter")
        }
        plans: list[tuple[Status, Path, str, list[os.DirEntry[str]], Stamp | None]] = []
        containers: set[str] = set()
        cold = progress is not None and self._is_empty()  # a new PC: listing 100,000 folders takes a while too
        total = 0
        for status, folder in self.ablage.status_dirs():
            rel = self._rel(str(folder))
            containers.add(rel)
            stamp = _stamp(folder, known.get(rel))  # taken before the listing: a change after it shows next time
            if not full and stamp is not None and _trusted(stamp) and stamp == _recorded(known.get(rel)):
                continue
            plans.append((status, folder, rel, list(self.ablage.scan_status_dir(status, folder)), stamp))
            total += len(plans[-1][3])
            if cold and progress is not None and total >= PROGRESS_FROM:
                progress(total, 0)  # still listing: the total is not known yet
        report = progress if (cold and total >= PROGRESS_FROM) else None
        done = 0
        with self.db:  # one transaction; rows are written in batches so memory stays flat
            for status, folder, rel, entries, stamp in plans:
                complete = self._scan_container(status, folder, rel, entries, result, light)
                if complete:
                    self._remember_container(folder, rel, entries, stamp)
                done += len(entries)
                if report is not None:
                    report(done, total)
            if light:
                self._refresh_named(named, result)
            gone = [(rel,) for rel in known if rel not in containers]
            self.db.executemany("DELETE FROM behaelter WHERE relpath = ?", gone)
            removed = sum(
                self.db.execute("DELETE FROM vorgang WHERE behaelter = ?", (rel,)).rowcount
                for rel in self._containers_in_rows() - containers
            )
            if removed:
                self.db.execute("DELETE FROM schluessel WHERE relpath NOT IN (SELECT relpath FROM vorgang)")
        for rel, status, art in self.db.execute(
            "SELECT relpath, status, abweichung FROM vorgang WHERE abweichung != ''"
        ).fetchall():
            result.abweichungen.append(Abweichung(self.ablage.root / rel, Status(status), AbweichungArt(art)))
        return result

    def _containers_in_rows(self) -> set[str]:
        """The status folders the rows lie in: a skip along the index vorgang_behaelter, one step per folder
        (a scan of 100,000 rows costs more than a whole command may)."""
        found: set[str] = set()
        row = self.db.execute("SELECT behaelter FROM vorgang ORDER BY behaelter LIMIT 1").fetchone()
        while row is not None:
            found.add(row[0])
            row = self.db.execute(
                "SELECT behaelter FROM vorgang WHERE behaelter > ? ORDER BY behaelter LIMIT 1", (row[0],)
            ).fetchone()
        return found

    def _is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM vorgang LIMIT 1").fetchone() is None

    def _rel(self, path: str) -> str:
        return path[len(str(self.ablage.root)) + 1 :].replace(os.sep, "/")

    def _remember_container(self, folder: Path, rel: str, entries: list[os.DirEntry[str]], stamp: Stamp | None) -> None:
        """Record the folder's stamp as taken before its listing (0: scan again next time)."""
        odd = {e.name for e in entries if os.path.dirname(e.path) == str(folder) and not looks_like_vorgang(e.name)}
        mtime, subs = stamp if stamp is not None else (0, {})
        if set(subs) != odd:  # an odd subfolder came or went: its stamp is taken before the next listing
            subs = {name: 0 for name in odd}
        if not _trusted((mtime, subs)):
            mtime = 0
        self.db.execute(
            "INSERT OR REPLACE INTO behaelter VALUES (?,?,?)", (rel, mtime, json.dumps(subs, ensure_ascii=False))
        )

    def _scan_container(
        self,
        status: Status,
        folder: Path,
        rel: str,
        entries: list[os.DirEntry[str]],
        result: RefreshResult,
        light: bool = False,
    ) -> bool:
        """Bring the rows of one status folder in line; False if a ``light`` scan left rows unchecked."""
        cached = {
            r: (m, s, st)
            for r, m, s, st in self.db.execute(
                "SELECT relpath, mtime_ns, size, status FROM vorgang WHERE behaelter = ?", (rel,)
            )
        }
        seen: set[str] = set()
        rows: list[tuple[object, ...]] = []
        keys: list[tuple[str, str, str]] = []
        complete = True
        for entry in entries:
            az_key = folder_az_key(entry.name)
            if not az_key:
                continue  # no Vorgang (pruefen reports unknown folders)
            entry_rel = self._rel(entry.path)
            seen.add(entry_rel)
            if light and entry_rel in cached:
                complete = False  # still where it was: its content is checked by the next full refresh
                continue
            complete &= self._check_one(
                entry, rel, entry_rel, az_key, status, cached.get(entry_rel), result, rows, keys
            )
            if len(rows) >= WRITE_BATCH:
                self._write_rows(rows, keys)
        self._write_rows(rows, keys)
        self._delete([(r,) for r in cached if r not in seen])
        return complete

    def _check_one(
        self,
        entry: _Entry,
        container: str,
        rel: str,
        az_key: str,
        status: Status,
        old: tuple[int, int, str] | None,
        result: RefreshResult,
        rows: list[tuple[object, ...]],
        keys: list[tuple[str, str, str]],
    ) -> bool:
        """Stat one Vorgang's metadata and read it again if it changed; False if it could not be checked."""
        misplaced = not self.ablage.is_regular_place(Path(entry.path), status)
        try:
            st = os.stat(os.path.join(entry.path, META_NAME))
        except FileNotFoundError:
            result.probleme.append((Path(entry.path), f"{META_NAME} fehlt"))
            rows.append(self._damaged_row(entry, container, az_key, status, f"{META_NAME} fehlt"))
            return True
        except OSError as exc:
            result.probleme.append((Path(entry.path), str(exc)))
            return False
        if old is not None and old == (st.st_mtime_ns, st.st_size, status.value):
            return True
        self._read_one(entry, container, rel, az_key, status, st, misplaced, result, rows, keys)
        return True

    def _refresh_named(self, names: list[str], result: RefreshResult) -> None:
        """Check the Vorgänge a command names (Aktenzeichen as typed) as a full refresh would."""
        from .aktenzeichen import parse

        rows: list[tuple[object, ...]] = []
        keys: list[tuple[str, str, str]] = []
        for text in names:
            try:
                az = str(parse(text, self.ablage.config.kuerzel))
            except BueroTicketError:
                continue  # the command itself says what is wrong with it
            for rel, container, mtime, size, status in self.db.execute(
                "SELECT relpath, behaelter, mtime_ns, size, status FROM vorgang WHERE az = ?", (az,)
            ).fetchall():
                folder = self.ablage.root / rel
                entry = _FolderEntry(folder.name, str(folder))
                old = (mtime, size, status)
                self._check_one(
                    entry, container, rel, folder_az_key(folder.name), Status(status), old, result, rows, keys
                )
        self._write_rows(rows, keys)

    def _read_one(
        self,
        entry: _Entry,
        container: str,
        rel: str,
        az_key: str,
        status: Status,
        st: os.stat_result,
        misplaced: bool,
        result: RefreshResult,
        rows: list[tuple[object, ...]],
        keys: list[tuple[str, str, str]],
    ) -> None:
        # ``st`` was taken before reading: a change after it makes the next refresh read again.
        folder = Path(entry.path)
        try:
            # A file unchanged for a while is read normally; a fresh one past any stale client cache.
            settled = time.time() - st.st_mtime > SETTLED_SECONDS
            vorgang, text = self.store.load_with_text(folder, fresh=not settled)
        except (BueroTicketError, OSError) as exc:
            reason = getattr(exc, "text", str(exc))
            result.probleme.append((folder, reason))
            rows.append(self._damaged_row(entry, container, az_key, status, reason, st))
            return
        if from_folder_name(entry.name) is None:  # wrong check digit in the folder name
            reason = f"Prüfziffer im Ordnernamen falsch (richtig: {az_key})"
            result.probleme.append((folder, reason))
            rows.append(self._damaged_row(entry, container, az_key, status, reason, st, vorgang))
            return
        art = _ORT if misplaced else (_STATUS if vorgang.status is not status else "")
        az = vorgang.aktenzeichen
        rows.append(
            (rel, container, az, status.value, st.st_mtime_ns, st.st_size, int(status.is_open),
             vorgang.dringlichkeit.rank, vorgang.eingang.timestamp(), vorgang.eingang.year, art, "", text)
        )  # fmt: skip
        keys.extend((rel, az, k) for k in message_keys(vorgang))

    def _damaged_row(
        self,
        entry: _Entry,
        container: str,
        az_key: str,
        status: Status,
        reason: str,
        st: os.stat_result | None = None,
        vorgang: Vorgang | None = None,
    ) -> tuple[object, ...]:
        """A row that keeps a Vorgang visible whose metadata cannot be used."""
        if vorgang is None:
            try:
                when = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
            except OSError:
                when = datetime.now(UTC)
            vorgang = Vorgang(aktenzeichen=az_key, betreff="", kanal=Kanal.EMAIL, status=status, eingang=when)
        vorgang.aktenzeichen = az_key
        vorgang.status = status
        vorgang.betreff = f"{BESCHAEDIGT}: {reason}"
        text = json.dumps(vorgang.to_json(), ensure_ascii=False)
        mtime, size = (st.st_mtime_ns, st.st_size) if st is not None else (0, -1)
        return (
            self._rel(entry.path), container, az_key, status.value, mtime, size, int(status.is_open),
            vorgang.dringlichkeit.rank, vorgang.eingang.timestamp(), vorgang.eingang.year, "", reason, text,
        )  # fmt: skip

    def _write_rows(self, rows: list[tuple[object, ...]], keys: list[tuple[str, str, str]]) -> None:
        if not rows:
            return
        # A damaged row keeps the message keys it had: a reply to it is still recognised (and quarantined).
        self.db.executemany("DELETE FROM schluessel WHERE relpath = ?", [(r[0],) for r in rows if not r[11]])
        self.db.executemany(f"INSERT OR REPLACE INTO vorgang ({_COLUMNS}) VALUES ({_ROW_PLACEHOLDERS})", rows)
        self.db.executemany("INSERT INTO schluessel VALUES (?,?,?)", keys)
        rows.clear()
        keys.clear()

    def _delete(self, gone: list[tuple[str]]) -> None:
        if gone:
            self.db.executemany("DELETE FROM vorgang WHERE relpath = ?", gone)
            self.db.executemany("DELETE FROM schluessel WHERE relpath = ?", gone)

    def forget(self, folder: Path) -> None:
        """Drop a folder's row (after the store moved or repaired it); the next refresh reads it again."""
        with self.db:
            self._delete([(self._rel(str(folder)),)])

    # -- reading ------------------------------------------------------------------------------------
    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Run a small query; a cache SQLite cannot read is rebuilt from the folders first."""
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError:
            self._rebuild()
            self._refresh(True, False, None, [])
            return self.db.execute(sql, args).fetchall()

    def _rows(self, sql: str) -> Iterator[tuple[str, str, str, str]]:
        """(relpath, status, beschaedigt, data) of each row, fetched in batches; a cache SQLite cannot read is
        rebuilt from the folders first."""
        try:
            cursor = self.db.execute(sql)
            batch = cursor.fetchmany(200)
        except sqlite3.DatabaseError:
            self._rebuild()
            self._refresh(True, False, None, [])
            cursor = self.db.execute(sql)
            batch = cursor.fetchmany(200)
        while batch:
            yield from batch
            batch = cursor.fetchmany(500)

    def _iter(self, sql: str) -> Iterator[Vorgang]:
        parents: dict[str, Path] = {}  # "5 Archiv/2017" -> its Path: one short join per row, not a full parse
        for rel, status, damaged, data in self._rows(sql):
            vorgang = Vorgang.from_json(json.loads(data))
            if vorgang.gesperrt and not self.gesperrte_zeigen:
                continue  # restricted (Art. 18 DSGVO): only 'zeige' and the Datenschutz commands see it
            parent, _, name = rel.rpartition("/")
            base = parents.get(parent)
            if base is None:
                base = parents[parent] = self.ablage.root / parent
            vorgang.ordner = base / name
            vorgang.status = Status(status)  # the folder wins, also before the move is recorded
            vorgang.beschaedigt = damaged
            yield vorgang

    def _stored(self, sql: str) -> Iterator[CacheRow]:
        """Like :meth:`_iter`, without building the models (see :class:`CacheRow`)."""
        root = f"{self.ablage.root}{os.sep}"
        native = os.sep == "/"
        statuses = {s.value: s for s in Status}
        loads = json.loads
        for rel, status, damaged, data in self._rows(sql):
            stored = loads(data)
            if stored.get("gesperrt") and not self.gesperrte_zeigen:
                continue  # as in _iter
            yield CacheRow(stored, statuses[status], root + (rel if native else rel.replace("/", os.sep)), damaged)

    def person_count(self, vorgang: Vorgang) -> int:
        """How many other Vorgänge belong to the same person (keys followed transitively)."""
        from .datenschutz.personen import keys_of

        keys = {f"person:{k}" for k in keys_of(vorgang)}
        seen_keys: set[str] = set()
        azs = {vorgang.aktenzeichen}
        while keys - seen_keys:
            batch = sorted(keys - seen_keys)
            seen_keys |= keys
            marks = ",".join("?" * len(batch))
            found = {r[0] for r in self.db.execute(f"SELECT DISTINCT az FROM schluessel WHERE key IN ({marks})", batch)}
            new = found - azs
            azs |= found
            if new:
                marks = ",".join("?" * len(new))
                rows = self.db.execute(
                    f"SELECT key FROM schluessel WHERE az IN ({marks}) AND key LIKE 'person:%'", sorted(new)
                )
                keys |= {r[0] for r in rows}
        return len(azs) - 1

    def offen(self) -> Iterator[Vorgang]:
        """Open Vorgänge: most urgent first, then oldest first."""
        return self._iter(f"{_SELECT} WHERE offen = 1 ORDER BY rang, eingang_ts, az, relpath")

    def alle(
        self,
        newest_first: bool = True,
        *,
        year: int | None = None,
        from_year: int | None = None,
        since: float | None = None,
        closed: bool = False,
    ) -> Iterator[Vorgang]:
        """All Vorgänge by Eingang; only one year's, from a year on, received since a timestamp, or closed."""
        order = "DESC" if newest_first else "ASC"
        where = ["offen = 0"] if closed else []
        if year is not None:
            where.append(f"jahr = {int(year)}")
        if from_year is not None:
            where.append(f"jahr >= {int(from_year)}")
        if since is not None:
            where.append(f"eingang_ts >= {float(since)!r}")
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        return self._iter(f"{_SELECT}{condition} ORDER BY eingang_ts {order}, az {order}, relpath {order}")

    def fingerprints(self, this_year: int, window_start: float) -> Fingerprints:
        """What each year's closed rows look like now, and the rows of the main register (see register.update).

        Built from what every PC's cache holds alike (paths, mtimes and sizes of the metadata files,
        status), so any PC can tell whether a workbook another PC wrote is still current.
        """
        # One line per row ("relpath<TAB>mtime_ns<TAB>size<TAB>status<TAB>beschaedigt\n", built by SQLite from
        # the covering index vorgang_stand, in relpath order), hashed per year in one piece.
        rows = self._query(
            "SELECT jahr, offen, eingang_ts, relpath || char(9) || mtime_ns || char(9) || size || char(9) "
            "|| status || char(9) || beschaedigt || char(10) FROM vorgang ORDER BY relpath"
        )
        years: dict[object, list[str]] = {}
        main: list[str] = []
        open_count = 0
        for jahr, offen, eingang_ts, line in cast(list[tuple[int, int, float, str]], rows):
            if not offen:  # a closed year's workbook holds its closed Vorgänge; the open ones are in "Offen"
                years.setdefault(jahr, []).append(line)
            if offen or jahr >= this_year or eingang_ts >= window_start:
                main.append(line)
                open_count += bool(offen)
        return Fingerprints(
            {int(str(y)): _sha1(lines) for y, lines in years.items()}, _sha1(main), len(rows), open_count, len(main)
        )

    def worklist(self) -> Iterator[Vorgang]:
        """All Vorgänge, open ones first in worklist order, then done ones newest first."""
        return self._iter(_WORKLIST)

    def worklist_stored(self) -> Iterator[CacheRow]:
        """:meth:`worklist` as stored, without models: ``liste --alle --json`` streams 100,000 rows from it."""
        return self._stored(_WORKLIST)

    def by_relpath(self, relpaths: list[str]) -> Iterator[Vorgang]:
        """The Vorgänge in these folders (paths relative to the Ablage, "/"-separated), without a full scan."""
        for start in range(0, len(relpaths), 500):
            chunk = relpaths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rel, status, damaged, data in self._query(f"{_SELECT} WHERE relpath IN ({marks})", tuple(chunk)):
                vorgang = Vorgang.from_json(json.loads(str(data)))
                vorgang.ordner = self.ablage.root / str(rel)
                vorgang.status = Status(str(status))
                vorgang.beschaedigt = str(damaged)
                yield vorgang

    def locate(self, az: str) -> list[Path]:
        """The folders the cache knows for an Aktenzeichen (no scan; the caller confirms with a stat)."""
        rows = self._query("SELECT relpath FROM vorgang WHERE az = ?", (az,))
        return [self.ablage.root / str(r[0]) for r in rows]

    def damage(self, az: str) -> str:
        """Why the Vorgang ``az`` cannot be used ("" if it is fine or unknown)."""
        rows = self._query("SELECT beschaedigt FROM vorgang WHERE az = ? AND beschaedigt != ''", (az,))
        return str(rows[0][0]) if rows else ""

    def find_key(self, key: str) -> str | None:
        """The Aktenzeichen whose messages carry ``key`` (see :func:`message_keys`)."""
        rows = self._query("SELECT az FROM schluessel WHERE key = ? LIMIT 1", (key,))
        return str(rows[0][0]) if rows else None

    def cached_stats(self) -> dict[str, tuple[int, int]]:
        """(mtime_ns, size) of each readable Vorgang's metadata file as the cache read it, by relpath (pruefen)."""
        rows = self._query("SELECT relpath, mtime_ns, size FROM vorgang WHERE beschaedigt = ''")
        return {str(rel): (int(str(m)), int(str(z))) for rel, m, z in rows}

    def cached_text(self, relpath: str) -> str | None:
        """The metadata file's text as the cache read it (see :meth:`cached_stats`)."""
        rows = self._query("SELECT data FROM vorgang WHERE relpath = ? AND beschaedigt = ''", (relpath,))
        return str(rows[0][0]) if rows else None


class _Entry(Protocol):
    """A Vorgang folder as a listing yields it (``os.DirEntry``) or as the cache names it."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    def stat(self) -> os.stat_result: ...


@dataclass(frozen=True)
class _FolderEntry:
    name: str
    path: str

    def stat(self) -> os.stat_result:
        return os.stat(self.path)


#: A status folder's stamp: its mtime and those of the odd subfolders in it ("Neuer Ordner" holding
#: Vorgänge dragged one level too deep), as ``(mtime_ns, {name: mtime_ns})``.
Stamp = tuple[int, dict[str, int]]


def _stamp(folder: Path, known: tuple[int, str] | None) -> Stamp | None:
    """The folder's stamp now (one stat, and one per odd subfolder it had), None if it cannot be read."""
    try:
        names = json.loads(known[1]) if known is not None else {}
    except ValueError:
        names = {}
    try:
        mtime = os.stat(folder).st_mtime_ns
        subs = {}
        for name in names:
            try:
                subs[name] = os.stat(folder / name).st_mtime_ns
            except FileNotFoundError:
                subs[name] = -1  # gone: differs from any recorded mtime
    except OSError:
        return None
    return mtime, subs


def _recorded(known: tuple[int, str] | None) -> Stamp | None:
    if known is None or known[0] == 0:
        return None
    try:
        subs = json.loads(known[1])
    except ValueError:
        return None
    return known[0], subs


def _trusted(stamp: Stamp) -> bool:
    """True if no mtime of the stamp is too recent to rely on (see :data:`RACY_SECONDS`)."""
    now = time.time()
    return all(m > 0 and now - m / 1e9 >= RACY_SECONDS for m in (stamp[0], *stamp[1].values()))


def reconcile(index: Index, abweichungen: list[Abweichung]) -> list[Vorgang]:
    """Record manual moves: the one place that hands what the scan found to the store's repair.

    Each folder gets its metadata status from the folder it lies in, and a folder out of place
    (e.g. dragged straight into "5 Archiv") is moved where it belongs; both with a history line.
    """
    repaired: list[Vorgang] = []
    for found in abweichungen:
        try:
            vorgang = index.store.repair_status(found.ordner, found.status)
        except (BueroTicketError, OSError):
            continue  # stays reported; pruefen names it
        index.forget(found.ordner)
        if vorgang is not None:
            repaired.append(vorgang)
    if repaired:
        index.refresh()
    return repaired
