"""A second, independent ranker for knowledge suggestions: letter 4-grams of the words.

Words are compared by their letter sequences ("^reisepass$" → "^rei", "reis", "eise", …), so a typo,
an inflection the stemmer misses, a part of a compound or a related spelling still shares most
4-grams with the article's word. Each article is one TF-IDF vector (log tf, idf over the articles)
with the fields weighted like the word ranker's (title and keywords ×3, Kurzinfo ×2, rest ×1), the
request's pieces too (subject, question, quote);
the similarity is the cosine. It only re-scores the word ranker's candidates, so it stays cheap for
1,000 articles (an article's vector is only made when it is a candidate).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from ..suche.analyse import STOPWORDS, words

N = 4


def grams(tokens: list[str], weight: float, counts: dict[str, float]) -> None:
    """Add the letter 4-grams of the content words (folded, see ``words``) to ``counts``."""
    for word, n in Counter(tokens).items():
        for gram in _word_grams(word):
            counts[gram] = counts.get(gram, 0.0) + weight * n


@lru_cache(maxsize=100_000)
def _word_grams(word: str) -> tuple[str, ...]:
    if len(word) < 3 or word in STOPWORDS:
        return ()
    padded = f"^{word}$"
    return tuple(padded[i : i + N] for i in range(len(padded) - N + 1))


class Zeichenvergleich:
    """Letter-4-gram cosine between a request and each article."""

    def __init__(self, articles: Iterable[list[tuple[list[str], float]]]) -> None:
        """``articles``: per article its fields as (folded words, weight)."""
        self.counted = []
        for fields in articles:
            counts: dict[str, float] = {}
            for tokens, weight in fields:
                grams(tokens, weight, counts)
            self.counted.append(counts)
        n = len(self.counted)
        df: Counter[str] = Counter()
        for counts in self.counted:
            df.update(counts.keys())
        self.idf = {g: math.log(n / c) for g, c in df.items() if c < n}
        self.vectors: dict[int, dict[str, float]] = {}

    def _vector(self, counts: dict[str, float]) -> dict[str, float]:
        vector = {g: math.log1p(c) * self.idf[g] for g, c in counts.items() if g in self.idf}
        length = math.sqrt(sum(x * x for x in vector.values())) or 1.0
        return {g: x / length for g, x in vector.items()}

    def anfrage(self, pieces: list[tuple[str, float]]) -> dict[str, float]:
        """The request's vector from its pieces (text, weight)."""
        counts: dict[str, float] = {}
        for text, weight in pieces:
            grams(words(text), weight, counts)
        return self._vector(counts)

    def aehnlichkeit(self, query: dict[str, float], index: int) -> float:
        """Cosine between the request's vector and article ``index``."""
        vector = self.vectors.get(index)
        if vector is None:
            vector = self.vectors[index] = self._vector(self.counted[index])
        return sum(w * vector.get(g, 0.0) for g, w in query.items())
