"""The one path from every intake channel to a Vorgang.

Phone and counter notes (CLI), imported mails, ``.eml``/mbox files and files
dropped into the Einwurf all become an :class:`Incoming` and go through
:func:`accept`, which decides "new Vorgang" or "add to an existing one" and
hands the writing to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..models import Absender, Dringlichkeit, Kanal, Vorgang
from ..store import NeueNachricht, Store


@dataclass
class Incoming:
    """Something that came in, from any channel."""

    channel: Kanal
    subject: str
    sender: Absender
    time: datetime
    text: str = ""
    original: tuple[str, bytes] | None = None  # (extension, bytes) kept byte for byte
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    dringlichkeit: Dringlichkeit = Dringlichkeit.NORMAL
    bearbeiter: str = ""
    message_id: str = ""
    target: str | None = None  # an Aktenzeichen the item explicitly belongs to
    linked: list[str] = field(default_factory=list)
    automatic: bool = False
    source: str = ""  # for the history: where it came from
    note: str = ""  # note for the clerk (parse warnings, oversized mail)
    fingerabdruck: str = ""  # duplicate detection of mails (see intake.mail.fingerprint)


@dataclass(frozen=True)
class AcceptResult:
    kind: str  # "neu" | "folge"
    vorgang: Vorgang


def to_new_message(item: Incoming) -> NeueNachricht:
    return NeueNachricht(
        richtung="eingang",
        kanal=item.channel,
        zeit=item.time,
        von=item.sender.display(),
        betreff=item.subject,
        text=item.text,
        original=item.original,
        anlagen=list(item.attachments),
        message_id=item.message_id,
        automatisch=item.automatic,
        hinweis=item.note,
        fingerabdruck=item.fingerabdruck,
    )


def accept(store: Store, item: Incoming) -> AcceptResult:
    """Store ``item``: as a follow-up when it names its Vorgang, else as a new Vorgang."""
    message = to_new_message(item)
    origin = f" ({item.source})" if item.source else ""
    if item.target:
        action = "Automatische Nachricht" if item.automatic else "Nachricht zugeordnet"
        vorgang = store.add_message(
            item.target, message, action, f"{item.channel.label} von {message.von or 'unbekannt'}{origin}"
        )
        return AcceptResult("folge", vorgang)
    vorgang = store.create(
        betreff=item.subject,
        kanal=item.channel,
        absender=item.sender,
        eingang=item.time,
        nachricht=message,
        dringlichkeit=item.dringlichkeit,
        bearbeiter=item.bearbeiter,
        verknuepft=item.linked,
        details=f"Kanal {item.channel.label}, Betreff „{item.subject}“{origin}",
    )
    return AcceptResult("neu", vorgang)
