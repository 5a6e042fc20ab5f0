"""Where templates live: shipped with the program, or the Ablage's own ``Vorlagen`` folder.

A template is a file ``<name>.txt.j2`` (e-mail text) or ``<name>.docx`` (Word letter
with docxtpl tags). A file of the same name in the Ablage's ``Vorlagen`` folder
overrides the shipped one (names compare case-insensitively, as on Windows); a
file with a new name there is an additional template.

The shipped templates are the repository's top-level ``vorlagen/`` folder. An
installed wheel carries them as ``buero_ticket/vorlagen`` (package-dir mapping in
pyproject.toml); a source checkout or an editable install finds them beside the
package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatenFehler, EingabeFehler
from ..fileio import is_temp_name

EMAIL = "email"
BRIEF = "brief"
ENDINGS = {EMAIL: ".txt.j2", BRIEF: ".docx"}
KIND_LABEL = {EMAIL: "E-Mail", BRIEF: "Brief"}

TITLES = {
    "eingangsbestaetigung": "Eingangsbestätigung",
    "zwischennachricht": "Zwischennachricht",
    "antwort": "Antwort",
    "rueckfrage": "Rückfrage",
    "weiterleitung": "Weiterleitung",
    "weiterleitung_intern": "Weiterleitung an die Fachabteilung",
    "erinnerung_stelle": "Erinnerung an die Fachabteilung",
}
#: The acknowledgement is sent automatically: it may use no --feld values.
AUTOMATIC = "eingangsbestaetigung"


@dataclass(frozen=True)
class ProgrammFelder:
    """Fields a command fills itself when it uses a template (nobody gives them with --feld)."""

    befehl: str  # the command, as the clerk types it
    felder: tuple[str, ...]
    folge: str  # what goes wrong when the template needs another field (German, for the report)
    pflicht: tuple[str, ...] = ()  # the template must use these (the citizen must learn where the request went)
    nur_programm: bool = False  # only that command uses the template: any other field can never be given


#: Templates a command fills (operations/weiterleiten.py and operations/erinnern.py set these fields).
PROGRAMM_FELDER = {
    "weiterleitung": ProgrammFelder(
        "weiterleiten",
        ("stelle",),
        "beim Weiterleiten wird die Bürgerin / der Bürger sonst nicht informiert",
        pflicht=("stelle",),
    ),
    "weiterleitung_intern": ProgrammFelder(
        "weiterleiten",
        ("stelle", "anliegen", "antwort_bis", "rueckmeldung_bis", "hinweis"),
        "sonst wird nichts an die Stelle gesendet",
        nur_programm=True,
    ),
    "erinnerung_stelle": ProgrammFelder(
        "erinnern",
        ("stelle", "weitergeleitet_am", "antwort_bis"),
        "sonst wird keine Erinnerung gesendet",
        nur_programm=True,
    ),
}

_PACKAGE = Path(__file__).resolve().parent.parent
_MARKER = "antwort.txt.j2"


@dataclass(frozen=True)
class Vorlage:
    name: str  # as the clerk types it (lower case for shipped ones)
    kind: str  # EMAIL | BRIEF
    path: Path
    own: bool  # from the Ablage's Vorlagen folder

    @property
    def title(self) -> str:
        return TITLES.get(key(self.name), self.name)

    @property
    def origin(self) -> str:
        return f"eigene Vorlage {self.path}" if self.own else f"mitgelieferte Vorlage {self.path.name}"


def shipped_dir() -> Path:
    """The folder of the shipped templates (installed package first, then the source tree)."""
    for candidate in (_PACKAGE / "vorlagen", _PACKAGE.parent / "vorlagen"):
        if (candidate / _MARKER).is_file():
            return candidate
    raise DatenFehler(
        f"Die mitgelieferten Vorlagen fehlen (gesucht in {_PACKAGE / 'vorlagen'}).",
        "Installieren Sie buero-ticket neu ('python -m pip install .') oder melden Sie das der IT.",
    )


def split_name(filename: str) -> tuple[str, str] | None:
    """(name, art) of a template file name, or None if it is no template."""
    low = filename.casefold()
    for kind, ending in ENDINGS.items():
        if low.endswith(ending) and len(filename) > len(ending):
            return filename[: -len(ending)], kind
    return None


def _scan(folder: Path, own: bool) -> list[Vorlage]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        if is_temp_name(entry.name) or not entry.is_file():
            continue
        parts = split_name(entry.name)
        if parts is not None:
            found.append(Vorlage(parts[0], parts[1], Path(entry.path), own))
    return found


def ignored_files(own_dir: Path) -> list[Path]:
    """Files in the Ablage's Vorlagen folder that are no template (for ``vorlagen pruefen``)."""
    try:
        entries = list(os.scandir(own_dir))
    except FileNotFoundError:
        return []
    return sorted(
        Path(e.path) for e in entries if e.is_file() and not is_temp_name(e.name) and split_name(e.name) is None
    )


def every_template(own_dir: Path) -> list[Vorlage]:
    """Shipped and own templates, overridden ones included (``vorlagen pruefen`` checks all)."""
    return _scan(shipped_dir(), False) + _scan(own_dir, True)


def key(name: str) -> str:
    """Names compare like Windows file names, and "Rückfrage" finds "rueckfrage"."""
    text = name.strip().casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return text


def effective(own_dir: Path) -> dict[tuple[str, str], Vorlage]:
    """(name key, art) → the template in force: the Ablage's own wins."""
    result: dict[tuple[str, str], Vorlage] = {}
    for template in every_template(own_dir):
        result[(key(template.name), template.kind)] = template
    return result


def find(own_dir: Path, name: str, kind: str) -> Vorlage:
    """The template ``name`` of kind ``art``; unknown names list the available ones."""
    available = effective(own_dir)
    found = available.get((key(name), kind))
    if found is not None:
        return found
    names = sorted({v.name for (_n, a), v in available.items() if a == kind}, key=str.casefold)
    raise EingabeFehler(
        f"Eine {KIND_LABEL[kind]}-Vorlage „{name}“ gibt es nicht (gesucht: {name}{ENDINGS[kind]} "
        f"in {own_dir} und bei den mitgelieferten Vorlagen).",
        "Vorhanden sind: " + ", ".join(names) + ". 'buero-ticket vorlagen pruefen' zeigt alle Vorlagen.",
    )
