"""English requests: their words translated into German for the knowledge suggestions.

The articles are German; a request such as "I need a birth certificate" shares no word with
"Geburtsurkunde". When a request reads as English (at least ``ANTEIL`` of its words are English
words that are no German words), its words and two-word phrases are looked up in a compact extract
of the Ding German–English dictionary (``englisch_deutsch.tsv.gz``, GPL-2.0-or-later, regenerated
by ``tools/woerterbuch_englisch.py`` from Debian's ``trans-de-en``) and the German translations are
added to the query at a lower weight than the request's own words. German requests are left alone.

The file is read when the first request is suggested for (gunzip, about 30 ms), never at CLI start-up.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..suche.analyse import words

DATEI = Path(__file__).with_name("englisch_deutsch.tsv.gz")
ANTEIL = 0.3  # share of English-only words from which a request counts as English
PHRASE = 2  # longest English phrase looked up, in words


class Woerterbuch:
    """The sorted lines ``english<TAB>flag<TAB>German;German…``, looked up by bisection in the bytes.

    The file is not split into lines or a dict (that would cost more than reading it); UTF-8 keeps
    the order of the characters, so the lines sorted as text are sorted as bytes too.
    """

    def __init__(self, path: Path) -> None:
        self.data = gzip.decompress(path.read_bytes())

    def eintrag(self, english: str) -> tuple[str, list[str]] | None:
        """(flag, German translations) of a folded English word or phrase, or None."""
        data = self.data
        probe = english.encode("utf-8") + b"\t"
        lo, hi = 0, len(data)  # both always at the start of a line
        while lo < hi:
            start = data.rfind(b"\n", 0, (lo + hi) // 2) + 1  # the line around the middle
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            if data[start:end] < probe:
                lo = end + 1
            else:
                hi = start
        if not data.startswith(probe, lo):
            return None
        end = data.find(b"\n", lo)
        _, flag, targets = data[lo : len(data) if end < 0 else end].decode("utf-8").split("\t")
        return flag, [t for t in targets.split(";") if t]

    def englisch(self, tokens: list[str]) -> bool:
        """Whether a request's folded words read as English."""
        content = [t for t in tokens if len(t) > 2 and t.isalpha()]
        if not content:
            return False
        english = 0
        for token in content:
            entry = self.eintrag(token)
            english += entry is not None and entry[0] != "d"
        return english >= ANTEIL * len(content)

    def uebersetzen(self, tokens: list[str]) -> list[tuple[str, list[str]]]:
        """(English phrase, German translations) from left to right, the longest phrase first."""
        out = []
        i = 0
        while i < len(tokens):
            for n in range(min(PHRASE, len(tokens) - i), 0, -1):
                phrase = " ".join(tokens[i : i + n])
                entry = self.eintrag(phrase)
                if entry is not None and (entry[1] or n == 1):
                    if entry[1]:
                        out.append((phrase, entry[1]))
                    i += n
                    break
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def woerterbuch() -> Woerterbuch | None:
    """The dictionary, read once per process; None when the file is missing (then no translation)."""
    return Woerterbuch(DATEI) if DATEI.is_file() else None


def erweiterung(
    pieces: list[tuple[str, float]],
    analyse: Callable[[list[str]], dict[str, float]],
    gewicht: float,
) -> dict[str, tuple[float, str]]:
    """Query terms from the German translations of an English request: term → (weight, English words).

    ``pieces`` are the request's (text, weight) pieces, ``analyse`` turns folded German words into
    query terms; each term gets ``gewicht`` × its piece's weight.
    Empty for a request that does not read as English.
    """
    book = woerterbuch()
    if book is None or not gewicht:
        return {}
    if not book.englisch([t for text, _ in pieces for t in words(text)]):
        return {}
    out: dict[str, tuple[float, str]] = {}
    for text, factor in pieces:
        for english, targets in book.uebersetzen(words(text)):
            for german in targets:
                for term in analyse(words(german)):
                    weight = factor * gewicht
                    if weight > out.get(term, (0.0, ""))[0]:
                        out[term] = (weight, english)
    return out
