"""Operation ``pruefen``: check the whole Ablage and, if asked, repair what is safe to repair."""

from __future__ import annotations

from dataclasses import dataclass

from ..index import Index
from ..pruefen import Problem, check, repair
from .context import Context


@dataclass(frozen=True)
class Pruefung:
    vorgaenge: int  # how many Vorgänge were checked
    offen: list[Problem]  # problems left (repairable ones without ``reparieren``)
    repariert: list[Problem]


def pruefen(ctx: Context, index: Index, *, reparieren: bool = False) -> Pruefung:
    """Check every Vorgang and the Ablage's layout; with ``reparieren`` fix the safe problems (locked repairs
    through the store, see :func:`buero_ticket.pruefen.repair`)."""
    bericht = check(ctx.store, index)
    fixed = repair(ctx.store, index, bericht) if reparieren else []
    return Pruefung(bericht.vorgaenge, [p for p in bericht.probleme if p not in fixed], fixed)
