"""The full-text index over every Vorgang (archive included): a local cache, never on the share.

SQLite FTS5 over analysed tokens (:mod:`.analyse`: folded, Snowball-stemmed), one row per Vorgang,
columns Betreff (weighted ×3) and the rest (Aktenzeichen, sender, message texts, history notes, the text
of Word and PDF attachments, :mod:`.texte`). The FTS5 table is contentless: it keeps only the inverted
index; the text itself is kept once, compressed, in ``doc`` (for snippets, and to delete a row's tokens
again, which are computed from it). It follows the metadata cache (:class:`buero_ticket.index.Index`): a
Vorgang whose ``vorgang.json`` changed there (every change through the store rewrites it; the metadata
cache finds changes from other PCs through the status folders' mtimes) is indexed again, a vanished one
removed. So the search index costs one SQL aggregate per command, no extra scan of the share. Deleting
the file is always safe: the next ``suche`` rebuilds it with a progress bar.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path

import Stemmer

from ..history import HEADER as VERLAUF_KOPF
from ..index import Index, cache_dir
from ..models import Vorgang
from ..ortszeit import in_office, office_zone
from .analyse import fold, stem, words
from .aufbau import COMPOUND_MIN, Auftrag, Vorbereitet, inhalt, prepare, prepared, tokens
from .texte import Hinweis

VERSION = 6
MAX_EXPANSION = 60
RARE_TERMS = 6  # similar Vorgänge: the rarest words of a Vorgang searched
RARE_SHARE = 0.05  # … among those in at most this share of Vorgänge
SIMILAR_POOL = 100  # best matches looked at for the status filter
PARALLEL_FROM = 1000  # from this many Vorgänge to (re)index, worker processes prepare them (see .aufbau)
PROGRESS_FROM = 500  # a progress bar only when this many Vorgänge are read
BUILD_CACHE_KB = 2048  # SQLite page cache while building (KiB)
BUILD_HASH = 4 * 1024 * 1024  # FTS5 tokens collected in memory before a segment is written (bytes)
P = 1_000_000_007
_STAMP = f"count(*), coalesce(sum(mtime_ns % {P} + size + length(relpath)), 0)"  # what changes when a Vorgang changes
Progress = Callable[[int, int], None]
Stempel = tuple[int, int]
_Row = tuple[str, str, str, str, str, float, float, bytes, str]  # az, betreff, status, kanal, bearbeiter, …

_AZ = re.compile(r"^(?:[A-Za-z0-9]{1,8}-)?\d{4}-\d{5}(?:-\d)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUERY = re.compile(r'"([^"]*)"|(\S+)')
# BM25 with the Betreff weighted ×3. The table keeps no document lengths (columnsize=0: a length lookup per
# hit cost ~1 µs, 80 ms for a word in most of 100,000 Vorgänge), so FTS5 ranks without length normalisation:
# by the rarity of the matched words, the Betreff, and (saturating quickly) how often they occur.
_SCORE = "bm25(fts, 3.0, 1.0)"
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
    gesperrt INTEGER NOT NULL,  -- restricted (Art. 18 DSGVO): a row for the bookkeeping, no tokens, no text
    meta TEXT NOT NULL,  -- exact tokens and sender fields: with betreff and text the input of the row's tokens
    text BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    betreff, inhalt, content='', columnsize=0, tokenize="unicode61 tokenchars '@.-_'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_woerter USING fts5vocab(fts, row);
-- document frequencies looked up once from fts_woerter (which walks the word's whole list each time);
-- they only choose the words for similar Vorgänge, so an old count is good enough
CREATE TABLE IF NOT EXISTS haeufigkeit (term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS wort (rev TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_az ON doc (az);
CREATE INDEX IF NOT EXISTS doc_mtime ON doc (mtime_ns);
CREATE TABLE IF NOT EXISTS stand (name TEXT PRIMARY KEY, wert TEXT NOT NULL);
PRAGMA user_version = {VERSION};
"""
# The analyser's output for a sample: the tokens of a row are computed again to delete it, so an index
# built by another analyser (a PyStemmer update, a changed word list) is rebuilt instead of corrupted.
_PROBE = "Anwohnerparkausweise für die Bürgerämter; Straße, Öffnungszeiten und Bescheinigungen 2026 – erika@ex.org"


