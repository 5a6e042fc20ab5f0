"""Preparing Vorgänge for the full-text index: read the folder, analyse the text into FTS5 tokens.

The preparation is a pure function of a few strings (:func:`prepare`), so a full build can run it in
worker processes (:func:`prepared`) while the main process only writes to SQLite: the analysis is
Python and holds the interpreter, and on a share the reading is mostly waiting for the server. The
workers are plain child processes of this interpreter (:mod:`.arbeiter`) that import only the analysis,
not the program that started them, and talk over their stdin/stdout; each holds a few jobs of
:data:`CHUNK` Vorgänge at a time, so memory stays flat. Without usable workers (one core, a frozen
program, a worker that cannot start or dies) the rest is prepared in this process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from .analyse import STOPWORDS, stem_word, words
from .texte import MAX_TEXT, Hinweis, read_text

CHUNK = 32  # Vorgänge per job
IN_FLIGHT = 3  # jobs per worker submitted ahead (bounds the memory of waiting jobs and results)
COMPOUND_MIN = 4  # words longer than this are kept for the compound expansion (table ``wort``)
SEEN_MAX = 50_000  # tokens a process remembers having looked at for ``wort`` (then it starts again)
_HEAD = struct.Struct(">I")
K = TypeVar("K")


def tokens(text: str) -> str:
    """The analysed form of a text as FTS5 indexes it: stems separated by spaces."""
    return " ".join(filter(None, map(_token, words(text))))


@lru_cache(maxsize=50_000)
def _token(word: str) -> str:
    """A folded word as indexed: its stem; '' for a short stop word."""
    return "" if word in STOPWORDS and len(word) <= 3 else stem_word(word)


def inhalt(meta: str, text: str) -> str:
    """The tokens of the column Inhalt: exact tokens, sender fields, text (``meta`` as built by the index)."""
    exact, _, fields = meta.partition("\t")
    return " ".join((exact, tokens(fields), tokens(text)))


@dataclass(frozen=True)
class Auftrag:
    """What a Vorgang's tokens are computed from (strings only: it travels to a worker process)."""

    ordner: str
    betreff: str
    meta: str
    gesperrt: bool


@dataclass(frozen=True)
class Vorbereitet:
    """A Vorgang ready to be written: its text compressed, its tokens, its words for ``wort``."""

    blob: bytes  # the text, zlib-compressed (as stored in ``doc``)
    betreff_tokens: str
    inhalt_tokens: str
    woerter: tuple[str, ...] = ()  # words for the compound expansion not yet reported by this process
    hinweise: tuple[tuple[str, str], ...] = ()

    def hinweis_objekte(self) -> list[Hinweis]:
        return [Hinweis(Path(datei), grund) for datei, grund in self.hinweise]


def prepare(auftrag: Auftrag, seen: set[str] | None = None) -> Vorbereitet:
    """Read and analyse one Vorgang. ``seen``: tokens already looked at (left out of ``woerter``, then added)."""
    if auftrag.gesperrt:  # restricted (Art. 18 DSGVO): no text, no tokens
        return Vorbereitet(zlib.compress(b"", 1), "", "")
    found: list[Hinweis] = []
    text = read_text(auftrag.ordner, found)[:MAX_TEXT]
    betreff_tokens = tokens(auftrag.betreff)
    inhalt_tokens = inhalt(auftrag.meta, text)
    new = set(betreff_tokens.split())
    new.update(inhalt_tokens.split())
    if seen is not None:
        new -= seen
        if len(seen) + len(new) > SEEN_MAX:
            seen.clear()  # a bounded memory: a word reported again is only looked up once more
        seen.update(new)
    woerter = [t for t in new if len(t) > COMPOUND_MIN and t.isalpha()]
    return Vorbereitet(
        zlib.compress(text.encode("utf-8"), 1),
        betreff_tokens,
        inhalt_tokens,
        tuple(woerter),
        tuple((str(h.datei), h.grund) for h in found),
    )


def prepare_all(auftraege: list[Auftrag], seen: set[str] | None = None) -> list[Vorbereitet]:
    return [prepare(a, seen) for a in auftraege]


def workers() -> int:
    """Worker processes for a full build: one more than cores, at least 3, at most 4.

    The workers do most of the work (the main process helps when it would wait), so on a PC busy with
    other programs a third worker on two cores gets the build a larger share of the processor (measured
    at 100,000 and load ~5: 29 s with three, 31 s with two; ~18 MB more). None on one core and in a
    frozen program (its executable is the program, not an interpreter to start workers with).
    """
    cores = os.cpu_count() or 1
    if cores < 2 or getattr(sys, "frozen", False) or not sys.executable:  # (no interpreter: embedded Python)
        return 0
    return max(3, min(4, cores + 1))


def send(stream: IO[bytes], value: object) -> None:
    """One frame: length and pickle (only between this program's own processes)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEAD.pack(len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes]) -> object | None:
    """The next frame's value; None at the end of the stream (the other side closed or died)."""
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return None
    size = _HEAD.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


_START = "import sys; sys.path[:] = sys.argv[1:]; from buero_ticket.suche.arbeiter import main; main()"


