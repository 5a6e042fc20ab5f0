"""The full-text index over every Vorgang (archive included): a local cache, never on the share.

SQLite FTS5 over analysed tokens (:mod:`.analyse`: folded, Snowball-stemmed), one row per Vorgang,
columns Betreff (weighted ×3) and the rest (Aktenzeichen, sender, message texts, history notes, the text
of Word attachments). It follows the metadata cache (:class:`buero_ticket.index.Index`): a Vorgang whose
``vorgang.json`` changed there (every change through the store rewrites it; the metadata cache finds
changes from other PCs through the status folders' mtimes) is indexed again, a vanished one removed. So
the search index costs one SQL comparison per command, no extra scan of the share. Deleting the file is
always safe: the next ``suche`` rebuilds it with a progress bar.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from ..index import Index, cache_dir
from ..models import Vorgang
from ..store import ANLAGEN_DIR, NACHRICHTEN_DIR
from .analyse import STOPWORDS, fold, stem, words

VERSION = 4
COMPOUND_MIN = 4  # a search word of this many letters also finds compounds ending in it
MAX_EXPANSION = 60
PROGRESS_FROM = 500  # a progress bar only when this many Vorgänge are read
MAX_TEXT = 200_000  # characters of text read per Vorgang
Progress = Callable[[int, int], None]

_AZ = re.compile(r"^(?:[A-Za-z0-9]{1,8}-)?\d{4}-\d{5}(?:-\d)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_QUERY = re.compile(r'"([^"]*)"|(\S+)')
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY,
    relpath TEXT UNIQUE NOT NULL,
    az TEXT NOT NULL,
    status TEXT NOT NULL,
    kanal TEXT NOT NULL,
    bearbeiter TEXT NOT NULL,
    eingang_ts REAL NOT NULL,
    betreff TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    text BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(betreff, inhalt, tokenize="unicode61 tokenchars '@.-_'");
CREATE TABLE IF NOT EXISTS wort (rev TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_az ON doc (az);
CREATE INDEX IF NOT EXISTS doc_stempel ON doc (mtime_ns, size, relpath);  -- covers the stamp (no text pages read)
CREATE TABLE IF NOT EXISTS stand (id INTEGER PRIMARY KEY CHECK (id = 1), stempel TEXT NOT NULL);
INSERT OR IGNORE INTO fts (fts, rank) VALUES ('rank', 'bm25(3.0, 1.0)');
PRAGMA user_version = {VERSION};
"""


