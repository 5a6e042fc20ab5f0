"""Consistency check of a whole Ablage: every problem with its path, errors as data.

``check`` never changes anything; ``repair`` fixes the safe kinds (status
mismatch, missing folders, old temp files, stale cache) and leaves the rest to a
person, because only a person can decide which of two duplicate folders is right.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from .ablage import CONFIG_NAME, README_NAME, Ablage, layout_dirs, looks_like_vorgang
from .aktenzeichen import from_folder_name
from .errors import BueroTicketError
from .fileio import TEMP_PREFIX, is_temp_name
from .index import Abweichung, AbweichungArt, Index, reconcile
from .models import Status
from .pruefstand import Pruefstand, stand_file
from .store import META_NAME, SUBDIRS, Store, is_intent

TEMP_MAX_AGE_S = 3600  # younger temp files may belong to a write in progress
PARALLEL_READS = 8  # Vorgänge read at the same time (latency of the share, not CPU, is the limit)


class ProblemArt(StrEnum):
    """What pruefen found; the value is the stable keyword for scripts (JSON ``art``)."""

    AKTENZEICHEN_ABWEICHEND = "aktenzeichen_abweichend"
    CACHE_VERALTET = "cache_veraltet"
    DOPPELTES_AKTENZEICHEN = "doppeltes_aktenzeichen"
    EINWURF_UNTERBROCHEN = "einwurf_unterbrochen"
    FALSCHER_ORT = "falscher_ort"
    LOESCHUNG_UNVOLLSTAENDIG = "loeschung_unvollstaendig"
    METADATEN_UNLESBAR = "metadaten_unlesbar"
    NACHRICHT_FEHLT = "nachricht_fehlt"
    NACHRICHT_UNTERBROCHEN = "nachricht_unterbrochen"
    NACHRICHT_VERWAIST = "nachricht_verwaist"
    ORDNER_FEHLT = "ordner_fehlt"
    STATUS_ABWEICHEND = "status_abweichend"
    TEMP_REST = "temp_rest"
    UNBEKANNT_IN_ABLAGE = "unbekannt_in_ablage"
    UNBEKANNTER_ORDNER = "unbekannter_ordner"
    UNTERORDNER_FEHLT = "unterordner_fehlt"
    VERLAUF_UNVOLLSTAENDIG = "verlauf_unvollstaendig"


@dataclass(frozen=True)
class Problem:
    art: ProblemArt
    pfad: Path
    text: str  # German
    reparierbar: bool = False

    def to_json(self) -> dict[str, object]:
        return {"art": self.art, "pfad": str(self.pfad), "text": self.text, "reparierbar": self.reparierbar}


@dataclass
class Bericht:
    probleme: list[Problem]
    vorgaenge: int
    gruendlich: bool  # every file and subfolder was looked at
    gruendlich_am: datetime | None  # the last thorough check on this PC before this one


def check(store: Store, index: Index, *, gruendlich: bool = False) -> Bericht:
    """``gruendlich``: stat every file and subfolder of every Vorgang; otherwise a Vorgang whose folder
    is unchanged since the last pruefen on this PC is checked from the record (see pruefstand.py)."""
    ablage = store.ablage
    probleme = _layout_problems(ablage)
    seen: dict[str, list[Path]] = defaultdict(list)
    count = 0
    vorgang_temps: list[Path] = []
    entries = list(ablage.iter_vorgang_dirs())
    stand = Pruefstand(stand_file(ablage))
    cached = index.cached_stats()  # relpath -> (mtime, size) of its vorgang.json as the cache read it
    root = len(str(ablage.root)) + 1

    def rel_of(path: str) -> str:  # a path in the Ablage as the records and the cache name it
        return path[root:].replace(os.sep, "/")

    quiet = _quiet_folders(stand, entries, rel_of)  # recorded also by --gruendlich, for the next quick check
    if gruendlich:
        quiet = set()

    def one(item: tuple[Status, os.DirEntry[str]]) -> tuple[_Inhalt, list[Problem] | None]:
        status, entry = item
        folder, az = Path(entry.path), from_folder_name(entry.name)
        rel = rel_of(entry.path)
        inhalt = _scan(folder, rel, stand, entry, gruendlich, os.path.dirname(entry.path) in quiet)
        if az is None:
            return inhalt, []
        if inhalt.meta is not None and inhalt.meta == cached.get(rel):
            return inhalt, None  # the cache holds this very metadata: checked below without reading it
        return inhalt, _all_problems(store, ablage, folder, status, str(az), inhalt)

    # Read-only and independent per Vorgang: on a network drive each listing, stat and read waits for a
    # round trip, so several Vorgänge are read at once (the checks themselves stay in order).
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        found = list(pool.map(one, entries))
    scanned: dict[str, tuple[int, int] | None] = {}
    for (status, entry), (inhalt, folder_probleme) in zip(entries, found, strict=True):
        folder, rel = Path(entry.path), rel_of(entry.path)
        az = from_folder_name(entry.name)
        vorgang_temps += inhalt.temps
        scanned[rel] = inhalt.meta
        if az is None:
            probleme.append(
                Problem(
                    ProblemArt.UNBEKANNTER_ORDNER,
                    folder,
                    "Ordner ohne gültiges Aktenzeichen im Statusordner (falsch benannt oder Prüfziffer falsch). "
                    "Benennen Sie ihn richtig oder verschieben Sie ihn aus der Ablage.",
                )
            )
            continue
        if folder_probleme is None:
            text = index.cached_text(rel)
            folder_probleme = _all_problems(store, ablage, folder, status, str(az), inhalt, text)
        if folder_probleme or inhalt.temps:
            stand.distrust(rel)  # looked at in full until it is clean
        count += 1
        seen[str(az)].append(folder)
        probleme += folder_probleme
    stale = _stale(ablage, cached, scanned)
    for rel in stale:
        stand.distrust(rel)
    if gruendlich:
        stand.thorough(store.clock())
    stand.save()
    probleme += _temp_problems(ablage, vorgang_temps)
    probleme += _einwurf_problems(store)
    probleme += _erasure_leftovers(store)
    for az_text, folders in seen.items():
        if len(folders) > 1:
            for folder in folders:
                probleme.append(
                    Problem(
                        ProblemArt.DOPPELTES_AKTENZEICHEN,
                        folder,
                        f"Aktenzeichen {az_text} gibt es {len(folders)}-mal. Prüfen Sie die Ordner und führen Sie "
                        "sie von Hand zusammen.",
                    )
                )
    for rel in stale:
        probleme.append(
            Problem(
                ProblemArt.CACHE_VERALTET,
                ablage.root / rel,
                "Der Zwischenspeicher (Cache) kennt diesen Stand nicht; er wird beim nächsten Befehl erneuert.",
                reparierbar=True,
            )
        )
    return Bericht(probleme, count, gruendlich, stand.gruendlich_am)


def _all_problems(
    store: Store, ablage: Ablage, folder: Path, status: Status, az: str, inhalt: _Inhalt, text: str | None = None
) -> list[Problem]:
    return _folder_problems(store, folder, status, az, inhalt, text) + _place_problems(ablage, folder, status, inhalt)


def _stale(ablage: Ablage, cached: dict[str, tuple[int, int]], scanned: dict[str, tuple[int, int] | None]) -> list[str]:
    """Cache rows that do not match the folders: from what the walk statted, the rest statted now."""
    stale = []
    for rel, stamp in cached.items():
        if rel in scanned:
            now = scanned[rel]
        else:
            try:
                st = os.stat(ablage.root / rel / META_NAME)
                now = (st.st_mtime_ns, st.st_size)
            except OSError:
                now = None
        if now != stamp:
            stale.append(rel)
    return stale


@dataclass
class _Inhalt:
    """One walk through a Vorgang folder with what every check needs: on a network drive each listing
    and each stat is a round trip, so nothing is listed or checked twice, and a folder unchanged since
    the last pruefen on this PC is not listed again (:mod:`buero_ticket.pruefstand`)."""

    top: dict[str, bool]  # name -> is a folder
    names: dict[str, list[str]]  # subfolder -> the names directly in it
    temps: list[Path]  # our temp names at any depth (not the intent files: reported on their own)
    verlauf_size: int | None
    meta: tuple[int, int] | None = None  # (mtime_ns, size) of vorgang.json


def _quiet_folders(
    stand: Pruefstand, entries: list[tuple[Status, os.DirEntry[str]]], rel_of: Callable[[str], str]
) -> set[str]:
    """The folders holding Vorgänge (status and archive year folders) in which the program changed no
    Vorgang since the last pruefen on this PC: one stat each instead of one per Vorgang. None at all if a
    Vorgang the last run saw is nowhere to be seen now (dragged by hand into another Vorgang's folder,
    or erased): then every Vorgang folder is statted, and the one it lies in is looked into."""
    names: dict[str, list[str]] = defaultdict(list)
    for _status, entry in entries:
        names[os.path.dirname(entry.path)].append(entry.name)
    quiet = set()
    for parent, inside in names.items():
        try:
            mtime = os.stat(parent).st_mtime_ns
        except OSError:
            continue
        if stand.quiet(rel_of(parent), mtime, inside):
            quiet.add(parent)
    now = {str(az) for _s, e in entries if (az := from_folder_name(e.name)) is not None}
    vanished = {str(az) for n in stand.recorded_vorgaenge() if (az := from_folder_name(n)) is not None} - now
    return set() if vanished else quiet


def _scan(
    folder: Path, rel: str, stand: Pruefstand, entry: os.DirEntry[str], gruendlich: bool, quiet: bool = False
) -> _Inhalt:
    """``quiet``: the folder the Vorgang lies in shows no change by the program since the last pruefen."""
    inhalt = _Inhalt({}, {}, [], None)
    try:
        if quiet and stand.settled(rel):  # no round trip at all
            trust = True
            top = stand.listing(folder, rel, trust=True)
        else:
            mtime = entry.stat().st_mtime_ns  # the entry's stat: free on Windows
            trust = not gruendlich and stand.unchanged(rel, mtime)  # nothing changed by the program since
            top = stand.listing(folder, rel, mtime)
    except OSError:
        return inhalt
    for name, is_dir in top:
        inhalt.top[name] = is_dir
        if name.startswith(TEMP_PREFIX):
            inhalt.temps.append(folder / name)
    for name, attr in ((META_NAME, "meta"), ("verlauf.txt", "verlauf_size")):
        if name in inhalt.top:  # thorough: statted every time (an edit in place keeps the folder's mtime)
            st = stand.file_stat(folder / name, f"{rel}/{name}", trust=trust)
            if st is not None:
                setattr(inhalt, attr, st if attr == "meta" else st[1])
    for name, is_dir in top:
        if is_dir and not name.startswith(TEMP_PREFIX):
            _walk(folder / name, f"{rel}/{name}", name, stand, inhalt, trust)
    return inhalt


def _walk(folder: Path, rel: str, first: str | None, stand: Pruefstand, inhalt: _Inhalt, trust: bool) -> None:
    """One subfolder of a Vorgang at any depth: temp names, and the names of the first level."""
    try:
        entries = stand.listing(folder, rel, trust=trust)
    except OSError:
        return
    if first is not None:
        inhalt.names[first] = [n for n, d in entries if d] + [n for n, d in entries if not d]
    inhalt.temps += [folder / n for n, _d in entries if n.startswith(TEMP_PREFIX) and not is_intent(n)]
    for name, is_dir in entries:
        if is_dir and not name.startswith(TEMP_PREFIX):
            _walk(folder / name, f"{rel}/{name}", None, stand, inhalt, trust)


def _place_problems(ablage: Ablage, folder: Path, status: Status, inhalt: _Inhalt) -> list[Problem]:
    """A Vorgang out of place, or one dragged into another Vorgang's folder (one level too deep)."""
    probleme = []
    if not ablage.is_regular_place(folder, status):
        probleme.append(
            Problem(
                ProblemArt.FALSCHER_ORT,
                folder,
                f"Vorgangsordner liegt nicht an seinem Platz in „{status.folder_name}“ (von Hand verschoben). "
                "Er wird an den richtigen Platz verschoben, mit Eintrag im Verlauf.",
                reparierbar=True,
            )
        )
    inner = [name for name, is_dir in inhalt.top.items() if is_dir and looks_like_vorgang(name)]
    for name in inner:
        probleme.append(
            Problem(
                ProblemArt.FALSCHER_ORT,
                folder / name,
                f"Vorgangsordner liegt im Ordner eines anderen Vorgangs ({folder.name}), eine Ebene zu tief. "
                "Er wird an den richtigen Platz verschoben, mit Eintrag im Verlauf.",
                reparierbar=True,
            )
        )
    return probleme


