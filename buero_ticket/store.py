"""Vorgang folders: the only code that writes inside a Vorgang.

A Vorgang is a folder ``<Aktenzeichen> <short subject>`` in its status folder
with ``vorgang.json`` (metadata, format version, revision), ``verlauf.txt``
(history) and the subfolders ``Nachrichten``, ``Anlagen`` and ``Ausgang``.
Every change happens under the Vorgang's lock; metadata carries a revision
number so a change based on an old read is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from . import aktenzeichen as azmod
from . import history
from .ablage import Ablage
from .clock import Clock, system_clock
from .errors import DatenFehler, GesperrtFehler, KonfliktFehler, NichtGefunden, ZugriffFehler
from .fileio import TEMP_PREFIX, atomic_write_bytes, atomic_write_text, fsync_dir, retry_on_busy, write_new_file
from .models import Absender, Dringlichkeit, HistoryEntry, Kanal, Nachricht, Status, Vorgang
from .names import MAX_PATH, fit_name, short_subject, unique_name
from .vorschlag import similar_aktenzeichen

META_NAME = "vorgang.json"
NACHRICHTEN_DIR = "Nachrichten"
ANLAGEN_DIR = "Anlagen"
AUSGANG_DIR = "Ausgang"
SUBDIRS = (NACHRICHTEN_DIR, ANLAGEN_DIR, AUSGANG_DIR)
LOCK_STRIPES = 64
# Longest status folder below the root ("2 In Bearbeitung" / "5 Archiv/2026") plus separators.
_STATUS_PATH_RESERVE = 18
_FOLDER_PATH_BUDGET = 150  # leaves ~90 characters for "Nachrichten/…" and attachment names
# A Vorgang may later move to a status folder with a longer name ("1 Eingang" → "2 In Bearbeitung").
_FILE_PATH_LIMIT = MAX_PATH - 8


@dataclass
class NeueNachricht:
    """A message to store in a Vorgang (from any channel)."""

    richtung: str  # "eingang" | "ausgang"
    kanal: Kanal
    zeit: datetime
    von: str = ""
    betreff: str = ""
    text: str = ""
    original: tuple[str, bytes] | None = None  # (extension, bytes), e.g. ("eml", raw mail)
    anlagen: list[tuple[str, bytes]] = field(default_factory=list)
    message_id: str = ""
    automatisch: bool = False
    hinweis: str = ""  # a note for the clerk, written at the top of the text file
    fingerabdruck: str = ""


class Store:
    def __init__(self, ablage: Ablage, clock: Clock = system_clock) -> None:
        self.ablage = ablage
        self.clock = clock
        #: Where a cache says an Aktenzeichen's folder is (see index.Index.locate); confirmed by a stat.
        self.locator: Callable[[str], list[Path]] | None = None

    # -- locking -------------------------------------------------------------------------
    @contextmanager
    def lock(self, az: str, timeout: float = 30.0) -> Iterator[None]:
        """Exclusive lock for one Vorgang (striped lock files in the state folder)."""
        stripe = zlib.crc32(az.encode()) % LOCK_STRIPES
        lock_dir = self.ablage.state_dir / "sperren"
        lock_dir.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(lock_dir / f"vorgang-{stripe:02d}.lock"), timeout=timeout):
                yield
        except Timeout:
            raise ZugriffFehler(
                f"Vorgang {az} ist seit {timeout:.0f} Sekunden von einem anderen Programm gesperrt.",
                "Warten Sie einen Moment und versuchen Sie es erneut.",
            ) from None

    # -- reading -------------------------------------------------------------------------
    def load(self, folder: Path) -> Vorgang:
        return self.load_with_text(folder)[0]

    def load_with_text(self, folder: Path) -> tuple[Vorgang, str]:
        """The Vorgang and the metadata file's text as read (for the cache)."""
        try:
            text = (folder / META_NAME).read_text(encoding="utf-8")
            vorgang = Vorgang.from_json(json.loads(text))
        except FileNotFoundError:
            if not folder.exists():
                raise NichtGefunden(
                    f"Der Vorgangsordner {folder} existiert nicht mehr.",
                    "Er wurde vermutlich gerade verschoben oder gelöscht; führen Sie den Befehl erneut aus.",
                ) from None
            raise DatenFehler(f"In {folder} fehlt {META_NAME}.", "Führen Sie 'buero-ticket pruefen' aus.") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise DatenFehler(
                f"{folder / META_NAME} ist nicht lesbar: {exc}",
                "Stellen Sie die Datei aus der Sicherung wieder her oder führen Sie 'buero-ticket pruefen' aus.",
            ) from None
        vorgang.ordner = folder
        return vorgang, text

    def find(self, text: str) -> Path:
        """The folder of the Vorgang a clerk named; suggests close matches when unknown."""
        wanted = azmod.parse(text, self.ablage.config.kuerzel)
        if self.locator is not None:  # the cache answers, a stat confirms; a scan only on a miss
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
        raise NichtGefunden(f"Einen Vorgang {wanted} gibt es nicht.", _suggest(str(wanted), known))

    def get(self, text: str) -> Vorgang:
        return self.load(self.find(text))

    # -- creating ------------------------------------------------------------------------
    def create(
        self,
        *,
        betreff: str,
        kanal: Kanal,
        absender: Absender,
        eingang: datetime,
        nachricht: NeueNachricht | None,
        dringlichkeit: Dringlichkeit = Dringlichkeit.NORMAL,
        bearbeiter: str = "",
        verknuepft: list[str] | None = None,
        details: str = "",
        frist: date | None = None,
    ) -> Vorgang:
        """Allocate an Aktenzeichen and write the complete folder, then make it visible."""
        az = azmod.allocate(self.ablage.state_dir, eingang.year, self.ablage.config.kuerzel)
        status_dir = self.ablage.status_dir(Status.EINGANG)
        name = self._folder_name(str(az), betreff)
        final = status_dir / name
        tmp = status_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}.tmp"
        vorgang = Vorgang(
            aktenzeichen=str(az),
            betreff=betreff,
            kanal=kanal,
            status=Status.EINGANG,
            eingang=eingang,
            dringlichkeit=dringlichkeit,
            bearbeiter=bearbeiter,
            absender=absender,
            frist=frist,
            verknuepft=list(verknuepft or []),
            geaendert=self.clock(),
            revision=1,
        )
        try:
            tmp.mkdir(parents=True)
            for sub in SUBDIRS:
                (tmp / sub).mkdir()
            created = details or f"Kanal {kanal.label}, Betreff „{betreff}“"
            lines = [history.entry("Angelegt", created, zeit=self.clock())]
            if bearbeiter:
                lines.append(history.entry("Zugewiesen", f"niemand → {bearbeiter}", zeit=self.clock()))
            if nachricht is not None:
                vorgang.nachrichten.append(self._write_message(tmp, final, vorgang, nachricht, fresh=True))
            write_new_file(tmp / META_NAME, _dump(vorgang).encode("utf-8"))
            write_new_file(tmp / history.HISTORY_NAME, history.new_file_content(lines))
            for folder in (*(tmp / sub for sub in SUBDIRS if any((tmp / sub).iterdir())), tmp):
                fsync_dir(folder)  # an empty subfolder has no entries to make durable
            retry_on_busy(lambda: os.rename(tmp, final))
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
    ) -> Vorgang:
        """Apply ``change`` under the lock; it returns the history lines to append.

        ``expected_revision`` is the version token of an earlier read: if someone
        else saved meanwhile, the change is refused (KonfliktFehler). A restricted
        Vorgang (Art. 18 DSGVO) is read-only unless ``gesperrt_ok`` (lifting the
        restriction, filing an incoming message so that nothing is lost).
        """
        az = str(azmod.parse(az_text, self.ablage.config.kuerzel))  # the lock key, without a scan
        with self.lock(az):
            folder = self.find(az)  # looked up under the lock: it may have moved meanwhile
            vorgang = self.load(folder)
            if expected_revision is not None and vorgang.revision != expected_revision:
                raise KonfliktFehler(
                    f"Vorgang {vorgang.aktenzeichen} wurde inzwischen von jemand anderem geändert "
                    f"(Stand {expected_revision}, jetzt {vorgang.revision}).",
                    "Laden Sie den Vorgang neu ('buero-ticket zeige') und wiederholen Sie Ihre Änderung.",
                )
            if vorgang.gesperrt and not gesperrt_ok:
                raise GesperrtFehler(
                    f"Vorgang {vorgang.aktenzeichen} ist gesperrt (Art. 18 DSGVO: {vorgang.gesperrt}) "
                    "und kann nicht geändert werden.",
                    f"Die Sperre hebt 'buero-ticket entsperren {vorgang.aktenzeichen} --grund …' auf.",
                )
            lines = change(vorgang)
            if not lines:
                return vorgang
            try:
                self._save(vorgang, lines)
            except BaseException:
                if vorgang.ordner is not None and vorgang.ordner != folder:  # moved by the change: move back
                    with suppress(OSError):
                        retry_on_busy(lambda: os.rename(vorgang.ordner, folder))  # type: ignore[arg-type]
                raise
            return vorgang

    def _save(self, vorgang: Vorgang, lines: list[HistoryEntry]) -> None:
        """Write metadata (revision + 1) and history; on failure (disk full) the old metadata come back.

        Caller holds the lock.
        """
        assert vorgang.ordner is not None
        meta = vorgang.ordner / META_NAME
        old = meta.read_bytes()
        vorgang.revision += 1
        vorgang.geaendert = self.clock()
        atomic_write_text(meta, _dump(vorgang))
        try:
            history.append_history(vorgang.ordner, lines)
        except BaseException:
            with suppress(OSError):  # the new file's blocks are free again, so the old text fits
                atomic_write_bytes(meta, old)
            raise
        if not vorgang.status.is_open:
            _touch(vorgang.ordner.parent)

    def set_status(
        self, az_text: str, status: Status, *, grund: str = "", expected_revision: int | None = None
    ) -> Vorgang:
        def change(vorgang: Vorgang) -> list[HistoryEntry]:
            old = vorgang.status
            if old is status:
                return []
            self._move(vorgang, status)
            detail = f"{old.label} → {status.label}" + (f" ({grund})" if grund else "")
            return [history.entry("Statuswechsel", detail, zeit=self.clock())]

        return self.update(az_text, change, expected_revision=expected_revision)

    def _move(self, vorgang: Vorgang, status: Status) -> None:
        assert vorgang.ordner is not None
        now = self.clock()
        target_dir = self.ablage.status_dir(status, now.year if status is Status.ARCHIV else None)
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / vorgang.ordner.name
        if target.exists():
            raise DatenFehler(f"{target} existiert bereits.", "Führen Sie 'buero-ticket pruefen' aus.")
        try:
            retry_on_busy(lambda: os.rename(vorgang.ordner, target))  # type: ignore[arg-type]
        except PermissionError:
            raise ZugriffFehler(
                f"Der Ordner von Vorgang {vorgang.aktenzeichen} kann nicht verschoben werden: "
                "eine Datei darin ist noch geöffnet.",
                "Schließen Sie geöffnete Dokumente und Explorer-Fenster dieses Vorgangs und versuchen Sie es erneut.",
            ) from None
        fsync_dir(target_dir)
        vorgang.ordner = target
        vorgang.status = status
        if status in (Status.ERLEDIGT, Status.ARCHIV):
            vorgang.erledigt = vorgang.erledigt or now
        else:
            vorgang.erledigt = None

    def add_message(self, az_text: str, nachricht: NeueNachricht, aktion: str, details: str = "") -> Vorgang:
        def change(vorgang: Vorgang) -> list[HistoryEntry]:
            assert vorgang.ordner is not None
            vorgang.nachrichten.append(self._write_message(vorgang.ordner, vorgang.ordner, vorgang, nachricht))
            text = details or f"{nachricht.kanal.label} von {nachricht.von or 'unbekannt'}"
            return [history.entry(aktion, text, zeit=self.clock())]

        return self.update(az_text, change, gesperrt_ok=True)  # an incoming message is never lost

    def _write_message(
        self, folder: Path, final: Path, vorgang: Vorgang, msg: NeueNachricht, *, fresh: bool = False
    ) -> Nachricht:
        """Store one message's files. ``fresh``: ``folder`` is an invisible temp folder (see create)."""

        def write(target: Path, data: bytes) -> None:
            if fresh:
                write_new_file(target, data)
            else:
                atomic_write_bytes(target, data, overwrite=False)

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
            fingerabdruck=msg.fingerabdruck,
        )
        msg_dir = folder / NACHRICHTEN_DIR
        if msg.original is not None:
            ext, data = msg.original
            nachricht.sha256 = hashlib.sha256(data).hexdigest()
            nachricht.datei = fit_name(final / NACHRICHTEN_DIR, f"{stem}.{ext}", max_path=_FILE_PATH_LIMIT)
            write(msg_dir / nachricht.datei, data)
        if msg.text or msg.original is None:
            text_name = fit_name(final / NACHRICHTEN_DIR, f"{stem}.txt", max_path=_FILE_PATH_LIMIT)
            write(msg_dir / text_name, _text_file(msg).encode("utf-8"))
            nachricht.text_datei = text_name
            nachricht.datei = nachricht.datei or text_name
        anlagen_dir = folder / ANLAGEN_DIR
        taken: set[str] = set()
        for name, data in msg.anlagen:
            clean = unique_name(anlagen_dir, fit_name(final / ANLAGEN_DIR, name, max_path=_FILE_PATH_LIMIT), taken)
            taken.add(clean)
            write(anlagen_dir / clean, data)
            nachricht.anlagen.append(clean)
        return nachricht

    def repair_status(self, folder: Path, status: Status) -> Vorgang | None:
        """Metadata says another status than the folder: the folder wins (manual move).

        A folder out of place (dragged straight into "5 Archiv", into a wrong or a new subfolder)
        is moved where the program keeps a Vorgang of that status first.
        """
        az = folder.name.split(" ", 1)[0]
        with self.lock(az):
            vorgang = self.load(folder)
            if not self.ablage.is_regular_place(folder, status):
                return self._put_in_place(vorgang, status)
            if vorgang.status is status:
                return None
            old = vorgang.status
            vorgang.status = status
            if status in (Status.ERLEDIGT, Status.ARCHIV):
                vorgang.erledigt = vorgang.erledigt or self.clock()
            else:
                vorgang.erledigt = None
            line = history.entry(
                "Statuswechsel (manuell verschoben)",
                f"{old.label} → {status.label}: Ordner wurde im Explorer verschoben, Metadaten angepasst",
                zeit=self.clock(),
            )
            self._save(vorgang, [line])
            return vorgang

    def _put_in_place(self, vorgang: Vorgang, status: Status) -> Vorgang:
        """Move a misplaced folder where it belongs, with its status from where it was found. Holds the lock."""
        assert vorgang.ordner is not None
        found_in = vorgang.ordner.parent
        old = vorgang.status
        self._move(vorgang, status)
        rel = found_in.relative_to(self.ablage.root) if found_in.is_relative_to(self.ablage.root) else found_in
        detail = f"lag in „{rel}“, jetzt in „{vorgang.ordner.parent.relative_to(self.ablage.root)}“"
        if old is not status:
            detail += f"; {old.label} → {status.label}"
        line = history.entry("Ordner an den richtigen Platz verschoben (manuell verschoben)", detail, zeit=self.clock())
        self._save(vorgang, [line])
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


