"""The Einwurf (``0 Einwurf``): dropped files become Vorgänge.

A *unit* is one entry directly in a *container*: the Einwurf, a channel folder (``Fax``, ``Post``/``Brief``,
``Scan``) or an Aktenzeichen folder (``<Einwurf>[/<Kanal>]/<Aktenzeichen>[ …]``). A file becomes a new
Vorgang with the file attached; ``.eml``/``.msg``/``.mbox`` go through ``MailImporter.import_file`` (the path of
``mail einlesen`` and the IMAP import); a folder becomes one Vorgang with all its files; a unit whose name starts
with an Aktenzeichen, or in an Aktenzeichen folder, is added to that Vorgang. ``_Fehler`` and temp/system names
(:func:`~buero_ticket.fileio.is_temp_name`) are never processed.

Nothing is lost. A unit is first *claimed*: renamed into ``<Einwurf>/.~bt-arbeit/<instance>/<its folders>/``
(a watcher on another PC cannot take it too; a file still open on Windows cannot be renamed and is retried
later). The instance folder is named ``<PC>-<process id>-<random>``, and the unit keeps the folders it was
dropped in (``Fax``, ``2026-00042-7 Müller`` …) below it. It is deleted only after the Vorgang is written; on
any failure it moves to ``_Fehler`` (never over an existing name) with ``<name> - Grund.txt`` beside it.

Claims left by a crash (:meth:`Einwurf.recover`, at every start and every rescan): when the instance that
made them is known to be gone (same PC, process no longer running) they go back at once to the place they were
dropped and are filed again like a new drop; claims of another PC count as gone after an hour. A drop whose
content is already stored from the Einwurf (same sha256, kept as the message's ``fingerabdruck``
``einwurf-<sha256>``) is not filed a second time: a crash after the Vorgang was written, or a file dragged
back from ``_Fehler``, never makes a second Vorgang.
When a unit is complete is decided from :func:`signature` by ``beobachter.QuietTracker`` (pitfalls §8).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import socket
import stat
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PureWindowsPath

from ..errors import BueroTicketError, EingabeFehler, Exit, Schwere, translate
from ..fileio import TEMP_PREFIX, atomic_write_text, is_temp_name, retry_on_busy
from ..index import Index
from ..models import Absender, Incoming, Kanal
from ..names import safe_name, unique_name
from ..operations import vorgang as ops
from ..operations.context import Context
from ..sharelock import pid_running
from ..store import Store
from .mail import ImportKind, ImportResult, KeineMailDatei, MailImporter

log = logging.getLogger("buero_ticket.einwurf")

ERROR_DIR = "_Fehler"
WORK_DIR = f"{TEMP_PREFIX}arbeit"  # a temp name: every scan and watcher ignores it
CHANNEL_DIRS = {"fax": Kanal.FAX, "post": Kanal.BRIEF, "brief": Kanal.BRIEF, "scan": Kanal.SCAN}
CREATED_DIRS = ("Fax", "Post", "Scan", ERROR_DIR)
MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx")
STALE_CLAIM_S = 3600.0
OUTLOOK_HINT = "Lassen Sie die IT die Outlook-Unterstützung installieren."
DRAG_BACK_HINT = (
    "Danach die Datei aus diesem Ordner zurück in den Einwurf ziehen (vorher umbenennen, wenn ihr Name ein "
    "falsches Aktenzeichen enthält), oder löschen, wenn sie nicht gebraucht wird."
)
_WRONG_ENDING_HINT = "Geben Sie der Datei die passende Endung (z. B. .pdf)."
AZ_PREFIX_RE = re.compile(r"^((?:[A-Za-z0-9]{1,8}-)?\d{4}-\d{5,7}-\d)(?=$|[\s_.,;-])")

Signature = tuple[tuple[str, int, int], ...]


class EinwurfFehler(BueroTicketError):
    """A dropped unit that cannot be filed; text and hint go into its reason file."""

    exit_code = Exit.PROBLEME
    schwere = Schwere.EINZELN
    beschreibung = "Die abgelegte Datei konnte nicht übernommen werden."

    def __init__(self, text: str, hint: str = "", *, drag_back: bool = True) -> None:
        super().__init__(text, hint)
        self.drag_back = drag_back  # add "then drag it back into the Einwurf" to the hint


@dataclass(frozen=True)
class Unit:
    """A unit and what its place in the Einwurf says about it."""

    path: Path
    kanal: Kanal  # as Incoming.kanal
    aktenzeichen: str  # as Incoming.aktenzeichen: from the folder or the name; "" means a new Vorgang
    display: str  # path below the Einwurf, Windows style, for messages


class DropKind(StrEnum):
    """What happened to one unit dropped into the Einwurf."""

    NEU = "neu"  # a new Vorgang
    FOLGE = "folge"  # added to the Vorgang it names
    MAIL = "mail"  # mail file(s) imported
    FEHLER = "fehler"  # moved to _Fehler with its reason
    WARTET = "wartet"  # still open elsewhere: retried later
    WEG = "weg"  # taken by another watcher meanwhile


@dataclass(frozen=True)
class DropResult:
    display: str
    kind: DropKind
    aktenzeichen: tuple[str, ...] = ()
    reason: str = ""
    path: Path | None = None  # where it lies in _Fehler


def az_prefix(name: str) -> str:
    """The Aktenzeichen a file or folder name starts with (unverified), or ""."""
    match = AZ_PREFIX_RE.match(name)
    return match.group(1) if match else ""


def signature(unit: Path) -> Signature | None:
    """Size and mtime of the unit's files (a folder: every file below it); None if it is gone."""
    try:
        st = os.stat(unit)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return (("", st.st_size, st.st_mtime_ns),)
    found = []
    for path in folder_files(unit):
        try:
            st = os.stat(path)
        except OSError:
            continue
        found.append((path.relative_to(unit).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


def folder_files(folder: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_temp_name(d))
        files += [Path(root) / n for n in sorted(names) if not is_temp_name(n)]
    return files


class Einwurf:
    """Finds units in the Einwurf and files each one (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.root = store.ablage.einwurf_dir
        self.error_dir = self.root / ERROR_DIR
        self.work_dir = self.root / WORK_DIR
        # One work folder per instance, made once: a folder per claim would add and remove an inotify
        # watch for every drop. Other watchers (other PCs) have their own.
        self._claim_dir = self.work_dir / _instance_token()
        self._stored: dict[str, str] = {}  # einwurf fingerprints filed in this run -> Aktenzeichen
        self.kanal = Kanal(store.ablage.config.einwurf.kanal)  # of a file dropped straight into the Einwurf

    def prepare(self) -> None:
        """Create the channel folders, ``_Fehler`` and our work folder (before any watching starts)."""
        for name in CREATED_DIRS:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        self._claim_dir.mkdir(parents=True, exist_ok=True)

    def importer(self, index: Index) -> MailImporter:
        """The mail importer for drops (create it in the thread that uses ``index``).

        Its quarantine is ``_Fehler``: a dropped mail that cannot be filed is stored once, where the
        clerk who dropped it looks.
        """
        return MailImporter(self.store, index, quarantaene_dir=self.error_dir)

    # -- where things are ----------------------------------------------------------------------
    def _parts(self, path: Path) -> tuple[str, ...] | None:
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            return None
        if not parts or parts[0].casefold() == ERROR_DIR.casefold() or any(is_temp_name(p) for p in parts):
            return None
        return parts

    def _containers(self, path: Path, parts: tuple[str, ...]) -> tuple[int, Kanal, str]:
        """How many leading parts are containers, the channel and the Aktenzeichen they give."""
        depth, kanal, az = 0, self.kanal, ""
        if parts[0].casefold() in CHANNEL_DIRS:
            depth, kanal = 1, CHANNEL_DIRS[parts[0].casefold()]
        if len(parts) > depth and az_prefix(parts[depth]):
            is_folder = len(parts) > depth + 1 or path.is_dir()
            if is_folder:
                depth, az = depth + 1, az_prefix(parts[depth])
        return depth, kanal, az

    def unit_of(self, path: Path) -> Unit | None:
        """The unit ``path`` belongs to (a file inside a dropped folder: that folder), or None."""
        parts = self._parts(path)
        if parts is None:
            return None
        depth, kanal, az = self._containers(path, parts)
        if len(parts) <= depth:
            return None  # a container itself
        unit = self.root.joinpath(*parts[: depth + 1])
        display = str(PureWindowsPath(*parts[: depth + 1]))
        return Unit(unit, kanal, az or az_prefix(parts[depth]), display)

    def is_container(self, path: Path) -> bool:
        parts = self._parts(path) if path != self.root else ()
        return parts is not None and (not parts or self._containers(path, parts)[0] == len(parts))

    def scan(self, folder: Path | None = None) -> list[Path]:
        """Units waiting in ``folder`` (a container; default: the whole Einwurf)."""
        folder = folder or self.root
        units: list[Path] = []
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return units
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir() and self.is_container(path):
                units += self.scan(path)
            elif self.unit_of(path) is not None:
                units.append(path)
        return units

    # -- processing ----------------------------------------------------------------------------
    def process(self, unit: Path, importer: MailImporter) -> DropResult:
        """File one complete unit. Never raises for bad content: failures go to ``_Fehler``."""
        unit_info = self.unit_of(unit)
        if unit_info is None:
            return DropResult(unit.name, DropKind.WEG)
        try:
            claimed = self._claim(unit)
        except PermissionError:  # still open in another program (Windows): later
            return DropResult(unit_info.display, DropKind.WARTET, reason="Datei ist noch geöffnet")
        except OSError as exc:
            return self._reject(unit, unit_info.display, *_reason(exc))
        if claimed is None:
            return DropResult(unit_info.display, DropKind.WEG)
        before = signature(claimed)
        try:
            result = self._file(claimed, unit_info, importer)
        except Exception as exc:
            if not translate(exc).einzeln and not _about(exc, claimed):
                # The Ablage or the disk, not this file: it goes back into the Einwurf, the run stops.
                with contextlib.suppress(OSError):
                    _rename_exclusive(claimed, unit)
                raise
            if isinstance(exc, BueroTicketError):  # an ordinary case (typo'd Aktenzeichen …): no traceback
                log.warning("Einwurf %s nicht verarbeitet: %s %s", unit_info.display, exc.text, exc.hinweis)
            else:
                log.warning("Einwurf %s nicht verarbeitet", unit_info.display, exc_info=True)
            return self._reject(claimed, unit_info.display, *_reason(exc))
        except BaseException:  # interrupted (second Ctrl+C): put it back; else recover() finds it
            with contextlib.suppress(OSError):
                _rename_exclusive(claimed, unit)
            raise
        if signature(claimed) != before:  # a writer still had it open (local disk): keep the newer state
            reason = f"Die Datei wurde während der Übernahme noch verändert; {', '.join(result.aktenzeichen)} hat"
            hint = "Vergleichen Sie beide Fassungen und ersetzen Sie die Anlage im Vorgang, falls nötig."
            return self._reject(claimed, unit_info.display, f"{reason} den Stand davor.", hint)
        self._release(claimed)
        return result

    def _claim(self, unit: Path) -> Path | None:
        """Rename ``unit`` into this instance's own work folder (below the folders it was dropped in, so a
        crash can put it back); None if someone else took it."""
        rel = unit.relative_to(self.root)
        if os.path.lexists(self._claim_dir / rel):  # a leftover there: never rename over it
            self._claim_dir = self.work_dir / _instance_token()
        target = self._claim_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(unit, target)
        except FileNotFoundError:
            self._tidy(target)
            return None
        return target

    def close(self) -> None:
        """Remove this instance's work folder if it is empty."""
        _rmdir_quietly(self._claim_dir)

    def _tidy(self, claimed: Path) -> None:
        """Remove the now empty folders between ``claimed`` and its instance folder."""
        folder = claimed.parent
        while folder != self.work_dir and self.work_dir in folder.parents and folder.parent != self.work_dir:
            if os.path.lexists(folder) and any(os.scandir(folder)):
                return
            _rmdir_quietly(folder)
            folder = folder.parent

    def _release(self, claimed: Path) -> None:
        try:
            if claimed.is_dir():
                shutil.rmtree(claimed)
            else:
                retry_on_busy(claimed.unlink)
        except OSError:  # stored already; recover() puts it back and the fingerprint stops a second Vorgang
            log.warning("Übernommene Datei %s konnte nicht gelöscht werden", claimed, exc_info=True)
            return
        self._tidy(claimed)

    def _file(self, claimed: Path, unit_info: Unit, importer: MailImporter) -> DropResult:
        suffix = claimed.suffix.lower()
        if claimed.is_dir():
            return self._file_folder(claimed, unit_info, importer.index)
        if suffix in MAIL_SUFFIXES:
            return self._file_mails(claimed, unit_info, importer)
        data = claimed.read_bytes()
        if not data:
            raise EinwurfFehler(
                "leere Datei (0 Bytes): es gibt nichts, woraus ein Vorgang werden könnte.",
                "Scannen oder speichern Sie das Dokument noch einmal; die leere Datei können Sie löschen.",
                drag_back=False,
            )
        return self._accept(unit_info, [(claimed.name, data)], f"Datei „{claimed.name}“", importer.index)

    def _file_folder(self, claimed: Path, unit_info: Unit, index: Index) -> DropResult:
        files = folder_files(claimed)
        if not files:
            raise EinwurfFehler("Der Ordner enthält keine Dateien.", "Legen Sie die Dateien in den Ordner.")
        attachments = [(" - ".join(f.relative_to(claimed).parts), f.read_bytes()) for f in files]
        if not any(data for _name, data in attachments):
            raise EinwurfFehler(
                f"Der Ordner enthält nur leere Dateien ({len(files)}, je 0 Bytes).",
                "Legen Sie die richtigen Dateien in den Ordner.",
            )
        return self._accept(unit_info, attachments, f"Ordner „{claimed.name}“ mit {len(files)} Dateien", index)

    def _accept(self, unit_info: Unit, attachments: list[tuple[str, bytes]], what: str, index: Index) -> DropResult:
        fingerprint = drop_fingerprint(attachments)
        stored = self._already_stored(fingerprint, unit_info.aktenzeichen, index)
        if stored:
            raise EinwurfFehler(
                f"Dieser Inhalt ist schon in Vorgang {stored} gespeichert (gleiche Datei, sha256); "
                "er wird nicht noch einmal angelegt.",
                f"Prüfen Sie mit 'buero-ticket zeige {stored}', ob alles da ist, und löschen Sie dann diese Kopie.",
                drag_back=False,
            )
        item = Incoming(
            kanal=unit_info.kanal,
            betreff=subject_from_name(unit_info.path.name),
            absender=Absender(),
            zeit=self.store.clock(),
            text=f"{what} über den Einwurf eingegangen ({unit_info.display}).",
            anlagen=attachments,
            aktenzeichen=unit_info.aktenzeichen or None,
            herkunft=f"Einwurf {unit_info.display}",
            fingerabdruck=fingerprint,
        )
        result = ops.accept(Context.of(self.store), item)
        self._stored[fingerprint] = result.vorgang.aktenzeichen
        return DropResult(unit_info.display, DropKind(result.kind.value), (result.vorgang.aktenzeichen,))

    def _already_stored(self, fingerprint: str, target: str, index: Index) -> str:
        """The Vorgang that already holds this drop's content from the Einwurf ("" if none)."""
        if target:
            try:
                vorgang = self.store.get(target)
            except BueroTicketError:
                return ""  # filing reports the unknown Aktenzeichen
            found = any(n.fingerabdruck == fingerprint for n in vorgang.nachrichten)
            return vorgang.aktenzeichen if found else ""
        return self._stored.get(fingerprint) or index.find_key(f"fp:{fingerprint}") or ""

    def _file_mails(self, claimed: Path, unit_info: Unit, importer: MailImporter) -> DropResult:
        try:
            results = list(importer.import_file(claimed, aktenzeichen=unit_info.aktenzeichen))
        except KeineMailDatei as exc:  # a document with a mail's ending
            raise EinwurfFehler(exc.text.split(";")[0] + ".", _WRONG_ENDING_HINT) from exc
        except EingabeFehler as exc:  # the Outlook extra is missing; nothing wrong with the file
            raise EinwurfFehler(exc.text, OUTLOOK_HINT) from exc
        if not results:
            raise EinwurfFehler("In der Datei wurde keine E-Mail gefunden.", "Prüfen Sie die Datei.")
        if all(r.kind is ImportKind.DOPPELT for r in results):
            where = ", ".join(dict.fromkeys(r.aktenzeichen for r in results))
            raise EinwurfFehler(
                f"Diese E-Mail ist schon gespeichert ({where}).",
                "Ist es dieselbe Mail, löschen Sie die Datei. Soll sie zusätzlich zu einem Vorgang, "
                "ziehen Sie sie in den Ordner '0 Einwurf\\<Aktenzeichen>'.",
                drag_back=False,
            )
        return _mail_result(unit_info.display, results)

    # -- _Fehler -------------------------------------------------------------------------------
    def _reject(self, source: Path, display: str, reason: str, hint: str) -> DropResult:
        """Move ``source`` to ``_Fehler`` (never over an existing name) and write why beside it."""
        try:
            self.error_dir.mkdir(parents=True, exist_ok=True)
            name = _move_unique(source, self.error_dir, safe_name(source.name))
            self._write_reason(name, display, reason, hint, folder=(self.error_dir / name).is_dir())
        except OSError:
            log.error("Einwurf %s konnte nicht nach _Fehler verschoben werden", display, exc_info=True)
            return DropResult(display, DropKind.FEHLER, reason=f"{reason} (liegt noch in {source})", path=source)
        return DropResult(display, DropKind.FEHLER, reason=reason, path=self.error_dir / name)

    def _write_reason(self, name: str, display: str, reason: str, hint: str, *, folder: bool) -> None:
        text = (
            f"Datei: {name}\nZeit: {self.store.clock():%d.%m.%Y %H:%M:%S}\nHerkunft: {self.root.name}\\{display}\n"
            f"Grund: {reason}\n\nWas tun: {hint}\n"
        )
        stem = name if folder else Path(name).stem
        for _ in range(100):  # another watcher may take the same name at the same moment
            try:
                reason_file = unique_name(self.error_dir, f"{stem} - Grund.txt")
                atomic_write_text(self.error_dir / reason_file, text, overwrite=False)
                return
            except FileExistsError:
                continue

    def leftover_claims(self, min_age: float = STALE_CLAIM_S) -> list[Claim]:
        """Claims of other instances (not this one), with whether they may be taken back now."""
        claims = []
        for token in _entries(self.work_dir):
            if token == self._claim_dir:
                continue
            owner = ClaimOwner.of(token.name)
            try:
                age = time.time() - token.stat().st_mtime
            except OSError:
                continue
            for unit in self._claimed_units(token, token):
                claims.append(Claim(unit, token, owner, age, owner.gone() or age >= min_age))
        return claims

    def _claimed_units(self, token: Path, folder: Path) -> list[Path]:
        """The units inside an instance folder (its folders mirror the Einwurf)."""
        units = []
        for entry in _entries(folder):
            parts = entry.relative_to(token).parts
            depth = self._containers(entry, parts)[0] if self._parts(self.root.joinpath(*parts)) else 0
            if entry.is_dir() and len(parts) <= depth:
                units += self._claimed_units(token, entry)
            else:
                units.append(entry)
        return units

    def recover(self, min_age: float = STALE_CLAIM_S) -> list[DropResult]:
        """Claims left by a crash go back where they were dropped, to be filed again (see module docstring).

        Returns a result only for what could not be put back (then it is in ``_Fehler``).
        """
        results = []
        tokens = set()
        for claim in self.leftover_claims(min_age):
            if not claim.recoverable:
                continue
            tokens.add(claim.token)
            rel = claim.path.relative_to(claim.token)
            original = self.root / rel
            try:
                original.parent.mkdir(parents=True, exist_ok=True)
                _move_unique(claim.path, original.parent, original.name)
                log.info("Unterbrochene Übernahme von %s: zurück in den Einwurf gelegt", rel)
            except OSError:
                reason = "Die Verarbeitung wurde unterbrochen (Programm beendet oder abgestürzt)."
                hint = f"Prüfen Sie mit 'buero-ticket liste', ob es den Vorgang dazu schon gibt. {DRAG_BACK_HINT}"
                results.append(self._reject(claim.path, str(PureWindowsPath(rel)), reason, hint))
        for token in _entries(self.work_dir):  # also instance folders a crash left empty
            if token != self._claim_dir and (token in tokens or ClaimOwner.of(token.name).gone()):
                _remove_empty_tree(token)
        return results


@dataclass(frozen=True)
class ClaimOwner:
    """Who made a claim, from its instance folder's name ``<PC>-<process id>-<random>``."""

    host: str
    pid: int

    @classmethod
    def of(cls, token: str) -> ClaimOwner:
        host, _, rest = token.rpartition("-")
        host, _, pid = host.rpartition("-")
        return cls(host, int(pid)) if host and pid.isdigit() and rest else cls("", 0)

    def gone(self) -> bool:
        """True only when certain: an instance on this PC whose process no longer runs."""
        if not self.host or self.host != _host_name():
            return False
        return self.pid == os.getpid() or not pid_running(self.pid)  # our own pid: a dead predecessor's

    def describe(self) -> str:
        if not self.host:
            return "von einer älteren Programmversion"
        where = "diesem PC" if self.host == _host_name() else f"PC {self.host}"
        return f"von Prozess {self.pid} auf {where}"


@dataclass(frozen=True)
class Claim:
    """A unit left in another instance's work folder."""

    path: Path
    token: Path
    owner: ClaimOwner
    age_s: float
    recoverable: bool  # its instance is gone (or it is older than an hour)


def drop_fingerprint(files: list[tuple[str, bytes]]) -> str:
    """``einwurf-<sha256>`` of a drop's content: the file's bytes; a folder: its names and bytes."""
    if len(files) == 1:
        digest = hashlib.sha256(files[0][1]).hexdigest()
    else:
        lines = "".join(f"{name}\t{hashlib.sha256(data).hexdigest()}\n" for name, data in files)
        digest = hashlib.sha256(lines.encode("utf-8")).hexdigest()
    return f"einwurf-{digest}"


def _host_name() -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "_", socket.gethostname() or "PC").strip("_")
    return name[:40] or "PC"


