"""Staffing estimate: forecast arrivals per weekday × 30-minute slot, then Erlang C per slot.

The forecast for a slot is the mean number of arrivals in that slot over the same weekday of the
last weeks (days without service, e.g. public holidays, are left out). Each slot then gets the
agents Erlang C asks for (service-level target, max. occupancy) and the staff to roster with
shrinkage. The output is a :class:`~.modell.Bericht`, rendered like every other report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from . import erlang
from .modell import Abschnitt, Art, Bericht, BerichtArt, Fehlt, Tabelle, Wert

SLOT_MINUTES = 30
WOCHENTAG_KURZ = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WOCHENTAG = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
#: Service spans per weekday (0 = Monday) in minutes after midnight: D115 Mon–Fri 08:00–18:00.
D115_SPANS: tuple[tuple[tuple[int, int], ...], ...] = tuple(((480, 1080),) if d < 5 else () for d in range(7))

GRENZEN = (
    "Grenzen des Modells:",
    "- Erlang C nimmt an, dass niemand auflegt und Anrufe zufällig (Poisson) eintreffen. Wer in der Warteschlange "
    "auflegt, entlastet in Wirklichkeit – der berechnete Bedarf ist daher eher zu hoch.",
    "- Die Prognose ist der Mittelwert desselben Wochentags der letzten Wochen. Feiertage, Brückentage, Ferien "
    "und Sonderlagen (z. B. Bescheide, Wahlen) haben eigene Muster und sind nicht abgebildet.",
    "- Gezählt werden nur erfasste Kontakte (Vorgänge bzw. Zeilen der CSV-Datei). Nicht angenommene Anrufe fehlen, "
    "wenn die Telefonanlage sie nicht mit exportiert.",
    "- Eine Bearbeitungszeit für alle Anliegen; Nacharbeit zählt nur, wenn sie darin enthalten ist.",
    "- Der Schwund (Pausen, Urlaub, Krankheit, Schulung) ist ein pauschaler Anteil.",
)


@dataclass(frozen=True)
class Ziel:
    """Service-level target, e.g. 75/30 = 75 % of calls answered within 30 seconds."""

    anteil: float = erlang.D115_SERVICE_LEVEL
    sekunden: float = erlang.D115_TARGET_SECONDS

    @classmethod
    def parse(cls, text: str) -> Ziel:
        m = re.fullmatch(r"\s*(\d{1,2}(?:[.,]\d+)?)\s*%?\s*/\s*(\d+)\s*s?\s*", text)
        if not m:
            raise ValueError(f"„{text}“ ist kein Service-Ziel wie 75/30 (Prozent/Sekunden)")
        anteil = float(m.group(1).replace(",", ".")) / 100
        if not 0 < anteil < 1:
            raise ValueError(f"„{text}“: der Anteil muss zwischen 1 und 99 % liegen")
        return cls(anteil, float(m.group(2)))

    def __str__(self) -> str:
        return f"{self.anteil * 100:g} % in {self.sekunden:g} s"


@dataclass
class Prognose:
    """Mean arrivals per (weekday, slot start minute) and what they are based on."""

    von: date
    bis: date
    slots: dict[int, list[tuple[int, int]]]  # weekday -> [(start minute, end minute)]
    mittel: dict[tuple[int, int], float] = field(default_factory=dict)
    tage: dict[int, list[date]] = field(default_factory=dict)  # days used per weekday
    ausgelassen: list[tuple[date, str]] = field(default_factory=list)  # (day, reason)
    ankuenfte: int = 0  # arrivals inside the window and inside service slots
    ausserhalb: int = 0  # arrivals inside the window but outside service time


def slots_aus_spans(spans: tuple[tuple[tuple[int, int], ...], ...]) -> dict[int, list[tuple[int, int]]]:
    """30-minute slots per weekday from service spans (a shorter last slot where a span ends off the grid)."""
    out: dict[int, list[tuple[int, int]]] = {}
    for day, day_spans in enumerate(spans):
        for start, end in day_spans:
            m = start
            while m < end:
                out.setdefault(day, []).append((m, min(m + SLOT_MINUTES, end)))
                m += SLOT_MINUTES
    return out


def prognose(
    ankuenfte: Iterable[datetime],
    *,
    bis: date,
    wochen: int,
    slots: dict[int, list[tuple[int, int]]],
    geschlossen: Callable[[date], str],
    lokal: Callable[[datetime], datetime],
) -> Prognose:
    """Mean arrivals per weekday and slot over the ``wochen`` weeks ending on ``bis`` (included)."""
    von = bis - timedelta(days=7 * wochen - 1)
    p = Prognose(von, bis, slots)
    day = von
    while day <= bis:
        if day.weekday() in slots:
            reason = geschlossen(day)
            if reason:
                p.ausgelassen.append((day, reason))
            else:
                p.tage.setdefault(day.weekday(), []).append(day)
        day += timedelta(days=1)
    used = {d for days in p.tage.values() for d in days}
    counts: Counter[tuple[int, int]] = Counter()
    for moment in ankuenfte:
        local = lokal(moment)
        d = local.date()
        if not von <= d <= bis:
            continue
        if d not in used:
            p.ausserhalb += 1
            continue
        minute = local.hour * 60 + local.minute
        slot = next((s for s, e in slots.get(d.weekday(), []) if s <= minute < e), None)
        if slot is None:
            p.ausserhalb += 1
            continue
        p.ankuenfte += 1
        counts[d.weekday(), slot] += 1
    for wd, day_slots in slots.items():
        n = len(p.tage.get(wd, []))
        for s, _ in day_slots:
            if n:
                p.mittel[wd, s] = counts[wd, s] / n
    return p


def personalbedarf(
    p: Prognose,
    *,
    ziel: Ziel,
    bearbeitungszeit: float,
    schwund: float,
    max_auslastung: float = erlang.MAX_OCCUPANCY,
    titel: str = "Personalbedarf",
    quelle: str = "",
    jetzt: datetime,
) -> Bericht:
    """Erlang C per slot of the forecast: agents, rostered staff, forecast arrivals (weekday × slot tables)."""
    days = sorted(p.slots)
    all_slots = sorted({s for wd in days for s in p.slots[wd]})
    spalten = ["Uhrzeit", *(WOCHENTAG_KURZ[d] for d in days)]
    agenten = Tabelle("Gleichzeitig besetzte Plätze (Erlang C)", spalten, diagramm="heatmap")
    dienst = Tabelle(f"Einzuplanende Personen (Schwund {schwund * 100:g} %)", spalten, diagramm="heatmap")
    anrufe = Tabelle("Kontakte je Zeitfenster (Prognose, Mittelwert)", spalten, diagramm="heatmap")
    sl = Tabelle(f"Erwarteter Service-Level ({ziel})", spalten)
    keine_daten = p.ankuenfte == 0
    for start, end in all_slots:
        label = f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"
        row_a, row_d, row_c, row_s = [], [], [], []
        for wd in days:
            mean = p.mittel.get((wd, start))
            if (start, end) not in p.slots[wd] or mean is None or keine_daten:
                why = Fehlt.KEINE_FAELLE if (start, end) not in p.slots[wd] else Fehlt.NICHT_ERFASST
                row_a.append(Wert(None, Art.PERSONEN, "personal.agenten", why))
                row_d.append(Wert(None, Art.PERSONEN, "personal.dienstplan", why))
                row_c.append(Wert(None, Art.ZAHL, "personal.anrufe", why))
                row_s.append(Wert(None, Art.ANTEIL, "personal.servicelevel", why))
                continue
            r = erlang.staff_slot(
                mean,
                interval_seconds=(end - start) * 60,
                aht_seconds=bearbeitungszeit,
                target_level=ziel.anteil,
                target_seconds=ziel.sekunden,
                max_occupancy=max_auslastung,
                shrinkage=schwund,
            )
            row_a.append(Wert(r.agents, Art.PERSONEN, "personal.agenten"))
            row_d.append(Wert(r.rostered, Art.PERSONEN, "personal.dienstplan"))
            row_c.append(Wert(mean, Art.ZAHL, "personal.anrufe"))
            row_s.append(Wert(r.service_level, Art.ANTEIL, "personal.servicelevel"))
        agenten.add(label, *row_a)
        dienst.add(label, *row_d)
        anrufe.add(label, *row_c)
        sl.add(label, *row_s)
    if keine_daten:
        hinweis = "Keine Anrufe oder Vorsprachen im Zeitraum erfasst – CSV der Telefonanlage angeben (--anrufe DATEI)."
        for t in (agenten, dienst, anrufe, sl):
            t.hinweis = hinweis

    grundlage = Tabelle("Grundlage", ["Wochentag", "Tage ausgewertet", "Kontakte im Mittel je Tag"])
    for wd in days:
        n = len(p.tage.get(wd, []))
        total = sum(p.mittel.get((wd, s), 0.0) for s, _ in p.slots[wd])
        grundlage.add(
            WOCHENTAG[wd],
            Wert(n, Art.ANZAHL, "personal.tage"),
            Wert.of(
                total if n and not keine_daten else None, Art.ZAHL, "personal.tageskontakte", leer=Fehlt.NICHT_ERFASST
            ),
        )
    ausgelassen = [f"{d:%d.%m.%Y} ({why})" for d, why in p.ausgelassen]
    kopf = [
        f"Grundlage: {quelle}, {p.von:%d.%m.%Y} – {p.bis:%d.%m.%Y}; {p.ankuenfte} Kontakte in der Servicezeit"
        + (f", {p.ausserhalb} außerhalb" if p.ausserhalb else ""),
        f"Service-Ziel {ziel}; Bearbeitungszeit {bearbeitungszeit:g} s; höchste Auslastung "
        f"{max_auslastung * 100:g} %; Schwund {schwund * 100:g} %",
        "Ausgelassene Tage: " + (", ".join(ausgelassen) if ausgelassen else "keine"),
    ]
    abschnitte = [
        Abschnitt("personal", "Personalbedarf", [agenten, dienst], list(GRENZEN)),
        Abschnitt("prognose", "Prognose", [anrufe, sl, grundlage]),
    ]
    return Bericht(BerichtArt.PERSONAL, titel, p.von, p.bis, jetzt, kopf, abschnitte)


_CSV_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def lies_anrufe_csv(text: str) -> tuple[list[datetime], list[str]]:
    """Arrival times from a phone-system export: one call per line, the time in the first column.

    Columns are separated by ``;``, ``,`` or a tab; times as ``2026-11-23 08:15:03``, ISO 8601 with
    ``T`` and offset, or ``23.11.2026 08:15[:03]``. Empty lines, lines starting with ``#`` and a
    header line (the first line, if it is no time) are skipped. Returns (times, problems).
    """
    times: list[datetime] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        first = re.split(r"[;\t,]", line, maxsplit=1)[0].strip().strip('"')
        moment = _parse_zeit(first)
        if moment is None:
            if number == 1 or (not times and not problems and re.search(r"[A-Za-zÄÖÜäöü]", first)):
                continue  # header
            problems.append(f"Zeile {number}: „{first[:40]}“ ist keine Uhrzeit wie 23.11.2026 08:15:03")
            continue
        times.append(moment)
    return times, problems


def _parse_zeit(text: str) -> datetime | None:
    for fmt in _CSV_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def zeit_label(minute: int) -> str:
    return time(minute // 60, minute % 60).strftime("%H:%M")
