"""Operations on deadlines: Frist, Wiedervorlage, the marker "neue Nachricht", what is due.

Plain functions taking a :class:`Context` (store, clock, settings, user); they return the changed
Vorgang or a plain result. The CLI parses and prints; ``operations.vorgang.add_message`` calls
:func:`folgenachricht` for every follow-up message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from enum import StrEnum

from ..datum import format_datum, format_zeitpunkt, parse_datum, parse_zeitpunkt
from ..errors import EingabeFehler
from ..models import HistoryEntry, Status, Vorgang
from ..settings.fristen import Fristen, Servicezeiten
from .context import Context

KEINE = ("keine", "-", "weg", "löschen", "loeschen")


def _parse_or_none(text: str, heute: date) -> date | None:
    if text.strip().lower() in KEINE:
        return None
    return parse_datum(text, heute)


def frist_setzen(ctx: Context, az: str, datum: str, *, stand: int | None = None) -> Vorgang:
    """Set (or with ``keine`` remove) the Frist of a Vorgang; history line with old → new."""
    neu = _parse_or_none(datum, ctx.clock().date())

    def change(v: Vorgang) -> list[HistoryEntry]:
        if v.frist == neu:
            return []
        alt, v.frist = v.frist, neu
        return [ctx.entry("Frist geändert", f"{_d(alt)} → {_d(neu)}")]

    return ctx.store.update(az, change, expected_revision=stand)


def wiedervorlage_setzen(ctx: Context, az: str, datum: str, *, grund: str = "", stand: int | None = None) -> Vorgang:
    """Put the Vorgang to "Wartet" until ``datum``; on that day it is at the top of the worklist.

    ``keine`` removes the Wiedervorlage (the status stays).
    """
    heute = ctx.clock().date()
    neu = _parse_or_none(datum, heute)
    if neu is not None and neu < heute:
        raise EingabeFehler(
            f"Der {format_datum(neu)} liegt in der Vergangenheit; eine Wiedervorlage braucht ein Datum ab heute.",
            "Geben Sie zum Beispiel 'morgen', '+3' oder '+2w' an.",
        )

    def change(v: Vorgang) -> list[HistoryEntry]:
        if v.wiedervorlage == neu and v.wiedervorlage_grund == grund and (neu is None or v.status is Status.WARTET):
            return []
        v.wiedervorlage, v.wiedervorlage_grund = neu, grund if neu else ""
        if neu is None:
            return [ctx.entry("Wiedervorlage entfernt")]
        return [ctx.entry("Wiedervorlage", format_datum(neu) + (f": {grund}" if grund else ""))]

    vorgang = ctx.store.update(az, change, expected_revision=stand)
    if neu is not None and vorgang.status is not Status.WARTET:
        vorgang = ctx.store.set_status(az, Status.WARTET, grund=f"Wiedervorlage am {format_datum(neu)}")
    return vorgang


def gesehen(ctx: Context, az: str) -> Vorgang:
    """``zeige`` opened the Vorgang: the marker "neue Nachricht" goes away (history line)."""
    vorgang = ctx.store.get(az)
    if vorgang.neue_nachricht is None:
        return vorgang
    # store.update clears the marker for any change by a person; this change is just the history line
    return ctx.store.update(az, lambda v: [ctx.entry("Neue Nachricht gelesen")])


def folgenachricht(ctx: Context, vorgang: Vorgang, absender_email: str, zeit: datetime) -> Vorgang:
    """A new message on an existing Vorgang (from the intake): mark it and bring it back into the worklist.

    A message from a Stelle with an open forwarding is its answer ("Antwort der Fachabteilung").
    In "Wartet" the Vorgang goes to "In Bearbeitung", unless ``[fristen] neue_nachricht = "markieren"``.
    """
    address = parseaddr(absender_email)[1].lower()
    stelle = next((w for w in vorgang.weiterleitungen if w.offen and w.adresse.lower() == address and address), None)

    def change(v: Vorgang) -> list[HistoryEntry]:
        lines: list[HistoryEntry] = []
        if stelle is not None:
            for w in v.weiterleitungen:
                if w.offen and w.adresse.lower() == address:
                    w.antwort, w.antwort_wie = zeit, "email"
                    lines.append(ctx.entry("Antwort der Fachabteilung", f"{w.stelle_name} ({address})"))
        v.neue_nachricht = v.neue_nachricht or zeit
        return lines or [ctx.entry("Neue Nachricht", "wartet darauf, dass jemand sie liest")]

    vorgang = ctx.store.update(vorgang.aktenzeichen, change, gesehen=False)
    mode = ctx.settings.section(Fristen).neue_nachricht
    if vorgang.status is Status.WARTET and mode == "in-bearbeitung":
        grund = "Antwort der Fachabteilung" if stelle is not None else "neue Nachricht"
        vorgang = ctx.store.set_status(vorgang.aktenzeichen, Status.IN_BEARBEITUNG, grund=grund, gesehen=False)
    return vorgang


# -- computing a deadline in service hours ----------------------------------------------------------
@dataclass(frozen=True)
class Berechnung:
    ab: datetime  # the start, in the office's zone
    servicestunden: float
    land: str  # the Bundesland whose holidays count
    faellig: datetime


def frist_berechnen(ctx: Context, ab: str, servicestunden: float | None = None, land: str | None = None) -> Berechnung:
    """``frist berechnen``: ``ab`` (German date/time or "jetzt") plus service hours (default: [servicezeiten]
    rueckmeldung_servicestunden), counting only service time of the office's calendar (or Bundesland ``land``)."""
    from .. import fristen_config
    from ..servicezeit import LAENDER

    kalender = fristen_config.kalender(ctx.settings)
    if land is not None:
        if land.upper() not in LAENDER:
            raise EingabeFehler(f"„{land}“ ist kein Bundesland-Kürzel.", f"Erlaubt sind: {', '.join(LAENDER)}.")
        kalender = kalender.mit_land(land.upper())
    stunden = (
        ctx.settings.section(Servicezeiten).rueckmeldung_servicestunden if servicestunden is None else servicestunden
    )
    if stunden < 0:
        raise EingabeFehler("Die Servicestunden dürfen nicht negativ sein.", "Geben Sie zum Beispiel 24 an.")
    start = kalender.lokal(parse_zeitpunkt(ab, ctx.clock().astimezone(kalender.tz).replace(tzinfo=None)))
    return Berechnung(start, stunden, kalender.land, kalender.plus_stunden(start, stunden))