def _instance_token() -> str:
    return f"{_host_name()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _remove_empty_tree(folder: Path) -> None:
    """Remove ``folder`` and its sub-folders if no file is left in them."""
    for root, _dirs, _files in sorted(os.walk(folder), key=lambda t: -len(t[0])):
        _rmdir_quietly(Path(root))


def subject_from_name(name: str) -> str:
    """A subject from a file name: without Aktenzeichen and extension, underscores as spaces."""
    stem = name if "." not in name[1:] else name.rsplit(".", 1)[0]
    stem = stem[len(az_prefix(stem)) :].replace("_", " ")
    return " ".join(stem.split()).strip(" -.,;") or name


def _mail_result(display: str, results: list[ImportResult]) -> DropResult:
    stored = tuple(r.aktenzeichen for r in results if r.aktenzeichen and r.kind is not ImportKind.DOPPELT)
    failed = [r for r in results if not r.aktenzeichen and r.path is not None]
    if stored:
        reason = f"{len(failed)} Nachrichten in {ERROR_DIR}" if failed else ""
        return DropResult(display, DropKind.MAIL, stored, reason)
    first = failed[0] if failed else results[0]
    return DropResult(display, DropKind.FEHLER, reason=first.reason, path=first.path)


def _reason(exc: BaseException) -> tuple[str, str]:
    """Reason and advice for the ``_Fehler`` reason file (from the one translator)."""
    reason, hint = translate(exc).fuer_eintrag()
    if not getattr(exc, "drag_back", True):
        return reason, hint
    return reason, f"{hint} {DRAG_BACK_HINT}".strip()


def _about(exc: BaseException, unit: Path) -> bool:
    """True when an OSError concerns the dropped unit itself (unreadable file), not the Ablage."""
    name = getattr(exc, "filename", None)
    return isinstance(exc, OSError) and bool(name) and str(name).startswith(str(unit))


def _rename_exclusive(src: Path, dst: Path) -> None:
    """Rename that never replaces an existing ``dst`` (``os.rename`` replaces files on POSIX)."""
    if os.name == "nt" or src.is_dir():  # Windows refuses; POSIX refuses non-empty folders
        if os.path.lexists(dst):
            raise FileExistsError(dst)
        os.rename(src, dst)
        return
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this share
        if os.path.lexists(dst):
            raise FileExistsError(dst) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def _move_unique(src: Path, folder: Path, name: str) -> str:
    for _ in range(100):
        candidate = unique_name(folder, name)
        try:
            _rename_exclusive(src, folder / candidate)
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(folder / name)


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(folder))
    except OSError:
        return []


def _rmdir_quietly(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
