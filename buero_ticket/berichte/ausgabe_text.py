"""The report as a readable table for the terminal (columns separated by at least two spaces)."""

from __future__ import annotations

from .modell import Bericht, Tabelle, format_wert

TRENNER = "  "


def als_text(bericht: Bericht) -> str:
    lines = [bericht.titel, "=" * len(bericht.titel), *bericht.kopf]
    for a in bericht.abschnitte:
        lines += ["", f"== {a.titel} ==", *a.hinweise]
        for t in a.tabellen:
            lines += ["", *tabelle_text(t)]
    lines += ["", "Die Definition jeder Zahl steht in der Anleitung (README) und in --format json."]
    return "\n".join(lines) + "\n"


def tabelle_text(t: Tabelle) -> list[str]:
    rows = [t.spalten] + [[z.bezeichnung, *(format_wert(w) for w in z.werte)] for z in t.zeilen]
    widths = [max(len(r[i]) for r in rows) for i in range(len(t.spalten))]
    out = [t.titel]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        out.append(TRENNER.join(cells).rstrip())
        if n == 0:
            out.append(TRENNER.join("-" * w for w in widths))
    if t.hinweis:
        out.append(f"Hinweis: {t.hinweis}")
    return out
