"""Retention periods (Aufbewahrungsfristen): per category, counted from the end of the year of closing."""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..config import CONFIG_NAME
from ..errors import BueroTicketError
from ..models import Status, Vorgang
from ..settings.aufbewahrung import Aufbewahrung

OHNE_KATEGORIE = "(ohne Kategorie)"


def kategorie_of(vorgang: Vorgang) -> str:
    return str(getattr(vorgang, "kategorie", "") or "").strip()


def aufbewahren_bis(vorgang: Vorgang, settings: Aufbewahrung) -> date | None:
    """Last day the Vorgang must be kept; None while it is open (the period has not started)."""
    if vorgang.status.is_open or vorgang.erledigt is None:
        return None
    jahre = settings.jahre(kategorie_of(vorgang))
    return date(vorgang.erledigt.year + jahre, 12, 31)


def abgelaufen(vorgang: Vorgang, settings: Aufbewahrung, stichtag: date) -> bool:
    ende = aufbewahren_bis(vorgang, settings)
    return ende is not None and ende < stichtag


def faellige(vorgaenge: Iterable[Vorgang], settings: Aufbewahrung, stichtag: date) -> dict[str, list[Vorgang]]:
    """Vorgänge whose period ended before ``stichtag``, grouped by category (sorted)."""
    groups: dict[str, list[Vorgang]] = defaultdict(list)
    for v in vorgaenge:
        if v.status in (Status.ERLEDIGT, Status.ARCHIV) and abgelaufen(v, settings, stichtag):
            groups[kategorie_of(v) or OHNE_KATEGORIE].append(v)
    for items in groups.values():
        items.sort(key=lambda v: v.aktenzeichen)
    return dict(sorted(groups.items()))


def beschreibung(vorgang: Vorgang, settings: Aufbewahrung) -> str:
    """One line for zeige and the register."""
    ende = aufbewahren_bis(vorgang, settings)
    jahre = settings.jahre(kategorie_of(vorgang))
    if ende is None:
        return f"{jahre} Jahre ab Ende des Jahres der Erledigung (läuft noch nicht)"
    return f"bis {ende:%d.%m.%Y} ({jahre} Jahre ab Ende {ende.year - jahre})"


@functools.lru_cache(maxsize=64)
def _settings_in(folder: Path, config_mtime_ns: int) -> Aufbewahrung:
    from ..config import load_config

    return load_config(folder / CONFIG_NAME).section(Aufbewahrung)


@functools.lru_cache(maxsize=256)
def _root_of(status_folder: Path) -> Path | None:
    for candidate in (status_folder, *status_folder.parents[:3]):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    return None


#: The register asks for every row: the settings file is looked at (a stat, slow on the share) at most this often.
CONFIG_RECHECK_SECONDS = 1.0
_config_seen: dict[Path, tuple[float, int]] = {}


def _config_mtime(root: Path) -> int:
    now = time.monotonic()
    seen = _config_seen.get(root)
    if seen is None or now - seen[0] >= CONFIG_RECHECK_SECONDS:
        seen = _config_seen[root] = (now, (root / CONFIG_NAME).stat().st_mtime_ns)
    return seen[1]


def aufbewahren_bis_im_ordner(vorgang: Vorgang) -> date | None:
    """``aufbewahren_bis`` with the settings of the Ablage the Vorgang's folder lies in (for the register,
    whose columns see only the Vorgang)."""
    if vorgang.ordner is None or vorgang.status.is_open:
        return None
    root = _root_of(vorgang.ordner.parent)
    if root is None:
        return aufbewahren_bis(vorgang, Aufbewahrung())
    try:
        settings = _settings_in(root, _config_mtime(root))
    except (OSError, BueroTicketError):
        settings = Aufbewahrung()
    return aufbewahren_bis(vorgang, settings)
