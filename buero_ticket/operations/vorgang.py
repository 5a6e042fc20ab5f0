"""Operations on one Vorgang: create, file an incoming item, change fields, assign, note, status, reopen.

Each operation takes a :class:`~buero_ticket.operations.context.Context` (store, clock, typed settings,
user), does one change under the Vorgang's lock through the store and returns a result. The CLI, the
intake pipeline (mail, Einwurf) and the demo call these functions; nothing else changes a Vorgang.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import Absender, Dringlichkeit, HistoryEntry, Incoming, Status, Vorgang
from .context import Context

if TYPE_CHECKING:  # only for annotations: 'zeige' imports these itself, when it needs them
    from ..index import Index
    from ..suche.volltext import Treffer
    from ..wissen.vorschlag import Vorschlag


class AcceptKind(StrEnum):
    """What :func:`accept` did with an incoming item."""

    NEU = "neu"  # a new Vorgang
    FOLGE = "folge"  # added to an existing Vorgang


@dataclass(frozen=True)
class AcceptResult:
    kind: AcceptKind
    vorgang: Vorgang


@dataclass(frozen=True)
class Changed:
    """The Vorgang after an operation; ``changed`` is False when there was nothing to do."""

    vorgang: Vorgang
    changed: bool = True


class _Unset:
    pass


UNSET = _Unset()


# --- incoming items ------------------------------------------------------------------------------


def frist_for(ctx: Context, eingang: datetime, kanal: str = "", kategorie: str = "") -> date | None:
    """The deadline of a new Vorgang received at ``eingang``: [fristen.kategorie], [fristen.kanal], else
    [vorgang] frist_tage (0 = none); a day without service moves it to the next service day."""
    from ..fristen_config import standard_frist

    return standard_frist(ctx.settings, kanal, eingang.date(), kategorie)


def create(ctx: Context, item: Incoming) -> Vorgang:
    """A new Vorgang from ``item`` (Aktenzeichen allocated, folder written completely, then visible)."""
    return ctx.store.create(item, frist=frist_for(ctx, item.zeit, item.kanal.value, item.kategorie))


def add_message(
    ctx: Context, az: str, item: Incoming, *, action: str = "", details: str = "", reopen_grund: str = ""
) -> Vorgang:
    """File ``item`` as a further message of Vorgang ``az`` (``action``/``details``: its history line).

    ``reopen_grund``: a closed Vorgang is reopened in the same change (one commit: a crash never
    leaves the reply filed and the Vorgang still closed), see :func:`reopen` for the status.
    """
    origin = f" ({item.herkunft})" if item.herkunft else ""
    action = action or ("Automatische Nachricht" if item.automatisch else "Nachricht zugeordnet")
    details = details or f"{item.kanal.label} von {item.von or 'unbekannt'}{origin}"
    reopen = reopen_status if reopen_grund else None
    vorgang = ctx.store.add_message(az, item, action, details, reopen=reopen, reopen_grund=reopen_grund, gesehen=False)
    if item.automatisch:
        return vorgang
    from .fristen import folgenachricht  # back into the worklist, marked "neue Nachricht" (or the Stelle's answer)

    return folgenachricht(ctx, vorgang, item.absender.email, item.zeit)


def accept(ctx: Context, item: Incoming) -> AcceptResult:
    """Store ``item``: as a follow-up when it names its Vorgang (``aktenzeichen``), else as a new Vorgang."""
    if item.aktenzeichen:
        return AcceptResult(AcceptKind.FOLGE, add_message(ctx, item.aktenzeichen, item))
    return AcceptResult(AcceptKind.NEU, create(ctx, item))


# --- changes by a clerk --------------------------------------------------------------------------


def assign(ctx: Context, az: str, an: str, *, stand: int | None = None) -> Changed:
    """Assign Vorgang ``az`` to ``an`` ("" = nobody)."""
    done = [False]

    def change(v: Vorgang) -> list[HistoryEntry]:
        if v.bearbeiter == an:
            return []
        old, v.bearbeiter = v.bearbeiter, an
        done[0] = True
        return [ctx.entry("Zugewiesen", f"{old or 'niemand'} → {an or 'niemand'}")]

    vorgang = ctx.store.update(az, change, expected_revision=stand)
    return Changed(vorgang, done[0])


def add_note(ctx: Context, az: str, text: str, *, stand: int | None = None) -> Changed:
    """A note in the history of Vorgang ``az``."""
    vorgang = ctx.store.update(az, lambda v: [ctx.entry("Notiz", text)], expected_revision=stand)
    return Changed(vorgang)


def change_fields(
    ctx: Context,
    az: str,
    *,
    betreff: str | None = None,
    dringlichkeit: Dringlichkeit | None = None,
    frist: date | _Unset | None = UNSET,
    absender: Absender | None = None,
    stand: int | None = None,
) -> Changed:
    """Change the given fields of Vorgang ``az``; one history line names every change (old → new)."""
    done = [False]

    def change(v: Vorgang) -> list[HistoryEntry]:
        parts: list[str] = []
        if betreff is not None and betreff != v.betreff:
            parts.append(f"Betreff „{v.betreff}“ → „{betreff}“")
            v.betreff = betreff
        if dringlichkeit is not None and dringlichkeit is not v.dringlichkeit:
            parts.append(f"Dringlichkeit {v.dringlichkeit.label} → {dringlichkeit.label}")
            v.dringlichkeit = dringlichkeit
        if not isinstance(frist, _Unset) and frist != v.frist:
            parts.append(f"Frist {_date_text(v.frist)} → {_date_text(frist)}")
            v.frist = frist
        if absender is not None and absender != v.absender:
            parts.append(f"Absender „{v.absender.display() or 'unbekannt'}“ → „{absender.display() or 'unbekannt'}“")
            v.absender = absender
        if not parts:
            return []
        done[0] = True
        return [ctx.entry("Geändert", "; ".join(parts))]

    vorgang = ctx.store.update(az, change, expected_revision=stand)
    return Changed(vorgang, done[0])


def set_status(ctx: Context, az: str, status: Status, *, grund: str = "", stand: int | None = None) -> Changed:
    """Move Vorgang ``az`` to ``status`` (its folder moves; ``grund`` goes into the history)."""
    vorgang = ctx.store.set_status(az, status, grund=grund, expected_revision=stand)
    return Changed(vorgang)


def reopen(ctx: Context, az: str, *, grund: str) -> Changed:
    """A closed Vorgang becomes open again: "In Bearbeitung" if someone has it, else "Eingang"."""
    current = ctx.store.get(az)
    if current.status.is_open:
        return Changed(current, False)
    return set_status(ctx, az, reopen_status(current), grund=grund)


def reopen_status(vorgang: Vorgang) -> Status:
    """Where a reopened Vorgang goes: "In Bearbeitung" if someone has it, else "Eingang"."""
    return Status.IN_BEARBEITUNG if vorgang.bearbeiter else Status.EINGANG


def may_reopen(ctx: Context, vorgang: Vorgang) -> bool:
    """A reply to a closed Vorgang reopens it within [vorgang] wiedereroeffnen_tage (if allowed at all)."""
    if ctx.settings.imap.antwort_auf_erledigt != "wiedereroeffnen":
        return False
    done = vorgang.erledigt or vorgang.letzte_aktivitaet
    return ctx.clock() - done <= timedelta(days=ctx.settings.vorgang.wiedereroeffnen_tage)


def oeffnen(ctx: Context, az: str) -> Vorgang:
    """A clerk opens Vorgang ``az`` (``zeige``): a forwarding into a Stelle's own Ablage is looked up there,
    and the marker "neue Nachricht" goes away (each a change only when there is something to do)."""
    from .fristen import gesehen
    from .weiterleiten import ablage_abgleichen, in_anderer_ablage

    vorgang = ctx.store.get(az)
    if in_anderer_ablage(vorgang):
        vorgang = ablage_abgleichen(ctx, vorgang.aktenzeichen)
    if vorgang.neue_nachricht is not None:
        vorgang = gesehen(ctx, vorgang.aktenzeichen)
    return vorgang


@dataclass(frozen=True)
class Ansicht:
    """Everything ``zeige`` shows of one Vorgang, read by :func:`ansehen`."""

    vorgang: Vorgang  # opened: a forwarding's state looked up in the Stelle's Ablage, "neue Nachricht" read
    verlauf: list[HistoryEntry]
    wissen_vorschlaege: list[Vorschlag]  # article suggestions (open Vorgänge, when Wissen has articles)
    aehnliche: list[Treffer]  # similar closed Vorgänge (what did we answer last time?)
    jetzt: datetime  # the time the view was made (what is overdue)
    aufbewahrung: str | None  # how long it is kept; None: not asked for (``angaben=False``)
    weitere_vorgaenge: int | None  # the same person's other Vorgänge; None: not asked for
    aehnliche_spaeter: bool = False  # the full-text index is not built yet on this PC (left to ``suche``)
    anlagen_hinweise: tuple[str, ...] = ()  # attachments the full-text update could not read


def ansehen(ctx: Context, index: Index, az: str, *, angaben: bool = True) -> Ansicht:
    """Open Vorgang ``az`` (:func:`oeffnen`) and read what ``zeige`` shows with it: its history, article
    suggestions and similar closed Vorgänge; with ``angaben`` also the retention and how many other
    Vorgänge the person has (the text view shows them, the JSON does not: it skips their cost).

    ``index``: the metadata cache, refreshed by the caller (the full-text check and the person count
    read it).
    """
    from ..history import read_history
    from . import suche as suche_ops
    from . import wissen as wissen_ops

    vorgang = oeffnen(ctx, az)
    assert vorgang.ordner is not None
    verlauf = read_history(vorgang.ordner)
    basis = wissen_ops.wissensbasis(ctx.store.ablage)
    vorschlaege = wissen_ops.vorschlaege_fuer(basis, vorgang) if basis.docs and vorgang.status.is_open else []
    aehnliche: list[Treffer] = []
    hinweise: tuple[str, ...] = ()
    vt = suche_ops.volltext_wenn_schnell(index)  # a first build is left to 'suche' (with its progress bar)
    if vt is not None:
        hinweise = tuple(suche_ops.hinweis_text(index, h) for h in vt.hinweise)
        try:
            aehnliche = suche_ops.aehnliche(vt, vorgang)
        finally:
            vt.close()
    aufbewahrung: str | None = None
    weitere: int | None = None
    if angaben:
        from ..datenschutz.aufbewahrung import beschreibung
        from ..settings.aufbewahrung import Aufbewahrung  # not operations.datenschutz: its imports are slow

        aufbewahrung = beschreibung(vorgang, ctx.settings.section(Aufbewahrung))
        weitere = index.person_count(vorgang)
    return Ansicht(vorgang, verlauf, vorschlaege, aehnliche, ctx.clock(), aufbewahrung, weitere, vt is None, hinweise)


def reconcile_manual_move(ctx: Context, folder: Path, status: Status) -> Vorgang | None:
    """A folder moved by hand in Explorer: its metadata follow the folder, with a history line."""
    return ctx.store.repair_status(folder, status)


def _date_text(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else "keine"