def _layout_problems(ablage: Ablage) -> list[Problem]:
    probleme = [
        Problem(ProblemArt.ORDNER_FEHLT, d, "Ordner der Ablage fehlt.", reparierbar=True)
        for d in layout_dirs(ablage.root)
        if not d.is_dir()
    ]
    known = {d.name for d in layout_dirs(ablage.root)} | {CONFIG_NAME, README_NAME, ablage.register_path.name}
    for entry in os.scandir(ablage.root):
        if entry.name in known or is_temp_name(entry.name) or entry.name.startswith(ablage.register_path.stem):
            continue
        probleme.append(
            Problem(
                ProblemArt.UNBEKANNT_IN_ABLAGE,
                Path(entry.path),
                "Unbekannter Eintrag im Hauptordner der Ablage. Verschieben Sie ihn in einen Vorgang oder "
                "an einen anderen Ort.",
            )
        )
    return probleme


def _folder_problems(
    store: Store, folder: Path, status: Status, az: str, inhalt: _Inhalt, text: str | None = None
) -> list[Problem]:
    nachrichten = inhalt.names.get("Nachrichten", [])
    try:
        vorgang, history_short, intents, orphans = store.check_files(folder, nachrichten, inhalt.verlauf_size, text)
    except BueroTicketError as exc:
        return [Problem(ProblemArt.METADATEN_UNLESBAR, folder / META_NAME, exc.text)]
    probleme = _interrupted_problems(folder, history_short, intents, orphans)
    if vorgang.aktenzeichen != az:
        probleme.append(
            Problem(
                ProblemArt.AKTENZEICHEN_ABWEICHEND,
                folder / META_NAME,
                f"Ordnername sagt {az}, die Metadaten sagen {vorgang.aktenzeichen}. Klären Sie, welches stimmt.",
            )
        )
    if vorgang.status is not status:
        probleme.append(
            Problem(
                ProblemArt.STATUS_ABWEICHEND,
                folder,
                f"Ordner liegt in „{status.label}“, Metadaten sagen „{vorgang.status.label}“ "
                "(von Hand verschoben). Wird aus dem Ordner übernommen.",
                reparierbar=True,
            )
        )
    for sub in SUBDIRS:
        if not inhalt.top.get(sub):
            probleme.append(Problem(ProblemArt.UNTERORDNER_FEHLT, folder / sub, "Unterordner fehlt.", reparierbar=True))
    for nachricht in vorgang.nachrichten:
        if nachricht.datei and nachricht.datei not in nachrichten:
            probleme.append(
                Problem(
                    ProblemArt.NACHRICHT_FEHLT,
                    folder / "Nachrichten" / nachricht.datei,
                    "In den Metadaten verzeichnete Nachricht fehlt. Stellen Sie sie aus der Sicherung wieder her.",
                )
            )
    return probleme


