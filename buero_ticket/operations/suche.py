"""Searching every Vorgang (read-only): keep the local full-text index current, then query it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from ..index import Index
from ..models import Status, Vorgang
from ..suche.analyse import terms
from ..suche.texte import Hinweis
from ..suche.volltext import PROGRESS_FROM, Progress, Treffer, Volltext

SIMILAR = 5
KURZ = PROGRESS_FROM  # zeige brings the index up to date only if at most this many Vorgänge are to be read


@dataclass
class Filter:
    status: list[str] = field(default_factory=list)
    kanal: str | None = None
    bearbeiter: str | None = None
    von: datetime | None = None
    bis: datetime | None = None


def volltext(index: Index, progress: Progress | None = None) -> Volltext:
    """The full-text index, brought up to date with the metadata cache (call after ``Index.refresh``)."""
    vt = Volltext(index)
    vt.update(progress)
    return vt


def volltext_wenn_schnell(index: Index) -> Volltext | None:
    """The full-text index if it can be brought up to date at once (for ``zeige``), else None.

    A first build or a large catch-up (more than a progress bar's worth of Vorgänge) is left to ``suche``,
    which shows its progress; so is an index another command is writing just now.
    """
    try:
        vt = Volltext(index)
        if vt.update(limit=KURZ) >= 0:
            return vt
        vt.close()
    except sqlite3.OperationalError:  # locked by a build in another command
        pass
    return None


def hinweis_text(index: Index, hinweis: Hinweis) -> str:
    """What the clerk reads about an attachment the index could not read."""
    try:
        where = hinweis.datei.relative_to(index.ablage.root).as_posix()
    except ValueError:
        where = str(hinweis.datei)
    return (
        f"Anlage „{where}“: {hinweis.grund}. Die Suche findet ihren Inhalt nicht; alles andere im Vorgang schon. "
        "Was tun: nichts, oder eine lesbare Fassung (PDF mit Text, Word) in den Ordner Anlagen legen."
    )


def suche(vt: Volltext, begriffe: str, filter: Filter, anzahl: int = 20) -> list[Treffer]:
    return vt.suche(
        begriffe,
        status=filter.status or None,
        kanal=filter.kanal,
        bearbeiter=filter.bearbeiter,
        von=filter.von,
        bis=filter.bis,
        anzahl=anzahl,
    )


def aehnliche(vt: Volltext, vorgang: Vorgang, anzahl: int = SIMILAR) -> list[Treffer]:
    """Closed Vorgänge most similar to ``vorgang`` (what did we answer last time?)."""
    from .wissen import request_text  # only 'zeige' needs it; 'suche' stays light

    return vt.aehnliche(
        terms(vorgang.betreff) + terms(request_text(vorgang)),
        status=[Status.ERLEDIGT.value, Status.ARCHIV.value],
        ohne=vorgang.aktenzeichen,
        anzahl=anzahl,
    )
