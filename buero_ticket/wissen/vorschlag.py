"""Suggesting knowledge-base articles for a request: ranking and confidence.

Ranking is BM25F over Snowball stems: each article has fields (title, keywords, file name, Kurzinfo,
the rest of the text) with their own weights; compound words also count through their known parts
(at a lower weight). The request's subject counts more than its body.

Confidence (``sicher``) combines three generic signals: how much of the request's informative
content the best article covers, how far the best article is ahead of the second, and whether a
title or keyword word matched. No rule here knows a particular article: synonyms belong in the
articles' ``stichwoerter``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from ..suche.analyse import STOPWORDS, Compounds, stem, words
from .artikel import Artikel, Sammlung


@dataclass(frozen=True)
class Parameter:
    k1: float = 5.0
    b: float = 0.5
    gewicht_titel: float = 3.0
    gewicht_stichwoerter: float = 3.0
    gewicht_datei: float = 1.5
    gewicht_kurzinfo: float = 2.0
    gewicht_text: float = 1.0
    gewicht_teil: float = 0.3  # a compound part, relative to the whole word
    gewicht_betreff: float = 1.5
    abfall_position: float = 0.0  # the end of a long request counts this much less than its start
    unscharf: bool = True  # a word not in any article may match one with one letter different
    gewicht_staerke: float = 1.57
    gewicht_vorsprung: float = 2.2
    achse: float = -3.14
    schwelle: float = 0.57  # sicher from here on (logistic 0.3)


FIELDS = ("titel", "stichwoerter", "datei", "kurzinfo", "text")


@dataclass
class Vorschlag:
    artikel: Artikel
    score: float
    sicher: bool
    treffer: list[str]  # the request's words that matched, strongest first
    rang: int = 0
    punkte: float = 0.0  # the raw BM25F score

    @property
    def grund(self) -> str:
        if not self.treffer:
            return "keine gemeinsamen Wörter"
        return "passende Wörter: " + ", ".join(self.treffer[:6])


@dataclass
class _Doc:
    artikel: Artikel
    tf: list[dict[str, float]]  # per field
    lengths: list[float]
    key_terms: set[str] = field(default_factory=set)  # stems of title, keywords, file name


class Wissensbasis:
    """The articles, analysed once; :meth:`vorschlagen` ranks them for a request."""

    def __init__(self, sammlung: Sammlung, parameter: Parameter | None = None) -> None:
        self.sammlung = sammlung
        self.p = parameter or Parameter()
        texts = [_field_texts(a) for a in sammlung.artikel]
        vocabulary: set[str] = set()
        for fields in texts:
            for text in fields:
                vocabulary.update(words(text))
        self.compounds = Compounds(vocabulary)
        self.docs: list[_Doc] = []
        for artikel, fields in zip(sammlung.artikel, texts, strict=True):
            tf = [self._analyse(text) for text in fields]
            doc = _Doc(artikel, tf, [sum(c.values()) for c in tf])
            doc.key_terms = set(tf[0]) | set(tf[1]) | set(tf[2])
            self.docs.append(doc)
        n = max(len(self.docs), 1)
        self.avg = [max(sum(d.lengths[i] for d in self.docs) / n, 1.0) for i in range(len(FIELDS))]
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(set().union(*doc.tf))
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.idf_max = max(self.idf.values(), default=1.0)
        self._deletes: dict[str, str] | None = None
        self.weights = (
            self.p.gewicht_titel,
            self.p.gewicht_stichwoerter,
            self.p.gewicht_datei,
            self.p.gewicht_kurzinfo,
            self.p.gewicht_text,
        )

    def _analyse(self, text: str) -> dict[str, float]:
        """Weighted term counts: whole words 1, their compound parts ``gewicht_teil``."""
        counts: dict[str, float] = {}
        for word in words(text):
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            key = stem(word)
            counts[key] = counts.get(key, 0.0) + 1.0
            for part in self.compounds.parts(word):
                if part not in STOPWORDS:
                    key = stem(part)
                    counts[key] = counts.get(key, 0.0) + self.p.gewicht_teil
        return counts

    def query_terms(self, text: str, betreff: str = "") -> dict[str, float]:
        """Query term -> weight (saturated count; subject words and early words weighted higher)."""
        weights: dict[str, float] = {}
        for source, factor in ((betreff, self.p.gewicht_betreff), (text, 1.0)):
            counts = self._analyse(source)
            order = list(counts)
            for pos, term in enumerate(order):
                decay = 1.0 - self.p.abfall_position * pos / max(len(order), 8)
                w = factor * decay * min(float(counts[term]), 2.0) ** 0.5
                if term not in self.idf and self.p.unscharf:
                    near = self._near(term)
                    if near:
                        term, w = near, w * 0.7
                weights[term] = max(weights.get(term, 0.0), w)
        return weights

    def _near(self, term: str) -> str:
        """A known term one deletion/insertion/substitution away (typos), or ""."""
        if len(term) < 5 or not term.isalpha():
            return ""
        if self._deletes is None:
            self._deletes = {}
            for known in self.idf:
                if len(known) >= 4 and known.isalpha():
                    for i in range(len(known)):
                        self._deletes.setdefault(known[:i] + known[i + 1 :], known)
                    self._deletes.setdefault(known, known)
        if term in self._deletes:
            return self._deletes[term]
        for i in range(len(term)):
            hit = self._deletes.get(term[:i] + term[i + 1 :])
            if hit and hit[0] == term[0]:
                return hit
        return ""

    def _score(self, doc: _Doc, query: dict[str, float]) -> tuple[float, dict[str, float]]:
        total = 0.0
        per_term: dict[str, float] = {}
        k1, b = self.p.k1, self.p.b
        for term, qw in query.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = 0.0
            for i, counts in enumerate(doc.tf):
                c = counts.get(term)
                if c:
                    tf += self.weights[i] * c / (1 - b + b * doc.lengths[i] / self.avg[i])
            if tf:
                s = qw * idf * tf * (k1 + 1) / (tf + k1)
                per_term[term] = s
                total += s
        return total, per_term

    def vorschlagen(self, text: str, betreff: str = "", anzahl: int = 3) -> list[Vorschlag]:
        query = self.query_terms(text, betreff)
        scored = []
        for doc in self.docs:
            score, per_term = self._score(doc, query)
            if score > 0:
                scored.append((score, doc, per_term))
        scored.sort(key=lambda x: (-x[0], x[1].artikel.titel))
        second = scored[1][0] if len(scored) > 1 else 0.0
        out = []
        for rang, (score, doc, per_term) in enumerate(scored[:anzahl], start=1):
            confidence = self.confidence(score, second if rang == 1 else scored[0][0])
            words_hit = [
                _display(term, text + " " + betreff) for term, _ in sorted(per_term.items(), key=lambda x: -x[1])
            ]
            out.append(
                Vorschlag(
                    doc.artikel, round(confidence, 2), confidence >= self.p.schwelle, words_hit, rang, round(score, 2)
                )
            )
        return out

    def confidence(self, score: float, other: float) -> float:
        """0–1: how sure the suggestion is (logistic in the score's strength and its lead over the next).

        ``strength`` puts the BM25 score on the scale of the collection's rarest word, so the same
        threshold holds for 40 or 1,000 articles. The two weights and the threshold were fitted on the
        first 75 rows of the dev set (see bench/bench_wissen.py); nothing here knows an article.
        """
        strength = math.log(1 + score / self.idf_max)
        lead = (score - other) / score if score else 0.0
        z = self.p.gewicht_staerke * strength + self.p.gewicht_vorsprung * lead + self.p.achse
        return 1 / (1 + math.exp(-z))


def _field_texts(artikel: Artikel) -> tuple[str, str, str, str, str]:
    name = artikel.datei.rsplit("/", 1)[-1]
    rest = "\n".join(t for h, t in artikel.abschnitte.items() if not h.lower().startswith("kurzinfo"))
    rest = rest + "\n" + " ".join(artikel.abschnitte)
    return (artikel.titel, " ".join(artikel.stichwoerter), name.rsplit(".", 1)[0], artikel.kurzinfo, rest)


def _display(term: str, text: str) -> str:
    """A word of the request that has ``term`` as stem (for the reason line)."""
    for word in text.split():
        folded = words(word)
        if any(stem(w) == term for w in folded):
            return word.strip(".,;:!?()„“\"'")
    return term
