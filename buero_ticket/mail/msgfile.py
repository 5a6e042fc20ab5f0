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

from buero_ticket.errors import BueroTicketError, EingabeFehler, Exit, Schwere
from buero_ticket.mail.parse import (
    AttachmentCollector,
    AutoKind,
    Headers,
    ParsedMail,
    addresses,
    decode_text,
    detect_auto,
    fallback_name,
    fill_header_fields,
    html_to_text,
    message_ids,
)

if TYPE_CHECKING:
    from extract_msg.msg_classes import MessageBase

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIL_CLASSES = ("ipm.note", "report.")
_CLASS_NAMES = {
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
_INSTALL_HINT = 'Outlook-Dateien (.msg) brauchen das Zusatzpaket extract-msg: pip install "buero-ticket[outlook]"'
_HTML_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class MsgFehler(BueroTicketError):
    """A ``.msg`` file that cannot be read as a mail; the text is the German reason."""

    exit_code = Exit.PROBLEME
    schwere = Schwere.EINZELN
    beschreibung = "Die Outlook-Datei ist keine lesbare E-Mail."


class OutlookFehlt(EingabeFehler):
    """extract-msg (the ``outlook`` extra) is not installed."""

    beschreibung = "Die Outlook-Unterstützung ist auf diesem PC nicht installiert."


def _extract_msg() -> ModuleType:
    try:
        import extract_msg
    except ImportError as exc:
        raise OutlookFehlt(_INSTALL_HINT) from exc
    return extract_msg


def _read_bytes(data: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return Path(data).read_bytes()
    except OSError as exc:
        raise MsgFehler(f"Datei nicht lesbar: {exc}") from exc


def _ansi_charset(msg: MessageBase) -> str | None:
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


def _open(module: ModuleType, raw: bytes) -> MessageBase:
    if not raw.startswith(_OLE_SIGNATURE):
        raise MsgFehler("Keine Outlook-Datei (OLE-Kennung fehlt).")
    behavior = module.enums.ErrorBehavior
    options: dict[str, Any] = {
        "errorBehavior": behavior.ATTACH_SUPPRESS_ALL | behavior.RTFDE | behavior.STANDARDS_VIOLATION
    }
    try:
        msg: MessageBase = module.openMsg(raw, **options)
        if charset := _ansi_charset(msg):
            msg.close()
            msg = module.openMsg(raw, overrideEncoding=charset, **options)
    except Exception as exc:  # extract-msg and olefile raise many types for broken files
        raise MsgFehler(f"Outlook-Datei beschädigt oder unbekannt ({type(exc).__name__}: {exc}).") from exc
    return msg


def _check_class(msg: MessageBase) -> None:
    msg_class = (msg.classType or "").lower()
    if msg_class.startswith(_MAIL_CLASSES):
        return
    kind = next((n for k, n in _CLASS_NAMES.items() if msg_class.startswith(k)), "ein anderes Outlook-Element")
    raise MsgFehler(f"Keine E-Mail, sondern {kind} ({msg.classType}).")


def _transport_headers(msg: MessageBase, warnings: list[str]) -> Headers:
    text = msg.headerText or ""
    text = text.removeprefix("Microsoft Mail Internet Headers Version 2.0").lstrip()
    return Headers(HeaderParser(policy=compat32).parsestr(text).raw_items(), warnings)


def _text(value: str | None) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def _date(msg: MessageBase) -> datetime | None:
    value = msg.date or msg.receivedTime
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _fill_from_properties(mail: ParsedMail, msg: MessageBase) -> None:
    """Fill from the MAPI properties what the transport headers did not give."""
    mail.subject = mail.subject or _text(msg.subject)
    if not mail.from_email:
        for name, address in addresses([_text(msg.sender)], mail.warnungen)[:1]:
            if "@" in address:
                mail.from_name, mail.from_email = name, address
            else:  # Outlook sometimes stores only a display name
                mail.from_name = name or _text(msg.sender)
    if not (mail.to or mail.cc):
        for recipient in msg.recipients:
            target = {1: mail.to, 2: mail.cc}.get(int(recipient.type or 0))  # RecipientType.TO, .CC
            if target is not None and recipient.email:
                target.append(recipient.email.strip().lower())
    mail.date = mail.date or _date(msg)
    mail.message_id = mail.message_id or "".join(message_ids(msg.messageId or "")[:1])
    mail.in_reply_to = mail.in_reply_to or message_ids(msg.inReplyTo or "")
    mail.references = mail.references or message_ids(msg.getStringStream("__substg1.0_1039") or "")


def _body(msg: MessageBase, mail: ParsedMail, collector: AttachmentCollector) -> str:
    text = (msg.body or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if text:
        return text
    rtf_in_sync = msg.sExists("__substg1.0_1000") and msg.getPropertyVal("0E1F000B") is True
    if rtf_in_sync and not msg.exists("__substg1.0_10130102"):
        return ""  # the RTF says what the (blank) plain text says; de-encapsulating costs ~1.5 s
    html = msg.htmlBody  # the HTML stream, or HTML de-encapsulated from the RTF body
    if html:
        charset_match = _HTML_CHARSET.search(html[:4096])
        name = charset_match.group(1).decode("ascii") if charset_match else None
        return html_to_text(decode_text(html, name, mail.warnungen)).strip()
    if msg.rtfBody:
        collector.add("Nachrichtentext.rtf", msg.rtfBody, "application/rtf")
        mail.warnungen.append("Nachrichtentext nur als RTF vorhanden; als Anlage „Nachrichtentext.rtf“ abgelegt.")
    return ""


def _add_attachment(att: Any, collector: AttachmentCollector) -> None:
    data = att.data
    if isinstance(data, bytes):
        ctype = getattr(att, "mimetype", None) or ""
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
        name = name or getattr(att, "displayName", None) or getattr(att, "name", None)
        ctype = ctype or mimetypes.guess_type(name or "", strict=False)[0] or "application/octet-stream"
        cid = (getattr(att, "contentId", None) or "").strip().strip("<>")
        inline = bool(getattr(att, "hidden", False))
        collector.add(name or fallback_name(ctype), data, ctype, inline=inline, content_id=cid)
    elif hasattr(data, "exportBytes"):  # an embedded Outlook item
        title = _text(data.subject) or _text(getattr(att, "displayName", "")) or "Eingebettete Nachricht"
        title = title.replace("/", "_").replace("\\", "_")
        collector.add(f"{title}.msg", data.exportBytes(), "application/vnd.ms-outlook")
    else:
        kind = getattr(getattr(att, "type", None), "name", "?")
        raise ValueError(f"Anlagenart {kind} ohne Inhalt")


def _add_attachments(msg: MessageBase, mail: ParsedMail, collector: AttachmentCollector) -> None:
    for att in msg.attachments:
        try:
            _add_attachment(att, collector)
        except Exception as exc:  # one broken attachment must not cost the whole mail
            name = getattr(att, "longFilename", None) or getattr(att, "displayName", None) or "?"
            mail.warnungen.append(f"Anlage „{name}“ nicht lesbar ({exc}).")


def _auto(msg: MessageBase, headers: Headers, from_email: str) -> tuple[AutoKind, str]:
    msg_class = msg.classType or ""
    lowered = msg_class.lower()
    if lowered.startswith("report.") and lowered.endswith(".ndr"):
        return AutoKind.BOUNCE, f"Unzustellbarkeitsmeldung (Outlook {msg_class})"
    if lowered.startswith("report."):
        return AutoKind.AUTOREPLY, f"Automatischer Bericht (Outlook {msg_class})"
    if lowered.startswith("ipm.note.rules.oof"):
        return AutoKind.AUTOREPLY, f"Abwesenheitsnotiz (Outlook {msg_class})"
    return detect_auto(headers, from_email)


def _fill(mail: ParsedMail, msg: MessageBase) -> None:
    headers = _transport_headers(msg, mail.warnungen)
    fill_header_fields(mail, headers)
    _fill_from_properties(mail, msg)
    collector = AttachmentCollector()
    mail.body_text = _body(msg, mail, collector)
    _add_attachments(msg, mail, collector)
    mail.attachments = collector.attachments
    mail.auto, mail.auto_grund = _auto(msg, headers, mail.from_email)
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
    raw = _read_bytes(data)
    module = _extract_msg()
    mail = ParsedMail(raw=raw, sha256=hashlib.sha256(raw).hexdigest())
    msg = _open(module, raw)
    try:
        _check_class(msg)
        _fill(mail, msg)
    except MsgFehler:
        raise
    except Exception as exc:  # a broken property stream surfaces only when it is read
        raise MsgFehler(f"Outlook-Datei beschädigt ({type(exc).__name__}: {exc}).") from exc
    finally:
        msg.close()
    mail.warnungen = list(dict.fromkeys(mail.warnungen))
    return mail