def index_file(index: Index) -> Path:
    key = hashlib.sha1(str(index.ablage.root).encode("utf-8")).hexdigest()[:16]
    return cache_dir() / f"suche-{key}.sqlite"


def _analyser() -> str:
    return f"{VERSION}:{Stemmer.version()}:" + hashlib.sha1(tokens(_PROBE).encode("utf-8")).hexdigest()[:16]


def _meta(vorgang: Vorgang) -> str:
    """Exact tokens (Aktenzeichen with and without check digit, e-mail addresses), a tab, the sender fields."""
    az = vorgang.aktenzeichen.lower()
    exact = [az, az.rsplit("-", 1)[0]]
    for mail in (vorgang.absender.email, *(n.von for n in vorgang.nachrichten)):
        found = _MAIL_IN_TEXT.search(mail or "")
        if found:
            exact.append(fold(found.group(0)))
    a = vorgang.absender
    fields = " ".join((vorgang.aktenzeichen, a.name, a.email, a.telefon, a.anschrift, vorgang.bearbeiter))
    return " ".join(exact) + "\t" + " ".join(fields.split())


def _sig(rel: str, mtime_ns: int, size: int) -> Stempel:
    return (1, mtime_ns % P + size + len(rel))


def _text(stamp: Stempel) -> str:
    return ":".join(str(x) for x in stamp)