# -- what is due ----------------------------------------------------------------------------------
class FaelligArt(StrEnum):
    """What is due; the value is the German word of lists and mails (and of the reminder ledger's key)."""

    FRIST = "Frist"
    WIEDERVORLAGE = "Wiedervorlage"
    RUECKMELDUNG = "Rückmeldung an Bürger"
    ANTWORT_STELLE = "Antwort der Stelle"


@dataclass(frozen=True)
class Faelligkeit:
    """One due or overdue item of a Vorgang."""

    vorgang: Vorgang
    art: FaelligArt
    bis: date | datetime
    ueberfaellig: bool
    text: str  # German, for lists and mails

    @property
    def schluessel(self) -> str:
        """Identifies the item for "nothing twice per day" (art + Vorgang + Stelle)."""
        return f"{self.vorgang.aktenzeichen}|{self.art}|{self.text.split(':', 1)[0]}"


def faelligkeiten(vorgang: Vorgang, jetzt: datetime) -> list[Faelligkeit]:
    """Everything of an open Vorgang that is due today or overdue."""
    if not vorgang.status.is_open:
        return []
    heute = jetzt.date()
    found: list[Faelligkeit] = []
    if vorgang.frist is not None and vorgang.frist <= heute:
        over = vorgang.frist < heute
        found.append(
            Faelligkeit(
                vorgang,
                FaelligArt.FRIST,
                vorgang.frist,
                over,
                f"Frist {'überschritten seit' if over else 'heute'} {format_datum(vorgang.frist)}",
            )
        )
    if vorgang.wiedervorlage is not None and vorgang.wiedervorlage <= heute:
        grund = f" – {vorgang.wiedervorlage_grund}" if vorgang.wiedervorlage_grund else ""
        found.append(
            Faelligkeit(
                vorgang,
                FaelligArt.WIEDERVORLAGE,
                vorgang.wiedervorlage,
                vorgang.wiedervorlage < heute,
                f"Wiedervorlage {format_datum(vorgang.wiedervorlage)}{grund}",
            )
        )
    for w in vorgang.weiterleitungen:
        if w.rueckmeldung is None and w.rueckmeldung_bis.date() <= heute:
            found.append(_deadline(vorgang, FaelligArt.RUECKMELDUNG, w.rueckmeldung_bis, jetzt, w.stelle_name))
        if w.offen and w.antwort_bis.date() <= heute:
            found.append(_deadline(vorgang, FaelligArt.ANTWORT_STELLE, w.antwort_bis, jetzt, w.stelle_name))
    return found