def index_file(index: Index) -> Path:
    key = hashlib.sha1(str(index.ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir() / f"suche-{key}.sqlite"


def tokens(text: str) -> str:
    """The analysed form of a text as FTS5 indexes it: stems separated by spaces."""
    return " ".join(stem(w) for w in words(text) if w not in STOPWORDS or len(w) > 3)


def _exact_tokens(vorgang: Vorgang) -> list[str]:
    az = vorgang.aktenzeichen.lower()
    out = [az, az.rsplit("-", 1)[0]]
    for mail in (vorgang.absender.email, *(n.von for n in vorgang.nachrichten)):
        found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", mail or "")
        if found:
            out.append(fold(found.group(0)))
    return out


def read_text(vorgang: Vorgang) -> str:
    """What a clerk may search for in a Vorgang besides its metadata: messages, history, Word attachments."""
    folder = vorgang.ordner
    assert folder is not None
    parts: list[str] = []
    size = 0
    candidates: list[Path] = []
    for sub in (NACHRICHTEN_DIR, ANLAGEN_DIR):
        try:
            candidates += sorted(p for p in (folder / sub).iterdir() if p.is_file())
        except OSError:
            continue
    candidates.append(folder / "verlauf.txt")  # last: snippets come from the messages first
    for path in candidates:
        if size > MAX_TEXT:
            break
        text = _file_text(path)
        if text:
            parts.append(text)
            size += len(text)
    return "\n".join(parts)[:MAX_TEXT]


def _file_text(path: Path) -> str:
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return path.read_text(encoding="utf-8", errors="replace")
        if suffix == ".docx":
            import docx

            return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    except Exception:  # an unreadable attachment only stays unsearchable
        return ""
    return ""


@dataclass
class Treffer:
    aktenzeichen: str
    betreff: str
    status: str
    kanal: str
    bearbeiter: str
    eingang: datetime
    score: float
    ausschnitt: str
    ordner: Path


class Volltext:
    def __init__(self, index: Index, path: Path | None = None) -> None:
        self.index = index
        self.path = path or index_file(index)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()
        # The metadata cache's rows carry the whole metadata JSON; an index over the columns of the stamp lets
        # SQLite compute it without reading those pages (additive: the cache's own queries are unchanged).
        with contextlib.suppress(sqlite3.DatabaseError):
            index.db.execute("CREATE INDEX IF NOT EXISTS vorgang_suchstempel ON vorgang (mtime_ns, size, relpath)")

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=30)
            if db.execute("PRAGMA user_version").fetchone()[0] not in (0, VERSION):
                db.close()
                self.path.unlink()
                db = sqlite3.connect(self.path, timeout=30)
            db.executescript(_SCHEMA)
            db.execute("PRAGMA secure_delete = ON")  # an erased Vorgang leaves no readable rest in the file
            return db
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # a broken cache is rebuilt from the folders
            db = sqlite3.connect(self.path, timeout=30)
            db.executescript(_SCHEMA)
            return db

    def close(self) -> None:
        self.db.close()

    # -- keeping up with the metadata cache ---------------------------------------------------------
    def update(self, progress: Progress | None = None) -> int:
        """Index what changed in the metadata cache since the last call; returns how many were (re)indexed.

        A stamp of the metadata cache (count, sums of mtimes, sizes, path lengths and status digits) tells
        in one pass without a join whether anything changed at all; only then are the rows compared.
        """
        stamp = self._stamp()
        row = self.db.execute("SELECT stempel FROM stand WHERE id = 1").fetchone()
        if row is not None and row[0] == stamp:
            return 0
        count = self._newer(stamp)
        if count < 0:  # something else changed (a folder vanished or moved without a new metadata file)
            count = self._compare(progress)
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO stand VALUES (1, ?)", (stamp,))
        return count

    def _stamp(self, db: sqlite3.Connection | None = None, table: str = "vorgang") -> str:
        """count, sums of mtimes, sizes, path lengths and first letters (status digits) of ``table``."""
        row = (
            (db or self.index.db)
            .execute(
                "SELECT count(*), sum(mtime_ns % 1000000007), sum(size), sum(length(relpath)), sum(unicode(relpath)) "
                f"FROM {table}"
            )
            .fetchone()
        )
        return ":".join(str(x) for x in row)

    def _newer(self, stamp: str) -> int:
        """The usual case: metadata files newer than the newest indexed one (what the store just wrote).

        Returns how many were indexed, or -1 if the index still differs afterwards (then compare all).
        """
        newest = self.db.execute("SELECT max(mtime_ns) FROM doc").fetchone()[0]
        if newest is None:
            return -1
        fresh = self.index.db.execute(
            "SELECT relpath, mtime_ns, size FROM vorgang WHERE mtime_ns > ?", (newest,)
        ).fetchall()
        if len(fresh) >= PROGRESS_FROM:
            return -1
        sigs = {rel: (m, size) for rel, m, size in fresh}
        with self.db:
            for vorgang in self._load(list(sigs)):
                rel = self._rel(vorgang)
                for (old,) in self.db.execute(
                    "SELECT relpath FROM doc WHERE az = ?", (vorgang.aktenzeichen,)
                ).fetchall():
                    self._delete(old)  # the same Vorgang in its old folder (moved by a status change)
                self._insert(rel, vorgang, sigs[rel])
        return len(fresh) if self._stamp(self.db, "doc") == stamp else -1

    def _compare(self, progress: Progress | None = None) -> int:
        mine = {rel: (m, s) for rel, m, s in self.db.execute("SELECT relpath, mtime_ns, size FROM doc")}
        theirs = {rel: (m, s) for rel, m, s in self.index.db.execute("SELECT relpath, mtime_ns, size FROM vorgang")}
        changed = [rel for rel, sig in theirs.items() if mine.get(rel) != sig]
        gone = [rel for rel in mine if rel not in theirs]
        if not changed and not gone:
            return 0
        if len(changed) < PROGRESS_FROM:
            progress = None
        with self.db:
            for rel in gone:
                self._delete(rel)
            for done, vorgang in enumerate(self._load(changed), start=1):
                rel = self._rel(vorgang)
                self._delete(rel)
                if vorgang.gesperrt:
                    continue  # restricted (Art. 18 DSGVO): never found by suche, similar cases or suggestions
                self._insert(rel, vorgang, theirs[rel])
                if progress is not None and done % 200 == 0:
                    progress(done, len(changed))
        if progress is not None:
            progress(len(changed), len(changed))
        return len(changed)

    def _rel(self, vorgang: Vorgang) -> str:
        assert vorgang.ordner is not None
        return str(vorgang.ordner)[len(str(self.index.ablage.root)) + 1 :].replace(os.sep, "/")

    def _load(self, rels: list[str]) -> Iterator[Vorgang]:
        return self.index.by_relpath(rels)  # only the changed rows, not all 100,000

    def _delete(self, rel: str) -> None:
        row = self.db.execute("SELECT id FROM doc WHERE relpath = ?", (rel,)).fetchone()
        if row:
            self.db.execute("DELETE FROM fts WHERE rowid = ?", row)
            self.db.execute("DELETE FROM doc WHERE id = ?", row)

    def _insert(self, rel: str, vorgang: Vorgang, sig: tuple[int, int]) -> None:
        text = read_text(vorgang)
        a = vorgang.absender
        meta = " ".join((vorgang.aktenzeichen, a.name, a.email, a.telefon, a.anschrift, vorgang.bearbeiter))
        cursor = self.db.execute(
            "INSERT INTO doc (relpath, az, status, kanal, bearbeiter, eingang_ts, betreff, mtime_ns, size, text) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                rel,
                vorgang.aktenzeichen,
                vorgang.status.value,
                vorgang.kanal.value,
                vorgang.bearbeiter,
                vorgang.eingang.timestamp(),
                vorgang.betreff,
                sig[0],
                sig[1],
                zlib.compress(text.encode("utf-8"), 1),
            ),
        )
        inhalt = " ".join([*_exact_tokens(vorgang), tokens(meta), tokens(text)])
        betreff_tokens = tokens(vorgang.betreff)
        known = {t[::-1] for t in (betreff_tokens + " " + inhalt).split() if len(t) > COMPOUND_MIN and t.isalpha()}
        self.db.executemany("INSERT OR IGNORE INTO wort VALUES (?)", [(t,) for t in known])
        self.db.execute(
            "INSERT INTO fts (rowid, betreff, inhalt) VALUES (?,?,?)",
            (cursor.lastrowid, betreff_tokens, inhalt),
        )

    # -- searching -------------------------------------------------------------------------------------
    def match_expression(self, query: str) -> tuple[str, list[str]]:
        """The FTS5 expression for what a clerk typed, and the stems to mark in snippets."""
        parts: list[str] = []
        marks: list[str] = []
        for phrase, word in _QUERY.findall(query):
            if phrase:
                stems = [stem(w) for w in words(phrase)]
                if stems:
                    parts.append('"' + " ".join(stems) + '"')
                    marks += stems
                continue
            if _AZ.match(word) or _EMAIL.match(word):
                token = fold(word).strip(".,;")
                if _AZ.match(word) and re.match(r"^[a-z0-9]{1,8}-\d{4}", token) and not token[:4].isdigit():
                    token = token.split("-", 1)[1]  # the Kürzel is not part of the token
                parts.append(f'"{token}"')
                marks.append(token)
                continue
            if word.endswith("*"):
                prefix = "".join(words(word[:-1]))
                if prefix:
                    parts.append(f'"{prefix}"*')
                    marks.append(prefix)
                continue
            for w in words(word):
                s = stem(w)
                alternatives = [s, *self._compounds(s)]
                parts.append("(" + " OR ".join(f'"{t}"' for t in alternatives) + ")")
                marks += alternatives
        return " AND ".join(parts), marks

    def _compounds(self, s: str) -> list[str]:
        """Indexed words that end in ``s`` (``parkausweis`` → ``anwohnerparkausweis``).

        The table ``wort`` holds every indexed word reversed, so the words ending in ``s`` are one
        range of its primary key (no scan of the vocabulary).
        """
        if len(s) < COMPOUND_MIN or not s.isalpha():
            return []
        rev = s[::-1]
        rows = self.db.execute(
            "SELECT rev FROM wort WHERE rev > ? AND rev < ? LIMIT ?", (rev, rev + "\U0010ffff", MAX_EXPANSION)
        )
        return [r[::-1] for (r,) in rows]

    def suche(
        self,
        query: str,
        *,
        status: list[str] | None = None,
        kanal: str | None = None,
        bearbeiter: str | None = None,
        von: datetime | None = None,
        bis: datetime | None = None,
        anzahl: int = 20,
        ohne: str | None = None,
        oder: bool = False,
    ) -> list[Treffer]:
        expression, marks = self.match_expression(query)
        if oder:
            expression = expression.replace(" AND ", " OR ")
        if not expression:
            return []
        where: list[str] = ["fts MATCH ?"]
        args: list[object] = [expression]
        if status:
            where.append("doc.status IN (" + ",".join("?" * len(status)) + ")")
            args += status
        if kanal:
            where.append("doc.kanal = ?")
            args.append(kanal)
        if bearbeiter:
            where.append("doc.bearbeiter = ?")
            args.append(bearbeiter)
        if von:
            where.append("doc.eingang_ts >= ?")
            args.append(von.timestamp())
        if bis:
            where.append("doc.eingang_ts < ?")
            args.append(bis.timestamp())
        if ohne:
            where.append("doc.az != ?")
            args.append(ohne)
        columns = (
            "doc.az, doc.betreff, doc.status, doc.kanal, doc.bearbeiter, doc.eingang_ts, f.rank, doc.text, doc.relpath"
        )
        if len(where) == 1:  # no filter: FTS5 ranks and cuts itself (ties are settled below)
            sql = (
                f"SELECT {columns} FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?) f "
                "JOIN doc ON doc.id = f.rowid"
            )
            params: tuple[object, ...] = (expression, anzahl * 2)
        else:
            sql = (
                f"SELECT {columns} FROM (SELECT rowid, rank FROM fts WHERE fts MATCH ?) f JOIN doc ON doc.id = f.rowid "
                f"WHERE {' AND '.join(where[1:])} ORDER BY f.rank, doc.eingang_ts DESC LIMIT ?"
            )
            params = (*args, anzahl)
        try:
            rows = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []  # an expression FTS5 cannot parse finds nothing
        rows = sorted(rows, key=lambda r: (round(r[6], 6), -r[5]))[:anzahl]  # best first, newest first on ties
        out = []
        for az, betreff, st, kn, bb, ts, rank, blob, rel in rows:
            text = zlib.decompress(blob).decode("utf-8")
            out.append(
                Treffer(
                    az,
                    betreff,
                    st,
                    kn,
                    bb,
                    datetime.fromtimestamp(ts).astimezone(),
                    round(-rank, 3),
                    snippet(betreff + "\n" + text, marks),
                    self.index.ablage.root / rel,
                )
            )
        return out


