"""Run logs of the unattended commands (``mail abrufen``/``einlesen``, ``beobachten``).

Kept on the local disk of each PC, never on the share: Python's ``logging.FileHandler`` opens
append-only, which the SMB client we test with answers with EIO, and appending from several PCs
to one file on a share interleaves anyway. Location: ``BUERO_TICKET_PROTOKOLL``, else
``%LOCALAPPDATA%\\buero-ticket\\protokoll`` (Windows) / ``~/.local/state/buero-ticket/protokoll``.
One file per kind and month, e.g. ``mail-2026-11.log``; every run starts with a line naming its
Ablage. The handler is removed when the run ends, so nothing leaks into the next run in the
same process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from . import history
from .clock import system_clock
from .lokal import ENV_LOG


def log_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get(ENV_LOG):
        return Path(env[ENV_LOG])
    if os.name == "nt":  # pragma: no cover - Windows only
        return Path(env.get("LOCALAPPDATA", Path.home())) / "buero-ticket" / "protokoll"
    return Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "buero-ticket" / "protokoll"


def log_file(kind: str, env: Mapping[str, str] = os.environ) -> Path:
    return log_dir(env) / f"{kind}-{system_clock():%Y-%m}.log"


@contextmanager
def run_log(kind: str, ablage_root: Path) -> Iterator[Path]:
    """Log the ``buero_ticket`` logger at INFO to this PC's ``<kind>-JJJJ-MM.log`` while the block runs."""
    path = log_file(kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")  # local disk: append mode is fine here
    handler.setFormatter(logging.Formatter(f"%(asctime)s {history.current_user()} %(levelname)s %(message)s"))
    logger = logging.getLogger("buero_ticket")
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.info("Lauf gestartet, Ablage %s", ablage_root)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()
