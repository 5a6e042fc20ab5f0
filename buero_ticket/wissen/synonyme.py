"""German synonyms through a shared English translation, for the knowledge suggestions.

A request says "Heirat" where the article says "Eheschließung"; both translate to "marriage". The
file ``deutsch_synonyme.tsv.gz`` (sorted lines ``stem<TAB>Synonym;Synonym…``, derived from the same
Ding dictionary as ``englisch_deutsch.tsv.gz``, GPL-2.0-or-later, by ``tools/woerterbuch_englisch.py``)
gives each German noun or verb stem up to three such words; a request word's synonyms are added to the
query at a weight below the request's own words and below the translation of an English request.

The file is read when the first request is suggested for, never at CLI start-up.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..suche.analyse import STOPWORDS, stem, words
from .englisch import zeile

DATEI = Path(__file__).with_name("deutsch_synonyme.tsv.gz")
MIN_LAENGE = 4  # shorter words are too often function words or abbreviations


@lru_cache(maxsize=1)
def _daten() -> bytes | None:
    """The file's sorted lines, read once per process; None when the file is missing (then no synonyms)."""
    return gzip.decompress(DATEI.read_bytes()) if DATEI.is_file() else None


def synonyme(word: str) -> list[str]:
    """The German synonyms of a folded word (through its stem), as the dictionary writes them."""
    data = _daten()
    if data is None or len(word) < MIN_LAENGE or not word.isalpha() or word in STOPWORDS:
        return []
    found = zeile(data, stem(word))
    return [w for w in found.split(";") if w] if found else []


def erweiterung(
    pieces: list[tuple[str, float]],
    analyse: Callable[[list[str]], dict[str, float]],
    gewicht: float,
    nur: Callable[[str], bool] | None = None,
) -> dict[str, tuple[float, str]]:
    """Query terms from the synonyms of a request's words: term → (weight, the request's folded word).

    ``pieces`` are the request's (text, weight) pieces, ``analyse`` turns folded German words into
    query terms, ``nur`` (if given) picks the request words whose synonyms count; each term gets ``gewicht`` ×
    its piece's weight.
    """
    out: dict[str, tuple[float, str]] = {}
    if not gewicht:
        return out
    for text, factor in pieces:
        for word in dict.fromkeys(words(text)):
            if nur is not None and not nur(word):
                continue
            for synonym in synonyme(word):
                for term in analyse(words(synonym)):
                    weight = factor * gewicht
                    if weight > out.get(term, (0.0, ""))[0]:
                        out[term] = (weight, word)
    return out
