"""The per-PC folders – the local cache (SQLite files) and the run logs – never inside the Ablage.

SQLite's locking is unreliable on network drives, and appending to a file on the share fails there
(README, „Die Ablage auf dem Netzlaufwerk“). A folder set with ``BUERO_TICKET_CACHE`` or
``BUERO_TICKET_PROTOKOLL`` that lies inside the Ablage is on the share for sure, so it is refused before
anything is read or written; other network paths cannot be told apart without asking the share.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .errors import KonfigFehler
from .index import ENV_CACHE

ENV_LOG = "BUERO_TICKET_PROTOKOLL"  # the run logs' folder (protokoll.py reads it from here)


def _norm(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path)).casefold()  # the share ignores case, Windows too


def _inside(folder: Path, root: Path) -> bool:
    f, r = _norm(folder), _norm(root).rstrip(os.sep)
    return f == r or f.startswith(r + os.sep)


def pruefen(ablage_root: Path, env: Mapping[str, str] = os.environ) -> None:
    """Raise :class:`KonfigFehler` when the cache or the log folder was set to a folder inside the Ablage."""
    for variable, name in ((ENV_CACHE, "cache"), (ENV_LOG, "protokoll")):
        folder = env.get(variable)
        if folder and _inside(Path(folder), ablage_root):
            raise KonfigFehler(
                f"{variable} zeigt in die Ablage ({folder}): Zwischenspeicher (SQLite) und Protokolle müssen auf "
                "diesem PC liegen, nie auf dem Netzlaufwerk. Es wurde nichts gelesen oder geschrieben.",
                f"{variable} löschen (dann gilt %LOCALAPPDATA%\\buero-ticket\\{name}) oder auf einen anderen "
                "Ordner dieses PCs setzen.",
            )
