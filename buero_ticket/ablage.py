"""The Ablage: the share's root folder and its fixed layout.

Finding it (``--ablage`` > ``BUERO_TICKET_ABLAGE`` > the current folder or a
parent holding ``buero-ticket.toml``), creating it (``init``) and naming its
folders. Knows nothing about the inside of a Vorgang.
"""

from __future__ import annotations

import ctypes
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .aktenzeichen import FOLDER_RE
from .config import CONFIG_NAME, Config, default_config_text, load_config
from .errors import AblageFehler, ZugriffFehler
from .fileio import atomic_write_text, is_temp_name
from .models import Status

ENV_ABLAGE = "BUERO_TICKET_ABLAGE"
STATE_DIR = ".buero-ticket"
EINWURF_DIR = "0 Einwurf"
VORLAGEN_DIR = "Vorlagen"
WISSEN_DIR = "Wissen"
QUARANTAENE_DIR = "Quarantäne"
README_NAME = "LIESMICH.txt"

LIESMICH = """\
Diese Ablage wird von buero-ticket verwaltet. Jeder Vorgang ist ein Ordner
"<Aktenzeichen> <Betreff>" mit seinen Nachrichten, Anlagen, Briefen und dem Verlauf.

0 Einwurf         Scans, Faxe und aus Outlook gezogene Mails hier ablegen: sie werden zu Vorgängen.
                  Eine Datei in einem Unterordner mit Aktenzeichen wird diesem Vorgang zugeordnet.
                  Was nicht übernommen werden konnte, liegt in "0 Einwurf\\_Fehler" mit Begründung.
1 Eingang         neue Vorgänge, noch nicht begonnen
2 In Bearbeitung  jemand arbeitet daran
3 Wartet          wartet auf Antwort oder Unterlagen
4 Erledigt        abgeschlossen
5 Archiv          abgeschlossene Vorgänge nach Jahr
Vorlagen          eigene Brief- und E-Mail-Vorlagen (ersetzen die mitgelieferten)
Wissen            Wissensdatenbank: Antworten auf wiederkehrende Anliegen
Quarantäne        Mails und Dateien, die nicht verarbeitet werden konnten, mit Grund
Vorgangsregister.xlsx   Übersicht aller Vorgänge (wird neu erzeugt, Änderungen darin gehen verloren)
buero-ticket.toml       Einstellungen
.buero-ticket     interne Dateien des Programms (nicht ändern)

Der Status eines Vorgangs ist der Ordner, in dem er liegt. Einen Vorgangsordner
im Explorer in einen anderen Statusordner zu ziehen, ist ein Statuswechsel: er
wird beim nächsten Programmlauf im Verlauf vermerkt.
"""


@dataclass(frozen=True)
class Ablage:
    root: Path
    config: Config

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def einwurf_dir(self) -> Path:
        return self.root / EINWURF_DIR

    @property
    def vorlagen_dir(self) -> Path:
        return self.root / VORLAGEN_DIR

    @property
    def wissen_dir(self) -> Path:
        return self.root / WISSEN_DIR

    @property
    def quarantaene_dir(self) -> Path:
        return self.root / QUARANTAENE_DIR

    @property
    def register_path(self) -> Path:
        return self.root / self.config.register.datei

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "protokoll"

    def status_dir(self, status: Status, jahr: int | None = None) -> Path:
        base = self.root / status.folder_name
        if status is Status.ARCHIV and jahr is not None:
            return base / str(jahr)
        return base

    def status_dirs(self) -> Iterator[tuple[Status, Path]]:
        """Every folder that holds Vorgänge, with its status.

        The archive yields its base folder (where a Vorgang dragged past its year folder lands) and
        then each year folder.
        """
        for status in Status:
            base = self.status_dir(status)
            yield status, base
            if status is Status.ARCHIV and base.is_dir():
                for entry in sorted(os.scandir(base), key=lambda e: e.name):
                    if entry.is_dir() and entry.name.isdigit():
                        yield status, Path(entry.path)

    def scan_status_dir(self, status: Status, folder: Path) -> Iterator[os.DirEntry[str]]:
        """The folders in one status (or archive year) folder that may be Vorgänge.

        A folder whose name starts with no Aktenzeichen (e.g. "Neuer Ordner", "2026 alt") is yielded
        too (``pruefen`` reports it), and the Vorgang folders one level below it as well: a Vorgang
        dragged one folder too deep in Explorer stays visible. The archive's year folders are not
        yielded here; :meth:`status_dirs` lists them.
        """
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        archive_base = status is Status.ARCHIV and folder == self.status_dir(Status.ARCHIV)
        for entry in entries:
            if is_temp_name(entry.name) or not entry.is_dir():
                continue
            if archive_base and entry.name.isdigit():
                continue
            yield entry
            if not looks_like_vorgang(entry.name):
                yield from self._nested_vorgang_dirs(entry.path)

    def _nested_vorgang_dirs(self, folder: str) -> Iterator[os.DirEntry[str]]:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if looks_like_vorgang(entry.name) and not is_temp_name(entry.name) and entry.is_dir():
                yield entry

    def iter_vorgang_dirs(self) -> Iterator[tuple[Status, os.DirEntry[str]]]:
        for status, folder in self.status_dirs():
            for entry in self.scan_status_dir(status, folder):
                yield status, entry

    def is_regular_place(self, folder: Path, status: Status) -> bool:
        """True if ``folder`` (a Vorgang) lies where the program puts a Vorgang of ``status``."""
        parent = folder.parent
        if status is not Status.ARCHIV:
            return parent == self.status_dir(status)
        return parent.parent == self.status_dir(status) and parent.name.isdigit()

    def folders(self) -> dict[str, Path]:
        """Named folders for ``info --json``."""
        named = {f"status_{s.value}": self.status_dir(s) for s in Status}
        named.update(
            einwurf=self.einwurf_dir,
            vorlagen=self.vorlagen_dir,
            wissen=self.wissen_dir,
            quarantaene=self.quarantaene_dir,
            zustand=self.state_dir,
            register=self.register_path,
            konfiguration=self.root / CONFIG_NAME,
        )
        return named