def _interrupted_problems(folder: Path, history_short: bool, intents: list[Path], orphans: list[Path]) -> list[Problem]:
    """What a crash while saving left inside a Vorgang (see store.py, "Crash safety")."""
    probleme = [
        Problem(
            ProblemArt.NACHRICHT_UNTERBROCHEN,
            intent,
            "Das Speichern einer Nachricht wurde unterbrochen (Absturz oder Verbindungsabbruch). --reparieren "
            "entfernt ihre halb geschriebenen Dateien; die Nachricht selbst speichert der nächste Abruf erneut.",
            reparierbar=True,
        )
        for intent in intents
    ]
    probleme += [
        Problem(
            ProblemArt.NACHRICHT_VERWAIST,
            orphan,
            "Datei im Ordner Nachrichten, die in den Angaben des Vorgangs fehlt (Rest eines abgebrochenen "
            "Speicherns oder von Hand abgelegt). Prüfen Sie sie: in Anlagen verschieben oder löschen.",
        )
        for orphan in orphans
    ]
    if history_short:
        probleme.append(
            Problem(
                ProblemArt.VERLAUF_UNVOLLSTAENDIG,
                folder / "verlauf.txt",
                "Dem Verlauf fehlt die Zeile der letzten Änderung (Absturz beim Speichern); --reparieren "
                "(oder die nächste Änderung am Vorgang) trägt sie nach.",
                reparierbar=True,
            )
        )
    return probleme


