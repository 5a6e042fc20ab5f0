"""Retention periods (Aufbewahrungsfristen): per category, counted from the end of the year of closing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ..models import Status, Vorgang
from ..settings.aufbewahrung import Aufbewahrung

OHNE_KATEGORIE = "(ohne Kategorie)"


def kategorie_of(vorgang: Vorgang) -> str:
    return str(getattr(vorgang, "kategorie", "") or "").strip()


def aufbewahren_bis(vorgang: Vorgang, settings: Aufbewahrung) -> date | None:
    """Last day the Vorgang must be kept; None while it is open (the period has not started)."""
    if vorgang.status.is_open or vorgang.erledigt is None:
        return None
    jahre = settings.jahre(kategorie_of(vorgang))
    return date(vorgang.erledigt.year + jahre, 12, 31)


def abgelaufen(vorgang: Vorgang, settings: Aufbewahrung, stichtag: date) -> bool:
    ende = aufbewahren_bis(vorgang, settings)
    return ende is not None and ende < stichtag


def faellige(vorgaenge: Iterable[Vorgang], settings: Aufbewahrung, stichtag: date) -> dict[str, list[Vorgang]]:
    """Vorgänge whose period ended before ``stichtag``, grouped by category (sorted)."""
    groups: dict[str, list[Vorgang]] = defaultdict(list)
    for v in vorgaenge:
        if v.status in (Status.ERLEDIGT, Status.ARCHIV) and abgelaufen(v, settings, stichtag):
            groups[kategorie_of(v) or OHNE_KATEGORIE].append(v)
    for items in groups.values():
        items.sort(key=lambda v: v.aktenzeichen)
    return dict(sorted(groups.items()))


def beschreibung(vorgang: Vorgang, settings: Aufbewahrung) -> str:
    """One line for zeige and the register."""
    ende = aufbewahren_bis(vorgang, settings)
    jahre = settings.jahre(kategorie_of(vorgang))
    if ende is None:
        return f"{jahre} Jahre ab Ende des Jahres der Erledigung (läuft noch nicht)"
    return f"bis {ende:%d.%m.%Y} ({jahre} Jahre ab Ende {ende.year - jahre})"