class _Job(Generic[K]):
    """Up to :data:`CHUNK` Vorgänge prepared together, by a worker or by the main process."""

    def __init__(self, keys: list[K], auftraege: list[Auftrag]) -> None:
        self.keys = keys
        self.auftraege = auftraege
        self.worker: _Worker | None = None  # the worker preparing it (None: not sent)
        self.ready: list[Vorbereitet] | None = None


class _Worker:
    """A child process preparing jobs; threads write its jobs and read its results, so the main thread
    never blocks on a pipe and can see whether a result has arrived."""

    def __init__(self) -> None:
        # -S: no site import (the path is handed over whole, so the same buero_ticket is imported)
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _START, *sys.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.jobs: queue.SimpleQueue[list[tuple[str, str, str, bool]] | None] = queue.SimpleQueue()
        self.results: queue.SimpleQueue[list[Vorbereitet] | None] = queue.SimpleQueue()  # None: gone
        self.outstanding: deque[_Job[Any]] = deque()  # sent, result not taken yet (in order)
        self.alive = True
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self._feed, self._read)]
        for thread in self.threads:
            thread.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (job := self.jobs.get()) is not None:
                send(stdin, job)
        except (OSError, ValueError):  # the worker died: its jobs are prepared elsewhere
            pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while isinstance(rows := receive(stdout), list):
                self.results.put([Vorbereitet(*row) for row in rows])
        except Exception:  # a broken frame: treated like a dead worker
            pass
        self.results.put(None)

    def submit(self, job: _Job[Any]) -> None:
        job.worker = self
        self.outstanding.append(job)
        self.jobs.put([(a.ordner, a.betreff, a.meta, a.gesperrt) for a in job.auftraege])

    def collect(self, wait: bool) -> bool:
        """Take the result of the oldest outstanding job, if it has arrived (with ``wait``: when it arrives).

        If the worker is gone, its outstanding jobs are handed back (to another worker or the main process).
        """
        try:
            rows = self.results.get(block=wait)
        except queue.Empty:
            return False
        job = self.outstanding.popleft()
        if rows is not None and len(rows) == len(job.auftraege):
            job.ready = rows
            return True
        self.alive = False
        for lost in (job, *self.outstanding):
            lost.worker = None
        self.outstanding.clear()
        return True

    def close(self) -> None:
        """End the worker: after its last job, or at once if it still has jobs (an error in the main process)."""
        self.jobs.put(None)  # the feeder closes stdin: the worker ends after its last job
        try:
            self.proc.wait(timeout=0 if self.outstanding else 5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for thread in self.threads:
            thread.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _start(count: int) -> list[_Worker]:
    started: list[_Worker] = []
    for _ in range(count):
        try:
            started.append(_Worker())
        except (OSError, ValueError, TypeError):
            break  # fewer workers, or none: the rest is prepared here
    return started


def _chunks(items: Iterable[tuple[K, Auftrag]]) -> Iterator[_Job[K]]:
    keys: list[K] = []
    auftraege: list[Auftrag] = []
    for key, auftrag in items:
        keys.append(key)
        auftraege.append(auftrag)
        if len(auftraege) >= CHUNK:
            yield _Job(keys, auftraege)
            keys, auftraege = [], []
    if auftraege:
        yield _Job(keys, auftraege)


def prepared(items: Iterable[tuple[K, Auftrag]], parallel: bool) -> Iterator[tuple[K, Vorbereitet]]:
    """``(key, Auftrag)`` pairs in, ``(key, Vorbereitet)`` out, in the same order.

    ``parallel``: in worker processes, each with at most :data:`IN_FLIGHT` jobs; the main process keeps a
    few more jobs ready and prepares the last of them itself whenever the next result has not arrived
    yet (it would only wait). A job whose worker died goes to another worker or is prepared here.
    """
    seen: set[str] = set()  # the words this process reported (see :func:`prepare`)
    pool = _start(workers()) if parallel else []
    if not pool:
        for key, auftrag in items:
            yield key, prepare(auftrag, seen)
        return
    jobs = _chunks(items)
    pending: deque[_Job[K]] = deque()  # in order; bounded, so memory stays flat
    limit = (IN_FLIGHT + 1) * len(pool)

    def fill() -> None:
        for worker in pool:  # results that have arrived: their workers can take new jobs
            while worker.alive and worker.outstanding and worker.collect(wait=False):
                pass
        while len(pending) < limit and (job := next(jobs, None)) is not None:
            pending.append(job)
        for job in pending:  # the oldest first: they are needed first
            if job.worker is None and job.ready is None:
                free = min((w for w in pool if w.alive), key=lambda w: len(w.outstanding), default=None)
                if free is None or len(free.outstanding) >= IN_FLIGHT:
                    break
                free.submit(job)

    try:
        fill()
        while pending:
            job = pending[0]
            while job.ready is None:
                if job.worker is None:
                    job.ready = prepare_all(job.auftraege, seen)
                elif not job.worker.collect(wait=False):
                    spare = next((j for j in reversed(pending) if j.worker is None and j.ready is None), None)
                    if spare is not None:  # rather than wait: the newest job nobody has, prepared here
                        spare.ready = prepare_all(spare.auftraege, seen)
                    else:
                        job.worker.collect(wait=True)
                fill()
            pending.popleft()
            yield from zip(job.keys, job.ready, strict=True)
            fill()
    finally:
        for worker in pool:
            worker.close()
