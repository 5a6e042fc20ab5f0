"""Knowledge suggestions on the labelled dev set (../shared/data/wissen-dev).

Prints hit@3 / hit@1 on the answerable requests, and at the product's own confidence threshold the
share of answerable requests with the correct article confidently in the top 3 beside the share of
unanswerable ("-") requests that get "kein passender Artikel" — for the rows tuned on (1–75), the rows
not tuned on (76–150) and all. Floor in the same run: TF-IDF cosine over stems, title and keywords ×3.
Also the suggestion time for 1,000 articles.

    python bench/bench_wissen.py [--daten ../shared/data/wissen-dev] [--fehler]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from buero_ticket.suche.analyse import terms
from buero_ticket.wissen.artikel import Artikel, Sammlung, lade
from buero_ticket.wissen.vorschlag import Wissensbasis

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "wissen-dev"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["text"] = row["text"].replace(" ⏎ ", "\n")
    return rows


class TfidfFloor:
    """The issue's floor: TF-IDF cosine over PyStemmer stems, title and keywords weighted ×3."""

    def __init__(self, sammlung: Sammlung) -> None:
        self.artikel = sammlung.artikel
        docs = []
        for a in self.artikel:
            c = Counter(terms(a.text))
            for t in terms(a.titel + " " + " ".join(a.stichwoerter)):
                c[t] += 3
            docs.append(c)
        n = len(docs)
        df = Counter(t for d in docs for t in d)
        self.idf = {t: math.log(n / c) + 1 for t, c in df.items()}
        self.vecs = [self._norm({t: v * self.idf[t] for t, v in d.items()}) for d in docs]

    @staticmethod
    def _norm(v: dict[str, float]) -> dict[str, float]:
        length = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / length for t, x in v.items()}

    def rank(self, text: str) -> list[tuple[float, Artikel]]:
        q = self._norm({t: c * self.idf[t] for t, c in Counter(terms(text)).items() if t in self.idf})
        scored = [
            (sum(w * vec.get(t, 0.0) for t, w in q.items()), a) for vec, a in zip(self.vecs, self.artikel, strict=True)
        ]
        return sorted(scored, key=lambda x: -x[0])


def evaluate(kb: Wissensbasis, rows: list[dict[str, str]], show_errors: bool = False) -> dict[str, float]:
    top3 = top1 = sure_ok = answerable = unanswerable = rejected = 0
    for row in rows:
        labels = [x for x in row["artikel"].split("|") if x and x != "-"]
        suggestions = kb.vorschlagen(row["text"], row["betreff"])
        names = [s.artikel.datei for s in suggestions]
        if not labels:
            unanswerable += 1
            ok = not any(s.sicher for s in suggestions)
            rejected += ok
            if show_errors and not ok:
                print(f"  FALSCH SICHER {row['id']}: {[(s.artikel.datei, s.score) for s in suggestions]}")
            continue
        answerable += 1
        hit3 = any(n in labels for n in names)
        top3 += hit3
        top1 += bool(names) and names[0] in labels
        confident = any(s.sicher and s.artikel.datei in labels for s in suggestions)
        sure_ok += confident
        if show_errors and (not hit3 or not names or names[0] not in labels or not confident):
            print(
                f"  {'MISS' if not hit3 else ('RANG' if names[0] not in labels else 'UNSICHER')} {row['id']} "
                f"{labels}: {[(s.artikel.datei, s.score) for s in suggestions]}"
            )
    return {
        "top3": top3 / answerable,
        "top1": top1 / answerable,
        "sicher_richtig": sure_ok / answerable,
        "abgelehnt": rejected / max(unanswerable, 1),
        "n": answerable,
        "n_minus": unanswerable,
    }


def floor_eval(floor: TfidfFloor, rows: list[dict[str, str]]) -> tuple[float, float]:
    top3 = top1 = n = 0
    for row in rows:
        labels = [x for x in row["artikel"].split("|") if x and x != "-"]
        if not labels:
            continue
        n += 1
        ranked = [a.datei for _, a in floor.rank(row["betreff"] + " " + row["text"])[:3]]
        top3 += any(r in labels for r in ranked)
        top1 += ranked[0] in labels
    return top3 / n, top1 / n


def timing(sammlung: Sammlung, rows: list[dict[str, str]]) -> float:
    """p95 suggestion time (ms) with the articles copied up to 1,000 (distinct file names)."""
    many = []
    while len(many) < 1000:
        for a in sammlung.artikel:
            copy = Artikel(**{**a.__dict__, "datei": f"{len(many)}/{a.datei}"})
            many.append(copy)
    kb = Wissensbasis(Sammlung(sammlung.ordner, many[:1000], []))
    times = []
    for row in rows:
        start = time.perf_counter()
        kb.vorschlagen(row["text"], row["betreff"])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(times, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--daten", type=Path, default=DEFAULT)
    parser.add_argument("--fehler", action="store_true", help="Fehlgriffe je Zeile zeigen")
    args = parser.parse_args()
    if not (args.daten / "anfragen.tsv").is_file():
        sys.exit(f"Dev-Set fehlt: {args.daten}")
    sammlung = lade(args.daten / "Wissen")
    rows = read_rows(args.daten / "anfragen.tsv")
    kb = Wissensbasis(sammlung)
    floor = TfidfFloor(sammlung)
    halves = {"Zeilen 1–75 (eingestellt)": rows[:75], "Zeilen 76–150 (nicht eingestellt)": rows[75:], "alle 150": rows}
    print(f"Schwelle für „sicher“: {kb.p.schwelle}")
    for name, part in halves.items():
        r = evaluate(kb, part, show_errors=args.fehler and part is not rows)
        f3, f1 = floor_eval(floor, part)
        print(
            f"{name}: Treffer@3 {r['top3']:.1%} (Boden {f3:.1%}), Rang 1 {r['top1']:.1%} (Boden {f1:.1%}), "
            f"sicher und richtig {r['sicher_richtig']:.1%}, „kein passender Artikel“ bei „-“ {r['abgelehnt']:.1%} "
            f"({int(r['n'])} beantwortbar, {int(r['n_minus'])} „-“)"
        )
    print(f"Vorschlagszeit bei 1.000 Artikeln: p95 {timing(sammlung, rows):.1f} ms (Ziel ≤ 50 ms)")


if __name__ == "__main__":
    main()