def looks_like_vorgang(name: str) -> bool:
    """True if a folder name starts like a Vorgang's (Aktenzeichen, check digit not verified)."""
    return FOLDER_RE.match(name) is not None


def layout_dirs(root: Path) -> list[Path]:
    dirs = [root / s.folder_name for s in Status]
    dirs += [root / EINWURF_DIR, root / VORLAGEN_DIR, root / WISSEN_DIR, root / QUARANTAENE_DIR]
    dirs += [root / STATE_DIR, root / STATE_DIR / "protokoll"]
    return dirs


def _known_top_level(root: Path) -> set[str]:
    names = {d.name for d in layout_dirs(root)} | {CONFIG_NAME, README_NAME, "Vorgangsregister.xlsx"}
    return names


def init_ablage(root: Path, name: str = "Bürgerbüro", kuerzel: str = "") -> tuple[Ablage, bool]:
    """Create the layout (idempotent). Returns the Ablage and whether anything was new."""
    root = root.expanduser().absolute()
    config_path = root / CONFIG_NAME
    if root.exists() and not root.is_dir():
        raise AblageFehler(f"{root} ist eine Datei, kein Ordner.", "Geben Sie einen Ordner an.")
    if root.is_dir() and not config_path.exists():
        foreign = sorted(
            e.name for e in os.scandir(root) if e.name not in _known_top_level(root) and not is_temp_name(e.name)
        )
        if foreign:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            raise AblageFehler(
                f"Der Ordner {root} enthält schon andere Dateien ({shown}).",
                "Wählen Sie einen leeren Ordner oder legen Sie einen neuen Unterordner an.",
            )
    created = False
    try:
        for folder in layout_dirs(root):
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                created = True
        if not config_path.exists():
            atomic_write_text(config_path, default_config_text(name, kuerzel.upper()), overwrite=False)
            created = True
        if not (root / README_NAME).exists():
            atomic_write_text(root / README_NAME, LIESMICH.replace("\n", os.linesep), overwrite=False)
    except PermissionError as exc:
        raise ZugriffFehler(
            f"Keine Schreibrechte in {exc.filename or root}.",
            "Fragen Sie die IT nach Schreibrechten auf diesem Laufwerk.",
        ) from None
    _hide(root / STATE_DIR)
    return open_ablage(root), created


def _hide(path: Path) -> None:
    """Mark the state folder hidden in Explorer (a dot prefix already hides it elsewhere)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x02)  # type: ignore[attr-defined]


def _there(path: Path, is_file: bool = False) -> bool:
    """Does ``path`` exist? An SMB client under load can answer one stat with ENOENT or EIO although the
    share is there (seen with two PCs at once): only an answer that stays "no" for about 1.5 s counts."""
    for delay in (0.05, 0.1, 0.2, 0.4, 0.8, 0.0):
        try:
            if path.is_file() if is_file else path.exists():
                return True
        except OSError:
            pass
        time.sleep(delay)
    return False


def open_ablage(root: Path) -> Ablage:
    root = root.expanduser().absolute()
    if not _there(root):
        raise AblageFehler(
            f"Die Ablage {root} ist nicht erreichbar.",
            "Ist das Netzlaufwerk verbunden? Prüfen Sie den Pfad oder melden Sie sich neu an. "
            "Eine neue Ablage legt 'buero-ticket init ORDNER' an.",
        )
    if not _there(root / CONFIG_NAME, is_file=True):
        raise AblageFehler(
            f"{root} ist keine buero-ticket-Ablage (es fehlt {CONFIG_NAME}).",
            "Prüfen Sie den Pfad, oder legen Sie dort mit 'buero-ticket init' eine Ablage an.",
        )
    return Ablage(root, load_config(root / CONFIG_NAME))


def find_ablage(option: str | None, env: Mapping[str, str], cwd: Path) -> Ablage:
    if option:
        return open_ablage(Path(option))
    if env.get(ENV_ABLAGE):
        return open_ablage(Path(env[ENV_ABLAGE]))
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_ablage(folder)
    raise AblageFehler(
        "Keine Ablage angegeben.",
        f"Geben Sie --ablage ORDNER an oder setzen Sie die Umgebungsvariable {ENV_ABLAGE} (z. B. auf S:\\Bürgerbüro).",
    )
