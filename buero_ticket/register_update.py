"""When the Excel register is rewritten: once per run, never twice at the same time.

Batch runs (mail import, watcher, ``mail einlesen``, ``demo``) rewrite it at the end of the
run. Interactive commands (``neu``, ``status``, ``zuweisen``, ``notiz``) must not keep the
clerk waiting for a large register: by default they start ``buero-ticket register`` as a
detached background process. Only one process writes at a time; one that finds the register
busy leaves a "dirty" mark, and the writer runs once more before it stops, so the last
change always reaches the register.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .ablage import Ablage
from .errors import ZugriffFehler
from .index import Index
from .sharelock import LockTimeout, ShareLock

if TYPE_CHECKING:
    from .register import RegisterResult

ENV_MODE = "BUERO_TICKET_REGISTER"  # "sofort" | "hintergrund" | "aus"; overrides [register] aktualisieren
MODES = ("sofort", "hintergrund", "aus")
MAX_ROUNDS = 5


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
    from .register import RegisterLockedError, write_register  # openpyxl: only when writing

    try:
        return write_register(ablage.register_path, index.offen(), index.alle(), ablage_name=ablage.config.amt.name)
    except RegisterLockedError as exc:
        raise ZugriffFehler(
            str(exc), "Schließen Sie das Register in Excel und rufen Sie 'buero-ticket register' erneut auf."
        ) from None


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
