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
from .modell import Abschnitt, Bericht, BerichtArt, Tabelle
from .servicezeit import D115Kalender, Kalender, beschreibung, stunden

#: The register's statistics cover this many weeks, the current one last.
STATISTIK_WOCHEN = 26


@dataclass
class Sammler:
    """Collects the :class:`~.faelle.Fall` records a report from ``von`` on needs."""

    von: date
    lokal: Callable[[datetime], datetime]
    faelle: list[Fall] = field(default_factory=list)
    _gesehen: set[str] = field(default_factory=set)

    def add(self, v: Any) -> None:
        """Take a Vorgang (one that was added before is ignored: streams may overlap)."""
        if getattr(v, "beschaedigt", "") or v.aktenzeichen in self._gesehen:
            return  # unusable metadata: pruefen reports it
        f = fall_aus_vorgang(v)
        if (
            f.status.is_open
            or self._ab_von(f.eingang)
            or (f.erledigt is not None and self._ab_von(f.erledigt))
            or any(self._ab_von(w.am) for w in f.weiterleitungen)
        ):
            self.faelle.append(f)
            self._gesehen.add(f.aktenzeichen)

    def _ab_von(self, moment: datetime) -> bool:
        return self.lokal(moment).date() >= self.von


def statistik_zeitraum(heute: date, wochen_anzahl: int = STATISTIK_WOCHEN) -> tuple[date, date]:
    """Monday of the first of the last ``wochen_anzahl`` weeks, and today."""
    return heute - timedelta(days=heute.weekday(), weeks=wochen_anzahl - 1), heute


def erstelle_statistik(faelle: list[Fall], opt: Optionen, erfassung: Erfassung | None = None) -> Bericht:
    """The register's statistics: backlog today, the weeks (volume by channel, closed, first contact),
    first contact by channel, forwardings — the functions and definitions of ``bericht``."""
    r = Rechner(faelle, opt, erfassung or Erfassung.aus_modell())
    fcr = r.erstkontakt().tabellen[0]  # the D115 quote by channel (no article tables in the register)
    n = len(wochen(opt.von, opt.bis))
    abschnitte = [
        r.bestand(),
        Abschnitt("wochen", f"Die letzten {n} Wochen", [_wochen_tabelle(r), fcr, _erstkontakt_wochen_tabelle(r)]),
        r.weiterleitungen(),
    ]
    kopf = [f"Zeitraum: {opt.von:%d.%m.%Y} – {opt.bis:%d.%m.%Y}; Stand {opt.jetzt:%d.%m.%Y %H:%M}"]
    return Bericht(BerichtArt.STATISTIK, "Statistik", opt.von, opt.bis, opt.jetzt, kopf, abschnitte)


def _wochen_tabelle(r: Rechner) -> Tabelle:
    """Per week: received by channel, in total, closed, and the first-contact rate of those received."""
    kanaele = list(Kanal)
    labels = [k.label for k in kanaele]
    t = Tabelle(
        "Eingänge pro Woche nach Kanal",
        ["Woche", *labels, "Gesamt", "Erledigt", "Erstlösungsquote"],
        diagramm="balken",
        diagramm_spalten=labels,
    )
    for label, lo, hi in [*wochen(r.opt.von, r.opt.bis), ("Summe", r.opt.von, r.opt.bis)]:
        ein = [f for f in r.alle if r.eingegangen(f, lo, hi)]
        counts = [sum(1 for f in ein if f.kanal == k.value) for k in kanaele] + [len(ein)]
        erledigt = sum(1 for f in r.alle if r.erledigt_in(f, lo, hi))
        t.add(
            label,
            *(zahl(c, "eingang.anzahl") for c in counts),
            zahl(erledigt, "erledigt.anzahl"),
            r.quote(ein)[2],
        )
    return t


def _erstkontakt_wochen_tabelle(r: Rechner) -> Tabelle:
    """Per week and channel: the share of the requests received that were solved at first contact."""
    kanaele = list(Kanal)
    t = Tabelle("Erstlösungsquote pro Woche nach Kanal", ["Woche", *(k.label for k in kanaele), "Alle Kanäle"])
    for label, lo, hi in [*wochen(r.opt.von, r.opt.bis), ("Summe", r.opt.von, r.opt.bis)]:
        ein = [f for f in r.alle if r.eingegangen(f, lo, hi)]
        t.add(label, *(r.quote([f for f in ein if f.kanal == k.value])[2] for k in kanaele), r.quote(ein)[2])
    return t


class RegisterStatistik:
    """The register's "Statistik" sheet: feed every Vorgang to :meth:`add`, then :meth:`schreiben`.

    The figures are the ones of ``bericht`` (same functions, same definitions) for the last
    :data:`STATISTIK_WOCHEN` weeks up to ``jetzt``.
    """

    def __init__(self, jetzt: datetime, kalender: Kalender | None = None) -> None:
        self.kalender = kalender or D115Kalender()
        self.jetzt = self.kalender.lokal(jetzt)  # naive: office time
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