def _touch(folder: Path) -> None:
    """Tell the other PCs' caches that a Vorgang in a closed status folder changed (see index.py)."""
    with contextlib.suppress(OSError):  # only a hint: the next full check (pruefen) finds the change anyway
        os.utime(folder)


def _text_file(msg: NeueNachricht) -> str:
    head = [f"Kanal: {msg.kanal.label}", f"Zeit: {msg.zeit:%d.%m.%Y %H:%M}"]
    if msg.von:
        head.append(f"Von: {msg.von}")
    if msg.betreff:
        head.append(f"Betreff: {msg.betreff}")
    if msg.hinweis:
        head.append(f"Hinweis: {msg.hinweis}")
    return "\n".join(head) + "\n\n" + (msg.text or "").replace("\r\n", "\n") + "\n"


def _dump(vorgang: Vorgang) -> str:
    return json.dumps(vorgang.to_json(), ensure_ascii=False, indent=2) + "\n"


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for sub in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if sub.is_dir():
            sub.rmdir()
        else:
            sub.unlink()
    path.rmdir()


def _suggest(wanted: str, known: list[str]) -> str:
    close = similar_aktenzeichen(wanted, known)
    if close:
        return "Meinten Sie: " + ", ".join(close) + "? 'buero-ticket liste --alle' zeigt alle Vorgänge."
    return "'buero-ticket liste --alle' zeigt alle Aktenzeichen."
