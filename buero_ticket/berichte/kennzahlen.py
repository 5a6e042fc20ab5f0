"""The report's computation: plain functions from :class:`~.faelle.Fall` records to a :class:`~.modell.Bericht`.

Nothing here reads files or formats output. Durations are in service hours through the function
passed in (see :mod:`.servicezeit`).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from buero_ticket.models import Kanal, Status

from .faelle import Erfassung, Fall, Weiterleitung
from .modell import Abschnitt, Art, Bericht, BerichtArt, Fehlt, Tabelle, Wert
from .servicezeit import D115Kalender, ServiceHours

NACH = ("kanal", "kategorie", "stelle", "woche", "monat")
#: (lowest, highest) days of the backlog age buckets; None = open end.
ALTER: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))
OFFENE_STATUS = tuple(s for s in Status if s.is_open)
SPAETER_ERLEDIGT = "inzwischen erledigt"
RUECKMELDUNG_SERVICESTUNDEN = 24.0
TOP_ARTIKEL = 10


@dataclass(frozen=True)
class Optionen:
    von: date
    bis: date
    jetzt: datetime
    servicestunden: ServiceHours
    nach: str = "kanal"
    personen: bool = False
    amt: str = ""
    servicezeit: str = "Mo–Fr 08:00–18:00"
    lokal: Callable[[datetime], datetime] = D115Kalender().lokal


def alter_label(lo: int, hi: int | None) -> str:
    return f"über {lo - 1} Tage" if hi is None else f"{lo}–{hi} Tage"


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the value at rank ⌈0.9·n⌉ of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(0.9 * len(ordered))) - 1]


def erstelle_bericht(faelle: Iterable[Fall], opt: Optionen, erfassung: Erfassung | None = None) -> Bericht:
    """The whole report for ``opt.von``–``opt.bis`` (both days included)."""
    if opt.nach not in NACH:
        raise ValueError(f"nach must be one of {NACH}")
    erf = erfassung or Erfassung.aus_modell()
    alle = list(faelle)
    rechner = Rechner(alle, opt, erf)
    kopf = [
        f"Zeitraum: {opt.von:%d.%m.%Y} – {opt.bis:%d.%m.%Y}; Stand {opt.jetzt:%d.%m.%Y %H:%M}",
        f"Servicestunden: {opt.servicezeit}",
    ]
    if opt.personen:
        kopf.append(
            "Enthält personenbezogene Zahlen (Einstellung [berichte] personen = true): "
            "nur mit Zustimmung des Personalrats verwenden."
        )
    else:
        kopf.append("Ohne personenbezogene Zahlen (einschalten mit [berichte] personen = true).")
    abschnitte = [
        rechner.volumen(),
        rechner.bestand(),
        rechner.erstkontakt(),
        rechner.weiterleitungen(),
        rechner.zeiten(),
    ]
    if opt.personen:
        abschnitte.append(rechner.personen())
    titel = f"Bericht {opt.amt}".strip()
    return Bericht(BerichtArt.BERICHT, titel, opt.von, opt.bis, opt.jetzt, kopf, abschnitte)


def kanal_label(kanal: str) -> str:
    try:
        return Kanal(kanal).label
    except ValueError:
        return kanal


def zahl(n: float | None, definition: str, art: Art = Art.ANZAHL, leer: Fehlt = Fehlt.KEINE_FAELLE) -> Wert:
    return Wert.of(n, art, definition, leer=leer)


def _ne(definition: str, art: Art = Art.ANZAHL) -> Wert:
    return Wert.nicht_erfasst(art, definition)


class Rechner:
    def __init__(self, alle: list[Fall], opt: Optionen, erf: Erfassung) -> None:
        self.alle = alle
        self.opt = opt
        self.erf = erf
        self.sh = opt.servicestunden

    # ---- predicates over one period -------------------------------------------------------------
    def tag(self, moment: datetime) -> date:
        """The office-local calendar day of ``moment``."""
        return self.opt.lokal(moment).date()

    def eingegangen(self, f: Fall, von: date, bis: date) -> bool:
        return von <= self.tag(f.eingang) <= bis

    def erledigt_in(self, f: Fall, von: date, bis: date) -> bool:
        return f.erledigt is not None and not f.status.is_open and von <= self.tag(f.erledigt) <= bis

    def offen_am(self, f: Fall, tag: date) -> bool:
        if self.tag(f.eingang) > tag:
            return False
        if f.status.is_open:
            return True
        return f.erledigt is not None and self.tag(f.erledigt) > tag

    def _erledigungszeiten(self, faelle: Iterable[Fall]) -> list[float]:
        return [self.sh(f.eingang, f.erledigt) for f in faelle if f.erledigt is not None]

    def quote(self, faelle: list[Fall]) -> tuple[Wert, Wert, Wert]:
        """(basis, solved, share) of D115 first-contact resolution over ``faelle`` (received in period)."""
        if not self.erf.erstkontakt:
            return _ne("erstkontakt.basis"), _ne("erstkontakt.geloest"), _ne("erstkontakt.quote", Art.ANTEIL)
        basis = [f for f in faelle if f.erstkontakt_geloest is not None]
        geloest = sum(1 for f in basis if f.erstkontakt_geloest and not f.weitergeleitet)
        leer = Fehlt.NICHT_ERFASST if faelle else Fehlt.KEINE_FAELLE
        quote = geloest / len(basis) if basis else None
        return (
            zahl(len(basis), "erstkontakt.basis"),
            zahl(geloest, "erstkontakt.geloest"),
            zahl(quote, "erstkontakt.quote", Art.ANTEIL, leer),
        )

    # ---- sections -------------------------------------------------------------------------------
    def volumen(self) -> Abschnitt:
        von, bis = self.opt.von, self.opt.bis
        ein = [f for f in self.alle if self.eingegangen(f, von, bis)]
        erl = [f for f in self.alle if self.erledigt_in(f, von, bis)]
        a = Abschnitt("volumen", "Eingang und Erledigung")

        kanal = Tabelle("Nach Kanal", ["Kanal", "Eingegangen", "Erledigt"])
        ein_k, erl_k = Counter(f.kanal for f in ein), Counter(f.kanal for f in erl)
        bekannt = [k.value for k in Kanal]
        for k in bekannt + sorted((set(ein_k) | set(erl_k)) - set(bekannt)):
            kanal.add(kanal_label(k), zahl(ein_k[k], "eingang.anzahl"), zahl(erl_k[k], "erledigt.anzahl"))
        kanal.add("Summe", zahl(len(ein), "eingang.anzahl"), zahl(len(erl), "erledigt.anzahl"))
        a.tabellen.append(kanal)

        kat = Tabelle("Nach Kategorie", ["Kategorie", "Eingegangen", "Erledigt"])
        if not self.erf.kategorie:
            kat.add("alle Kategorien", _ne("eingang.anzahl"), _ne("erledigt.anzahl"))
            kat.hinweis = "Kategorien werden noch nicht erfasst."
        else:
            ein_c = Counter(f.kategorie or "ohne Kategorie" for f in ein)
            erl_c = Counter(f.kategorie or "ohne Kategorie" for f in erl)
            for c in sorted(set(ein_c) | set(erl_c), key=lambda c: (-ein_c[c], c)):
                kat.add(c, zahl(ein_c[c], "eingang.anzahl"), zahl(erl_c[c], "erledigt.anzahl"))
            kat.add("Summe", zahl(len(ein), "eingang.anzahl"), zahl(len(erl), "erledigt.anzahl"))
        a.tabellen.append(kat)

        woche = Tabelle("Pro Woche", ["Woche", "Eingegangen", "Erledigt"], diagramm="linie")
        for label, lo, hi in wochen(von, bis):
            woche.add(
                label,
                zahl(sum(1 for f in ein if lo <= self.tag(f.eingang) <= hi), "eingang.anzahl"),
                zahl(sum(1 for f in erl if f.erledigt and lo <= self.tag(f.erledigt) <= hi), "erledigt.anzahl"),
            )
        a.tabellen.append(woche)
        a.tabellen.append(self.uebersicht())
        return a

    def uebersicht(self) -> Tabelle:
        """Key figures per group of ``--nach``."""
        nach = self.opt.nach
        spalten = ["Eingegangen", "Erledigt", "Offen am Ende", "Erstlösungsquote", "Erledigung Median"]
        t = Tabelle(f"Übersicht nach {_NACH_LABEL[nach]}", [_NACH_LABEL[nach], *spalten])
        von, bis = self.opt.von, self.opt.bis
        if nach in ("woche", "monat"):
            perioden = wochen(von, bis) if nach == "woche" else _monate(von, bis)
            for label, lo, hi in perioden:
                t.add(label, *self._gruppe(self.alle, lo, hi))
            return t
        if (nach == "kategorie" and not self.erf.kategorie) or (nach == "stelle" and not self.erf.weiterleitungen):
            t.add("alle", *(_ne(w.definition, w.art) for w in self._gruppe(self.alle, von, bis)))
            t.hinweis = f"{_NACH_LABEL[nach]} wird noch nicht erfasst."
            return t
        gruppen: dict[str, list[Fall]] = {}
        for f in self.alle:
            for key in _gruppen_von(f, nach):
                gruppen.setdefault(key, []).append(f)
        for key in sorted(gruppen, key=lambda k: (-len(gruppen[k]), k)):
            t.add(key, *self._gruppe(gruppen[key], von, bis))
        return t

    def _gruppe(self, faelle: list[Fall], von: date, bis: date) -> list[Wert]:
        ein = [f for f in faelle if self.eingegangen(f, von, bis)]
        erl = [f for f in faelle if self.erledigt_in(f, von, bis)]
        return [
            zahl(len(ein), "eingang.anzahl"),
            zahl(len(erl), "erledigt.anzahl"),
            zahl(sum(1 for f in faelle if self.offen_am(f, bis)), "bestand.offen"),
            self.quote(ein)[2],
            zahl(median(self._erledigungszeiten(erl)), "zeit.erledigung_median", Art.STUNDEN),
        ]

    def bestand(self) -> Abschnitt:
        bis = self.opt.bis
        a = Abschnitt("bestand", "Offene Vorgänge")
        offen = [f for f in self.alle if self.offen_am(f, bis)]
        spalten = [*(s.label for s in OFFENE_STATUS), SPAETER_ERLEDIGT]
        t = Tabelle(f"Offen am {bis:%d.%m.%Y} nach Alter und Status", ["Alter", *spalten, "Gesamt"], diagramm="balken")
        zaehler: Counter[tuple[int, str]] = Counter()
        for f in offen:
            tage = (bis - self.tag(f.eingang)).days
            i = next(i for i, (lo, hi) in enumerate(ALTER) if hi is None or tage <= hi)
            zaehler[i, f.status.label if f.status.is_open else SPAETER_ERLEDIGT] += 1
        for i, (lo, hi) in enumerate(ALTER):
            werte = [zahl(zaehler[i, s], "bestand.offen") for s in spalten]
            t.add(alter_label(lo, hi), *werte, zahl(sum(zaehler[i, s] for s in spalten), "bestand.offen"))
        summen = [zahl(sum(zaehler[i, s] for i in range(len(ALTER))), "bestand.offen") for s in spalten]
        t.add("Summe", *summen, zahl(len(offen), "bestand.offen"))
        a.tabellen.append(t)

        u = Tabelle(f"Überfällig am {bis:%d.%m.%Y}", ["Art", "Anzahl"])
        frist = sum(1 for f in offen if f.frist and f.frist < bis)
        u.add("Frist überschritten", zahl(frist, "bestand.frist_ueberschritten"))
        if self.erf.wiedervorlage:
            wv = sum(1 for f in offen if f.wiedervorlage and f.wiedervorlage < bis)
            u.add("Wiedervorlage überschritten", zahl(wv, "bestand.wiedervorlage_ueberschritten"))
        else:
            u.add("Wiedervorlage überschritten", _ne("bestand.wiedervorlage_ueberschritten"))
        a.tabellen.append(u)
        return a

    def erstkontakt(self) -> Abschnitt:
        von, bis = self.opt.von, self.opt.bis
        a = Abschnitt("erstkontakt", "Erstkontakt und Wissen")
        ein = [f for f in self.alle if self.eingegangen(f, von, bis)]
        t = Tabelle(
            "Erstlösungsquote (D115-Ziel 65 %)", ["Kanal", "Basis", "Im Erstkontakt gelöst", "Erstlösungsquote"]
        )
        t.add("Alle Kanäle", *self.quote(ein))
        for k in Kanal:
            t.add(k.label, *self.quote([f for f in ein if f.kanal == k.value]))
        if not self.erf.erstkontakt:
            t.hinweis = "Ob ein Anliegen im Erstkontakt gelöst wurde, wird noch nicht erfasst."
        a.tabellen.append(t)

        erl = [f for f in self.alle if self.erledigt_in(f, von, bis)]
        w = Tabelle("Antworten mit Wissensartikel", ["Kennzahl", "Wert"])
        top = Tabelle("Meistgenutzte Wissensartikel", ["Artikel", "Verwendet"])
        if not self.erf.wissen:
            w.add("Anteil mit Wissensartikel", _ne("wissen.anteil", Art.ANTEIL))
            w.add("Anfragen ohne Artikel", _ne("wissen.ohne_artikel"))
            top.add("alle Artikel", _ne("wissen.artikel"))
            w.hinweis = "Welcher Wissensartikel eine Anfrage beantwortet hat, wird noch nicht erfasst."
        else:
            mit = [f for f in erl if f.wissen]
            w.add("Anteil mit Wissensartikel", zahl(len(mit) / len(erl) if erl else None, "wissen.anteil", Art.ANTEIL))
            w.add("Anfragen ohne Artikel", zahl(len(erl) - len(mit), "wissen.ohne_artikel"))
            artikel = Counter(name for f in erl for name in dict.fromkeys(f.wissen))
            for name, count in sorted(artikel.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ARTIKEL]:
                top.add(name, zahl(count, "wissen.artikel"))
            if not artikel:
                top.add("kein Artikel verwendet", zahl(None, "wissen.artikel"))
        a.tabellen += [w, top]
        return a

    def weiterleitungen(self) -> Abschnitt:
        von, bis = self.opt.von, self.opt.bis
        a = Abschnitt("weiterleitung", "Weiterleitungen")
        spalten = ["Weitergeleitet", "Rückmeldung ≤ 24 Std.", "Rückmeldung Median", "Antwort Median", "Antwort 90 %"]
        t = Tabelle("Nach Stelle (in Servicestunden)", ["Stelle", *spalten])
        keys = [
            "weiterleitung.anzahl",
            "weiterleitung.rueckmeldung_anteil",
            "weiterleitung.rueckmeldung_median",
            "weiterleitung.antwort_median",
            "weiterleitung.antwort_p90",
        ]
        arten = [Art.ANZAHL, Art.ANTEIL, Art.STUNDEN, Art.STUNDEN, Art.STUNDEN]
        if not self.erf.weiterleitungen:
            t.add("alle Stellen", *(_ne(k, art) for k, art in zip(keys, arten, strict=True)))
            t.hinweis = "Weiterleitungen an Stellen werden noch nicht erfasst."
            a.tabellen.append(t)
            return a
        wl = [w for f in self.alle for w in f.weiterleitungen if von <= self.tag(w.am) <= bis]
        stellen: dict[str, list[Weiterleitung]] = {}
        for w in wl:
            stellen.setdefault(w.stelle, []).append(w)
        for name in sorted(stellen, key=lambda s: (-len(stellen[s]), s)):
            t.add(name, *self._weiterleitung_werte(stellen[name]))
        t.add("Summe", *self._weiterleitung_werte(wl))
        a.tabellen.append(t)
        return a

    def _ueberfaellig(self, w: Weiterleitung) -> bool:
        if w.rueckmeldung_bis is not None:
            return self.opt.jetzt > w.rueckmeldung_bis
        return self.sh(w.am, self.opt.jetzt) > RUECKMELDUNG_SERVICESTUNDEN

    def _weiterleitung_werte(self, wl: list[Weiterleitung]) -> list[Wert]:
        rechtzeitig = basis = 0
        rueck: list[float] = []
        antwort: list[float] = []
        for w in wl:
            if w.rueckmeldung is not None:
                stunden = self.sh(w.am, w.rueckmeldung)
                rueck.append(stunden)
                basis += 1
                if w.rueckmeldung_rechtzeitig is not None:  # as judged when it happened
                    rechtzeitig += w.rueckmeldung_rechtzeitig
                elif w.rueckmeldung_bis is not None:
                    rechtzeitig += w.rueckmeldung <= w.rueckmeldung_bis
                else:
                    rechtzeitig += stunden <= RUECKMELDUNG_SERVICESTUNDEN
            elif self._ueberfaellig(w):
                basis += 1  # overdue without Rückmeldung: late
            if w.antwort is not None:
                antwort.append(self.sh(w.am, w.antwort))
        return [
            zahl(len(wl), "weiterleitung.anzahl"),
            zahl(rechtzeitig / basis if basis else None, "weiterleitung.rueckmeldung_anteil", Art.ANTEIL),
            zahl(median(rueck), "weiterleitung.rueckmeldung_median", Art.STUNDEN),
            zahl(median(antwort), "weiterleitung.antwort_median", Art.STUNDEN),
            zahl(p90(antwort), "weiterleitung.antwort_p90", Art.STUNDEN),
        ]

    def zeiten(self) -> Abschnitt:
        von, bis = self.opt.von, self.opt.bis
        a = Abschnitt("zeiten", "Bearbeitungszeiten")
        t = Tabelle("In Servicestunden", ["Zeit", "Anzahl", "Median", "90 %"])
        ein = [f for f in self.alle if self.eingegangen(f, von, bis)]
        erste = [self.sh(f.eingang, f.erste_antwort) for f in ein if f.erste_antwort is not None]
        t.add(
            "Bis zur ersten Antwort",
            zahl(len(erste), "zeit.erste_antwort_anzahl"),
            zahl(median(erste), "zeit.erste_antwort_median", Art.STUNDEN),
            zahl(p90(erste), "zeit.erste_antwort_p90", Art.STUNDEN),
        )
        erl = self._erledigungszeiten(f for f in self.alle if self.erledigt_in(f, von, bis))
        t.add(
            "Bis zur Erledigung",
            zahl(len(erl), "zeit.erledigung_anzahl"),
            zahl(median(erl), "zeit.erledigung_median", Art.STUNDEN),
            zahl(p90(erl), "zeit.erledigung_p90", Art.STUNDEN),
        )
        a.tabellen.append(t)
        return a

    def personen(self) -> Abschnitt:
        von, bis = self.opt.von, self.opt.bis
        a = Abschnitt("personen", "Personen")
        a.hinweise.append("Personenbezogene Zahlen: nur mit Zustimmung des Personalrats verwenden.")
        spalten = ["Bearbeiter/in", "Eingegangen", "Erledigt", "Offen am Ende", "Erledigung Median"]
        t = Tabelle("Nach Bearbeiter/in", spalten)
        gruppen: dict[str, list[Fall]] = {}
        for f in self.alle:
            gruppen.setdefault(f.bearbeiter or "ohne Bearbeiter/in", []).append(f)
        for name in sorted(gruppen):
            fs = gruppen[name]
            erl = [f for f in fs if self.erledigt_in(f, von, bis)]
            t.add(
                name,
                zahl(sum(1 for f in fs if self.eingegangen(f, von, bis)), "person.eingang"),
                zahl(len(erl), "person.erledigt"),
                zahl(sum(1 for f in fs if self.offen_am(f, bis)), "person.offen"),
                zahl(median(self._erledigungszeiten(erl)), "person.erledigung_median", Art.STUNDEN),
            )
        a.tabellen.append(t)
        return a


_NACH_LABEL = {"kanal": "Kanal", "kategorie": "Kategorie", "stelle": "Stelle", "woche": "Woche", "monat": "Monat"}


def _gruppen_von(f: Fall, nach: str) -> list[str]:
    if nach == "kanal":
        return [kanal_label(f.kanal)]
    if nach == "kategorie":
        return [f.kategorie or "ohne Kategorie"]
    stellen = list(dict.fromkeys(w.stelle for w in f.weiterleitungen))
    return stellen or ["nicht weitergeleitet"]


def wochen(von: date, bis: date) -> list[tuple[str, date, date]]:
    """ISO weeks touching the period, clipped to it: (label, first day, last day)."""
    out = []
    monday = von - timedelta(days=von.weekday())
    while monday <= bis:
        year, week, _ = monday.isocalendar()
        out.append((f"{year}-KW{week:02d}", max(monday, von), min(monday + timedelta(days=6), bis)))
        monday += timedelta(days=7)
    return out


def _monate(von: date, bis: date) -> list[tuple[str, date, date]]:
    out = []
    first = von.replace(day=1)
    while first <= bis:
        nxt = (first + timedelta(days=32)).replace(day=1)
        out.append((f"{first:%Y-%m}", max(first, von), min(nxt - timedelta(days=1), bis)))
        first = nxt
    return out
