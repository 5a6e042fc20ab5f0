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
from typing import IO, TypeVar

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

    The workers do most of the work and the main process waits for them half of the time, so on two
    cores a third worker keeps both busy, and on a PC busy with other programs it gets the build a larger
    share of the processor (measured: 42 s instead of 64 s at load 4–5; ~25 MB more). None on one core
    and in a frozen program (its executable is the program, not an interpreter to start workers with).
    """
    cores = os.cpu_count() or 1
    return 0 if cores < 2 or getattr(sys, "frozen", False) else max(3, min(4, cores + 1))


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


class _Worker:
    """A child process preparing jobs; a thread feeds its stdin so the main thread never blocks on a pipe."""

    def __init__(self) -> None:
        # -S: no site import (the path is handed over whole, so the same buero_ticket is imported)
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _START, *sys.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.jobs: queue.SimpleQueue[list[tuple[str, str, str, bool]] | None] = queue.SimpleQueue()
        self.alive = True
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.feeder.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (job := self.jobs.get()) is not None:
                send(stdin, job)
        except (OSError, ValueError):  # the worker died: its jobs are prepared in the main process
            pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def submit(self, auftraege: list[Auftrag]) -> None:
        self.jobs.put([(a.ordner, a.betreff, a.meta, a.gesperrt) for a in auftraege])

    def result(self, count: int) -> list[Vorbereitet] | None:
        """The next job's results; None if the worker is gone (then it gets no more jobs)."""
        if self.alive:
            assert self.proc.stdout is not None
            try:
                rows = receive(self.proc.stdout)
                if isinstance(rows, list) and len(rows) == count:
                    return [Vorbereitet(*row) for row in rows]
            except Exception:  # a broken frame: treated like a dead worker
                pass
            self.alive = False
        return None

    def close(self, busy: bool) -> None:
        """End the worker: after its last job, or at once if it still has jobs (``busy``, an error here)."""
        self.jobs.put(None)  # the feeder closes stdin: the worker ends after its last job
        try:
            self.proc.wait(timeout=0 if busy else 5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _start(count: int) -> list[_Worker]:
    started: list[_Worker] = []
    for _ in range(count):
        try:
            started.append(_Worker())
        except (OSError, ValueError):
            break  # fewer workers, or none: the rest is prepared here
    return started


def prepared(items: Iterable[tuple[K, Auftrag]], parallel: bool) -> Iterator[tuple[K, Vorbereitet]]:
    """``(key, Auftrag)`` pairs in, ``(key, Vorbereitet)`` out, in the same order.

    ``parallel``: in worker processes; a job whose worker cannot take it or died is prepared here.
    """
    seen: set[str] = set()  # the words this process reported (see :func:`prepare`)
    pool = _start(workers()) if parallel else []
    if not pool:
        for key, auftrag in items:
            yield key, prepare(auftrag, seen)
        return
    pending: deque[tuple[list[K], list[Auftrag], _Worker | None]] = deque()
    turn = 0

    def submit(keys: list[K], auftraege: list[Auftrag]) -> None:
        nonlocal turn
        worker = pool[turn % len(pool)]
        turn += 1
        if worker.alive:
            worker.submit(auftraege)
            pending.append((keys, auftraege, worker))
        else:
            pending.append((keys, auftraege, None))

    def finish() -> Iterator[tuple[K, Vorbereitet]]:
        keys, auftraege, worker = pending.popleft()
        results = worker.result(len(auftraege)) if worker is not None else None
        if results is None:
            results = prepare_all(auftraege, seen)
        yield from zip(keys, results, strict=True)

    try:
        keys: list[K] = []
        auftraege: list[Auftrag] = []
        for key, auftrag in items:
            keys.append(key)
            auftraege.append(auftrag)
            if len(auftraege) >= CHUNK:
                submit(keys, auftraege)
                keys, auftraege = [], []
                if len(pending) >= IN_FLIGHT * len(pool):
                    yield from finish()
        if auftraege:
            submit(keys, auftraege)
        while pending:
            yield from finish()
    finally:
        for worker in pool:
            worker.close(busy=bool(pending))