def _deadline(vorgang: Vorgang, art: FaelligArt, bis: datetime, jetzt: datetime, stelle: str) -> Faelligkeit:
    over = ueberschritten(bis, jetzt)
    state = "überfällig seit" if over else "fällig"
    return Faelligkeit(vorgang, art, bis, over, f"{art} ({stelle}): {state} {format_zeitpunkt(bis)}")


def ueberschritten(bis: datetime, jetzt: datetime) -> bool:
    """A deadline "bis 11:00" is overdue once 11:00 has passed: a Rückmeldung at 11:00 is still in time
    (as ``rueckmeldung_rechtzeitig`` and the statistics judge it). One rule for zeige, liste, the register
    and erinnern."""
    if (bis.tzinfo is None) != (jetzt.tzinfo is None):  # old naive data: compare wall-clock times
        return jetzt.replace(tzinfo=None) > bis.replace(tzinfo=None)
    return jetzt > bis


def rueckmeldung_bis(vorgang: Vorgang) -> datetime | None:
    """The earliest "Rückmeldung an Bürger bis" still open (forwarded more than once: the earliest);
    None if the citizen has heard from us after every forwarding or the Vorgang is closed."""
    if not vorgang.status.is_open:
        return None
    return _earliest([w.rueckmeldung_bis for w in vorgang.weiterleitungen if w.rueckmeldung is None])


def antwort_bis(vorgang: Vorgang) -> datetime | None:
    """The earliest "Antwort der Stelle bis" of a Stelle that has not answered yet (open Vorgang only)."""
    if not vorgang.status.is_open:
        return None
    return _earliest([w.antwort_bis for w in vorgang.weiterleitungen if w.offen])


def naechste_weiterleitungsfrist(vorgang: Vorgang) -> datetime | None:
    """The earlier of :func:`rueckmeldung_bis` and :func:`antwort_bis` (the column of ``liste``)."""
    return _earliest([t for t in (rueckmeldung_bis(vorgang), antwort_bis(vorgang)) if t is not None])


def _earliest(times: list[datetime]) -> datetime | None:
    return min(times, key=lambda t: t.timestamp()) if times else None


def ist_faellig(vorgang: Vorgang, jetzt: datetime) -> bool:
    return bool(faelligkeiten(vorgang, jetzt))


def wiedervorlage_heute(vorgang: Vorgang, heute: date) -> bool:
    return vorgang.status.is_open and vorgang.wiedervorlage is not None and vorgang.wiedervorlage <= heute


def arbeitsliste(vorgaenge: Iterable[Vorgang], heute: date) -> Iterator[Vorgang]:
    """The worklist order: due Wiedervorlagen first (oldest date first), then the rest as given."""
    due: list[Vorgang] = []
    rest: list[Vorgang] = []
    for v in vorgaenge:
        (due if wiedervorlage_heute(v, heute) else rest).append(v)
    due.sort(key=lambda v: (v.wiedervorlage or heute, v.dringlichkeit.rank, v.eingang))
    yield from due
    yield from rest


def _d(value: date | None) -> str:
    return format_datum(value) if value else "keine"
