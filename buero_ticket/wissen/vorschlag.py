"""Suggesting knowledge-base articles for a request: ranking and confidence.

Ranking is BM25F over Snowball stems. Each article has fields with their own weights: the title,
the single-word keywords, the words of multi-word keywords ("Gewerbe ummelden" says little about
"ummelden" alone, so those words count less, and the whole phrase earns a bonus when all its words
occur), the file name, the Kurzinfo and the rest of the text. Compound words also count through
their known parts (at a lower weight).

The request is read the way a clerk reads it: the subject counts more than the body, a sentence
with a question mark (the actual question) more than the story around it, and quoted earlier mails
("> …", "-----Ursprüngliche Nachricht-----") less.

A second, independent ranker compares letter 4-grams (``zeichen.py``: typos, inflections and
compound parts the stems miss); it re-scores the word ranker's best candidates, and the final order
is the sum of both scores, each relative to its best (``gewicht_zeichen`` for the letters).

Confidence: a logistic combination of two generic signals – the best word score on the scale of
the collection's rarest word (``staerke``) and the best article's lead over the fourth-best in the
final order (``vorsprung``; the fourth, so that two close candidates such as "Personalausweis" and
"Reisepass" do not make each other unsure) – minus a penalty for how far a lower-ranked suggestion
is behind the first. Every suggestion whose confidence reaches ``schwelle`` is ``sicher``, so two
articles can be sicher when a request fits both. The weights and the threshold are fitted by
``bench/bench_wissen.py --einstellen`` on the first half of the dev set. No rule here knows a
particular article: synonyms belong in the articles' ``stichwoerter``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..suche.analyse import STOPWORDS, Compounds, fold, stem, words
from . import englisch
from .artikel import Artikel, Sammlung
from .begruendung import Begruendung
from .felder import FIELDS, feldtexte, mehrwortig
from .zeichen import Zeichenvergleich


@dataclass(frozen=True)
class Parameter:
    k1: float = 5.0
    b: float = 0.5
    gewicht_titel: float = 3.0
    gewicht_stichwoerter: float = 3.0
    gewicht_phrasenwort: float = 1.0  # a word of a multi-word keyword, on its own
    gewicht_phrase: float = 1.0  # bonus (× the words' idf) when all words of a multi-word keyword occur
    gewicht_datei: float = 1.5
    gewicht_kurzinfo: float = 2.0
    gewicht_text: float = 1.0
    gewicht_teil: float = 0.3  # a compound part, relative to the whole word
    gewicht_teil_neu: float = 0.3  # a part of a request word that no article contains
    gewicht_kopf: float = 1.0  # the head of such a word ("Anwohnerparkausweis" → "parkausweis")
    nur_bekannte_teile: bool = True  # only parts that are words of the articles ("tragen", not "bean")
    gewicht_betreff: float = 1.5
    gewicht_frage: float = 2.0  # words of a sentence that ends with "?"
    gewicht_zitat: float = 0.5  # quoted lines of an earlier message
    verbformen: bool = True  # "wohnt", "beantragt", "angemeldet" match "wohnen", "beantragen", "anmelden"
    trennbar: bool = True  # "melde ... ab" counts as "abmelden"
    trennbar_stamm: bool = True  # ... also when the articles have the verb only in another form ("umzieht")
    unscharf: bool = True  # a word not in any article may match one with one letter different
    kandidaten: int = 20  # the word ranker's best, re-scored with the letter ranker
    gewicht_englisch: float = 0.5  # German translations of an English request's words (englisch.py)
    gewicht_zeichen: float = 0.5  # the letter ranker's share of the final order
    # Confidence: logistic(staerke * strength + vorsprung * lead + achse - abstand * ln(s1 / s_i)).
    # Fitted with `python bench/bench_wissen.py --einstellen` on rows 1–75 of the dev set.
    gewicht_staerke: float = 1.87
    gewicht_vorsprung: float = 0.55
    achse: float = -2.36
    gewicht_abstand: float = 2.0  # how fast a lower-ranked suggestion loses confidence
    schwelle: float = 0.79  # sicher from here on


_QUOTE_HEADER = re.compile(r"^(-{2,} ?(ursprungliche nachricht|original message|weitergeleitete)|am .{4,80} schrieb)")
_VERB_ENDINGS = ("test", "tet", "ten", "te", "st", "et", "t")
_SEPARABLE = ("", "zuruck", "durch", "nach", "weg", "auf", "aus", "ein", "vor", "mit", "ab", "an", "um", "zu")
_PARTICLES = frozenset(
    (
        "ab",
        "an",
        "auf",
        "aus",
        "ein",
        "um",
        "zu",
        "vor",
        "nach",
        "mit",
        "weg",
        "zuruck",
        "durch",
        "los",
        "fest",
        "her",
        "hin",
    )
)
_CLAUSE = re.compile(r"[,;:.!?()]|\b(?:und|oder|aber|weil|dass|wenn|ob)\b")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
# The dot of an ordinal or a date ("zum 1. nächsten Monat", "am 01.08. von Hamburg") ends no sentence.
_ORDINAL_DOT = re.compile(r"(?<=\d)\.(?=\d|\s+[a-zäöüß])")


@dataclass
class Vorschlag:
    artikel: Artikel
    score: float
    sicher: bool
    treffer: list[str]  # the words that matched, strongest first ("Parkausweis → Bewohnerparkausweis"; begruendung.py)
    rang: int = 0
    punkte: float = 0.0  # the raw BM25F score

    @property
    def grund(self) -> str:
        if not self.treffer:
            return "keine gemeinsamen Wörter"
        shown = list(dict.fromkeys(self.treffer))  # two stems can show as the same word of the request
        return "passende Wörter: " + ", ".join(shown[:6])


@dataclass
class _Doc:
    artikel: Artikel
    tf: list[dict[str, float]]  # per field
    lengths: list[float]
    phrases: list[tuple[frozenset[str], float]] = field(default_factory=list)  # multi-word keywords
    index: int = 0


@dataclass
class Kandidat:
    """An article in a request's ranking: word score, letter similarity, and their combination."""

    doc: _Doc
    punkte: float  # BM25F
    per_term: dict[str, float]
    zeichen: float  # letter-4-gram cosine
    gesamt: float = 0.0  # the order: punkte / best punkte + gewicht_zeichen * zeichen / best zeichen


