"""Outlook ``.msg`` files (dragged from Outlook into the intake folder) as :class:`ParsedMail`.

Reading them needs extract-msg (GPL-3.0), the optional extra
``pip install "buero-ticket[outlook]"``; it is imported only when a ``.msg`` file
is read. Without it :class:`OutlookFehlt` (an ``ImportError``) says what to
install; the file is not damaged, so it must not be quarantined.

Decisions, with reasons:

* **Only mail items.** ``IPM.Note`` (with variants such as ``IPM.Note.SMIME``)
  and ``REPORT.*`` (delivery and read reports) are read. Appointments, contacts,
  tasks and notes raise :class:`MsgFehler`: they are no requests, a person
  should look at them.
* **Headers:** the transport headers of a received mail are read like those of
  an ``.eml`` (same decoding, same auto-reply rules); MAPI properties fill what
  they lack (sent items and drafts have no transport headers).
* **Body:** plain text, else HTML converted with inscriptis (extract-msg
  de-encapsulates RTF for both). A body that exists only as non-encapsulated RTF
  becomes the attachment ``Nachrichtentext.rtf`` with a warning.
* **Embedded Outlook items** (msg in msg) are stored as standalone ``.msg`` files
  named after their subject (extract-msg's ``exportBytes``): Outlook opens them
  on every clerk's PC and nothing is lost, whereas a conversion to ``.eml`` would
  drop properties and inline parts.
* ``ParsedMail.raw`` holds the ``.msg`` bytes.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from datetime import UTC, datetime
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from buero_ticket.mail.parse import (
    Anlagensammlung,
    AutoKind,
    Kopf,
    ParsedMail,
    adressen,
    decode_text,
    erkenne_auto,
    ersatzname,
    fuelle_kopfdaten,
    html_to_text,
    message_ids,
)

if TYPE_CHECKING:
    from extract_msg.msg_classes import MessageBase

_OLE_KENNUNG = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_KLASSEN = ("ipm.note", "report.")
_KLASSEN_NAMEN = {
    "ipm.appointment": "ein Termin",
    "ipm.schedule": "eine Besprechungsanfrage",
    "ipm.contact": "ein Kontakt",
    "ipm.distlist": "eine Verteilerliste",
    "ipm.stickynote": "eine Notiz",
    "ipm.task": "eine Aufgabe",
    "ipm.activity": "ein Journaleintrag",
    "ipm.post": "ein Bereitstellungselement",
}
#: Internet codepages (PR_INTERNET_CPID) → the Windows ANSI codepage the strings are stored in.
_ANSI_CODEPAGES = {
    874: "cp874",
    932: "cp932",
    936: "gbk",
    949: "cp949",
    950: "cp950",
    20866: "cp1251",
    20932: "cp932",
    21866: "cp1251",
    28592: "cp1250",
    28595: "cp1251",
    28597: "cp1253",
    50220: "cp932",
    50221: "cp932",
    50222: "cp932",
    51932: "cp932",
    51949: "cp949",
    52936: "gbk",
}
_INSTALLIEREN = 'Outlook-Dateien (.msg) brauchen das Zusatzpaket extract-msg: pip install "buero-ticket[outlook]"'
_HTML_ZEICHENSATZ = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class MsgFehler(Exception):
    """A ``.msg`` file that cannot be read as a mail; the text is the German reason."""


class OutlookFehlt(ImportError):
    """extract-msg (the ``outlook`` extra) is not installed."""


def _extract_msg() -> ModuleType:
    try:
        import extract_msg
    except ImportError as exc:
        raise OutlookFehlt(_INSTALLIEREN) from exc
    return extract_msg


def _lies(data: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return Path(data).read_bytes()
    except OSError as exc:
        raise MsgFehler(f"Datei nicht lesbar: {exc}") from exc


def _ansi_zeichensatz(msg: MessageBase) -> str | None:
    """For an ANSI (non-Unicode) file without PR_MESSAGE_CODEPAGE: the Windows codepage to read it in.

    extract-msg falls back to ISO-8859-15, which turns Windows-1252 quotes („“) into
    control characters; the internet codepage (PR_INTERNET_CPID) is a better hint.
    """
    if msg.areStringsUnicode or "3FFD0003" in msg.props:
        return None
    cpid = msg.getPropertyVal("3FDE0003")
    if not isinstance(cpid, int):
        return "cp1252"
    if 1250 <= cpid <= 1258:
        return f"cp{cpid}"
    return _ANSI_CODEPAGES.get(cpid, "cp1252")


def _oeffne(modul: ModuleType, roh: bytes) -> MessageBase:
    if not roh.startswith(_OLE_KENNUNG):
        raise MsgFehler("Keine Outlook-Datei (OLE-Kennung fehlt).")
    verhalten = modul.enums.ErrorBehavior
    optionen: dict[str, Any] = {
        "errorBehavior": verhalten.ATTACH_SUPPRESS_ALL | verhalten.RTFDE | verhalten.STANDARDS_VIOLATION
    }
    try:
        msg: MessageBase = modul.openMsg(roh, **optionen)
        if zeichensatz := _ansi_zeichensatz(msg):
            msg.close()
            msg = modul.openMsg(roh, overrideEncoding=zeichensatz, **optionen)
    except Exception as exc:  # extract-msg and olefile raise many types for broken files
        raise MsgFehler(f"Outlook-Datei beschädigt oder unbekannt ({type(exc).__name__}: {exc}).") from exc
    return msg


def _pruefe_klasse(msg: MessageBase) -> None:
    klasse = (msg.classType or "").lower()
    if klasse.startswith(_MAIL_KLASSEN):
        return
    art = next((n for k, n in _KLASSEN_NAMEN.items() if klasse.startswith(k)), "ein anderes Outlook-Element")
    raise MsgFehler(f"Keine E-Mail, sondern {art} ({msg.classType}).")


def _transportkopf(msg: MessageBase, warnungen: list[str]) -> Kopf:
    text = msg.headerText or ""
    text = text.removeprefix("Microsoft Mail Internet Headers Version 2.0").lstrip()
    return Kopf(HeaderParser(policy=compat32).parsestr(text).raw_items(), warnungen)


def _text(wert: str | None) -> str:
    return " ".join((wert or "").replace("\x00", "").split())


def _datum(msg: MessageBase) -> datetime | None:
    datum = msg.date or msg.receivedTime
    if isinstance(datum, datetime):
        return datum if datum.tzinfo else datum.replace(tzinfo=UTC)
    return None


def _eigenschaften(mail: ParsedMail, msg: MessageBase) -> None:
    """Fill from the MAPI properties what the transport headers did not give."""
    mail.subject = mail.subject or _text(msg.subject)
    if not mail.from_email:
        for name, adresse in adressen([_text(msg.sender)], mail.warnungen)[:1]:
            if "@" in adresse:
                mail.from_name, mail.from_email = name, adresse
            else:  # Outlook sometimes stores only a display name
                mail.from_name = name or _text(msg.sender)
    if not (mail.to or mail.cc):
        for empfaenger in msg.recipients:
            ziel = {1: mail.to, 2: mail.cc}.get(int(empfaenger.type or 0))  # RecipientType.TO, .CC
            if ziel is not None and empfaenger.email:
                ziel.append(empfaenger.email.strip().lower())
    mail.date = mail.date or _datum(msg)
    mail.message_id = mail.message_id or "".join(message_ids(msg.messageId or "")[:1])
    mail.in_reply_to = mail.in_reply_to or message_ids(msg.inReplyTo or "")
    mail.references = mail.references or message_ids(msg.getStringStream("__substg1.0_1039") or "")


def _body(msg: MessageBase, mail: ParsedMail, sammlung: Anlagensammlung) -> str:
    text = (msg.body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if text:
        return text
    rtf_synchron = msg.sExists("__substg1.0_1000") and msg.getPropertyVal("0E1F000B") is True
    if rtf_synchron and not msg.exists("__substg1.0_10130102"):
        return ""  # the RTF says what the (blank) plain text says; de-encapsulating costs ~1.5 s
    html = msg.htmlBody  # the HTML stream, or HTML de-encapsulated from the RTF body
    if html:
        zeichensatz = _HTML_ZEICHENSATZ.search(html[:4096])
        name = zeichensatz.group(1).decode("ascii") if zeichensatz else None
        return html_to_text(decode_text(html, name, mail.warnungen)).strip()
    if msg.rtfBody:
        sammlung.hinzu("Nachrichtentext.rtf", msg.rtfBody, "application/rtf")
        mail.warnungen.append("Nachrichtentext nur als RTF vorhanden; als Anlage „Nachrichtentext.rtf“ abgelegt.")
    return ""


def _anlage(att: Any, sammlung: Anlagensammlung) -> None:
    daten = att.data
    if isinstance(daten, bytes):
        typ = getattr(att, "mimetype", None) or ""
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
        name = name or getattr(att, "displayName", None) or getattr(att, "name", None)
        typ = typ or mimetypes.guess_type(name or "", strict=False)[0] or "application/octet-stream"
        cid = (getattr(att, "contentId", None) or "").strip().strip("<>")
        inline = bool(getattr(att, "hidden", False))
        sammlung.hinzu(name or ersatzname(typ), daten, typ, inline=inline, content_id=cid)
    elif hasattr(daten, "exportBytes"):  # an embedded Outlook item
        titel = _text(daten.subject) or _text(getattr(att, "displayName", "")) or "Eingebettete Nachricht"
        titel = titel.replace("/", "_").replace("\\", "_")
        sammlung.hinzu(f"{titel}.msg", daten.exportBytes(), "application/vnd.ms-outlook")
    else:
        art = getattr(getattr(att, "type", None), "name", "?")
        raise ValueError(f"Anlagenart {art} ohne Inhalt")


def _anlagen(msg: MessageBase, mail: ParsedMail, sammlung: Anlagensammlung) -> None:
    for att in msg.attachments:
        try:
            _anlage(att, sammlung)
        except Exception as exc:  # one broken attachment must not cost the whole mail
            name = getattr(att, "longFilename", None) or getattr(att, "displayName", None) or "?"
            mail.warnungen.append(f"Anlage „{name}“ nicht lesbar ({exc}).")


def _auto(msg: MessageBase, kopf: Kopf, from_email: str) -> tuple[AutoKind, str]:
    klasse = msg.classType or ""
    klein = klasse.lower()
    if klein.startswith("report.") and klein.endswith(".ndr"):
        return AutoKind.BOUNCE, f"Unzustellbarkeitsmeldung (Outlook {klasse})"
    if klein.startswith("report."):
        return AutoKind.AUTOREPLY, f"Automatischer Bericht (Outlook {klasse})"
    if klein.startswith("ipm.note.rules.oof"):
        return AutoKind.AUTOREPLY, f"Abwesenheitsnotiz (Outlook {klasse})"
    return erkenne_auto(kopf, from_email)


def _fuelle(mail: ParsedMail, msg: MessageBase) -> None:
    kopf = _transportkopf(msg, mail.warnungen)
    fuelle_kopfdaten(mail, kopf)
    _eigenschaften(mail, msg)
    sammlung = Anlagensammlung()
    mail.body_text = _body(msg, mail, sammlung)
    _anlagen(msg, mail, sammlung)
    mail.attachments = sammlung.anlagen
    mail.auto, mail.auto_grund = _auto(msg, kopf, mail.from_email)
    if not msg.areStringsUnicode:
        mail.warnungen.append(
            f"Outlook-Datei im alten ANSI-Format, als {msg.stringEncoding} gelesen; Sonderzeichen prüfen."
        )
    if not (mail.body_text or mail.attachments):
        mail.warnungen.append("Nachricht ohne Text und ohne Anlagen.")


def parse_msg(data: bytes | str | os.PathLike[str]) -> ParsedMail:
    """Read an Outlook ``.msg`` file (its bytes or its path).

    Raises :class:`MsgFehler` with a German reason for unreadable, corrupt or
    non-mail files (the caller quarantines them) and :class:`OutlookFehlt` when
    extract-msg is not installed.
    """
    roh = _lies(data)
    modul = _extract_msg()
    mail = ParsedMail(raw=roh, sha256=hashlib.sha256(roh).hexdigest())
    msg = _oeffne(modul, roh)
    try:
        _pruefe_klasse(msg)
        _fuelle(mail, msg)
    except MsgFehler:
        raise
    except Exception as exc:  # a broken property stream surfaces only when it is read
        raise MsgFehler(f"Outlook-Datei beschädigt ({type(exc).__name__}: {exc}).") from exc
    finally:
        msg.close()
    mail.warnungen = list(dict.fromkeys(mail.warnungen))
    return mail
