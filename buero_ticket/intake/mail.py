"""Mails to Vorgänge: duplicate check, threading, automatic mail, reopening.

Every mail source (IMAP, ``.eml``/mbox files, Outlook ``.msg`` from the Einwurf)
hands raw bytes or a parsed mail to :meth:`MailImporter.import_mail`, which
builds an :class:`~buero_ticket.intake.Incoming` and calls the one
:func:`~buero_ticket.intake.accept`.

Order of work, so nothing is lost: under the import lock, (1) look the mail up
by its keys in the ledger and in the cache of all stored messages; (2) write the
Vorgang (fsync); (3) record the keys in the ledger. The caller moves the mail on
the server only after this returned. A crash between (2) and (3) is harmless: the
cache finds the stored message on the next run.

**When a mail counts as "bereits importiert"** (a duplicate, not stored again):

* the same IMAP message: same UIDVALIDITY and UID of the same mailbox, or
* the same content: the raw bytes are equal once the transport headers are removed
  (``Received``, ``Return-Path``, ``Delivered-To``, ``X-Original-To`` and the other
  headers servers add on the way, see :data:`TRANSPORT_HEADERS`) and line endings
  are unified; e.g. one mail sent to two of our addresses.

A Message-ID alone proves nothing (contact forms and broken mailers reuse them, a
corrected resend keeps it). A mail with the same *fingerprint* (Message-ID, sender,
subject, date) as a stored one but other content is therefore stored too: in the
Vorgang of the first one, as its own message, with a history line saying so.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BueroTicketError, DatenFehler, EingabeFehler, Schwere, translate
from ..fileio import atomic_write_text
from ..index import Index
from ..mail.parse import AutoKind, ParsedMail, document_kind, empty_reason, iter_mbox, parse_mail
from ..mengen import anzahl
from ..models import Absender, Incoming, Kanal, Vorgang
from ..operations import vorgang as ops
from ..operations.context import Context
from ..quarantaene import quarantine
from ..store import NACHRICHTEN_DIR, Store

if TYPE_CHECKING:
    from ..antwort.bestaetigung import Pauses

TAG_RE = re.compile(r"\[(?:Az\.?\s*)?((?:[A-Za-z0-9]{1,8}-)?\d{4}-\d{5,7}-\d)\]")
AUTO_FOLDER = "Automatische Mails"


class KeineMailDatei(EingabeFehler):
    """``mail einlesen`` was given a document, not a mail: nothing is read, the file stays where it is."""

    beschreibung = "Die Datei ist keine E-Mail."


class KeineMail(BueroTicketError):
    """Bytes that are no mail at all (empty, NUL bytes, no mail headers): they go to quarantine."""

    schwere = Schwere.EINZELN
    beschreibung = "Der Inhalt ist keine E-Mail (leer oder ohne Kopfzeilen)."


class ImportKind(StrEnum):
    """What the import did with one mail."""

    NEU = "neu"  # a new Vorgang
    FOLGE = "folge"  # added to an existing Vorgang (reply, further version)
    AUTOMATISCH = "automatisch"  # auto-reply or bounce: a note on its Vorgang, or quarantine
    DOPPELT = "doppelt"  # already imported
    QUARANTAENE = "quarantaene"  # set aside with its reason


@dataclass(frozen=True)
class ImportResult:
    kind: ImportKind
    aktenzeichen: str = ""
    reason: str = ""
    path: Path | None = None


@dataclass
class ImportCounts:
    """Counts for the German summary line."""

    by_kind: Counter[ImportKind] = field(default_factory=Counter)
    aktenzeichen: list[str] = field(default_factory=list)

    def add(self, result: ImportResult) -> None:
        self.by_kind[result.kind] += 1
        if result.aktenzeichen:
            self.aktenzeichen.append(result.aktenzeichen)

    def merge(self, other: ImportCounts) -> None:
        self.by_kind.update(other.by_kind)
        self.aktenzeichen += other.aktenzeichen

    @property
    def neu(self) -> int:
        return self.by_kind[ImportKind.NEU]

    @property
    def folge(self) -> int:
        return self.by_kind[ImportKind.FOLGE]

    @property
    def automatisch(self) -> int:
        return self.by_kind[ImportKind.AUTOMATISCH]

    @property
    def doppelt(self) -> int:
        return self.by_kind[ImportKind.DOPPELT]

    @property
    def fehler(self) -> int:
        return self.by_kind[ImportKind.QUARANTAENE]

    def summary_line(self) -> str:
        return (
            f"{anzahl(self.neu, 'neuer Vorgang', 'neue Vorgänge')}, "
            f"{anzahl(self.folge, 'Antwort', 'Antworten')} zugeordnet, "
            f"{anzahl(self.automatisch, 'automatische Mail', 'automatische Mails')} "
            "(Abwesenheitsnotizen/Unzustellbar), "
            f"{self.doppelt} bereits importiert, {self.fehler} Fehler"
        )


def fingerprint(parsed: ParsedMail) -> str:
    """Same Message-ID, sender, subject and date: the same mail (e.g. sent to two of our addresses)."""
    if not parsed.message_id:
        return ""
    date = parsed.date.isoformat() if parsed.date else ""
    text = "\n".join([parsed.message_id.lower(), parsed.from_email.lower(), parsed.subject, date])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


#: Headers mail servers add or change on the way; removed before two mails are compared.
TRANSPORT_HEADERS = frozenset(
    {
        "received", "return-path", "delivered-to", "x-original-to", "x-delivered-to", "envelope-to",
        "x-envelope-from", "x-envelope-to", "x-rcpt-to", "x-received", "received-spf", "authentication-results",
        "x-greylist", "x-forefront-antispam-report", "x-originating-ip", "status", "x-status", "x-uid",
        "x-keywords", "lines", "content-length", "x-imapbase",
    }
)  # fmt: skip
TRANSPORT_PREFIXES = ("arc-", "x-spam", "x-virus", "x-ms-exchange-organization-", "x-microsoft-antispam")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def content_key(raw: bytes) -> str:
    """sha256 of the mail without transport headers and with unified line endings (see module docstring).

    The body is hashed in slices, so a large mail is not copied.
    """
    end = _HEADER_END.search(raw)
    head_end, body_start = (end.start(), end.end()) if end else (len(raw), len(raw))
    kept: list[bytes] = []
    dropping = False
    for line in raw[:head_end].replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the header before
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        dropping = name in TRANSPORT_HEADERS or name.startswith(TRANSPORT_PREFIXES)
        if not dropping:
            kept.append(line)
    digest = hashlib.sha256(b"\n".join(kept) + b"\n\n")
    body = memoryview(raw)[body_start:]
    pos, step = 0, 1 << 20
    while pos < len(body):
        stop = min(pos + step, len(body))
        if stop < len(body) and body[stop - 1] == 13:  # never split a CRLF
            stop += 1
        digest.update(bytes(body[pos:stop]).replace(b"\r\n", b"\n"))
        pos = stop
    return digest.hexdigest()


def message_keys(parsed: ParsedMail, uid_key: str = "") -> list[str]:
    """Keys that mark a mail as already imported: same content, same raw bytes, same IMAP UID.

    The fingerprint is no such key (see the module docstring); :meth:`MailImporter._same_fingerprint` uses it.
    """
    keys = [f"inhalt:{content_key(parsed.raw)}", f"sha:{parsed.sha256}"]
    if uid_key:
        keys.append(f"uid:{uid_key}")
    return keys


class MailImporter:
    """Imports mails into one Ablage. Create one per run; call ``index.refresh()`` before."""

    def __init__(self, store: Store, index: Index, *, quarantaene_dir: Path | None = None) -> None:
        self.store = store
        self.index = index
        self.quarantaene_dir = quarantaene_dir or store.ablage.quarantaene_dir
        self.config = store.ablage.config
        self.ctx = Context.of(store)
        self.ledger = store.ablage.state_dir / "importiert"
        self._seen: dict[str, str] = {}  # keys imported during this run -> Aktenzeichen
        self._ack_pauses: Pauses | None = None  # the acknowledgement's memory of failed servers, for this run

    # -- public ------------------------------------------------------------------------------
    def import_raw(self, raw: bytes, source: str, uid_key: str = "", note: str = "") -> ImportResult:
        return self.import_mail(parse_mail(raw), source, uid_key=uid_key, note=note)

    def import_mail(
        self,
        parsed: ParsedMail,
        source: str,
        *,
        uid_key: str = "",
        original_ext: str = "eml",
        note: str = "",
        aktenzeichen: str = "",
    ) -> ImportResult:
        """File one mail. Never raises for bad mail content: failures become quarantine entries.

        ``aktenzeichen``: the Vorgang the mail explicitly belongs to (a clerk dropped it there).
        """
        with self.store.named_lock("mailimport", "Der Mailimport (Liste der eingelesenen Mails)", timeout=120):
            keys = message_keys(parsed, uid_key)
            known = self._lookup(keys)
            fp = fingerprint(parsed)
            sibling = self._same_fingerprint(fp, parsed) if known is None and fp else None
            if sibling is not None and sibling[1]:
                known = sibling[0]  # a stored message with this fingerprint has the same content
            if known is not None:
                self._remember(keys, known, source)  # e.g. the UID of a copy of a stored mail
                return ImportResult(ImportKind.DOPPELT, known, "bereits importiert")
            try:
                if sibling is not None:  # same fingerprint, other content: its own message in that Vorgang
                    result = self._file_variant(parsed, source, original_ext, note, sibling[0])
                else:
                    result = self._file(parsed, source, original_ext, note, aktenzeichen)
            except BueroTicketError as exc:
                meldung = translate(exc)
                if not meldung.einzeln:
                    raise  # the Ablage, not this mail: stop, the mail stays where it is
                reason = meldung.fuer_eintrag()[0]
                path = quarantine(self.quarantaene_dir, parsed.raw, original_ext, parsed.subject, reason, source)
                result = ImportResult(ImportKind.QUARANTAENE, reason=reason, path=path)
            self._remember(keys, result.aktenzeichen or (str(result.path) if result.path else "?"), source)
            if fp and result.aktenzeichen:
                self._remember([f"fp:{fp}"], result.aktenzeichen, source)
            if result.aktenzeichen and parsed.message_id:
                self._seen[f"mid:{parsed.message_id.lower()}"] = result.aktenzeichen  # for replies in this run
            return result

    def import_file(self, path: Path, aktenzeichen: str = "") -> Iterator[ImportResult]:
        """One file → one or more imported mails: ``.eml``, mbox (also with BOM), Outlook ``.msg``.

        A missing Outlook extra raises EingabeFehler and leaves the file alone; an unreadable
        ``.msg`` becomes a quarantine entry.
        """
        suffix = path.suffix.lower()
        source = f"Datei {path.name}"
        ensure_mail_file(path)
        if suffix in (".mbox", ".mbx") or _looks_like_mbox(path):
            count = 0
            for count, raw in enumerate(iter_mbox(path), 1):
                yield self.import_mail(parse_mail(raw), f"{source}, Nachricht {count}", aktenzeichen=aktenzeichen)
            if count == 0:  # an empty mbox says so (and is kept, with the reason, like any unreadable mail)
                data = path.read_bytes()
                reason = f"Keine E-Mail in der mbox-Datei gefunden ({empty_reason(data) or 'keine Nachricht'})."
                stored = quarantine(self.quarantaene_dir, data, "mbox", path.stem, reason, source)
                yield ImportResult(ImportKind.QUARANTAENE, reason=reason, path=stored)
        elif suffix == ".msg":
            from ..mail.msgfile import MsgFehler, OutlookFehlt, parse_msg

            data = path.read_bytes()
            try:
                parsed = parse_msg(data)
            except OutlookFehlt as exc:  # nothing wrong with the file: it stays where it is
                raise EingabeFehler(str(exc), f"{path} wurde nicht verändert.") from None
            except MsgFehler as exc:
                stored = quarantine(self.quarantaene_dir, data, "msg", path.stem, str(exc), source)
                yield ImportResult(ImportKind.QUARANTAENE, reason=str(exc), path=stored)
                return
            yield self.import_mail(parsed, source, original_ext="msg", aktenzeichen=aktenzeichen)
        else:
            yield self.import_mail(parse_mail(path.read_bytes()), source, aktenzeichen=aktenzeichen)

    # -- duplicate detection -----------------------------------------------------------------
    def _ledger_path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self.ledger / digest[:2] / f"{digest}.txt"

    def _lookup(self, keys: list[str]) -> str | None:
        for key in keys:
            if key in self._seen:
                return self._seen[key]
            try:
                return self._ledger_path(key).read_text(encoding="utf-8").split("\t", 1)[0]
            except FileNotFoundError:
                pass
            if not key.startswith("uid:"):
                az = self.index.find_key(key)
                if az:
                    return az
        return None

    def _same_fingerprint(self, fp: str, parsed: ParsedMail) -> tuple[str, bool] | None:
        """(Vorgang, same content?) for a stored message with fingerprint ``fp``; None if there is none."""
        az = self._lookup([f"fp:{fp}"])
        if az is None:
            return None
        try:
            vorgang = self.store.get(az)
        except BueroTicketError:  # a quarantine entry or a Vorgang that is gone: nothing to add to
            return None
        wanted = content_key(parsed.raw)
        for n in vorgang.nachrichten:
            if n.fingerabdruck != fp or vorgang.ordner is None:
                continue
            try:
                stored = (vorgang.ordner / NACHRICHTEN_DIR / n.datei).read_bytes()
            except OSError:
                continue
            if content_key(stored) == wanted:
                return vorgang.aktenzeichen, True
        return vorgang.aktenzeichen, False

    def _file_variant(self, parsed: ParsedMail, source: str, original_ext: str, note: str, az: str) -> ImportResult:
        """A mail with the fingerprint of a stored one but other content: its own message in the same Vorgang."""
        item = incoming_from_mail(parsed, source, self.store.clock(), original_ext)
        if note:
            item.hinweis = f"{note}; {item.hinweis}" if item.hinweis else note
        item.automatisch = parsed.auto is not AutoKind.MENSCH
        details = (
            f"E-Mail von {item.absender.display() or 'unbekannt'} ({source}) mit derselben Message-ID, demselben "
            "Absender, Betreff und Datum wie eine schon gespeicherte Nachricht, aber anderem Inhalt; als eigene "
            "Nachricht abgelegt. Bitte beide Fassungen vergleichen."
        )
        ops.add_message(self.ctx, az, item, action="Weitere Fassung einer Nachricht", details=details)
        return ImportResult(ImportKind.FOLGE, az, "gleiche Message-ID, anderer Inhalt: als weitere Fassung abgelegt")

    def _remember(self, keys: list[str], target: str, source: str) -> None:
        line = f"{target}\t{self.store.clock().isoformat()}\t{source}\n"
        for key in keys:
            self._seen[key] = target
            path = self._ledger_path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, line, durable=False)  # the Vorgang itself is the durable record

    # -- deciding where it goes --------------------------------------------------------------
    def _file(self, parsed: ParsedMail, source: str, original_ext: str, note: str, wanted: str) -> ImportResult:
        if parsed.keine_mail:
            raise KeineMail(f"Nicht eingelesen: {parsed.keine_mail}.")
        ctx = self.ctx
        item = incoming_from_mail(parsed, source, self.store.clock(), original_ext)
        if note:
            item.hinweis = f"{note}; {item.hinweis}" if item.hinweis else note
        target, link = (str(self.store.get(wanted).aktenzeichen), None) if wanted else self._thread(parsed)
        if parsed.auto is not AutoKind.MENSCH:
            return self._file_automatic(parsed, item, target or link, source, original_ext)
        if target is None:
            item.verknuepft = [link] if link else []
            vorgang = ops.create(ctx, item)
            if self.config.smtp.eingangsbestaetigung:  # templates and docx only when it is on
                from ..antwort.bestaetigung import Pauses
                from ..operations.antwort import acknowledge

                self._ack_pauses = self._ack_pauses or Pauses()
                acknowledge(ctx, vorgang, parsed, pauses=self._ack_pauses)  # never raises
            return ImportResult(ImportKind.NEU, vorgang.aktenzeichen)
        vorgang = self.store.get(target)
        if vorgang.status.is_open:
            return ImportResult(ImportKind.FOLGE, ops.add_message(ctx, target, item).aktenzeichen)
        if ops.may_reopen(ctx, vorgang):
            ops.add_message(ctx, target, item, reopen_grund="wieder geöffnet durch Antwort")  # one change
            return ImportResult(ImportKind.FOLGE, target, "wieder geöffnet")
        item.verknuepft = [target]
        vorgang = ops.create(ctx, item)
        return ImportResult(ImportKind.NEU, vorgang.aktenzeichen, f"Antwort auf abgeschlossenen Vorgang {target}")

    def _file_automatic(
        self, parsed: ParsedMail, item: Incoming, target: str | None, source: str, original_ext: str
    ) -> ImportResult:
        """Auto-replies and bounces: a note on their Vorgang; never reopen, never a new Vorgang."""
        item.automatisch = True
        if target is not None and self.config.imap.automatische_mails == "notiz":
            ops.add_message(self.ctx, target, item)
            return ImportResult(ImportKind.AUTOMATISCH, target, parsed.auto_grund)
        reason = f"{parsed.auto_grund or 'Automatische Mail'}; kein zugehöriger Vorgang gefunden"
        path = quarantine(
            self.quarantaene_dir, parsed.raw, original_ext, parsed.subject, reason, source, subfolder=AUTO_FOLDER
        )
        return ImportResult(ImportKind.AUTOMATISCH, reason=reason, path=path)

    def _thread(self, parsed: ParsedMail) -> tuple[str | None, str | None]:
        """(Vorgang to add to, Vorgang to link a new one to)."""
        for mid in [*parsed.in_reply_to, *reversed(parsed.references)]:
            az = self._seen.get(f"mid:{mid.lower()}") or self.index.find_key(f"mid:{mid.lower()}")
            if az:
                return az, None
        match = TAG_RE.search(parsed.subject or "")
        if not match:
            return None, None
        try:
            vorgang = self.store.get(match.group(1))
        except BueroTicketError as exc:
            damage = self.index.damage(match.group(1).upper())
            if damage:  # a reply to a damaged Vorgang: quarantine, never silently a new Vorgang
                raise DatenFehler(
                    f"Antwort auf Vorgang {match.group(1)}, der beschädigt ist ({damage}).",
                    "Reparieren Sie den Vorgang (siehe 'buero-ticket pruefen') und legen Sie die Mail dann aus "
                    "der Quarantäne in den Einwurf-Ordner des Vorgangs.",
                ) from exc
            return None, None
        if parsed.from_email and parsed.from_email.lower() in _addresses(vorgang):
            return vorgang.aktenzeichen, None
        return None, vorgang.aktenzeichen  # unknown sender: new Vorgang, linked


def ensure_mail_file(path: Path) -> None:
    """Refuse a document (PDF, Word, image …) given as a mail file: KeineMailDatei, the file is not touched."""
    if path.suffix.lower() == ".msg":
        return  # an Outlook file is an OLE document itself; parse_msg judges it
    with open(path, "rb") as fh:
        kind = document_kind(fh.read(16))
    if kind:
        raise KeineMailDatei(
            f"{path.name} ist keine E-Mail, sondern {kind}; nichts eingelesen.",
            "Dokumente (Scans, PDFs, Word-Dateien) legen Sie in den Ordner '0 Einwurf' (oder "
            "'0 Einwurf\\<Aktenzeichen>' für einen bestehenden Vorgang); 'buero-ticket beobachten' macht daraus "
            f"einen Vorgang. {path} wurde nicht verändert.",
        )


def _looks_like_mbox(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(8).removeprefix(b"\xef\xbb\xbf").startswith(b"From ")


def _addresses(vorgang: Vorgang) -> set[str]:
    found = {vorgang.absender.email.lower()} if vorgang.absender.email else set()
    for n in vorgang.nachrichten:
        if n.richtung == "eingang":
            addr = parseaddr(n.von)[1].lower()
            if addr:
                found.add(addr)
    found |= {w.adresse.lower() for w in vorgang.weiterleitungen if w.adresse}  # a Stelle it was forwarded to
    return found


def incoming_from_mail(parsed: ParsedMail, source: str, now: datetime, original_ext: str = "eml") -> Incoming:
    """The one intake item of a mail; ``now`` (the store's clock) stands in for an implausible Date header."""
    hints = list(parsed.warnungen)
    return Incoming(
        kanal=Kanal.EMAIL,
        betreff=parsed.subject.strip() or "(ohne Betreff)",
        absender=Absender(parsed.from_name, parsed.from_email),
        zeit=_when(parsed.date, now),
        text=parsed.body_text,
        original=(original_ext, parsed.raw),
        anlagen=[(a.name, a.content) for a in parsed.attachments],
        message_id=parsed.message_id,
        fingerabdruck=fingerprint(parsed),
        herkunft=source,
        hinweis="; ".join(hints[:5]),
    )


def _when(date: datetime | None, now: datetime) -> datetime:
    """The mail's Date header if it is plausible, else now (a mail from 1970 or the future is wrong)."""
    if date is None or date.tzinfo is None or not (now - timedelta(days=3650) < date < now + timedelta(days=2)):
        return now
    return date.replace(microsecond=0)
