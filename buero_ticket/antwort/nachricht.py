"""The outgoing e-mail: recipient, subject tag, Message-ID and threading headers.

Threading, so the citizen's reply lands in the same Vorgang:

- the subject carries ``[Az. <Aktenzeichen>]`` (the import's subject tag);
- the Message-ID is stored with the outgoing message in the Vorgang, so a reply's
  In-Reply-To/References find it in the cache of all stored Message-IDs;
- In-Reply-To/References point at the citizen's last mail, so the citizen's mail
  client shows one conversation.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from ..clock import system_clock
from ..errors import EingabeFehler
from ..mail.parse import parse_mail
from ..models import Nachricht, Vorgang
from ..store import NACHRICHTEN_DIR

#: Same form as the import's subject tag (intake.mail.TAG_RE accepts it; a test checks that).
TAG_FORMAT = "[Az. {az}]"
_TAG_RE = re.compile(r"\[(?:Az\.?\s*)?((?:[A-Za-z0-9]{1,8}-)?\d{4}-\d{5,7}-\d)\]")
MAX_REFERENCES = 20
#: Headers of an automatic reply (RFC 3834 and the Microsoft and legacy equivalents).
AUTO_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All", "Precedence": "auto_reply"}


@dataclass(frozen=True)
class Recipient:
    """Whom to write to, and which mail we answer."""

    name: str
    address: str
    in_reply_to: str = ""  # Message-ID without <>
    references: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        """For people (history, messages), not for a header."""
        return f"{self.name} <{self.address}>" if self.name else self.address


@dataclass(frozen=True)
class OutgoingMail:
    """Everything of one outgoing mail except its serialisation."""

    absender: str  # "Name <adresse>"
    to: Recipient
    betreff: str
    text: str
    message_id: str  # without <>
    anlagen: list[tuple[str, bytes]] = field(default_factory=list)
    automatisch: bool = False


def with_tag(subject: str, aktenzeichen: str) -> str:
    """``subject`` with ``[Az. …]`` appended, unless it already names this Aktenzeichen."""
    if any(m.group(1).upper() == aktenzeichen.upper() for m in _TAG_RE.finditer(subject)):
        return subject
    return f"{subject} {TAG_FORMAT.format(az=aktenzeichen)}".strip()


def new_message_id(aktenzeichen: str, sender: str) -> str:
    """A unique Message-ID naming the Aktenzeichen, in the sender's domain; without <>."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "buero-ticket.invalid"
    return f"bt.{aktenzeichen}.{secrets.token_hex(8)}@{domain}"  # short: the header stays on one line


def last_citizen_mail(vorgang: Vorgang) -> Nachricht | None:
    """The newest incoming, human e-mail of the Vorgang (the one we answer); a Stelle's answer is not it."""
    stellen = {w.adresse.lower() for w in vorgang.weiterleitungen if w.adresse}
    for nachricht in reversed(vorgang.nachrichten):
        if nachricht.richtung == "eingang" and nachricht.kanal == "email" and not nachricht.automatisch:
            if stellen and parseaddr(nachricht.von)[1].lower() in stellen:
                continue
            return nachricht
    return None


def recipient(vorgang: Vorgang) -> Recipient:
    """Reply-To (else From) of the citizen's last mail, with its threading ids; else the Vorgang's address."""
    last = last_citizen_mail(vorgang)
    if last is not None and vorgang.ordner is not None:
        found = _from_stored_mail(vorgang.ordner / NACHRICHTEN_DIR / last.datei, last)
        if found is not None:
            return found
    if vorgang.absender.email:
        return Recipient(vorgang.absender.name, vorgang.absender.email)
    raise EingabeFehler(
        f"Vorgang {vorgang.aktenzeichen} hat keine E-Mail-Adresse, an die die Antwort gehen könnte.",
        "Schreiben Sie einen Brief ('buero-ticket brief AKTENZEICHEN VORLAGE') oder rufen Sie zurück.",
    )


def _from_stored_mail(path: Path, nachricht: Nachricht) -> Recipient | None:
    name, address = parseaddr(nachricht.von)
    references: list[str] = []
    if path.suffix.lower() == ".eml" and path.is_file():
        parsed = parse_mail(path.read_bytes())
        references = parsed.references
        if parsed.reply_to and parsed.reply_to != parsed.from_email:
            name, address = "", parsed.reply_to
        elif parsed.from_email:
            name, address = parsed.from_name, parsed.from_email
    if not address:
        return None
    mid = nachricht.message_id
    chain = [*references, mid] if mid else references
    return Recipient(name, address, mid, list(dict.fromkeys(chain))[-MAX_REFERENCES:])


def build(mail: OutgoingMail, *, draft: bool = False) -> EmailMessage:
    """The EmailMessage; ``draft`` marks it unsent (Outlook opens such an .eml as a draft to send)."""
    msg = EmailMessage(policy=policy.SMTP)
    if mail.absender:  # a draft may lack it; sending requires it (smtp.smtp_config)
        msg["From"] = _address(*parseaddr(mail.absender))
    msg["To"] = _address(mail.to.name, mail.to.address)
    msg["Subject"] = " ".join(mail.betreff.split())
    msg["Date"] = format_datetime(system_clock())
    msg["Message-ID"] = f"<{mail.message_id}>"
    if mail.to.in_reply_to:
        msg["In-Reply-To"] = f"<{mail.to.in_reply_to}>"
    if mail.to.references:
        msg["References"] = " ".join(f"<{r}>" for r in mail.to.references)
    if mail.automatisch:
        for key, value in AUTO_HEADERS.items():
            msg[key] = value
    if draft:
        msg["X-Unsent"] = "1"
    msg.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    for name, data in mail.anlagen:
        maintype, _, subtype = (mimetypes.guess_type(name)[0] or "application/octet-stream").partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _address(name: str, addr: str) -> Address:
    """An address for a header: umlauts and specials in the name are encoded/quoted (RFC 2047/5322)."""
    local, _, domain = addr.rpartition("@")
    if not local:
        raise EingabeFehler(f"„{addr}“ ist keine gültige E-Mail-Adresse.", "Prüfen Sie die Adresse im Vorgang.")
    return Address(display_name=name, username=local, domain=domain)


def serialise(msg: EmailMessage) -> bytes:
    """The bytes that are sent and stored (CRLF line ends, 7-bit headers)."""
    return msg.as_bytes(policy=policy.SMTP)
