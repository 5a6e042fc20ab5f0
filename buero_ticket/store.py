"""Vorgang folders: the only code that writes inside a Vorgang.

A Vorgang is a folder ``<Aktenzeichen> <short subject>`` in its status folder
with ``vorgang.json`` (metadata, format version, revision), ``verlauf.txt``
(history) and the subfolders ``Nachrichten``, ``Anlagen`` and ``Ausgang``.
Every change happens under the Vorgang's lock (:mod:`buero_ticket.sharelock`, respected by
every PC on the share); metadata carries a revision number so a change based on an old read is
refused.

Crash safety — the metadata file is the commit point of every change:

1. new message files are announced in an intent file ``Nachrichten/.~bt-neu-<id>.json`` and then
   created under their final names (never overwriting);
2. ``vorgang.json`` is replaced atomically. It carries ``letzte_aenderung``: the revision, the
   history lines of this change and, for a status change, the status folder it comes from;
3. the folder is renamed into its new status folder (status change only);
4. the intent file is removed and the history lines are written to ``verlauf.txt``.

A crash before 2 leaves files the intent names: the next change deletes them, and the import
that was interrupted stores the message again. A crash after 2 is completed by the next run:
a missing folder move (seen as a mismatch by every scan) and missing history lines (checked by
every change of that Vorgang and by ``pruefen``) are written from ``letzte_aenderung``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import aktenzeichen as azmod
from . import faults, history
from .ablage import Ablage
from .clock import Clock, system_clock
from .errors import DatenFehler, GesperrtFehler, KonfliktFehler, NichtGefunden, ZugriffFehler
from .fileio import (
    BUSY_ERRNOS,
    TEMP_PREFIX,
    atomic_write_bytes,
    atomic_write_text,
    fsync_dir,
    is_temp_name,
    read_fresh,
    remove_file,
    retry_on_busy,
    write_new_file,
)
from .models import HistoryEntry, Incoming, Nachricht, Outgoing, Status, Vorgang
from .names import MAX_PATH, fit_name, short_subject, unique_name
from .personen import display_name
from .sharelock import LockTimeout, NoLockRights, ShareLock
from .unterordner import ANLAGEN_DIR, AUSGANG_DIR, NACHRICHTEN_DIR, SUBDIRS
from .vorschlag import similar_aktenzeichen

META_NAME = "vorgang.json"
LOCK_DIR = "sperren"  # in the state folder .buero-ticket
INTENT_PREFIX = f"{TEMP_PREFIX}neu-"  # Nachrichten/.~bt-neu-<id>.json: files of a message being added
RECORD_KEY = "letzte_aenderung"
#: The history's "Benutzer" of a change made by hand in Explorer: who did it is unknown.
MANUELL = "im Explorer"
#: The change signal for the other PCs' caches (see index.py): before a Vorgang's metadata is replaced,
#: its status folder's mtime is set to now; a reader trusts a folder's mtime only once it is this old.
#: A commit that took longer than a third of it is announced again afterwards.
SETTLE_SECONDS = 15.0


def is_intent(name: str) -> bool:
    """An intent file of a message add (reported by pruefen as its own kind, not as a temp file)."""
    return name.startswith(INTENT_PREFIX)


# Longest status folder below the root ("2 In Bearbeitung" / "5 Archiv/2026") plus separators.
_STATUS_PATH_RESERVE = 18
_FOLDER_PATH_BUDGET = 150  # leaves ~90 characters for "Nachrichten/…" and attachment names
# A Vorgang may later move to a status folder with a longer name ("1 Eingang" → "2 In Bearbeitung").
_FILE_PATH_LIMIT = MAX_PATH - 8


class Store:
    def __init__(self, ablage: Ablage, clock: Clock = system_clock, user: str = "") -> None:
        self.ablage = ablage
        self.clock = clock
        self._user = user  # "": the person at this PC ([benutzer.LOGIN]), looked up on first use
        #: Where a cache says an Aktenzeichen's folder is (see index.Index.locate); confirmed by a stat.
        self.locator: Callable[[str], list[Path]] | None = None

    @property
    def user(self) -> str:
        """Who is acting, for the history: the name from [benutzer.LOGIN], else the login name."""
        if not self._user:
            self._user = display_name(self.ablage.config, history.current_user())
        return self._user

    # -- locking -------------------------------------------------------------------------
    def lock_path(self, name: str) -> Path:
        return self.ablage.state_dir / LOCK_DIR / f"{name}.lock"

    @contextmanager
    def named_lock(self, name: str, what: str, timeout: float = 30.0) -> Iterator[None]:
        """A lock all PCs respect (see :mod:`buero_ticket.sharelock`), with German errors."""
        try:
            with ShareLock(self.lock_path(name), timeout=timeout, what=what):
                yield
        except LockTimeout as exc:
            raise ZugriffFehler(
                f"{what} ist seit {timeout:.0f} Sekunden gesperrt ({exc.holder}).",
                "Warten Sie einen Moment und versuchen Sie es erneut. Bleibt die Sperre, ist das Programm "
                "dort abgestürzt oder der PC hat die Verbindung verloren: nach einer Minute gilt die Sperre "
                "als verwaist und wird aufgehoben.",
            ) from None
        except NoLockRights:
            raise ZugriffFehler(
                f"Keine Schreibrechte in {self.lock_path(name).parent}.",
                "Fragen Sie die IT nach Schreib- und Löschrechten auf der ganzen Ablage (auch .buero-ticket).",
            ) from None

    @contextmanager
    def lock(self, az: str, timeout: float = 30.0) -> Iterator[None]:
        """Exclusive lock for one Vorgang, across all PCs."""
        with self.named_lock(f"vorgang-{az}", f"Vorgang {az}", timeout):
            yield

    # -- reading -------------------------------------------------------------------------
    def load(self, folder: Path) -> Vorgang:
        return self.load_with_text(folder)[0]

    def load_with_text(self, folder: Path, *, fresh: bool = True) -> tuple[Vorgang, str]:
        """The Vorgang and the metadata file's text as read (for the cache).

        A recent change whose history lines a crash left out gets them now (if nobody holds the
        Vorgang at this moment; else the next reader or change does it): every command that reads
        a changed Vorgang is "the next run" that completes it.

        ``fresh=False``: a normal (cached) read, for the cache's bulk reads of files that have not
        changed for a while (a read past the page cache costs ~1 ms each: minutes at 100,000).
        """
        vorgang, text, record = self._load(folder, fresh=fresh)
        recent = vorgang.geaendert is not None and self.clock() - vorgang.geaendert < _COMPLETE_RECENT
        if recent and history_incomplete(folder, record):
            with suppress(ZugriffFehler):
                self._finish_history(folder, timeout=0)
        return vorgang, text

    def _load(self, folder: Path, *, locked: bool = False, fresh: bool = True) -> tuple[Vorgang, str, dict[str, Any]]:
        """Read the metadata. ``locked``: the caller holds the Vorgang's lock (may repair, see below).
        ``fresh=False``: a normal read through the page cache (see load_with_text)."""
        try:
            text = _read_meta(folder / META_NAME, fresh=fresh)
        except FileNotFoundError:
            gone = NichtGefunden(
                f"Der Vorgangsordner {folder} existiert nicht mehr.",
                "Er wurde vermutlich gerade verschoben oder gelöscht; führen Sie den Befehl erneut aus.",
            )
            try:
                recovered = _meta_from_temp(folder, restore=locked)
            except (FileNotFoundError, NotADirectoryError):
                raise gone from None  # moved a moment ago (e.g. by another PC)
            if recovered is None:
                if not folder.exists():
                    raise gone from None
                raise DatenFehler(f"In {folder} fehlt {META_NAME}.", "Führen Sie 'buero-ticket pruefen' aus.") from None
            text = recovered
        vorgang, record = _parse_meta(folder, text)
        return vorgang, text, record

    def find(self, text: str, *, use_cache: bool = True) -> Path:
        """The folder of the Vorgang a clerk named; suggests close matches when unknown."""
        wanted = azmod.parse(text, self.ablage.config.kuerzel)
        hits: list[Path] = []
        if self.locator is not None and use_cache:  # the cache answers, a stat confirms; a scan only on a miss
            hits = self.locator(str(wanted))
            if len(hits) == 1 and azmod.from_folder_name(hits[0].name) == wanted and (hits[0] / META_NAME).is_file():
                return hits[0]
        found: list[Path] = []
        known: list[str] = []
        for _status, entry in self.ablage.iter_vorgang_dirs():
            az = azmod.from_folder_name(entry.name)
            if az is None:
                continue
            if az == wanted:
                found.append(Path(entry.path))
            known.append(str(az))
        if len(found) == 1:
            return found[0]
        if found:
            raise DatenFehler(
                f"Aktenzeichen {wanted} gibt es {len(found)}-mal: " + ", ".join(map(str, found)),
                "Führen Sie 'buero-ticket pruefen' aus und klären Sie die doppelten Ordner.",
            )
        damaged = [h for h in hits if h.is_dir()]  # the cache knows it under a folder name with a wrong check digit
        if damaged:
            raise DatenFehler(
                f"Vorgang {wanted} ist beschädigt: der Ordner {damaged[0]} hat eine falsche Prüfziffer im Namen.",
                f"Benennen Sie den Ordner wieder mit „{wanted}“ am Anfang oder führen Sie 'buero-ticket pruefen' aus.",
            )
        raise NichtGefunden(f"Einen Vorgang {wanted} gibt es nicht.", _suggest(str(wanted), known))

    def get(self, text: str) -> Vorgang:
        return self.load(self.find(text))

    # -- creating ------------------------------------------------------------------------
    def create(self, item: Incoming, *, frist: date | None = None) -> Vorgang:
        """A new Vorgang from ``item``, its first message: allocate an Aktenzeichen and write the complete
        folder, then make it visible.

        The folder is assembled under a temp name nobody lists and renamed into place in one step:
        a crash at any point leaves either nothing visible or the complete Vorgang.
        """
        az = azmod.allocate(self.ablage.state_dir, item.zeit.year, self.ablage.config.kuerzel)
        status_dir = self.ablage.status_dir(Status.EINGANG)
        name = self._folder_name(str(az), item.betreff)
        final = status_dir / name
        tmp = status_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}.tmp"
        vorgang = Vorgang(
            aktenzeichen=str(az),
            betreff=item.betreff,
            kanal=item.kanal,
            status=Status.EINGANG,
            eingang=item.zeit,
            dringlichkeit=item.dringlichkeit,
            bearbeiter=item.bearbeiter,
            absender=item.absender,
            frist=frist,
            kategorie=item.kategorie.strip(),
            verknuepft=list(item.verknuepft),
            geaendert=self.clock(),
            revision=1,
        )
        try:
            tmp.mkdir(parents=True)
            for sub in SUBDIRS:
                (tmp / sub).mkdir()
            origin = f" ({item.herkunft})" if item.herkunft else ""
            created = f"Kanal {item.kanal.label}, Betreff „{item.betreff}“{origin}"
            lines = [history.entry("Angelegt", created, zeit=self.clock(), benutzer=self.user)]
            if item.bearbeiter:
                lines.append(
                    history.entry("Zugewiesen", f"niemand → {item.bearbeiter}", zeit=self.clock(), benutzer=self.user)
                )
            vorgang.nachrichten.append(self._write_message(tmp, final, vorgang, item, existing=set()))
            formatted = [history.format_line(e) for e in lines]
            content = history.new_file_content(lines)
            record = {"revision": 1, "verlauf": formatted, "verlauf_groesse": len(content)}
            write_new_file(tmp / META_NAME, _dump(vorgang, record).encode("utf-8"))
            write_new_file(tmp / history.HISTORY_NAME, content)
            written = {rel.split("/", 1)[0] for n in vorgang.nachrichten for rel in _files_of(n)}
            for folder in (*(tmp / sub for sub in SUBDIRS if sub in written), tmp):
                fsync_dir(folder)  # an empty subfolder has no entries to make durable (each is a round trip on SMB)
            faults.point("neu-vor-umbenennen")
            _rename_dir(tmp, final)
            fsync_dir(status_dir)
        except BaseException:
            _remove_tree(tmp)
            raise
        vorgang.ordner = final
        return vorgang

    def _folder_name(self, az: str, betreff: str) -> str:
        base = len(str(self.ablage.root)) + _STATUS_PATH_RESERVE + len(az) + 2
        room = max(8, min(40, _FOLDER_PATH_BUDGET - base))
        return f"{az} {short_subject(betreff, room)}"

    # -- changing ------------------------------------------------------------------------
    def update(
        self,
        az_text: str,
        change: Callable[[Vorgang], list[HistoryEntry]],
        *,
        expected_revision: int | None = None,
        gesperrt_ok: bool = False,
        gesehen: bool = True,
    ) -> Vorgang:
        """Apply ``change`` under the lock; it returns the history lines to append.

        ``change`` may set ``vorgang.status``: the folder then moves to that status folder.
        ``expected_revision`` is the version token of an earlier read: if someone
        else saved meanwhile, the change is refused (KonfliktFehler). A restricted
        Vorgang (Art. 18 DSGVO) is read-only unless ``gesperrt_ok`` (lifting the
        restriction, filing an incoming message so that nothing is lost). A change by a
        person (``gesehen``, the default) clears the marker "neue Nachricht";
        intake and reminders pass ``gesehen=False``.
        """
        az = str(azmod.parse(az_text, self.ablage.config.kuerzel))  # the lock key, without a scan
        with self.lock(az):
            folder = self.find(az)  # looked up under the lock: it may have moved meanwhile
            try:
                vorgang, text, record = self._load(folder, locked=True)
            except NichtGefunden:
                # Another PC moved it just now; this PC's cache (or its SMB client's cached stat) was older.
                folder = self.find(az, use_cache=False)
                vorgang, text, record = self._load(folder, locked=True)
            folder_status = vorgang.status
            old_history, missing = self._history_state(folder, record)
            if expected_revision is not None and vorgang.revision != expected_revision:
                self._write_missing(folder, old_history, missing)
                raise KonfliktFehler(
                    f"Vorgang {vorgang.aktenzeichen} wurde inzwischen von jemand anderem geändert "
                    f"(Stand {expected_revision}, jetzt {vorgang.revision}).",
                    "Laden Sie den Vorgang neu ('buero-ticket zeige') und wiederholen Sie Ihre Änderung.",
                )
            if vorgang.gesperrt and not gesperrt_ok:
                self._write_missing(folder, old_history, missing)
                raise GesperrtFehler(
                    f"Vorgang {vorgang.aktenzeichen} ist gesperrt (Art. 18 DSGVO: {vorgang.gesperrt}) "
                    "und kann nicht geändert werden.",
                    f"Die Sperre hebt 'buero-ticket entsperren {vorgang.aktenzeichen} --grund …' auf.",
                )
            marker = vorgang.neue_nachricht
            if gesehen:
                vorgang.neue_nachricht = None
            try:
                lines = change(vorgang)
            except BaseException:
                self._write_missing(folder, old_history, missing)
                raise
            if not lines:
                vorgang.neue_nachricht = marker
                self._write_missing(folder, old_history, missing)
                return vorgang
            self._save(vorgang, lines, folder_status, old_history + "".join(missing), text)
            return vorgang

    def _history_state(self, folder: Path, record: dict[str, Any]) -> tuple[str, list[str]]:
        """verlauf.txt as it is, and the lines of the last change it lacks (a crash before writing them)."""
        old = history.read_text(folder)
        wanted = [str(x) for x in record.get("verlauf") or []]
        return old, [line for line in wanted if line not in old]

    @staticmethod
    def _write_missing(folder: Path, old_history: str, missing: list[str]) -> None:
        if missing:
            history.write_text(folder, old_history + "".join(missing))

    def _save(
        self, vorgang: Vorgang, lines: list[HistoryEntry], folder_status: Status, old_history: str, old_meta: str
    ) -> None:
        """Commit a change (revision + 1): metadata, then the folder move, then the history.

        Caller holds the lock; ``folder_status`` is the status folder the Vorgang sits in now,
        ``old_meta`` the metadata text as read (restored if the move or the history fails).
        """
        assert vorgang.ordner is not None
        folder = vorgang.ordner
        meta = folder / META_NAME
        vorgang.revision += 1
        vorgang.geaendert = self.clock()
        formatted = [history.format_line(e) for e in lines]
        new_history = old_history + "".join(formatted)
        record: dict[str, Any] = {
            "revision": vorgang.revision,
            "verlauf": formatted,
            "verlauf_groesse": len(new_history.encode("utf-8")),  # a shorter verlauf.txt lacks these lines
        }
        moving = vorgang.status is not folder_status
        if moving:
            record["von_status"] = folder_status.value
            _set_done(vorgang, self.clock())
        announced = _announce(folder.parent)  # before the commit: a crash after it is still seen
        atomic_write_text(meta, _dump(vorgang, record))
        faults.point("nach-metadaten")
        try:
            if moving:
                self._move_folder(vorgang)  # the rename changes both status folders' mtimes itself
                faults.point("nach-verschieben")
            history.write_text(vorgang.ordner, new_history)
        except BaseException:
            # The folder could not move (a file inside is open) or the disk is full: the change is undone.
            if vorgang.ordner != folder:
                with suppress(OSError):
                    retry_on_busy(lambda: os.rename(vorgang.ordner, folder))  # type: ignore[arg-type]
            with suppress(OSError):  # the new file's blocks are free again, so the old text fits
                atomic_write_bytes(meta, old_meta.encode("utf-8"))
            _announce(folder.parent)
            raise
        if time.monotonic() - announced > SETTLE_SECONDS / 3:  # a slow commit (retries): say it again
            _announce(folder.parent)

    def set_status(
        self,
        az_text: str,
        status: Status,
        *,
        grund: str = "",
        expected_revision: int | None = None,
        gesehen: bool = True,
    ) -> Vorgang:
        def change(vorgang: Vorgang) -> list[HistoryEntry]:
            old = vorgang.status
            if old is status:
                return []
            vorgang.status = status
            detail = f"{old.label} → {status.label}" + (f" ({grund})" if grund else "")
            return [history.entry("Statuswechsel", detail, zeit=self.clock(), benutzer=self.user)]

        return self.update(az_text, change, expected_revision=expected_revision, gesehen=gesehen)

    def _move_folder(self, vorgang: Vorgang) -> None:
        """Rename the folder into the status folder of ``vorgang.status``."""
        assert vorgang.ordner is not None
        year = self.clock().year if vorgang.status is Status.ARCHIV else None
        target_dir = self.ablage.status_dir(vorgang.status, year)
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / vorgang.ordner.name
        if target.exists():
            raise DatenFehler(f"{target} existiert bereits.", "Führen Sie 'buero-ticket pruefen' aus.")
        try:
            _rename_dir(vorgang.ordner, target)
        except PermissionError:
            raise ZugriffFehler(
                f"Der Ordner von Vorgang {vorgang.aktenzeichen} kann nicht verschoben werden: "
                "eine Datei darin ist in Word/Excel geöffnet – bitte schließen.",
                "Schließen Sie geöffnete Dokumente und Explorer-Fenster dieses Vorgangs und versuchen Sie es erneut. "
                "Es wurde nichts geändert.",
            ) from None
        fsync_dir(target_dir)
        vorgang.ordner = target

    def rename_for_subject(self, vorgang: Vorgang) -> None:
        """After a change of the Betreff: the folder name follows it (Aktenzeichen first, as always).

        Called from a change function of :meth:`update` (the lock is held). A crash after the rename and
        before the metadata are saved leaves a folder whose name is new and whose Betreff is old: harmless,
        the Aktenzeichen at the start of the name is what counts.
        """
        assert vorgang.ordner is not None
        target = vorgang.ordner.parent / self._folder_name(vorgang.aktenzeichen, vorgang.betreff)
        if target.name == vorgang.ordner.name:
            return
        if target.exists():
            raise DatenFehler(f"{target} existiert bereits.", "Führen Sie 'buero-ticket pruefen' aus.")
        try:
            retry_on_busy(lambda: os.rename(vorgang.ordner, target))  # type: ignore[arg-type]
        except PermissionError:
            raise ZugriffFehler(
                f"Der Ordner von Vorgang {vorgang.aktenzeichen} kann nicht umbenannt werden: "
                "eine Datei darin ist noch geöffnet.",
                "Schließen Sie geöffnete Dokumente und Explorer-Fenster dieses Vorgangs und versuchen Sie es erneut.",
            ) from None
        fsync_dir(target.parent)
        vorgang.ordner = target

    def add_message(
        self,
        az_text: str,
        nachricht: Incoming | Outgoing,
        aktion: str,
        details: str = "",
        *,
        reopen: Callable[[Vorgang], Status] | None = None,
        reopen_grund: str = "",
        gesehen: bool = True,
    ) -> Vorgang:
        """Store a message in an existing Vorgang.

        ``reopen``: if the Vorgang is closed, it moves to the status this returns, in the same change.
        """

        intents: list[str] = []

        def change(vorgang: Vorgang) -> list[HistoryEntry]:
            assert vorgang.ordner is not None
            existing = self.finish_interrupted_adds(vorgang)
            vorgang.nachrichten.append(
                self._write_message(
                    vorgang.ordner, vorgang.ordner, vorgang, nachricht, existing=existing, intents=intents
                )
            )
            text = details or f"{nachricht.kanal.label} von {nachricht.von or 'unbekannt'}"
            lines = [history.entry(aktion, text, zeit=self.clock(), benutzer=self.user)]
            if reopen is not None and not vorgang.status.is_open:
                target = reopen(vorgang)
                detail = f"{vorgang.status.label} → {target.label}" + (f" ({reopen_grund})" if reopen_grund else "")
                vorgang.status = target
                lines.append(history.entry("Statuswechsel", detail, zeit=self.clock(), benutzer=self.user))
            return lines

        # an incoming message is never lost, not even in a restricted Vorgang
        saved = self.update(az_text, change, gesperrt_ok=True, gesehen=gesehen)
        assert saved.ordner is not None
        for name in intents:  # committed: the announcement is done (a crash here: the next add removes it)
            with suppress(OSError):
                remove_file(saved.ordner / NACHRICHTEN_DIR / name)
        return saved

    def finish_interrupted_adds(self, vorgang: Vorgang) -> set[str]:
        """Resolve intent files of interrupted message adds; returns the names now in use (casefolded).

        Caller holds the lock. Files named by an intent but not in the metadata were never committed:
        they are deleted (the interrupted import stores the message again). Names in the metadata stay.
        """
        assert vorgang.ordner is not None
        msg_dir = vorgang.ordner / NACHRICHTEN_DIR
        try:
            names = os.listdir(msg_dir)
        except FileNotFoundError:
            msg_dir.mkdir(parents=True, exist_ok=True)
            names = []
        referenced = _referenced_files(vorgang)
        for name in names:
            if not name.startswith(INTENT_PREFIX):
                continue
            intent = msg_dir / name
            for rel in _intent_files(intent):
                if rel not in referenced:
                    remove_file(vorgang.ordner / rel)
            remove_file(intent)
        in_use = {f"{NACHRICHTEN_DIR}/{n}".casefold() for n in names if not n.startswith(INTENT_PREFIX)}
        return in_use

    def _write_message(
        self,
        folder: Path,
        final: Path,
        vorgang: Vorgang,
        msg: Incoming | Outgoing,
        *,
        existing: set[str],
        intents: list[str] | None = None,
    ) -> Nachricht:
        """Store one message's files. ``existing``: casefolded ``Sub/name`` already in the Nachrichten folder.

        ``folder`` is the Vorgang folder or, for a new Vorgang, its invisible temp folder (``final`` is
        where it will be). In an existing Vorgang an intent file names the files first.
        """
        number = len(vorgang.nachrichten) + 1
        richtung = "Eingang" if msg.richtung == "eingang" else "Ausgang"
        stem = f"{number:03d} {msg.zeit:%Y-%m-%d %H%M} {richtung} {msg.kanal.label}"
        nachricht = Nachricht(
            datei="",
            richtung=msg.richtung,
            zeit=msg.zeit,
            kanal=msg.kanal.value,
            von=msg.von,
            betreff=msg.betreff,
            message_id=msg.message_id,
            automatisch=msg.automatisch,
            fingerabdruck=msg.fingerabdruck if isinstance(msg, Incoming) else "",
        )
        anlagen = msg.anlagen if isinstance(msg, Incoming) else []  # a sent mail's attachments are in its .eml
        plan: list[tuple[str, bytes]] = []  # (Sub/name, data)
        taken = {e.split("/", 1)[1] for e in existing if e.startswith(NACHRICHTEN_DIR.casefold() + "/")}

        def claim(name: str) -> str:
            chosen = unique_name(None, name, taken)
            taken.add(chosen)
            return chosen

        if msg.original is not None:
            ext, data = msg.original
            nachricht.sha256 = hashlib.sha256(data).hexdigest()
            nachricht.datei = claim(fit_name(final / NACHRICHTEN_DIR, f"{stem}.{ext}", max_path=_FILE_PATH_LIMIT))
            plan.append((f"{NACHRICHTEN_DIR}/{nachricht.datei}", data))
        if msg.text or msg.original is None:
            text_name = claim(fit_name(final / NACHRICHTEN_DIR, f"{stem}.txt", max_path=_FILE_PATH_LIMIT))
            plan.append((f"{NACHRICHTEN_DIR}/{text_name}", _text_file(msg).encode("utf-8")))
            nachricht.text_datei = text_name
            nachricht.datei = nachricht.datei or text_name
        if anlagen:
            anlagen_dir = folder / ANLAGEN_DIR
            anlagen_taken: set[str] = set()
            for name, data in anlagen:
                clean = unique_name(
                    anlagen_dir if folder == final else None,
                    fit_name(final / ANLAGEN_DIR, name, max_path=_FILE_PATH_LIMIT),
                    anlagen_taken,
                )
                anlagen_taken.add(clean)
                plan.append((f"{ANLAGEN_DIR}/{clean}", data))
                nachricht.anlagen.append(clean)
        if folder == final:  # an existing, visible Vorgang: announce the files first
            mark_changing(folder)
            intent = folder / NACHRICHTEN_DIR / f"{INTENT_PREFIX}{uuid.uuid4().hex[:12]}.json"
            write_new_file(intent, json.dumps([rel for rel, _ in plan], ensure_ascii=False).encode("utf-8"))
            fsync_dir(intent.parent)
            if intents is not None:
                intents.append(intent.name)
            faults.point("nachricht-angekuendigt")
        for i, (rel, data) in enumerate(plan):
            write_new_file(folder / rel, data)
            if i == 0:
                faults.point("nachricht-erste-datei")
        if folder == final:
            for sub in {rel.split("/", 1)[0] for rel, _ in plan}:
                fsync_dir(folder / sub)
        return nachricht

    def repair_status(self, folder: Path, status: Status) -> Vorgang | None:
        """Metadata says another status than the folder ``folder`` sits in (``status``).

        Either a status change of this program was interrupted after its metadata was saved (its
        record names this folder's status as the origin): the move is finished, with the clerk's
        history line. Or the folder was moved by hand: the folder wins, the metadata is adapted.
        A folder out of place (dragged straight into "5 Archiv", into a wrong or a new subfolder)
        is moved where the program keeps a Vorgang of that status first.
        Returns the Vorgang (``ordner`` tells where it is now), or None if nothing was to do.
        """
        az = folder.name.split(" ", 1)[0]
        with self.lock(az):
            try:
                vorgang, text, record = self._load(folder, locked=True)
            except NichtGefunden:
                return None  # moved meanwhile by a change that held the lock
            if not self.ablage.is_regular_place(folder, status):
                return self._put_in_place(vorgang, status, record, text)
            if vorgang.status is status:
                return None
            old_history, missing = self._history_state(folder, record)
            if record.get("von_status") == status.value and record.get("revision") == vorgang.revision:
                self._move_folder(vorgang)
                assert vorgang.ordner is not None
                self._write_missing(vorgang.ordner, old_history, missing)
                return vorgang
            old = vorgang.status
            vorgang.status = status
            _set_done(vorgang, self.clock())
            line = history.entry(
                "Statuswechsel (manuell verschoben)",
                f"{old.label} → {status.label}: im Explorer verschoben (bemerkt von {self.user}), Metadaten angepasst",
                zeit=self.clock(),
                benutzer=MANUELL,
            )
            self._save(vorgang, [line], status, old_history + "".join(missing), text)
            return vorgang

    def _put_in_place(self, vorgang: Vorgang, status: Status, record: dict[str, Any], text: str) -> Vorgang:
        """Move a misplaced folder where it belongs, with its status from where it was found. Holds the lock."""
        assert vorgang.ordner is not None
        found_in = vorgang.ordner.parent
        old_history, missing = self._history_state(vorgang.ordner, record)
        old = vorgang.status
        vorgang.status = status
        _set_done(vorgang, self.clock())
        self._move_folder(vorgang)  # repairs a hand-made move: a crash after it leaves a normal manual move
        rel = found_in.relative_to(self.ablage.root) if found_in.is_relative_to(self.ablage.root) else found_in
        detail = f"lag in „{rel}“, jetzt in „{vorgang.ordner.parent.relative_to(self.ablage.root)}“"
        if old is not status:
            detail += f"; {old.label} → {status.label}"
        detail += f"; im Explorer verschoben (bemerkt von {self.user})"
        line = history.entry(
            "Ordner an den richtigen Platz verschoben (manuell verschoben)", detail, zeit=self.clock(), benutzer=MANUELL
        )
        self._save(vorgang, [line], status, old_history + "".join(missing), text)
        return vorgang

    # -- erasure -----------------------------------------------------------------------------
    def delete_vorgang(self, az_text: str) -> Path:
        """Remove a Vorgang's folder for good (erasure, destruction after the archive's decision).

        The folder is first renamed into the state folder's ``geloescht`` (so it vanishes from every
        view at once), then removed there; a crash in between leaves it only there, and
        :meth:`purge_deleted` (run before every erasure and by ``pruefen --reparieren``) finishes it.
        """
        az = str(azmod.parse(az_text, self.ablage.config.kuerzel))
        with self.lock(az):
            folder = self.find(az)
            trash = self.deleted_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}"
            trash.parent.mkdir(parents=True, exist_ok=True)
            try:
                retry_on_busy(lambda: os.rename(folder, trash))
            except PermissionError:
                raise ZugriffFehler(
                    f"Vorgang {az} kann nicht gelöscht werden: eine Datei darin ist noch geöffnet.",
                    "Schließen Sie Dokumente und Explorer-Fenster dieses Vorgangs und versuchen Sie es erneut.",
                ) from None
            fsync_dir(folder.parent)
        _remove_tree(trash)
        return folder

    @property
    def deleted_dir(self) -> Path:
        return self.ablage.state_dir / "geloescht"

    def purge_deleted(self) -> int:
        """Finish erasures a crash interrupted; returns how many leftovers were removed."""
        if not self.deleted_dir.is_dir():
            return 0
        count = 0
        for entry in os.scandir(self.deleted_dir):
            _remove_tree(Path(entry.path))
            count += 1
        return count

    def _finish_history(self, folder: Path, timeout: float = 30.0) -> list[str]:
        """Write history lines a crash left out; returns them."""
        az = folder.name.split(" ", 1)[0]
        with self.lock(az, timeout):
            vorgang, _text, record = self._load(folder, locked=True)
            self.finish_interrupted_adds(vorgang)  # a crash after the commit also left the intent file
            old_history, missing = self._history_state(folder, record)
            self._write_missing(folder, old_history, missing)
            return missing

    def check_files(
        self, folder: Path, nachrichten: list[str], verlauf_size: int | None, meta_text: str | None = None
    ) -> tuple[Vorgang, bool, list[Path], list[Path]]:
        """For pruefen, from what its one walk found (``nachrichten``: names in the Nachrichten folder,
        ``verlauf_size``: size of verlauf.txt, ``meta_text``: the metadata as the cache read it, if its
        size and mtime are still those): the Vorgang, whether its history lacks the last change's lines,
        intent files of interrupted message adds, files in Nachrichten the metadata does not name."""
        if meta_text is None:
            vorgang, _text, record = self._load(folder)
        else:
            vorgang, record = _parse_meta(folder, meta_text)
        referenced = _referenced_files(vorgang)
        intents = [folder / NACHRICHTEN_DIR / n for n in nachrichten if n.startswith(INTENT_PREFIX)]
        orphans = [
            folder / NACHRICHTEN_DIR / n
            for n in nachrichten
            if f"{NACHRICHTEN_DIR}/{n}" not in referenced and not is_temp_name(n)
        ]
        expected = record.get("verlauf_groesse")
        short = isinstance(expected, int) and (verlauf_size is None or verlauf_size < expected)
        return vorgang, short, intents, orphans

    def finish_interrupted(self, folder: Path) -> None:
        """``pruefen --reparieren``: remove the files of interrupted message adds, write missing history."""
        az = folder.name.split(" ", 1)[0]
        with self.lock(az):
            vorgang, _text, record = self._load(folder, locked=True)
            self.finish_interrupted_adds(vorgang)
            old_history, missing = self._history_state(folder, record)
            self._write_missing(folder, old_history, missing)

    # -- files added by operations, and repairs (pruefen --reparieren) -------------------------------
    def put_file(self, vorgang: Vorgang, sub: str, name: str, data: bytes) -> str:
        """Write ``data`` as ``name`` (or ``name (2)`` …, never over a file) into ``Ausgang`` or ``Anlagen``.

        Called inside an :meth:`update` change (the caller holds the lock); returns the name used.
        """
        if sub not in (AUSGANG_DIR, ANLAGEN_DIR) or vorgang.ordner is None:
            raise ValueError(f"put_file: {sub!r} is not Ausgang or Anlagen")
        mark_changing(vorgang.ordner)
        folder = vorgang.ordner / sub
        folder.mkdir(parents=True, exist_ok=True)
        wanted = fit_name(folder, name, max_path=_FILE_PATH_LIMIT)
        for _attempt in range(5):
            chosen = unique_name(folder, wanted)
            try:
                atomic_write_bytes(folder / chosen, data, overwrite=False)
                return chosen
            except FileExistsError:  # someone saved a file of that name just now
                continue
        raise FileExistsError(folder / wanted)

    def repair_folder(self, path: Path) -> None:
        """Create a missing folder: a Vorgang's subfolder (under its lock) or a folder of the Ablage's layout."""
        owner = _vorgang_folder_of(path)
        if owner is None:
            path.mkdir(parents=True, exist_ok=True)
            return
        with self.lock(owner.name.split(" ", 1)[0]):
            if owner.is_dir():  # it may have moved meanwhile: then the next pruefen finds it there
                path.mkdir(exist_ok=True)

    def remove_leftover(self, path: Path) -> bool:
        """Delete a temp leftover of an interrupted write (only our temp names; inside a Vorgang under its lock)."""
        if not path.name.startswith(TEMP_PREFIX):
            raise ValueError(f"remove_leftover: {path} is no temp name")
        owner = _vorgang_folder_of(path)
        with self.lock(owner.name.split(" ", 1)[0]) if owner is not None else contextlib.nullcontext():
            if path.is_dir() and not path.is_symlink():
                _remove_tree(path)
                return True
            return remove_file(path)


_COMPLETE_RECENT = timedelta(days=7)  # readers complete the history of changes this recent (pruefen: all)


def history_incomplete(folder: Path, record: dict[str, Any]) -> bool:
    """verlauf.txt is shorter than the last change left it: a crash came before its lines (one stat)."""
    expected = record.get("verlauf_groesse")
    if not isinstance(expected, int):
        return False
    try:
        return os.stat(folder / history.HISTORY_NAME).st_size < expected
    except FileNotFoundError:
        return True


def _vorgang_folder_of(path: Path) -> Path | None:
    """The Vorgang folder ``path`` lies in (or is), judged by the folder names; None outside Vorgänge."""
    for folder in (path, *path.parents):
        if azmod.from_folder_name(folder.name) is not None:
            return folder
    return None


def _set_done(vorgang: Vorgang, now: datetime) -> None:
    if vorgang.status in (Status.ERLEDIGT, Status.ARCHIV):
        vorgang.erledigt = vorgang.erledigt or now
    else:
        vorgang.erledigt = None


def _referenced_files(vorgang: Vorgang) -> set[str]:
    return {rel for n in vorgang.nachrichten for rel in _files_of(n)}


def _files_of(nachricht: Nachricht) -> list[str]:
    """The files of one message as ``Sub/name``."""
    names = [f"{NACHRICHTEN_DIR}/{x}" for x in (nachricht.datei, nachricht.text_datei) if x]
    return names + [f"{ANLAGEN_DIR}/{x}" for x in nachricht.anlagen]


def _intent_files(intent: Path) -> list[str]:
    """The files an intent file names (``Sub/name``); nothing if it is unreadable (written half)."""
    try:
        data = json.loads(intent.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    allowed = (f"{NACHRICHTEN_DIR}/", f"{ANLAGEN_DIR}/")
    return [str(x) for x in data if isinstance(x, str) and x.startswith(allowed) and ".." not in x]


def _meta_from_temp(folder: Path, *, restore: bool) -> str | None:
    """vorgang.json is gone but its complete replacement waits under a temp name.

    Some SMB clients replace a file as "delete, then rename": a crash or a lost connection between
    the two leaves only the fsynced temp file. The newest complete one for this Aktenzeichen is the
    metadata; under the lock (``restore``) it is put back in place.
    """
    az = azmod.from_folder_name(folder.name)
    best: tuple[int, str, Path] | None = None
    for entry in os.scandir(folder):
        if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(".tmp") and entry.is_file()):
            continue
        try:
            text = Path(entry.path).read_text(encoding="utf-8")
            data = json.loads(text)
            vorgang = Vorgang.from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if az is not None and vorgang.aktenzeichen == str(az) and (best is None or vorgang.revision > best[0]):
            best = (vorgang.revision, text, Path(entry.path))
    if best is None:
        return None
    if restore:
        with suppress(OSError):
            _announce(folder.parent)
            retry_on_busy(lambda: os.rename(best[2], folder / META_NAME))
            fsync_dir(folder)
    return best[1]


def _parse_meta(folder: Path, text: str) -> tuple[Vorgang, dict[str, Any]]:
    """The Vorgang in ``folder`` from its metadata text, and the record of its last change."""
    try:
        data = json.loads(text)
        vorgang = Vorgang.from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise DatenFehler(
            f"{folder / META_NAME} ist nicht lesbar: {exc}",
            "Stellen Sie die Datei aus der Sicherung wieder her oder führen Sie 'buero-ticket pruefen' aus.",
        ) from None
    vorgang.ordner = folder
    record = data.get(RECORD_KEY)
    return vorgang, record if isinstance(record, dict) else {}


def _read_meta(path: Path, *, fresh: bool = True) -> str:
    """Read vorgang.json; rides out the moment an SMB client replaces it (unlink + rename) and busy errors."""
    for i in range(6):
        try:
            if not fresh:
                return path.read_bytes().decode("utf-8")
            return read_fresh(path).decode("utf-8")  # under the lock: never a cached old version
        except FileNotFoundError:
            if i == 5 or not path.parent.is_dir():
                raise
        except OSError as exc:
            if exc.errno not in BUSY_ERRNOS or i == 5:
                raise
        time.sleep(0.02 * 2**i)
    raise AssertionError("unreachable")


def _rename_dir(src: Path, dst: Path) -> None:
    retry_on_busy(lambda: os.rename(src, dst))


def _announce(folder: Path) -> float:
    """Tell the other PCs' caches that a Vorgang in the status folder ``folder`` changes now (see
    :data:`SETTLE_SECONDS` and index.py): its mtime is set to now. Returns when (``time.monotonic``)."""
    with contextlib.suppress(OSError):  # a folder without write rights: the change itself fails right after
        os.utime(folder)
    return time.monotonic()


def mark_changing(folder: Path) -> None:
    """Before the store writes into a subfolder of the Vorgang ``folder``: its mtime is set to now.

    A file created in ``Nachrichten`` or ``Ausgang`` changes only that subfolder's mtime, and the
    commit (``vorgang.json`` replaced, the status folder announced) comes after it. The quick ``pruefen``
    looks into a Vorgang only when its status folder's or its own mtime moved
    (:mod:`buero_ticket.pruefstand`), so without this mark a crash in between would stay unseen."""
    with contextlib.suppress(OSError):  # no write rights: the write itself fails right after
        os.utime(folder)
    _announce(folder.parent)  # and the status folder, as the commit will: pruefen looks there first


def _text_file(msg: Incoming | Outgoing) -> str:
    head = [f"Kanal: {msg.kanal.label}", f"Zeit: {msg.zeit:%d.%m.%Y %H:%M}"]
    if msg.von:
        head.append(f"Von: {msg.von}")
    if msg.betreff:
        head.append(f"Betreff: {msg.betreff}")
    if msg.hinweis:
        head.append(f"Hinweis: {msg.hinweis}")
    return "\n".join(head) + "\n\n" + (msg.text or "").replace("\r\n", "\n") + "\n"


def message_text(folder: Path, nachricht: Nachricht) -> str:
    """The readable text of a stored message: its text file without the head lines ``_text_file`` writes
    ("" if it has none or cannot be read)."""
    if not nachricht.text_datei:
        return ""
    try:
        text = (folder / NACHRICHTEN_DIR / nachricht.text_datei).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    head, sep, body = text.partition("\n\n")
    if sep and all(": " in line for line in head.splitlines()):
        text = body
    return text.strip()


def _dump(vorgang: Vorgang, record: dict[str, Any]) -> str:
    data = vorgang.to_json()
    data[RECORD_KEY] = record
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for sub in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if sub.is_dir():
            retry_on_busy(sub.rmdir)
        else:
            remove_file(sub)
    retry_on_busy(path.rmdir)


def _suggest(wanted: str, known: list[str]) -> str:
    close = similar_aktenzeichen(wanted, known)
    if close:
        return "Meinten Sie: " + ", ".join(close) + "? 'buero-ticket liste --alle' zeigt alle Vorgänge."
    return "'buero-ticket liste --alle' zeigt alle Aktenzeichen."
