"""Answering at first contact (phone, counter): record the request and how it ended.

A request answered directly becomes a Vorgang in "Erledigt" with ``erstkontakt_geloest: true`` and the
article used; one that needs a call back goes to the open list with ``erstkontakt_geloest: false``.
Forwarding to a Fachabteilung ("an Fachabteilung") is a third ending once forwarding exists: see
:data:`WEITERLEITEN_HOOK`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from ..models import HistoryEntry, Incoming, Status, Vorgang
from ..wissen.artikel import Artikel
from . import vorgang as vorgang_ops
from .context import Context


class Ausgang(StrEnum):
    """How a first contact ended."""

    DIREKT = "direkt"  # answered directly (with an article, or without)
    RUECKRUF = "rueckruf"  # call back needed: the Vorgang goes to the open list
    FACHABTEILUNG = "fachabteilung"  # forwarded (only once a forwarding operation is registered)


# Forwarding belongs to the Fristen/Weiterleitung area. When it exists it registers itself here as
# ``WEITERLEITEN_HOOK[0] = lambda ctx, az, stelle: ...``; until then "an Fachabteilung" is not offered.
WEITERLEITEN_HOOK: list[Callable[[Context, str, str], object]] = []


def weiterleiten_moeglich() -> bool:
    return bool(WEITERLEITEN_HOOK)


def erfassen(
    ctx: Context, item: Incoming, ausgang: Ausgang, artikel: Artikel | None = None, stelle: str = ""
) -> Vorgang:
    """Store the request as a Vorgang and record how the first contact ended."""
    vorgang = vorgang_ops.create(ctx, item)
    geloest = ausgang is Ausgang.DIREKT

    def change(v: Vorgang) -> list[HistoryEntry]:
        v.erstkontakt_geloest = geloest
        if artikel is not None:
            v.wissen = artikel.datei
        if geloest:
            mit = f" mit Artikel „{artikel.titel}“ ({artikel.datei})" if artikel else ""
            return [ctx.entry("Erstkontakt", f"direkt beantwortet{mit}")]
        if ausgang is Ausgang.RUECKRUF:
            return [ctx.entry("Erstkontakt", "nicht direkt gelöst: Rückruf nötig, in die Liste")]
        return [ctx.entry("Erstkontakt", f"nicht direkt gelöst: an {stelle or 'Fachabteilung'}")]

    vorgang = ctx.store.update(vorgang.aktenzeichen, change)
    if geloest:
        vorgang = vorgang_ops.set_status(
            ctx, vorgang.aktenzeichen, Status.ERLEDIGT, grund="beim ersten Kontakt beantwortet"
        ).vorgang
    elif ausgang is Ausgang.FACHABTEILUNG:
        if not WEITERLEITEN_HOOK:
            raise RuntimeError("forwarding is not available")  # the CLI never offers it then
        WEITERLEITEN_HOOK[0](ctx, vorgang.aktenzeichen, stelle)
        vorgang = ctx.store.get(vorgang.aktenzeichen)
    return vorgang
