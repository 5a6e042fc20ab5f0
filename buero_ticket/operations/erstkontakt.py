"""Answering at first contact (phone, counter): record the request and how it ended.

A request answered directly becomes a Vorgang in "Erledigt" with ``erstkontakt_geloest: true`` and the
article used; one that needs a call back goes to the open list with ``erstkontakt_geloest: false``.
The third ending, "an Fachabteilung", forwards it at once to a Stelle of ``[stellen]`` (see
:mod:`.weiterleiten`); it is offered only when the settings name at least one Stelle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .. import fristen_config
from ..errors import BueroTicketError, NichtGefunden
from ..models import Absender, HistoryEntry, Incoming, Kanal, Status, Vorgang
from ..wissen.artikel import Artikel
from . import vorgang as vorgang_ops
from .context import Context

if TYPE_CHECKING:
    from ..wissen.vorschlag import Vorschlag, Wissensbasis


class Ausgang(StrEnum):
    """How a first contact ended."""

    DIREKT = "direkt"  # answered directly (with an article, or without)
    RUECKRUF = "rueckruf"  # call back needed: the Vorgang goes to the open list
    FACHABTEILUNG = "fachabteilung"  # forwarded to a Stelle of [stellen]


def stellen(ctx: Context) -> dict[str, fristen_config.Stelle]:
    """The Stellen a request can go to ("an Fachabteilung"); empty: the choice is not offered."""
    return fristen_config.stellen(ctx.settings)


def anliegen(ctx: Context, kanal: Kanal, text: str, *, von: str = "", kontakt: str = "", betreff: str = "") -> Incoming:
    """The incoming item of a call or a visit at the counter: ``kontakt`` is an e-mail address or a phone
    number; without ``betreff`` the request's first sentence (cut at a word) is the subject."""
    kontakt = kontakt.strip()
    absender = Absender(
        name=von.strip(), email=kontakt if "@" in kontakt else "", telefon="" if "@" in kontakt else kontakt
    )
    return Incoming(
        kanal=kanal,
        betreff=betreff.strip() or _betreff(text),
        absender=absender,
        zeit=ctx.clock(),
        text=text.strip(),
        herkunft=f"erfasst mit 'buero-ticket {'anruf' if kanal is Kanal.TELEFON else 'schalter'}'",
    )


def _betreff(text: str) -> str:
    first = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
    return first if len(first) <= 60 else first[:57].rsplit(" ", 1)[0] + " …"


@dataclass(frozen=True)
class Nachschlag:
    """What the knowledge base offers for a request at first contact (the dialogue shows it)."""

    basis: Wissensbasis
    vorschlaege: list[Vorschlag]  # best first; empty when the Ablage has no articles


def nachschlagen(ctx: Context, text: str, betreff: str = "") -> Nachschlag:
    """The articles that may answer the request ``text`` (``betreff``: its subject, if the clerk gave one)."""
    from . import wissen as wissen_ops

    basis = wissen_ops.wissensbasis(ctx.store.ablage)
    return Nachschlag(basis, wissen_ops.vorschlaege(basis, text, betreff) if basis.docs else [])


def artikel_waehlen(ctx: Context, name: str, nachschlag: Nachschlag | None = None) -> Artikel:
    """The article a clerk named: number 1–3 of the suggestions in ``nachschlag``, a file name or a title
    (else :class:`~buero_ticket.errors.NichtGefunden` with close names)."""
    from . import wissen as wissen_ops

    vorschlaege = nachschlag.vorschlaege if nachschlag else []
    if name.strip().isdigit() and 1 <= int(name) <= len(vorschlaege):
        return vorschlaege[int(name) - 1].artikel
    try:
        return wissen_ops.artikel(ctx.store.ablage, name, nachschlag.basis if nachschlag else None)
    except NichtGefunden as exc:  # asked before anything is written: say so
        if nachschlag is not None and name.strip().isdigit():
            anzahl = len(vorschlaege)
            hat = {0: "keinen Vorschlag", 1: "nur einen Vorschlag"}.get(anzahl, f"{anzahl} Vorschläge")
            raise NichtGefunden(
                f"Einen Vorschlag Nummer {name.strip()} gibt es nicht (das Wissen hat {hat} zu diesem Anliegen); "
                "es wurde kein Vorgang angelegt.",
                f"Geben Sie --artikel 1{f' bis {anzahl}' if anzahl > 1 else ''} oder Dateiname bzw. Titel eines "
                "Artikels an, oder --ergebnis direkt ohne --artikel."
                if anzahl
                else "Lassen Sie --artikel weg (direkt beantwortet ohne Artikel) oder wählen Sie --ergebnis rueckruf.",
            ) from None
        raise NichtGefunden(f"{exc.text} Es wurde kein Vorgang angelegt.", exc.hinweis) from None


def direkt_beantwortet(ctx: Context, item: Incoming, artikel_name: str | None = None) -> Vorgang:
    """``neu --direkt-beantwortet [--wissen ARTIKEL]``: the request was answered at first contact (with the
    named article, looked up before anything is written)."""
    artikel = artikel_waehlen(ctx, artikel_name) if artikel_name else None
    return erfassen(ctx, item, Ausgang.DIREKT, artikel)


def erfassen(
    ctx: Context, item: Incoming, ausgang: Ausgang, artikel: Artikel | None = None, stelle: str = ""
) -> Vorgang:
    """Store the request as a Vorgang and record how the first contact ended."""
    if ausgang is Ausgang.FACHABTEILUNG:
        stelle = fristen_config.stelle(ctx.settings, stelle).key  # an unknown Stelle fails before anything is written
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
        from .weiterleiten import weiterleiten

        try:
            vorgang = weiterleiten(ctx, vorgang.aktenzeichen, stelle).vorgang
        except BueroTicketError as exc:  # the Vorgang is saved: the message must not read as if nothing happened
            exc.text = (
                f"Vorgang {vorgang.aktenzeichen} ist angelegt und steht in der Liste, wurde aber nicht an die Stelle "
                f"„{stelle}“ weitergeleitet: {exc.text}"
            )
            spaeter = f"buero-ticket weiterleiten {vorgang.aktenzeichen} --an {stelle}"
            exc.hinweis = f"{exc.hinweis} Danach weiterleiten (nicht neu anlegen): {spaeter}".strip()
            raise
    return vorgang
