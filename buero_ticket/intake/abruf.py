"""One run of ``mail abrufen``: every mail in the shared inbox becomes (part of) a Vorgang.

Per mail: fetch the exact bytes, import (Vorgang written and recorded); only
then, in batches of up to 50, the mails move to the "imported" folder on the server; a mail that cannot be
imported goes to the server's quarantine folder and to the Ablage's quarantine
with its reason. ``\\Seen`` is never looked at, so a clerk reading the mailbox in
Outlook hides nothing from the import.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from ..config import Config
from ..errors import BueroTicketError, Exit, VerbindungsFehler, translate
from ..index import Index
from ..mail.imap import ImapConfig, ImapFehler, ImapPostfach, ImapVerbindungsfehler, read_password
from ..quarantaene import quarantine
from ..sharelock import LockTimeout, ShareLock
from ..store import Store
from .mail import ImportCounts, ImportKind, ImportResult, MailImporter

log = logging.getLogger("buero_ticket.mail")
MOVE_BATCH = 50  # mails moved to the "imported" folder with one command


class PostfachFehler(VerbindungsFehler):
    """The shared mailbox cannot be used (settings, password, server): the run stops with exit 8."""

    beschreibung = "Das gemeinsame Postfach ist nicht erreichbar oder nicht eingerichtet."


class AbrufLaeuftSchon(BueroTicketError):
    """Another ``mail abrufen`` holds the run lock: this one ends at once, without changes (exit 0)."""

    exit_code = Exit.OK
    beschreibung = "Ein anderer Mailabruf läuft gerade."


def imap_config(config: Config) -> ImapConfig:
    section = config.imap
    if not section.server or not section.benutzer:
        raise PostfachFehler(
            "In buero-ticket.toml fehlt der Abschnitt [imap] mit server und benutzer.",
            "Tragen Sie das gemeinsame Postfach ein (Vorlage steht auskommentiert in der Datei).",
        )
    try:
        return ImapConfig(
            server=section.server,
            benutzer=section.benutzer,
            verschluesselung=section.verschluesselung,
            port=section.port or None,
            ca_datei=section.ca_datei or None,
            ordner_eingang=section.ordner_eingang,
            ordner_importiert=section.ordner_importiert,
            ordner_quarantaene=section.ordner_quarantaene,
            passwort_datei=section.passwort_datei or None,
            passwort_befehl=section.passwort_befehl or None,
            max_groesse_mb=section.max_groesse_mb,
        )
    except ImapFehler as exc:
        raise PostfachFehler(str(exc), "Korrigieren Sie den Abschnitt [imap] in buero-ticket.toml.") from None


@dataclass
class FetchRun:
    store: Store
    index: Index
    cfg: ImapConfig
    password: str
    progress: Callable[[int], AbstractContextManager[object]] | None = None

    def run_once(self, box: ImapPostfach) -> ImportCounts:
        counts = ImportCounts()
        for moved in self.index.sync().manuell_verschoben:  # each round: the folders are the truth
            log.info("Vorgang %s wurde von Hand nach %s verschoben", moved.aktenzeichen, moved.status.label)
        importer = MailImporter(self.store, self.index)
        uidvalidity = box.uidvalidity()
        uids = box.list_uids()
        sizes = box.sizes(uids)
        bar = self.progress(len(uids)) if self.progress and uids else nullcontext()
        done: list[int] = []  # stored Vorgänge whose mails may now leave the inbox
        with bar as ticker:
            for uid in uids:
                result = self._one(box, importer, uidvalidity, uid, sizes.get(uid, 0))
                counts.add(result)
                if result.kind is ImportKind.QUARANTAENE:
                    box.quarantine(uid)
                else:
                    done.append(uid)
                if len(done) >= MOVE_BATCH:
                    box.move(done, self.cfg.ordner_importiert)
                    done.clear()
                if ticker is not None and hasattr(ticker, "update"):
                    ticker.update(1)
        # If the run breaks off before this, the mails stay in the inbox and are recognised as
        # already imported next time: nothing is lost and nothing doubled.
        box.move(done, self.cfg.ordner_importiert)
        return counts

    def _one(self, box: ImapPostfach, importer: MailImporter, uidvalidity: int, uid: int, size: int) -> ImportResult:
        source = f"IMAP {self.cfg.benutzer} {self.cfg.ordner_eingang} UID {uid}"
        uid_key = f"{self.cfg.server}/{self.cfg.benutzer}/{self.cfg.ordner_eingang}/{uidvalidity}/{uid}"
        raw = box.fetch_raw(uid)
        limit = self.cfg.max_groesse_mb * 1024 * 1024
        note = f"Übergroße Mail ({size / 1048576:.1f} MB, Grenze {self.cfg.max_groesse_mb} MB)" if size > limit else ""
        try:
            result = importer.import_raw(raw, source, uid_key=uid_key, note=note)
        except Exception as exc:
            meldung = translate(exc)
            if not meldung.einzeln:
                raise  # the Ablage itself is unusable (share gone, read-only, full): stop, leave the mail in place
            log.exception("Fehler bei %s", source)  # a bug on one mail must not block the rest
            reason = meldung.fuer_eintrag()[0]
            path = quarantine(importer.quarantaene_dir, raw, "eml", "", reason, source)
            result = ImportResult(ImportKind.QUARANTAENE, reason=reason, path=path)
        if result.kind is ImportKind.QUARANTAENE:
            log.warning("Quarantäne: %s (%s) -> %s", source, result.reason, result.path)
        else:
            log.info("%s: %s %s %s", source, result.kind, result.aktenzeichen, result.reason)
        return result


def run_lock(store: Store) -> ShareLock:
    """One mail run at a time on all PCs (a lock every PC respects, see sharelock)."""
    return ShareLock(store.lock_path("mail-abrufen"), timeout=0, what="Mailabruf")


def fetch_mail(
    store: Store,
    index: Index,
    env: Mapping[str, str] = os.environ,
    *,
    progress: Callable[[int], AbstractContextManager[object]] | None = None,
    continuous: bool = False,
    idle_s: float = 300.0,
    on_round: Callable[[ImportCounts], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> ImportCounts:
    """Fetch all mails once (or forever with ``continuous``). A second concurrent run exits at once."""
    cfg = imap_config(store.ablage.config)
    try:
        password = read_password(cfg, env)
    except ImapFehler as exc:
        raise PostfachFehler(str(exc), "Hinterlegen Sie das Passwort wie in der README beschrieben.") from None
    lock = run_lock(store)
    try:
        lock.acquire()
    except LockTimeout:
        raise AbrufLaeuftSchon(
            "Ein anderer Mailabruf für diese Ablage läuft gerade; dieser Lauf endet ohne Änderungen.",
            "Nichts zu tun: der laufende Abruf holt auch diese Mails.",
        ) from None
    try:
        job = FetchRun(store, index, cfg, password, progress)
        return _loop(job, continuous, idle_s, on_round, stop)
    finally:
        lock.release()


def _loop(
    job: FetchRun,
    continuous: bool,
    idle_s: float,
    on_round: Callable[[ImportCounts], None] | None,
    stop: Callable[[], bool],
) -> ImportCounts:
    total = ImportCounts()
    backoff = 5.0
    box = ImapPostfach(job.cfg, job.password)
    try:
        while True:
            try:
                counts = job.run_once(box)
                backoff = 5.0
            except ImapVerbindungsfehler as exc:
                if not continuous:
                    raise PostfachFehler(
                        str(exc), "Prüfen Sie Netz und Server; der nächste Lauf versucht es erneut."
                    ) from None
                log.warning("Verbindung verloren, neuer Versuch in %.0f s: %s", backoff, exc)
                box.close()
                time.sleep(backoff)
                backoff = min(backoff * 2, 300.0)
                continue
            except ImapFehler as exc:
                raise PostfachFehler(str(exc), "Prüfen Sie den Abschnitt [imap] und das Postfach.") from None
            total.merge(counts)
            if on_round:
                on_round(counts)
            if not continuous or stop():
                return total
            box.wait_for_change(idle_s)  # only a hint: the next round searches again anyway
            if stop():
                return total
    finally:
        box.close()