def _erasure_leftovers(store: Store) -> list[Problem]:
    """Folders an interrupted erasure left in ``.buero-ticket\\geloescht`` (they still hold personal data)."""
    if not store.deleted_dir.is_dir():
        return []
    return [
        Problem(
            ProblemArt.LOESCHUNG_UNVOLLSTAENDIG,
            Path(entry.path),
            "Rest einer abgebrochenen Löschung (Art. 17 DSGVO); enthält noch personenbezogene Daten. "
            "'buero-ticket pruefen --reparieren' entfernt ihn.",
            reparierbar=True,
        )
        for entry in os.scandir(store.deleted_dir)
    ]


def _temp_problems(ablage: Ablage, vorgang_temps: list[Path]) -> list[Problem]:
    """Every leftover of an interrupted write, right away: in the status folders, inside Vorgänge, in the
    main folder and in the program's own folder (ledger, counters). Only those older than an hour are
    removed by --reparieren: a younger one may belong to a write in progress."""
    places: list[tuple[Path, bool]] = [(ablage.root, False), (ablage.state_dir, True)]
    places += [(folder, False) for _status, folder in ablage.status_dirs()]
    found = [path for folder, deep in places for path in _temp_entries(folder, deep)]
    return [_temp_problem(path) for path in found + vorgang_temps]  # inside Vorgänge: from their one walk


