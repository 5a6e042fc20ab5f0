"""The report as JSON: every figure with its definition key; the definitions travel along."""

from __future__ import annotations

import json
from typing import Any

from .definitionen import DEFINITIONEN, METHODE
from .modell import Bericht, Wert

FORMAT = "buero-ticket/bericht"
FORMAT_VERSION = 1


def als_dict(bericht: Bericht) -> dict[str, Any]:
    used: set[str] = set()

    def wert(spalte: str, w: Wert) -> dict[str, Any]:
        used.add(w.definition)
        zahl = w.zahl
        if zahl is not None and float(zahl).is_integer() and w.art.value in ("anzahl", "personen"):
            zahl = int(zahl)
        return {
            "spalte": spalte,
            "wert": zahl,
            "art": w.art.value,
            "definition": w.definition,
            "fehlt": w.fehlt.value if w.fehlt else None,
        }

    abschnitte = [
        {
            "schluessel": a.schluessel,
            "titel": a.titel,
            "hinweise": a.hinweise,
            "tabellen": [
                {
                    "titel": t.titel,
                    "spalten": t.spalten,
                    "hinweis": t.hinweis,
                    "zeilen": [
                        {
                            "bezeichnung": z.bezeichnung,
                            "werte": [wert(s, w) for s, w in zip(t.spalten[1:], z.werte, strict=True)],
                        }
                        for z in t.zeilen
                    ],
                }
                for t in a.tabellen
            ],
        }
        for a in bericht.abschnitte
    ]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bericht": bericht.art,
        "titel": bericht.titel,
        "von": bericht.von.isoformat(),
        "bis": bericht.bis.isoformat(),
        "erstellt": bericht.erstellt.isoformat(),
        "kopf": bericht.kopf,
        "abschnitte": abschnitte,
        "definitionen": {k: DEFINITIONEN[k] for k in sorted(used)},
        "methode": METHODE,
    }


def als_json(bericht: Bericht) -> str:
    return json.dumps(als_dict(bericht), ensure_ascii=False, indent=2) + "\n"
