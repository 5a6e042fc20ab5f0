"""The one report model that every output renders: sections → tables → rows → figures.

A figure (:class:`Wert`) carries its number, its kind (count, share, service hours …) and the key of
its definition (:mod:`.definitionen`). A figure without a number says why: ``nicht erfasst`` (the
data is not recorded) or ``keine Fälle`` (nothing to count in the period) — never a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Art(StrEnum):
    """What kind of number a figure is (decides formatting in every output)."""

    ANZAHL = "anzahl"  # an integer count
    ANTEIL = "anteil"  # a share between 0 and 1, shown as per cent
    STUNDEN = "stunden"  # service hours
    PERSONEN = "personen"  # staff (integer)
    ZAHL = "zahl"  # a plain decimal (e.g. forecast calls per slot)


class Fehlt(StrEnum):
    """Why a figure has no number."""

    NICHT_ERFASST = "nicht erfasst"
    KEINE_FAELLE = "keine Fälle"


@dataclass(frozen=True)
class Wert:
    zahl: float | None
    art: Art
    definition: str
    fehlt: Fehlt | None = None

    def __post_init__(self) -> None:
        if (self.zahl is None) == (self.fehlt is None):
            raise ValueError("a Wert has either a number or a reason why not")

    @classmethod
    def of(cls, zahl: float | None, art: Art, definition: str, *, leer: Fehlt = Fehlt.KEINE_FAELLE) -> Wert:
        """A figure; ``None`` becomes the reason ``leer``."""
        return cls(zahl, art, definition, None if zahl is not None else leer)

    @classmethod
    def nicht_erfasst(cls, art: Art, definition: str) -> Wert:
        return cls(None, art, definition, Fehlt.NICHT_ERFASST)


@dataclass
class Zeile:
    bezeichnung: str
    werte: list[Wert]


@dataclass
class Tabelle:
    titel: str
    spalten: list[str]  # the first names the row labels
    zeilen: list[Zeile] = field(default_factory=list)
    diagramm: str = ""  # "linie", "balken", "heatmap" or "" (used by the xlsx output)
    hinweis: str = ""
    diagramm_spalten: list[str] = field(default_factory=list)  # charted columns (default: all but "Gesamt")

    def add(self, bezeichnung: str, *werte: Wert) -> None:
        if len(werte) != len(self.spalten) - 1:
            raise ValueError(f"{self.titel}: {len(werte)} values for {len(self.spalten) - 1} columns")
        self.zeilen.append(Zeile(bezeichnung, list(werte)))


@dataclass
class Abschnitt:
    schluessel: str  # stable key (json, sheet order)
    titel: str  # also the xlsx sheet name (≤ 31 characters)
    tabellen: list[Tabelle] = field(default_factory=list)
    hinweise: list[str] = field(default_factory=list)


class BerichtArt(StrEnum):
    """Which report (the value is the JSON field ``bericht``)."""

    BERICHT = "bericht"  # Kennzahlen ('bericht')
    PERSONAL = "personal"  # staff needed ('bericht personal')
    STATISTIK = "statistik"  # the statistics sheet of the register


@dataclass
class Bericht:
    art: BerichtArt
    titel: str
    von: date
    bis: date
    erstellt: datetime
    kopf: list[str] = field(default_factory=list)  # lines under the title (settings that shape the figures)
    abschnitte: list[Abschnitt] = field(default_factory=list)

    def werte(self) -> list[tuple[str, str, str, str, Wert]]:
        """Every figure with its place (section, table, row, column): what the outputs must agree on."""
        out = []
        for a in self.abschnitte:
            for t in a.tabellen:
                for z in t.zeilen:
                    for spalte, w in zip(t.spalten[1:], z.werte, strict=True):
                        out.append((a.schluessel, t.titel, z.bezeichnung, spalte, w))
        return out


def format_wert(w: Wert) -> str:
    """German display text of a figure (the text output; the other outputs are compared to it)."""
    if w.zahl is None:
        return str(w.fehlt)
    if w.art is Art.ANTEIL:
        return _de(f"{w.zahl * 100:.1f}") + " %"
    if w.art is Art.STUNDEN:
        return _de(f"{w.zahl:.1f}") + " Std."
    if w.art is Art.ZAHL:
        return _de(f"{w.zahl:.2f}")
    return _de(f"{round(w.zahl):,d}")


def _de(text: str) -> str:
    """1,234.5 → 1.234,5"""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
