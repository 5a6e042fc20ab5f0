"""Preparing Vorgänge for the full-text index: read the folder, analyse the text into FTS5 tokens.

The preparation is a pure function of a few strings (:func:`prepare`), so a full build can run it in
worker processes (:func:`prepared`) while the main process only writes to SQLite: the analysis is
Python and holds the interpreter, and on a share the reading is mostly waiting for the server. Without
a usable process pool (one core, a broken worker, a frozen program) it runs in this process.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path

from .analyse import STOPWORDS, stem, words
from .texte import MAX_TEXT, Hinweis, read_text

CHUNK = 32  # Vorgänge per job
IN_FLIGHT = 3  # jobs per worker submitted ahead (bounds the memory of waiting results)


def tokens(text: str) -> str:
    """The analysed form of a text as FTS5 indexes it: stems separated by spaces."""
    return " ".join(filter(None, map(_token, words(text))))


@lru_cache(maxsize=200_000)
def _token(word: str) -> str:
    """A folded word as indexed: its stem; '' for a short stop word."""
    return "" if word in STOPWORDS and len(word) <= 3 else stem(word)


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
    text: str
    betreff_tokens: str
    inhalt_tokens: str
    hinweise: tuple[tuple[str, str], ...] = ()

    def hinweis_objekte(self) -> list[Hinweis]:
        return [Hinweis(Path(datei), grund) for datei, grund in self.hinweise]


def prepare(auftrag: Auftrag) -> Vorbereitet:
    if auftrag.gesperrt:  # restricted (Art. 18 DSGVO): no text, no tokens
        return Vorbereitet("", "", "")
    found: list[Hinweis] = []
    text = read_text(Path(auftrag.ordner), found)[:MAX_TEXT]
    return Vorbereitet(
        text,
        tokens(auftrag.betreff),
        inhalt(auftrag.meta, text),
        tuple((str(h.datei), h.grund) for h in found),
    )


def _prepare_all(auftraege: list[Auftrag]) -> list[Vorbereitet]:
    return [prepare(a) for a in auftraege]


def workers() -> int:
    """Worker processes for a full build: at least 2 (reading overlaps waiting), at most 4."""
    return max(2, min(4, os.cpu_count() or 1)) if (os.cpu_count() or 1) > 1 else 0


def prepared(items: Iterable[tuple[object, Auftrag]], parallel: bool) -> Iterator[tuple[object, Vorbereitet]]:
    """``(key, Auftrag)`` pairs in, ``(key, Vorbereitet)`` out, in the same order.

    ``parallel``: in worker processes (spawned, the same on every system); if the pool cannot be started
    or breaks, the rest is prepared here.
    """
    count = workers() if parallel else 0
    if count == 0:
        for key, auftrag in items:
            yield key, prepare(auftrag)
        return
    try:
        pool = ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn"))
    except (OSError, ValueError, ImportError):
        for key, auftrag in items:
            yield key, prepare(auftrag)
        return
    with pool:
        pending: deque[tuple[list[object], list[Auftrag], Future[list[Vorbereitet]] | None]] = deque()
        usable = True

        def submit(keys: list[object], auftraege: list[Auftrag]) -> None:
            nonlocal usable
            future = None
            if usable:
                try:
                    future = pool.submit(_prepare_all, auftraege)
                except Exception:  # a broken pool: prepare here from now on
                    usable = False
            pending.append((keys, auftraege, future))

        def finish() -> Iterator[tuple[object, Vorbereitet]]:
            nonlocal usable
            keys, auftraege, future = pending.popleft()
            results: list[Vorbereitet] | None = None
            if future is not None:
                try:
                    results = future.result()
                except Exception:
                    usable = False
            if results is None:
                results = _prepare_all(auftraege)
            yield from zip(keys, results, strict=True)

        keys: list[object] = []
        auftraege: list[Auftrag] = []
        for key, auftrag in items:
            keys.append(key)
            auftraege.append(auftrag)
            if len(auftraege) >= CHUNK:
                submit(keys, auftraege)
                keys, auftraege = [], []
                if len(pending) >= IN_FLIGHT * count:
                    yield from finish()
        if auftraege:
            submit(keys, auftraege)
        while pending:
            yield from finish()
