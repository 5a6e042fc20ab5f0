"""When the Excel register is rewritten: once per run, never twice at the same time.

Batch runs (mail import, watcher, ``mail einlesen``, ``demo``) rewrite it at the end of the
run. Interactive commands (``neu``, ``status``, ``zuweisen``, ``notiz``) must not keep the
clerk waiting for a large register: by default they start ``buero-ticket register`` as a
detached background process. Only one process writes at a time; one that finds the register
busy leaves a "dirty" mark, and the writer runs once more before it stops, so the last
change always reaches the register.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from ..ablage import Ablage
from ..errors import ZugriffFehler
from ..fileio import atomic_write_text
from ..index import Index
from ..models import Vorgang
from ..ortszeit import office_time, office_zone
from ..sharelock import LockTimeout, ShareLock

if TYPE_CHECKING:
    from .publish import RegisterResult

ENV_MODE = "BUERO_TICKET_REGISTER"  # "sofort" | "hintergrund" | "aus"; overrides [register] aktualisieren
MODES = ("sofort", "hintergrund", "aus")
MAX_ROUNDS = 5
#: From this many Vorgänge on, each closed year gets a workbook of its own with its closed Vorgänge
#: (rewritten only when one of them changed) and the main register keeps the open ones (of every year)
#: and the current year: a change to an open Vorgang never rewrites a year's workbook.
SPLIT_FROM = 20_000
YEARS_FOLDER = "Vorjahre"  # "<register name> Vorjahre/<register name> <Jahr>.xlsx"


def mode(ablage: Ablage, env: Mapping[str, str] = os.environ) -> str:
    wanted = env.get(ENV_MODE) or ablage.config.register.aktualisieren
    return wanted if wanted in MODES else "hintergrund"


def _paths(ablage: Ablage) -> tuple[Path, Path]:
    folder = ablage.state_dir / "sperren"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "register.lock", folder / "register.neu-erzeugen"


def rewrite(ablage: Ablage, index: Index) -> RegisterResult | None:
    """Rewrite the register now; None if another process is writing it (it will include our change)."""
    lock_path, dirty = _paths(ablage)
    lock = ShareLock(lock_path, timeout=0, what="Register")
    try:
        lock.acquire()
    except LockTimeout:
        dirty.touch()
        return None
    try:
        result = None
        for _ in range(MAX_ROUNDS):
            dirty.unlink(missing_ok=True)
            result = _write(ablage, index)
            if not dirty.exists():
                break
            index.refresh()
        return result
    finally:
        lock.release()


def _write(ablage: Ablage, index: Index) -> RegisterResult:
    from .publish import RegisterLockedError  # XlsxWriter: only when writing

    zone = office_zone(ablage.config)
    try:
        with office_time(zone):  # the same wall-clock times as 'liste' shows
            return _write_workbooks(ablage, index, datetime.now(zone) if zone else datetime.now().astimezone())
    except RegisterLockedError as exc:
        raise ZugriffFehler(
            str(exc), "Schließen Sie das Register in Excel und rufen Sie 'buero-ticket register' erneut auf."
        ) from None


def years_folder(target: Path) -> Path:
    return target.parent / f"{target.stem} {YEARS_FOLDER}"


def _write_workbooks(ablage: Ablage, index: Index, now: datetime) -> RegisterResult:
    """Write what changed: the closed years' workbooks whose Vorgänge changed, then the main register."""
    from .. import fristen_config
    from .columns import layout_key
    from .publish import Counts, RegisterResult, number
    from .stats import first_monday
    from .workbook import write_register, write_year_register

    target = ablage.register_path
    name = ablage.config.amt.name
    kalender = fristen_config.kalender(ablage.config)
    window_start = datetime.combine(first_monday(now.date()), time(), now.tzinfo)
    fingerprints = index.fingerprints(now.year, window_start.timestamp())
    if fingerprints.total < SPLIT_FROM:
        return write_register(target, _worklist(index, now), index.alle(), ablage_name=name, now=now, kalender=kalender)
    layout = layout_key()
    year_files = []
    for year in sorted(y for y in fingerprints.years if y < now.year):
        path = years_folder(target) / f"{target.stem} {year}{target.suffix}"
        year_files.append(path)
        key = _key(fingerprints.years[year], layout, name)
        if path.exists() and _stored_key(ablage, path) == key:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        result = write_year_register(path, year, index.alle(year=year, closed=True), ablage_name=name, now=now)
        if not result.is_side_file:
            _store_key(ablage, path, key)
    key = _key(fingerprints.main, layout, name, now.date().isoformat(), *map(str, year_files))
    if target.exists() and _stored_key(ablage, target) == key:
        counts = Counts(fingerprints.open_count, fingerprints.main_count)
        message = f"Register „{target.name}“ ist aktuell ({number(counts.open_count)} offen)."
        return RegisterResult(target, False, message, counts.open_count, fingerprints.total)
    result = write_register(
        target,
        _worklist(index, now),
        index.alle(from_year=now.year),
        ablage_name=name,
        now=now,
        window=index.alle(newest_first=False, since=window_start.timestamp()),
        all_title=f"Alle Vorgänge mit Eingang ab dem 1.1.{now.year}, die neuesten zuerst. Frühere Jahre: siehe unten.",
        year_files=year_files,
        kalender=kalender,
    )
    if not result.is_side_file:
        _store_key(ablage, target, key)
    return result


def _key(*parts: str) -> str:
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def _key_path(ablage: Ablage, workbook: Path) -> Path:
    return ablage.state_dir / "register" / f"{workbook.name}.stand"


def _stored_key(ablage: Ablage, workbook: Path) -> str:
    try:
        return _key_path(ablage, workbook).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return ""


def _store_key(ablage: Ablage, workbook: Path, key: str) -> None:
    path = _key_path(ablage, workbook)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, key + "\n", durable=False)  # only saves work: a lost key means one rewrite


def start_background(ablage: Ablage) -> None:
    """Start ``buero-ticket register`` detached; it outlives this command and ends by itself."""
    args = [sys.executable, "-m", "buero_ticket", "--ablage", str(ablage.root), "register", "--leise"]
    options: dict[str, object] = {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
        "close_fds": True,
    }
    if os.name == "nt":  # pragma: no cover - Windows only
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        options["start_new_session"] = True
    subprocess.Popen(args, **options)  # type: ignore[call-overload]


def _worklist(index: Index, now: datetime) -> Iterator[Vorgang]:
    """ "Offen" in the order of the worklist: due Wiedervorlagen first (as in ``liste``)."""
    from ..operations.fristen import arbeitsliste

    return arbeitsliste(index.offen(), now.date())
