"""The register's "Statistik" from the same functions as ``bericht``, and a collector for streams.

:class:`Sammler` takes Vorgänge one at a time (while the register or the report streams them from
the cache) and keeps only those that can touch a period: received, closed or forwarded in it, or
still open. Memory grows with the activity of the period, not with the archive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from buero_ticket.models import Kanal

from .faelle import Erfassung, Fall, fall_aus_vorgang
from .kennzahlen import Optionen, Rechner, wochen, zahl
from .modell import Abschnitt, Bericht, Tabelle
from .servicezeit import D115Kalender, Kalender, beschreibung, stunden

#: The register's statistics cover this many weeks, the current one last.
STATISTIK_WOCHEN = 26


@dataclass
class Sammler:
    """Collects the :class:`~.faelle.Fall` records a report from ``von`` on needs."""

    von: date
    lokal: Callable[[datetime], datetime]
    faelle: list[Fall] = field(default_factory=list)

    def add(self, v: Any) -> None:
        if getattr(v, "beschaedigt", ""):
            return  # unusable metadata: pruefen reports it
        f = fall_aus_vorgang(v)
        if (
            f.status.is_open
            or self._ab_von(f.eingang)
            or (f.erledigt is not None and self._ab_von(f.erledigt))
            or any(self._ab_von(w.am) for w in f.weiterleitungen)
        ):
            self.faelle.append(f)

    def _ab_von(self, moment: datetime) -> bool:
        return self.lokal(moment).date() >= self.von


def statistik_zeitraum(heute: date, wochen_anzahl: int = STATISTIK_WOCHEN) -> tuple[date, date]:
    """Monday of the first of the last ``wochen_anzahl`` weeks, and today."""
    return heute - timedelta(days=heute.weekday(), weeks=wochen_anzahl - 1), heute


def erstelle_statistik(faelle: list[Fall], opt: Optionen, erfassung: Erfassung | None = None) -> Bericht:
    """The register's statistics: backlog today, weekly volume by channel, first contact, forwardings."""
    r = Rechner(faelle, opt, erfassung or Erfassung.aus_modell())
    volumen = r.volumen()
    pro_woche = next(t for t in volumen.tabellen if t.diagramm == "linie")
    abschnitte = [
        r.bestand(),
        Abschnitt("wochen", "Eingänge pro Woche", [_wochen_nach_kanal(r), pro_woche]),
        _erstkontakt(r),
        r.weiterleitungen(),
    ]
    kopf = [f"Zeitraum: {opt.von:%d.%m.%Y} – {opt.bis:%d.%m.%Y}; Stand {opt.jetzt:%d.%m.%Y %H:%M}"]
    return Bericht("statistik", "Statistik", opt.von, opt.bis, opt.jetzt, kopf, abschnitte)


def _wochen_nach_kanal(r: Rechner) -> Tabelle:
    kanaele = list(Kanal)
    t = Tabelle(
        "Eingänge pro Woche nach Kanal",
        ["Woche", *(k.label for k in kanaele), "Gesamt"],
        diagramm="balken",
    )
    summen = [0] * (len(kanaele) + 1)
    for label, lo, hi in wochen(r.opt.von, r.opt.bis):
        ein = [f for f in r.alle if r.eingegangen(f, lo, hi)]
        counts = [sum(1 for f in ein if f.kanal == k.value) for k in kanaele] + [len(ein)]
        summen = [a + b for a, b in zip(summen, counts, strict=True)]
        t.add(label, *(zahl(c, "eingang.anzahl") for c in counts))
    t.add("Summe", *(zahl(c, "eingang.anzahl") for c in summen))
    return t


def _erstkontakt(r: Rechner) -> Abschnitt:
    a = r.erstkontakt()
    a.tabellen = a.tabellen[:1]  # the D115 quote by channel (no article tables in the register)
    kanaele = [Kanal.TELEFON, Kanal.PERSOENLICH, Kanal.EMAIL]
    t = Tabelle("Erstlösungsquote pro Woche", ["Woche", "Alle Kanäle", *(k.label for k in kanaele)])
    for label, lo, hi in wochen(r.opt.von, r.opt.bis):
        ein = [f for f in r.alle if r.eingegangen(f, lo, hi)]
        quoten = [r.quote(ein)[2], *(r.quote([f for f in ein if f.kanal == k.value])[2] for k in kanaele)]
        t.add(label, *quoten)
    a.tabellen.append(t)
    return a


class RegisterStatistik:
    """The register's "Statistik" sheet: feed every Vorgang to :meth:`add`, then :meth:`schreiben`.

    The figures are the ones of ``bericht`` (same functions, same definitions) for the last
    :data:`STATISTIK_WOCHEN` weeks up to ``jetzt``.
    """

    def __init__(self, jetzt: datetime, kalender: Kalender | None = None) -> None:
        self.kalender = kalender or D115Kalender()
        self.jetzt = jetzt
        self.von, self.bis = statistik_zeitraum(self.kalender.lokal(jetzt).date())
        self.sammler = Sammler(self.von, self.kalender.lokal)

    def add(self, v: Any) -> None:
        self.sammler.add(v)

    def bericht(self) -> Bericht:
        opt = Optionen(
            von=self.von,
            bis=self.bis,
            jetzt=self.jetzt,
            servicestunden=stunden(self.kalender),
            servicezeit=beschreibung(self.kalender),
            lokal=self.kalender.lokal,
        )
        return erstelle_statistik(self.sammler.faelle, opt)

    def schreiben(self, wb: Any, ws: Any, *, diagramme_einfuegen: bool = True) -> list[Any]:
        """Write the statistics on the XlsxWriter sheet ``ws``; returns the charts (placed or not)."""
        from .ausgabe_xlsx import schreibe_auf_blatt

        return schreibe_auf_blatt(wb, ws, self.bericht(), diagramme_einfuegen=diagramme_einfuegen)