_TOKEN = re.compile(r"[^\W_]+(?:[-.@][^\W_]+)*")


@lru_cache(maxsize=100_000)
def _norm(token: str) -> tuple[str, str]:
    """A token of the original text as folded word and as stem (cached: snippets see the same words often)."""
    folded = fold(token)
    joined = "".join(words(folded))
    return folded, stem(joined) if joined else ""


def snippet(text: str, marks: list[str], width: int = 160) -> str:
    """A piece of ``text`` around the first matched word, matched words marked »so«."""
    stems = set(marks)
    prefixes = tuple(p for p in stems if len(p) >= 4)

    def hit(token: str) -> bool:
        folded, st = _norm(token)
        return folded in stems or st in stems or bool(prefixes and folded.startswith(prefixes))

    first = next((m for m in _TOKEN.finditer(text) if hit(m.group(0))), None)
    if first is None:
        return " ".join(text[:width].split())
    start = max(0, first.start() - width // 3)
    end = min(len(text), start + width)
    while end < len(text) and (text[end].isalnum() or text[end] in "-.@"):
        end += 1  # do not cut the last word
    window = _TOKEN.sub(lambda m: f"»{m.group(0)}«" if hit(m.group(0)) else m.group(0), text[start:end])
    out = " ".join(window.split())
    return ("… " if start > 0 else "") + out + (" …" if end < len(text) else "")
