"""Which keywords the articles lack: Vorgänge answered with an article the suggester was not sure of.

A clerk who answers a Vorgang with an article (``antworten --wissen``, ``brief --wissen``, ``anruf``,
``neu --direkt-beantwortet --wissen``) knows better than the suggester which article fits. Where the
suggester did not propose that article ``sicher`` for the Vorgang's request, the request's words that
the article does not contain are candidates for its ``stichwoerter`` (the office maintains them; no
rule in code knows a particular article). Read-only: nothing here writes a Vorgang or an article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Vorgang
from ..suche.analyse import terms
from ..wissen.artikel import Artikel
from ..wissen.vorschlag import Wissensbasis
from .wissen import request_text, vorschlaege_fuer

MAX_WOERTER = 6  # proposals per article: a handful the office can read at a glance
MIN_LAENGE = 3
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # words as written ("Ehering", "E-Bike"), no numbers
# a name after a form of address ("Hr. Yilmaz", "Frau Dr. Özdemir") is nobody's keyword
_NAME = re.compile(r"\b(?:Herrn?|Hr|Frau|Fr|Dr|Prof)\.?\s+(?:(?:Dr|Prof)\.?\s+)?([^\W\d_]+)")


@dataclass
class Wortvorschlag:
    wort: str  # as the requests wrote it (the most frequent spelling)
    anzahl: int  # in how many of the article's Vorgänge


@dataclass
class Stichwortluecke:
    artikel: Artikel
    vorgaenge: list[Vorgang] = field(default_factory=list)
    vorschlaege: list[Wortvorschlag] = field(default_factory=list)


@dataclass
class Stichwortbericht:
    luecken: list[Stichwortluecke]  # the articles with Vorgänge not recognised sicher, most Vorgänge first
    geprueft: int  # Vorgänge answered with an article that still exists
    sicher_erkannt: int  # of those, the suggester proposed the article sicher
    artikel_fehlt: list[Vorgang]  # answered with an article no longer in Wissen (renamed or deleted)


def stichwort_luecken(basis: Wissensbasis, vorgaenge: Iterable[Vorgang]) -> Stichwortbericht:
    """Per article: the Vorgänge it answered but the suggester did not propose sicher, and the words to add."""
    by_file = {a.datei.casefold(): a for a in basis.sammlung.artikel}
    groups: dict[str, Stichwortluecke] = {}
    missing: list[Vorgang] = []
    checked = sure = 0
    for v in vorgaenge:
        if not v.wissen or v.beschaedigt or v.ordner is None:
            continue
        artikel = by_file.get(v.wissen.replace("\\", "/").casefold())
        if artikel is None:
            missing.append(v)
            continue
        checked += 1
        if any(s.sicher and s.artikel.datei == artikel.datei for s in vorschlaege_fuer(basis, v)):
            sure += 1
            continue
        groups.setdefault(artikel.datei, Stichwortluecke(artikel)).vorgaenge.append(v)
    for g in groups.values():
        g.vorschlaege = fehlende_woerter(g.artikel, g.vorgaenge)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.vorgaenge), g.artikel.datei.casefold()))
    return Stichwortbericht(ordered, checked, sure, missing)


def fehlende_woerter(artikel: Artikel, vorgaenge: list[Vorgang], anzahl: int = MAX_WOERTER) -> list[Wortvorschlag]:
    """The requests' content words the article lacks, counted once per Vorgang, the most frequent first.

    Ties: words written with a capital (German nouns, what keywords mostly are) before the others, words of
    the subjects before words of the texts, then in the order they first appeared. Left out: names (the
    sender's, and a word after "Herr", "Frau", "Hr.", "Dr." …), numbers, words of fewer than 3 letters.
    """
    own = set(terms(" ".join((artikel.titel, *artikel.stichwoerter, artikel.datei.rsplit("/", 1)[-1], artikel.text))))
    count: Counter[str] = Counter()
    in_subject: Counter[str] = Counter()
    capital: set[str] = set()
    spellings: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for v in vorgaenge:
        texts = (v.betreff, request_text(v))
        names = " ".join(m.group(1) for text in texts for m in _NAME.finditer(text))
        sender = set(terms(f"{v.absender.name} {v.absender.email} {names}"))
        seen: set[str] = set()
        for part, text in enumerate(texts):
            for token in _TOKEN.findall(text):
                stems = terms(token)
                if len(stems) != 1 or len(token) < MIN_LAENGE:
                    continue
                key = stems[0]
                if key in own or key in sender:
                    continue
                spellings.setdefault(key, Counter())[token] += 1
                first.setdefault(key, len(first))
                if token[0].isupper():
                    capital.add(key)
                if key not in seen:
                    seen.add(key)
                    count[key] += 1
                    in_subject[key] += part == 0
    ranked = sorted(count, key=lambda k: (-count[k], k not in capital, -in_subject[k], first[k]))
    return [Wortvorschlag(spellings[k].most_common(1)[0][0], count[k]) for k in ranked[:anzahl]]
