"""Operation ``pruefen``: check the whole Ablage and, if asked, repair what is safe to repair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..index import Index
from ..pruefen import Problem, check, repair
from .context import Context


@dataclass(frozen=True)
class Pruefung:
    vorgaenge: int  # how many Vorgänge were checked
    offen: list[Problem]  # problems left (repairable ones without ``reparieren``)
    repariert: list[Problem]
    gruendlich: bool  # every file and subfolder was looked at (otherwise: the quick check, see pruefstand.py)
    gruendlich_am: datetime | None  # the last thorough check on this PC before this one


def pruefen(ctx: Context, index: Index, *, reparieren: bool = False, gruendlich: bool = False) -> Pruefung:
    """Check every Vorgang and the Ablage's layout; with ``reparieren`` fix the safe problems (locked repairs
    through the store, see :func:`buero_ticket.pruefen.repair`); ``gruendlich``: look into every subfolder
    and stat every file, also of the Vorgänge the program has not changed since the last pruefen on this PC."""
    bericht = check(ctx.store, index, gruendlich=gruendlich)
    fixed = repair(ctx.store, index, bericht) if reparieren else []
    offen = [p for p in bericht.probleme if p not in fixed]
    return Pruefung(bericht.vorgaenge, offen, fixed, bericht.gruendlich, bericht.gruendlich_am)