class Wissensbasis:
    """The articles, analysed once; :meth:`vorschlagen` ranks them for a request."""

    def __init__(self, sammlung: Sammlung, parameter: Parameter | None = None) -> None:
        self.sammlung = sammlung
        self.p = parameter or Parameter()
        tokens = [[words(text) for text in feldtexte(a)] for a in sammlung.artikel]
        vocabulary: set[str] = set()
        for fields in tokens:
            for field_words in fields:
                vocabulary.update(field_words)
        self.compounds = Compounds(vocabulary)
        self._stems: set[str] | None = None
        self._verbs: dict[str, str] = {}
        self.docs: list[_Doc] = []
        for index, (artikel, fields) in enumerate(zip(sammlung.artikel, tokens, strict=True)):
            tf = [self._analyse(field_words) for field_words in fields]
            self.docs.append(_Doc(artikel, tf, [sum(c.values()) for c in tf], index=index))
        self.zeichen = Zeichenvergleich(
            [(f[0], 3.0), (f[1], 3.0), (f[2], 3.0), (f[4], 2.0), (f[5], 1.0)] for f in tokens
        )
        n = max(len(self.docs), 1)
        self.avg = [max(sum(d.lengths[i] for d in self.docs) / n, 1.0) for i in range(len(FIELDS))]
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(set().union(*doc.tf))
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.idf_max = staerke_massstab(self.idf.values())
        self._deletes: dict[str, str] | None = None
        self.woerter: dict[int, dict[str, tuple[float, str, bool]]] = {}  # per article, for the reason line
        self.uebersetzt: dict[str, str] = {}  # an English request: term from a translation → its English words
        self.weights = (
            self.p.gewicht_titel,
            self.p.gewicht_stichwoerter,
            self.p.gewicht_phrasenwort,
            self.p.gewicht_datei,
            self.p.gewicht_kurzinfo,
            self.p.gewicht_text,
        )
        for doc in self.docs:
            for keyword in mehrwortig(doc.artikel.stichwoerter):
                stems = frozenset(stem(w) for w in words(keyword) if w not in STOPWORDS and len(w) > 1)
                if len(stems) >= 2:
                    doc.phrases.append((stems, sum(self.idf.get(t, 0.0) for t in stems)))

    def _analyse(self, text: str | list[str], query: bool = False) -> dict[str, float]:
        """Weighted term counts: whole words 1, their compound parts ``gewicht_teil``.

        In a request, a word that no article contains can only match through its parts; then its
        head (the longest known part it ends with: German compounds are right-headed, an
        "Anwohnerparkausweis" is a "Parkausweis") counts ``gewicht_kopf`` and the others
        ``gewicht_teil_neu``.
        """
        counts: dict[str, float] = {}
        for word in words(text) if isinstance(text, str) else text:
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            if self.p.verbformen:
                word = self._infinitive(word)
            key = stem(word)
            counts[key] = counts.get(key, 0.0) + 1.0
            parts = [
                p
                for p in self.compounds.parts(word)
                if p not in STOPWORDS and (not self.p.nur_bekannte_teile or self._known(p))
            ]
            unknown = query and word not in self.compounds.vocabulary
            head = max((p for p in parts if word.endswith(p)), key=len, default="") if unknown else ""
            for part in parts:
                weight = self.p.gewicht_teil
                if unknown:
                    weight = self.p.gewicht_kopf if part == head else self.p.gewicht_teil_neu
                key = stem(part)
                counts[key] = counts.get(key, 0.0) + weight
        return counts

    def _known(self, part: str) -> bool:
        """A compound part that is a word of the articles, or has the stem of one ("notfall" of "Notfälle")."""
        if part in self.compounds.vocabulary:
            return True
        if self._stems is None:
            self._stems = {stem(w) for w in self.compounds.vocabulary}
        return stem(part) in self._stems

    def _infinitive(self, word: str) -> str:
        """The infinitive of a verb form the stemmer leaves alone, if the articles have it.

        Snowball keeps "wohnt", "beantragt", "angemeldet" apart from "wohnen", "beantragen",
        "anmelden"; German forms them regularly (-t/-st/-te/-et endings, ge- participles after a
        separable prefix), so try those and take the first infinitive some article contains.
        """
        known = self._verbs.get(word)
        if known is not None:
            return known
        result = word
        vocabulary = self.compounds.vocabulary
        if len(word) >= 5 and word.isalpha():
            for suffix in _VERB_ENDINGS:
                rest = word[: -len(suffix)]
                if not word.endswith(suffix) or len(rest) < 3:
                    continue
                candidates = [rest + "en", rest + "n"]
                for prefix in _SEPARABLE:
                    if rest.startswith(prefix + "ge") and len(rest) - len(prefix) - 2 >= 3:
                        candidates.append(prefix + rest[len(prefix) + 2 :] + "en")
                hit = next((c for c in candidates if c != word and c in vocabulary), "")
                if hit:
                    result = hit
                    break
            else:  # participles of strong verbs: "abgegeben" → "abgeben"
                for prefix in _SEPARABLE:
                    rest = word[len(prefix) + 2 :]
                    if word.startswith(prefix + "ge") and word.endswith("en") and len(rest) >= 4 and rest in vocabulary:
                        result = prefix + rest if prefix else rest
                        break
        self._verbs[word] = result
        return result

    def _pieces(self, text: str, betreff: str) -> list[tuple[str, float]]:
        """The request in pieces with their weight: the subject, then sentence by sentence."""
        out = [(betreff, self.p.gewicht_betreff)]
        quoted = False
        for line in text.split("\n"):
            stripped = line.strip()
            if _QUOTE_HEADER.match(fold(stripped)):
                quoted = True  # everything below is an earlier message
                continue
            factor = self.p.gewicht_zitat if quoted or stripped.startswith(">") else 1.0
            for sentence in _SENTENCE.findall(_ORDINAL_DOT.sub(" ", stripped.lstrip("> "))):
                question = sentence.rstrip().endswith("?")
                out.append((sentence, factor * (self.p.gewicht_frage if question else 1.0)))
        return out

    def query_terms(self, text: str, betreff: str = "") -> dict[str, float]:
        """Query term -> weight (the strongest place it occurs: subject, a question, the rest)."""
        weights: dict[str, float] = {}
        pieces = self._pieces(text, betreff)
        for source, factor in pieces:
            counts = self._analyse(source, query=True)
            if self.p.trennbar:
                for verb in self._separable_verbs(source):
                    key = stem(verb)
                    counts[key] = counts.get(key, 0.0) + 1.0
            for term, count in counts.items():
                w = factor * min(count, 2.0) ** 0.5
                if term not in self.idf and self.p.unscharf:
                    near = self._near(term)
                    if near:
                        term, w = near, w * 0.7
                weights[term] = max(weights.get(term, 0.0), w)
        self.uebersetzt = {}
        analyse = lambda german: self._analyse(german, query=True)  # noqa: E731
        for term, (w, english) in englisch.erweiterung(pieces, analyse, self.p.gewicht_englisch).items():
            if term in self.idf and w > weights.get(term, 0.0):
                weights[term], self.uebersetzt[term] = w, english
        return weights

    def _separable_verbs(self, sentence: str) -> list[str]:
        """Separable verbs split over a clause, joined again: "Wie melde ich mein Auto ab?" → "abmelden".

        German puts the particle at the end of the clause; join it with each earlier word whose
        infinitive, with the particle in front, is a word of the articles.
        """
        found = []
        vocabulary = self.compounds.vocabulary
        for clause in _CLAUSE.split(sentence):
            tokens = words(clause)
            if len(tokens) < 2 or tokens[-1] not in _PARTICLES:
                continue
            particle = tokens[-1]
            for token in tokens[:-1]:
                if not token.isalpha() or len(token) < 3:
                    continue
                base = self._infinitive(token)
                for candidate in (particle + base, particle + token + "n", particle + token + "en"):
                    if candidate in vocabulary or (self.p.trennbar_stamm and self._known(candidate)):
                        found.append(candidate)
                        break
        return found

    def _near(self, term: str) -> str:
        """A known term one typo away, or "".

        Short stems are too alike for that ("lauft"/"laut", "schein"/"scheng"): below seven letters
        only a letter more or less at the end counts ("nachbar"/"nachbarn"), or a letter missing from
        a word of seven letters or more ("matraze"); from seven letters on, one deletion, insertion or
        substitution anywhere after the first letter.
        """
        if len(term) < 5 or not term.isalpha():
            return ""
        if self._deletes is None:
            self._deletes = {}
            for known in self.idf:
                if len(known) >= 4 and known.isalpha():
                    for i in range(len(known)):
                        self._deletes.setdefault(known[:i] + known[i + 1 :], known)
                    self._deletes.setdefault(known, known)
        if len(term) < 7:
            for candidate in (term[:-1], *(term + c for c in "abcdefghijklmnopqrstuvwxyz")):
                if candidate in self.idf:
                    return candidate
            longer = self._deletes.get(term, "")  # a letter missing from a long word ("matraz")
            return longer if len(longer) >= 7 else ""
        if term in self._deletes:
            return self._deletes[term]
        for i in range(1, len(term)):
            hit = self._deletes.get(term[:i] + term[i + 1 :])
            if hit and hit[0] == term[0]:
                return hit
        return ""

    def score(self, doc: _Doc, query: dict[str, float]) -> tuple[float, dict[str, float]]:
        """BM25F score of one article, and each matched term's share of it."""
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
        if self.p.gewicht_phrase and doc.phrases:
            total += self.p.gewicht_phrase * max(
                (idf_sum for stems, idf_sum in doc.phrases if stems <= query.keys()), default=0.0
            )
        return total, per_term

    def rangliste(self, text: str, betreff: str = "") -> list[tuple[float, _Doc, dict[str, float]]]:
        """All articles with a score above 0, best first."""
        query = self.query_terms(text, betreff)
        scored = []
        for doc in self.docs:
            score, per_term = self.score(doc, query)
            if score > 0:
                scored.append((score, doc, per_term))
        scored.sort(key=lambda x: (-x[0], x[1].artikel.titel))
        return scored

    def kandidaten(self, text: str, betreff: str = "") -> list[Kandidat]:
        """The word ranker's best candidates, re-scored with the letter ranker, best first."""
        scored = self.rangliste(text, betreff)[: self.p.kandidaten]
        if not scored:
            return []
        query = self.zeichen.anfrage(self._pieces(text, betreff))
        out = [Kandidat(doc, s, per, self.zeichen.aehnlichkeit(query, doc.index)) for s, doc, per in scored]
        best_words = scored[0][0]
        best_letters = max(k.zeichen for k in out) or 1.0
        for k in out:
            k.gesamt = k.punkte / best_words + self.p.gewicht_zeichen * k.zeichen / best_letters
        out.sort(key=lambda k: (-k.gesamt, k.doc.artikel.titel))
        return out

    def vorschlagen(self, text: str, betreff: str = "", anzahl: int = 3) -> list[Vorschlag]:
        ranked = self.kandidaten(text, betreff)
        if not ranked:
            return []
        begruendung = Begruendung(self, betreff + "\n" + text)
        out = []
        for rang, k in enumerate(ranked[:anzahl], start=1):
            confidence = self.konfidenz(ranked, k)
            words_hit = begruendung.woerter(k.doc, k.per_term)
            out.append(
                Vorschlag(
                    k.doc.artikel,
                    round(confidence, 2),
                    confidence >= self.p.schwelle,
                    words_hit,
                    rang,
                    round(k.punkte, 2),
                )
            )
        return out

    def merkmale(self, ranked: list[Kandidat]) -> tuple[float, float]:
        """The confidence signals of a ranking: strength of the best word score, lead over the 4th.

        ``strength`` puts the BM25 score on the scale of the collection's rarest word, so the same
        threshold holds for 40 or 1,000 articles; ``lead`` is measured in the final order.
        """
        strength = math.log(1 + max(c.punkte for c in ranked) / self.idf_max)
        first = ranked[0].gesamt
        reference = ranked[3].gesamt if len(ranked) > 3 else 0.0
        lead = (first - reference) / first if first else 0.0
        return strength, lead

    def konfidenz(self, ranked: list[Kandidat], k: Kandidat) -> float:
        """0–1: how sure suggestion ``k`` is in ``ranked``."""
        strength, lead = self.merkmale(ranked)
        z = self.p.gewicht_staerke * strength + self.p.gewicht_vorsprung * lead + self.p.achse
        first = ranked[0].gesamt
        if 0 < k.gesamt < first:
            z -= self.p.gewicht_abstand * math.log(first / k.gesamt)
        return 1 / (1 + math.exp(-z))


KLEINE_BASIS = 8  # fewer articles than this: the confidence's strength is measured as if there were this many


def staerke_massstab(idf: Iterable[float]) -> float:
    """The scale of the confidence's strength (``merkmale``): the idf of the collection's rarest word.

    In a tiny base every word is "rare": with 4 articles a word found in one of them ("Termin",
    "abmelden") has the highest idf there is, so one such word made a request look as strong as a
    rare word matched in a base of hundreds, and the suggestion was sicher. Below ``KLEINE_BASIS``
    articles the scale is that of a word found once among ``KLEINE_BASIS``: a small base claims no
    more confidence than its size supports (the same words with more, unrelated articles beside them
    give the same or a higher score, never a lower one). From ``KLEINE_BASIS`` articles on nothing
    changes. A guard outside the fitted confidence (``Parameter``, ``merkmale``, ``konfidenz``).
    """
    return max(max(idf, default=1.0), math.log(1 + (KLEINE_BASIS - 0.5) / 1.5))
