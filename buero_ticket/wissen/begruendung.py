"""The one-line reason behind a suggestion: which word of the request matched which word of the article.

A term of the ranking is a stem, possibly of a compound part or of a word one typo away. The clerk
reads words, so each matched term is shown as the request's word as typed and, when the article
matched it through a different word, that word as the article writes it: "Parkausweis →
Bewohnerparkausweis" (a part of a compound), "Gebührenbescheid → Gebühren", "Sperrmül → Sperrmüll"
(a typo). The article's word is the one that carries the term most (title and keywords before the
Kurzinfo before the rest; a whole word before a compound part).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..suche.analyse import stem, words
from .felder import feldtexte

if TYPE_CHECKING:
    from .vorschlag import Wissensbasis, _Doc

_TOKEN = re.compile(r"\w+(?:[-']\w+)*")
MAX_WOERTER = 6


class Begruendung:
    """The reasons for one request's suggestions (the request analysed once)."""

    def __init__(self, basis: Wissensbasis, text: str) -> None:
        self.basis = basis
        self.anfrage: list[tuple[str, set[str], set[str]]] = []  # (word as typed, whole stems, all terms)
        seen: set[str] = set()
        for token in _TOKEN.findall(text):
            if token in seen:
                continue
            seen.add(token)
            terms = set(basis._analyse(token, query=True))
            if basis.p.unscharf:
                terms |= {basis._near(t) for t in terms if t not in basis.idf} - {""}
            self.anfrage.append((token, _whole(basis, token), terms))
        if basis.p.trennbar:  # "Wie melde ich den Hund ab?" matched "abmelden": shown as that verb
            for sentence in re.split(r"[.!?\n]", text):
                for verb in basis._separable_verbs(sentence):
                    self.anfrage.append((verb, {stem(verb)}, {stem(verb)}))

    def woerter(self, doc: _Doc, per_term: dict[str, float]) -> list[str]:
        """The matched words, strongest first, each word of the request once.

        A request word that matched the article's own word (in any form) is shown alone, even if a
        part of it matched more ("Bewohnerparkzone", not "Bewohnerparkzone → Bewohnerinnen").
        """
        article = _article_words(self.basis, doc)
        out: dict[str, str] = {}
        for term, _ in sorted(per_term.items(), key=lambda x: -x[1]):
            asked, whole = self._asked(term)
            _, found, found_whole = article.get(term, (0.0, "", False))
            shown = _shown(asked, found, same=whole and found_whole)
            key = asked.casefold() or shown.casefold()
            if key not in out or shown == asked:
                out[key] = shown
        return list(dict.fromkeys(out.values()))[:MAX_WOERTER]

    def _asked(self, term: str) -> tuple[str, bool]:
        """The request's word that gave ``term`` (as a whole word first, else through a part or a typo)."""
        through = ""
        for token, whole, terms in self.anfrage:
            if term in whole:
                return token, True
            if not through and term in terms:
                through = token
        if not through:  # an English request: the English words it was translated from
            through = self.basis.uebersetzt.get(term, "")
        return through, False  # "": the term came from elsewhere (a word added to the request)


def _shown(asked: str, found: str, *, same: bool) -> str:
    if not asked:
        return found
    if not found or same or asked.casefold() == found.casefold():
        return asked
    return f"{asked} → {found}"


def _whole(basis: Wissensbasis, token: str) -> set[str]:
    """The stems of a token's words themselves (not of their parts)."""
    if not token:
        return set()
    return {stem(basis._infinitive(w) if basis.p.verbformen else w) for w in words(token)}


def _article_words(basis: Wissensbasis, doc: _Doc) -> dict[str, tuple[float, str, bool]]:
    """Each term of an article → (weight, the word that carries it most as written, a whole word?)."""
    cached = basis.woerter.get(doc.index)
    if cached is not None:
        return cached
    found: dict[str, tuple[float, str, bool]] = {}
    for weight, text in zip(basis.weights, feldtexte(doc.artikel), strict=True):
        for token in dict.fromkeys(_TOKEN.findall(text)):
            whole = _whole(basis, token)
            for term, count in basis._analyse(token).items():
                is_whole = term in whole
                w = weight * (1.0 if is_whole else min(count, basis.p.gewicht_teil))
                if w > found.get(term, (0.0, "", False))[0]:
                    found[term] = (w, token, is_whole)
    basis.woerter[doc.index] = found
    return found