def _plus(a: Stempel, b: Stempel, sign: int = 1) -> Stempel:
    return (a[0] + sign * b[0], a[1] + sign * b[1])


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
        self.hinweise: list[Hinweis] = []  # attachments whose text could not be read in this run
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            row = db.execute("SELECT wert FROM stand WHERE name = 'analyse'").fetchone()
            if row is not None and row[0] == _analyser():
                return db
            if row is not None or db.execute("SELECT 1 FROM doc LIMIT 1").fetchone() is not None:
                db.close()
                raise sqlite3.DatabaseError("built by another analyser")
            with db:
                db.execute("INSERT OR REPLACE INTO stand VALUES ('analyse', ?)", (_analyser(),))
            return db
        except sqlite3.DatabaseError:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)  # a cache is rebuilt from the folders
            db = self._connect()
            with db:
                db.execute("INSERT OR REPLACE INTO stand VALUES ('analyse', ?)", (_analyser(),))
            return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        if db.execute("PRAGMA user_version").fetchone()[0] not in (0, VERSION):
            db.close()
            raise sqlite3.DatabaseError("older version")
        db.execute("PRAGMA journal_mode = WAL")  # local cache: readers never wait, commits without fsync
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        db.execute("PRAGMA secure_delete = ON")  # an erased Vorgang leaves no readable rest in the file
        return db

    def close(self) -> None:
        self.db.close()

    # -- keeping up with the metadata cache ---------------------------------------------------------
    def update(self, progress: Progress | None = None, limit: int | None = None) -> int:
        """Index what changed in the metadata cache since the last call; returns how many were (re)indexed.

        First the metadata cache file's change counter (SQLite keeps it in the file header): unchanged, and
        nothing can have changed. Otherwise a stamp of the metadata cache (count and a sum over mtimes,
        sizes and path lengths, one pass over an index) tells whether any Vorgang changed. The same stamp of
        this index is kept up to date with every row written, so after indexing the metadata files newer
        than the newest indexed one (what the store just wrote) equal stamps prove that nothing else
        changed; otherwise the rows are compared. With ``limit``, nothing is done and -1 returned if more
        Vorgänge than that would have to be read (a first build: a minute at 100,000).
        """
        version = self._metadata_version()
        if version is not None and version == self._stored_text("version"):
            return 0
        stamp = self._stamp()
        if stamp != self._stored("metadaten"):
            mine = self._stored("doc")
            if mine is None:
                mine = self._count_doc()
            count, mine = self._newer(mine)
            if mine != stamp:  # something else changed (a folder vanished or moved without a new metadata file)
                count = self._compare(progress, limit)
                if count < 0:
                    return count
                mine = self._count_doc()
        else:
            count, mine = 0, stamp
        with self.db:
            for name, value in (("doc", _text(mine)), ("metadaten", _text(stamp)), ("version", version)):
                self.db.execute("INSERT OR REPLACE INTO stand VALUES (?, ?)", (name, value or ""))
        return count

    def _metadata_version(self) -> str | None:
        """The metadata cache file's change counter, if the file is in rollback-journal mode (else None).

        SQLite increments it with every committed change (file format, offset 24); a refresh that found
        nothing new writes nothing. In WAL mode the counter does not move, so then the stamp decides.
        """
        try:
            with open(self.index.path, "rb") as f:
                head = f.read(28)
        except OSError:
            return None
        if len(head) < 28 or head[18:20] != b"\x01\x01":
            return None
        return head[24:28].hex()

    def _stored_text(self, name: str) -> str | None:
        row = self.db.execute("SELECT wert FROM stand WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _stored(self, name: str) -> Stempel | None:
        text = self._stored_text(name)
        if not text:
            return None
        a, b = (int(x) for x in text.split(":"))
        return (a, b)

    def _stamp(self) -> Stempel:
        """Count and a sum over mtimes, sizes and path lengths of the metadata cache's rows."""
        # The metadata cache's rows carry the whole metadata JSON; an index over the columns of the stamp lets
        # SQLite compute it without reading those pages (additive: the cache's own queries are unchanged).
        db = self.index.db
        sql = f"SELECT {_STAMP} FROM vorgang INDEXED BY vorgang_suchstempel"
        try:
            row = db.execute(sql).fetchone()
        except sqlite3.OperationalError:  # the covering index is missing (a new cache file)
            with db:
                db.execute("CREATE INDEX IF NOT EXISTS vorgang_suchstempel ON vorgang (mtime_ns, size, relpath)")
            row = db.execute(sql).fetchone()
        return (int(row[0]), int(row[1]))

    def _count_doc(self) -> Stempel:
        row = self.db.execute(f"SELECT {_STAMP} FROM doc").fetchone()
        return (int(row[0]), int(row[1]))

    def _newer(self, mine: Stempel) -> tuple[int, Stempel]:
        """The usual case: metadata files newer than the newest indexed one (what the store just wrote)."""
        newest = self.db.execute("SELECT max(mtime_ns) FROM doc").fetchone()[0]
        if newest is None:
            return 0, mine
        fresh = self.index.db.execute(
            "SELECT relpath, mtime_ns, size FROM vorgang INDEXED BY vorgang_suchstempel WHERE mtime_ns > ?",
            (newest,),
        ).fetchall()
        if not fresh or len(fresh) >= PROGRESS_FROM:
            return 0, mine
        sigs = {rel: (m, size) for rel, m, size in fresh}
        with self.db:
            for vorgang in self.index.by_relpath(list(sigs)):
                rel = self._rel(vorgang)
                for (old,) in self.db.execute(
                    "SELECT relpath FROM doc WHERE az = ? OR relpath = ?", (vorgang.aktenzeichen, rel)
                ).fetchall():
                    mine = _plus(mine, self._delete(old), -1)  # also the same Vorgang in its old folder
                mine = _plus(mine, self._insert(rel, vorgang, sigs[rel]))
        return len(fresh), mine

    def _compare(self, progress: Progress | None = None, limit: int | None = None) -> int:
        changed, gone = self._changes()
        if limit is not None and len(changed) > limit:
            return -1
        if not changed and not gone:
            return 0
        if len(changed) < PROGRESS_FROM:
            progress = None
        building = not self.db.execute("SELECT 1 FROM doc LIMIT 1").fetchone()
        if len(changed) >= PARALLEL_FROM:
            with self.db:
                self.db.execute("DELETE FROM haeufigkeit")  # many changes: count again when asked
        if building:  # a first build: a crash only means building again, so no syncing and no write-ahead log
            self.db.execute("PRAGMA journal_mode = DELETE")
            self.db.execute("PRAGMA synchronous = OFF")
            # nothing to erase yet (merged segments hold live rows only); rows are appended, so a small page
            # cache is as fast as a large one; FTS5 collects 4 MB of tokens before writing a segment
            self.db.execute("PRAGMA secure_delete = OFF")
            self.db.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KB}")
            self.db.execute("INSERT INTO fts (fts, rank) VALUES ('hashsize', ?)", (BUILD_HASH,))
        erased: set[str] = set()  # the words of Vorgänge that no longer exist (erased, aussortiert)
        try:
            with self.db:
                for rel in gone:
                    self._delete(rel, erased if self._vanished(rel) else None)
                erased = {w for w in erased if len(w) > COMPOUND_MIN and w.isalpha()}
                jobs = self._auftraege(changed)
                for done, (key, ready) in enumerate(prepared(jobs, len(changed) >= PARALLEL_FROM), start=1):
                    rel, vorgang, sig, auftrag = key
                    if not building:
                        self._delete(rel)
                    self._insert(rel, vorgang, sig, auftrag, ready)
                    if progress is not None and done % 200 == 0:
                        progress(done, len(changed))
        finally:
            if building:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute("PRAGMA secure_delete = ON")
                self.db.execute("PRAGMA cache_size = -2000")  # SQLite's default again
        if erased:
            self._forget(erased)
        if progress is not None:
            progress(len(changed), len(changed))
        return len(changed)

    def _changes(self) -> tuple[list[str], list[str]]:
        """Folders to (re)index, in the metadata cache's order, and folders no longer there."""
        if not self.db.execute("SELECT 1 FROM doc LIMIT 1").fetchone():  # a first build: everything, no pairs
            rows = self.index.db.execute("SELECT relpath FROM vorgang INDEXED BY vorgang_suchstempel")
            return [rel for (rel,) in rows], []
        mine = {rel: (m, s) for rel, m, s in self.db.execute("SELECT relpath, mtime_ns, size FROM doc")}
        theirs = {
            rel: (m, s)
            for rel, m, s in self.index.db.execute(
                "SELECT relpath, mtime_ns, size FROM vorgang INDEXED BY vorgang_suchstempel"
            )
        }
        return [rel for rel, sig in theirs.items() if mine.get(rel) != sig], [rel for rel in mine if rel not in theirs]

    def _auftraege(self, changed: list[str]) -> Iterator[tuple[tuple[str, Vorgang, Stempel, Auftrag], Auftrag]]:
        """The Vorgänge in these folders with what their tokens are computed from, 500 at a time.

        Each folder's signature (mtime, size of its metadata file) is read before its Vorgang, so the
        stored signature is never newer than the indexed content (a change in between is indexed next time).
        """
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sigs = {
                rel: (m, s)
                for rel, m, s in self.index.db.execute(
                    f"SELECT relpath, mtime_ns, size FROM vorgang WHERE relpath IN ({marks})", chunk
                )
            }
            for vorgang in self.index.by_relpath(chunk):
                rel = self._rel(vorgang)
                if rel in sigs:
                    auftrag = self._auftrag(vorgang)
                    yield (rel, vorgang, sigs[rel], auftrag), auftrag

    def _vanished(self, rel: str) -> bool:
        """True if the Vorgang indexed from ``rel`` is nowhere in the metadata cache any more (not moved)."""
        row = self.db.execute("SELECT az FROM doc WHERE relpath = ?", (rel,)).fetchone()
        return row is not None and self.index.db.execute("SELECT 1 FROM vorgang WHERE az = ?", row).fetchone() is None

    def _forget(self, erased: set[str]) -> None:
        """Leave no readable rest of erased Vorgänge: FTS5 keeps deleted tokens in its segments until they are
        merged, so merge them all (1–2 s at 100,000 Vorgänge, only after an erasure), and drop their words
        from ``wort`` unless another Vorgang still has them."""
        with self.db:
            self.db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            for word in erased:
                self.db.execute("DELETE FROM haeufigkeit WHERE term = ?", (word,))
                if not self.db.execute("SELECT doc FROM fts_woerter WHERE term = ?", (word,)).fetchone():
                    self.db.execute("DELETE FROM wort WHERE rev = ?", (word[::-1],))
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no old page left in the write-ahead log either

    def _rel(self, vorgang: Vorgang) -> str:
        assert vorgang.ordner is not None
        return str(vorgang.ordner)[len(str(self.index.ablage.root)) + 1 :].replace(os.sep, "/")

    def _delete(self, rel: str, words_out: set[str] | None = None) -> Stempel:
        """Remove a row and its tokens (collected in ``words_out``); returns the row's part of the stamp."""
        row = self.db.execute(
            "SELECT id, mtime_ns, size, gesperrt, betreff, meta, text FROM doc WHERE relpath = ?", (rel,)
        ).fetchone()
        if row is None:
            return (0, 0)
        rowid, mtime_ns, size, gesperrt, betreff, meta, blob = row
        if not gesperrt:  # a contentless FTS5 table forgets a row given exactly the tokens it was given
            text = zlib.decompress(blob).decode("utf-8")
            betreff_tokens, inhalt_tokens = tokens(betreff), inhalt(meta, text)
            self.db.execute(
                "INSERT INTO fts (fts, rowid, betreff, inhalt) VALUES ('delete', ?, ?, ?)",
                (rowid, betreff_tokens, inhalt_tokens),
            )
            if words_out is not None:
                words_out.update(betreff_tokens.split(), inhalt_tokens.split())
        self.db.execute("DELETE FROM doc WHERE id = ?", (rowid,))
        return _sig(rel, mtime_ns, size)

    def _auftrag(self, vorgang: Vorgang) -> Auftrag:
        gesperrt = bool(vorgang.gesperrt)  # restricted (Art. 18 DSGVO): never found by suche or similar cases
        return Auftrag(str(vorgang.ordner), vorgang.betreff, "" if gesperrt else _meta(vorgang), gesperrt)

    def _insert(
        self,
        rel: str,
        vorgang: Vorgang,
        sig: tuple[int, int],
        auftrag: Auftrag | None = None,
        ready: Vorbereitet | None = None,
    ) -> Stempel:
        auftrag = auftrag or self._auftrag(vorgang)
        if ready is None:
            ready = prepare(auftrag)
        self.hinweise += ready.hinweis_objekte()
        cursor = self.db.execute(
            "INSERT INTO doc (relpath, az, status, kanal, bearbeiter, eingang_ts, betreff, mtime_ns, size, gesperrt, "
            "meta, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rel,
                vorgang.aktenzeichen,
                vorgang.status.value,
                vorgang.kanal.value,
                vorgang.bearbeiter,
                vorgang.eingang.timestamp(),
                "" if auftrag.gesperrt else vorgang.betreff,
                sig[0],
                sig[1],
                int(auftrag.gesperrt),
                auftrag.meta,
                ready.blob,
            ),
        )
        if not auftrag.gesperrt:
            if ready.woerter:  # words for the compound expansion, reversed (see :meth:`_compounds`)
                self.db.executemany("INSERT OR IGNORE INTO wort VALUES (?)", [(t[::-1],) for t in ready.woerter])
            self.db.execute(
                "INSERT INTO fts (rowid, betreff, inhalt) VALUES (?,?,?)",
                (cursor.lastrowid, ready.betreff_tokens, ready.inhalt_tokens),
            )
        return _sig(rel, *sig)

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
            where.append("doc.bearbeiter = ? COLLATE NOCASE")  # as liste: "maria weber" is Maria Weber
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
        if len(where) == 1:  # no filter: FTS5 ranks and cuts itself (ties are settled below)
            sql = f"SELECT rowid, {_SCORE} AS score FROM fts WHERE fts MATCH ? ORDER BY score LIMIT ?"
            params: tuple[object, ...] = (expression, anzahl * 2)
        else:  # the filters read the small columns of doc only; the text is read for the hits below
            sql = (
                f"SELECT fts.rowid, {_SCORE} AS score FROM fts JOIN doc ON doc.id = fts.rowid "
                f"WHERE {' AND '.join(where)} ORDER BY score, doc.eingang_ts DESC LIMIT ?"
            )
            params = (*args, anzahl)
        try:
            ranked = self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []  # an expression FTS5 cannot parse finds nothing
        rows = self._rows(ranked)
        rows = sorted(rows, key=lambda r: (round(r[6], 6), -r[5]))[:anzahl]  # best first, newest first on ties
        return self._treffer(rows, marks)

    def aehnliche(self, stems: list[str], *, status: list[str], ohne: str, anzahl: int = 5) -> list[Treffer]:
        """Vorgänge in ``status`` that share the most distinctive of ``stems`` (a Vorgang's own words).

        Like "more like this": the words are weighed by how few Vorgänge have them (the vocabulary knows
        that without reading documents), only the rarest few are searched, without compound expansion,
        so the cost does not grow with the archive.
        """
        stems = [s for s in dict.fromkeys(stems) if len(s) > 2 and not s.isdigit()][:40]
        if not stems:
            return []
        counts = self._frequencies(stems)
        total = max(1, (self._stored("doc") or (1, 0))[0])
        known = sorted((s for s in stems if counts.get(s, 0) >= 2), key=lambda s: counts[s])  # 1: only itself
        chosen = [s for s in known if counts[s] <= max(total * RARE_SHARE, 100)][:RARE_TERMS] or known[:2]
        if not chosen:
            return []
        expression = " OR ".join(f'"{s}"' for s in chosen)
        sql = f"SELECT rowid, {_SCORE} AS score FROM fts WHERE fts MATCH ? ORDER BY score LIMIT ?"
        try:
            ranked = self.db.execute(sql, (expression, SIMILAR_POOL)).fetchall()
        except sqlite3.OperationalError:
            return []
        rows = [r for r in self._rows(ranked) if r[0] != ohne and r[2] in status]
        rows = sorted(rows, key=lambda r: (round(r[6], 6), -r[5]))[:anzahl]
        return self._treffer(rows, chosen)

    def _frequencies(self, stems: list[str]) -> dict[str, int]:
        """How many Vorgänge have each stem (remembered in ``haeufigkeit`` after the first lookup)."""
        marks = ",".join("?" * len(stems))
        counts = dict(self.db.execute(f"SELECT term, doc FROM haeufigkeit WHERE term IN ({marks})", stems).fetchall())
        missing = [s for s in stems if s not in counts]
        if missing:
            marks = ",".join("?" * len(missing))
            found = dict(
                self.db.execute(f"SELECT term, doc FROM fts_woerter WHERE term IN ({marks})", missing).fetchall()
            )
            fresh = {s: found.get(s, 0) for s in missing}
            keep = [(s, n) for s, n in fresh.items() if n >= 2]  # a new word may still become common
            try:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO haeufigkeit VALUES (?, ?)", keep)
            except sqlite3.OperationalError:
                pass  # another process writes just now: remembered next time
            counts.update(fresh)
        return counts

    def _rows(self, ranked: list[tuple[int, float]]) -> list[_Row]:
        """The doc rows of ranked hits: az, betreff, status, kanal, bearbeiter, eingang_ts, score, text, relpath."""
        if not ranked:
            return []
        scores = dict(ranked)
        marks = ",".join("?" * len(scores))
        found = self.db.execute(
            "SELECT id, az, betreff, status, kanal, bearbeiter, eingang_ts, text, relpath FROM doc "
            f"WHERE id IN ({marks})",
            list(scores),
        ).fetchall()
        return [(az, b, st, kn, bb, ts, scores[i], text, rel) for i, az, b, st, kn, bb, ts, text, rel in found]

    def _treffer(self, rows: list[_Row], marks: list[str]) -> list[Treffer]:
        out = []
        zone = office_zone(self.index.ablage.config)  # times as zeige and liste show them
        for az, betreff, st, kn, bb, ts, rank, blob, rel in rows:
            text = zlib.decompress(blob).decode("utf-8")
            out.append(
                Treffer(
                    az,
                    betreff,
                    st,
                    kn,
                    bb,
                    in_office(datetime.fromtimestamp(ts, UTC), zone),
                    round(-rank, 3),
                    snippet(f"{betreff}\n{text}", marks, zone=zone),
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


# A line of verlauf.txt ("2026-11-28T11:44:48+01:00 | mweber | Notiz | Rückruf erledigt"), as a person reads it
_VERLAUF_ZEILE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?) \| ([^|\n]*?) \| "
    r"([^|\n]*?)( \| |$)",
    re.MULTILINE,
)


def _verlauf_lesbar(match: re.Match[str], zone: tzinfo | None) -> str:
    """The line as a person reads it, at the office's time (as ``zeige`` shows it; the file has the writer's offset)."""
    stamp, user, action, rest = match.groups()
    when = in_office(datetime.fromisoformat(stamp), zone)
    return f"{when:%d.%m.%Y %H:%M} {user}: {action}" + (" – " if rest else "")


def snippet(text: str, marks: list[str], width: int = 160, zone: tzinfo | None = None) -> str:
    """A piece of ``text`` around the first matched word, matched words marked »so«."""
    text = text.replace(VERLAUF_KOPF, "")  # the history file's column line is no text of the Vorgang
    text = _VERLAUF_ZEILE.sub(lambda m: _verlauf_lesbar(m, zone), text)  # its lines as a person reads them
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