def _temp_entries(folder: Path, deep: bool) -> list[Path]:
    """Our temp names directly in ``folder`` (``deep``: at any depth)."""
    found = []
    try:
        walk = os.walk(folder) if deep else [(str(folder), [], [e.name for e in os.scandir(folder)])]
        for root, dirs, files in walk:
            found += [Path(root) / n for n in files + dirs if n.startswith(TEMP_PREFIX) and not is_intent(n)]
            dirs[:] = [d for d in dirs if not d.startswith(TEMP_PREFIX) and d != "sperren"]  # locks: not ours
    except OSError:
        pass
    return found


def _temp_problem(path: Path) -> Problem:
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        age = 0.0
    if age >= TEMP_MAX_AGE_S:
        return Problem(
            ProblemArt.TEMP_REST, path, "Überrest eines abgebrochenen Schreibvorgangs (älter als eine Stunde).", True
        )
    minutes = max(1, round(age / 60))
    return Problem(
        ProblemArt.TEMP_REST,
        path,
        f"Überrest eines Schreibvorgangs von vor {minutes} Min.: gehört zu einem gerade laufenden Befehl oder ist "
        "von einem Absturz übrig. Prüfen Sie in einer Stunde erneut; dann entfernt --reparieren ihn.",
    )


def _einwurf_problems(store: Store) -> list[Problem]:
    """Files a crashed watcher left in its work folder in the Einwurf."""
    from .intake.einwurf import Einwurf

    probleme = []
    for claim in Einwurf(store).leftover_claims():
        since = f"seit {max(1, round(claim.age_s / 60))} Min."
        if claim.recoverable:
            text = (
                f"Datei aus dem Einwurf, deren Übernahme unterbrochen wurde ({claim.owner.describe()}, {since}). "
                "--reparieren (oder der nächste Start von 'beobachten') legt sie zurück in den Einwurf."
            )
        else:
            text = (
                f"Datei wird gerade übernommen ({claim.owner.describe()}, {since}). Läuft dort kein "
                "'beobachten' mehr, legt der nächste Start sie nach einer Stunde zurück in den Einwurf."
            )
        probleme.append(Problem(ProblemArt.EINWURF_UNTERBROCHEN, claim.path, text, claim.recoverable))
    return probleme


def repair(store: Store, index: Index, bericht: Bericht) -> list[Problem]:
    """Fix the safe problems; returns those that were fixed."""
    fixed = []
    if any(p.art == ProblemArt.EINWURF_UNTERBROCHEN and p.reparierbar for p in bericht.probleme):
        from .intake.einwurf import Einwurf

        Einwurf(store).recover()  # back into the Einwurf; what cannot go back goes to _Fehler
    for problem in bericht.probleme:
        if not problem.reparierbar:
            continue
        if problem.art in (ProblemArt.ORDNER_FEHLT, ProblemArt.UNTERORDNER_FEHLT):
            store.repair_folder(problem.pfad)
        elif problem.art == ProblemArt.LOESCHUNG_UNVOLLSTAENDIG:
            store.purge_deleted()
        elif problem.art == ProblemArt.TEMP_REST:
            store.remove_leftover(problem.pfad)
        elif problem.art == ProblemArt.NACHRICHT_UNTERBROCHEN:
            store.finish_interrupted(problem.pfad.parent.parent)
        elif problem.art == ProblemArt.VERLAUF_UNVOLLSTAENDIG:
            store.finish_interrupted(problem.pfad.parent)
        elif problem.art == ProblemArt.EINWURF_UNTERBROCHEN:
            pass  # done above, for all of them at once
        elif problem.art in (ProblemArt.STATUS_ABWEICHEND, ProblemArt.FALSCHER_ORT):
            status = _status_of(store.ablage, problem.pfad)
            if status is not None:
                reconcile(index, [Abweichung(problem.pfad, status, AbweichungArt.STATUS)])
        fixed.append(problem)
    index.refresh(full=True)
    return fixed


def _status_of(ablage: Ablage, folder: Path) -> Status | None:
    """The status of the status folder ``folder`` lies in, at any depth."""
    for status in Status:
        if folder.is_relative_to(ablage.status_dir(status)):
            return status
    return None
