"""The one path from every intake channel to a Vorgang.

Phone and counter notes (CLI), imported mails, ``.eml``/mbox files and files
dropped into the Einwurf all become an :class:`Eingabe` and go through
:func:`accept`, which decides "new Vorgang" or "add to an existing one" and
hands the writing to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..models import Absender, Dringlichkeit, Kanal, Vorgang
from ..store import NeueNachricht, Store


@dataclass
class Eingabe:
    """Something that came in, from any channel."""

    kanal: Kanal
    betreff: str
    absender: Absender
    zeit: datetime
    text: str = ""
    original: tuple[str, bytes] | None = None  # (extension, bytes) kept byte for byte
    anlagen: list[tuple[str, bytes]] = field(default_factory=list)
    dringlichkeit: Dringlichkeit = Dringlichkeit.NORMAL
    bearbeiter: str = ""
    message_id: str = ""
    ziel: str | None = None  # an Aktenzeichen the item explicitly belongs to
    verknuepft: list[str] = field(default_factory=list)
    automatisch: bool = False
    quelle: str = ""  # for the history: where it came from
    hinweis: str = ""  # note for the clerk (parse warnings, oversized mail)
    fingerabdruck: str = ""  # duplicate detection of mails (see intake.mail.fingerprint)


@dataclass(frozen=True)
class Ergebnis:
    art: str  # "neu" | "folge"
    vorgang: Vorgang


def nachricht_aus(item: Eingabe) -> NeueNachricht:
    return NeueNachricht(
        richtung="eingang",
        kanal=item.kanal,
        zeit=item.zeit,
        von=item.absender.display(),
        betreff=item.betreff,
        text=item.text,
        original=item.original,
        anlagen=list(item.anlagen),
        message_id=item.message_id,
        automatisch=item.automatisch,
        hinweis=item.hinweis,
        fingerabdruck=item.fingerabdruck,
    )


def accept(store: Store, item: Eingabe) -> Ergebnis:
    """Store ``item``: as a follow-up when it names its Vorgang, else as a new Vorgang."""
    nachricht = nachricht_aus(item)
    herkunft = f" ({item.quelle})" if item.quelle else ""
    if item.ziel:
        aktion = "Automatische Nachricht" if item.automatisch else "Nachricht zugeordnet"
        vorgang = store.add_message(
            item.ziel, nachricht, aktion, f"{item.kanal.label} von {nachricht.von or 'unbekannt'}{herkunft}"
        )
        return Ergebnis("folge", vorgang)
    vorgang = store.create(
        betreff=item.betreff,
        kanal=item.kanal,
        absender=item.absender,
        eingang=item.zeit,
        nachricht=nachricht,
        dringlichkeit=item.dringlichkeit,
        bearbeiter=item.bearbeiter,
        verknuepft=item.verknuepft,
        details=f"Kanal {item.kanal.label}, Betreff „{item.betreff}“{herkunft}",
    )
    return Ergebnis("neu", vorgang)
