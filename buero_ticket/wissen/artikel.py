"""Reading knowledge-base articles: Markdown files with a front-matter block.

A clerk edits articles with Notepad or Word ("Speichern unter → Nur Text"), so a file may be UTF-8
with or without BOM or Windows-1252, have CRLF line ends, or lack the front matter (then the file
name is the title and a warning says so). Nothing here writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("titel", "stichwoerter", "leika", "zustaendig", "geprueft_am", "pruefen_bis")
SUFFIX = ".md"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_KEY = re.compile(r"^([A-Za-z_äöüÄÖÜß][\wäöüÄÖÜß-]*)\s*:\s*(.*)$")


@dataclass
class Hinweis:
    """A problem in an article file, with its line (0: the whole file)."""

    zeile: int
    text: str


@dataclass
class Artikel:
    datei: str  # path relative to the Wissen folder, with "/" separators
    titel: str
    stichwoerter: list[str] = field(default_factory=list)
    felder: dict[str, str | list[str]] = field(default_factory=dict)  # front matter as written
    feldzeilen: dict[str, int] = field(default_factory=dict)  # front-matter key -> line number
    abschnitte: dict[str, str] = field(default_factory=dict)  # "## heading" -> text, in file order
    text: str = ""  # the body (everything after the front matter)
    hinweise: list[Hinweis] = field(default_factory=list)
    kodierung: str = "utf-8"

    def feld(self, name: str) -> str:
        value = self.felder.get(name, "")
        return ", ".join(value) if isinstance(value, list) else value

    @property
    def kurzinfo(self) -> str:
        for heading, text in self.abschnitte.items():
            if heading.lower().startswith("kurzinfo"):
                return text
        return next(iter(self.abschnitte.values()), self.text.strip())

    def antwort(self) -> str:
        """The answer sections as plain text for a reply (internal sections left out)."""
        parts = []
        for heading, text in self.abschnitte.items():
            if heading.lower().startswith("intern") or not text.strip():
                continue
            if heading.lower().startswith("kurzinfo"):  # the answer itself: "Kurzinfo" is the office's word
                parts.append(text.strip())
                continue
            parts.append(f"{heading}\n{text.strip()}")
        return "\n\n".join(parts) if parts else self.text.strip()


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252; line ends as LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-bom"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "windows-1252"
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def parse(datei: str, data: bytes) -> Artikel:
    """One article from the bytes of its file; problems become ``hinweise`` (never an exception)."""
    text, encoding = decode(data)
    lines = text.split("\n")
    stem = datei.rsplit("/", 1)[-1]
    stem = stem[: -len(SUFFIX)] if stem.lower().endswith(SUFFIX) else stem
    artikel = Artikel(datei=datei, titel=stem, kodierung=encoding)
    body_start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            artikel.hinweise.append(Hinweis(1, "Der Kopfteil (ab „---“ in Zeile 1) wird nicht mit „---“ beendet."))
        else:
            _front_matter(artikel, lines[1:end])
            body_start = end + 1
    else:
        artikel.hinweise.append(
            Hinweis(1, "Kein Kopfteil (Zeilen „---“ mit titel, stichwoerter …): der Dateiname gilt als Titel.")
        )
    artikel.text = "\n".join(lines[body_start:])
    _sections(artikel, lines[body_start:])
    titel = artikel.felder.get("titel")
    if isinstance(titel, str) and titel.strip():
        artikel.titel = titel.strip()
    words = artikel.felder.get("stichwoerter", [])
    artikel.stichwoerter = [w for w in ([words] if isinstance(words, str) else words) if w]
    return artikel


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _front_matter(artikel: Artikel, lines: list[str]) -> None:
    key = ""
    for number, line in enumerate(lines, start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s*-\s+(.*)$", line)
        if item and key:
            current = artikel.felder.get(key)
            values = current if isinstance(current, list) else []
            values.append(_unquote(item.group(1)))
            artikel.felder[key] = values
            continue
        match = _KEY.match(line.strip())
        if not match:
            artikel.hinweise.append(Hinweis(number, f"Zeile im Kopfteil nicht verstanden: „{line.strip()}“"))
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key in artikel.felder:
            artikel.hinweise.append(Hinweis(number, f"Feld „{key}“ steht zweimal im Kopfteil."))
        artikel.feldzeilen[key] = number
        if value.startswith("["):
            inner = value[1 : value.rindex("]")] if "]" in value else value[1:]
            artikel.felder[key] = [_unquote(v) for v in inner.split(",") if v.strip()]
        elif value:
            artikel.felder[key] = _unquote(value)
        else:
            artikel.felder[key] = []
    for name in ("titel", "leika", "zustaendig", "geprueft_am", "pruefen_bis"):
        if isinstance(artikel.felder.get(name), list):
            artikel.felder[name] = ", ".join(artikel.felder[name])


def _sections(artikel: Artikel, lines: list[str]) -> None:
    heading = ""
    collected: list[str] = []

    def close() -> None:
        if heading:
            artikel.abschnitte[heading] = "\n".join(collected).strip()

    for line in lines:
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 2:
            close()
            heading, collected = match.group(2), []
        elif match and len(match.group(1)) == 1:
            continue  # "# Title": the title comes from the front matter
        elif heading:
            collected.append(line)
    close()


def iter_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Article files below ``folder`` (subfolders too), sorted, as (relative path, path)."""
    if not folder.is_dir():
        return
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "~"))]
        for name in filenames:
            if name.lower().endswith(SUFFIX) and not name.startswith(("~$", ".")):
                path = Path(dirpath) / name
                found.append((path.relative_to(folder).as_posix(), path))
    yield from sorted(found)


#: Drafts ('wissen neu --aus') wait in this subfolder until the office has completed them and moved them up:
#: they are shown and checked, but never suggested, searched or inserted into an answer.
ENTWURF_ORDNER = "Entwürfe"


def ist_entwurf(artikel: Artikel) -> bool:
    return artikel.datei.split("/", 1)[0].casefold() == ENTWURF_ORDNER.casefold()


@dataclass
class Sammlung:
    """All articles of a Wissen folder, plus files that could not be read."""

    ordner: Path
    artikel: list[Artikel]
    unlesbar: list[tuple[str, str]]  # (relative path, reason)

    def ohne_entwuerfe(self) -> Sammlung:
        return Sammlung(self.ordner, [a for a in self.artikel if not ist_entwurf(a)], self.unlesbar)

    def nur_entwuerfe(self) -> Sammlung:
        return Sammlung(self.ordner, [a for a in self.artikel if ist_entwurf(a)], [])

    def finde(self, name: str) -> Artikel | None:
        """An article by relative path, file name (with or without .md) or title (case-insensitive)."""
        wanted = name.strip().replace("\\", "/").lower()
        wanted_md = wanted if wanted.endswith(SUFFIX) else wanted + SUFFIX
        for test in (
            lambda a: a.datei.lower() in (wanted, wanted_md),
            lambda a: a.datei.rsplit("/", 1)[-1].lower() in (wanted, wanted_md),
            lambda a: a.titel.lower() == wanted,
        ):
            hits = [a for a in self.artikel if test(a)]
            if len(hits) == 1:
                return hits[0]
        return None


def _grund(exc: OSError) -> str:
    """Why a file could not be read, in German (the system's own text may be English)."""
    if isinstance(exc, PermissionError):
        return "keine Leserechte, oder ein anderes Programm sperrt die Datei"
    if isinstance(exc, FileNotFoundError):
        return "beim Lesen nicht da (gelöscht, verschoben oder eine Verknüpfung ins Leere)"
    return f"Lesefehler des Laufwerks ({exc.strerror or exc})"


def lade(ordner: Path) -> Sammlung:
    artikel = []
    unlesbar = []
    for rel, path in iter_files(ordner):
        try:
            data = path.read_bytes()
        except OSError as exc:
            unlesbar.append((rel, _grund(exc)))
            continue
        grund = keine_textdatei(data)
        if grund:
            unlesbar.append((rel, grund))
            continue
        artikel.append(parse(rel, data))
    return Sammlung(ordner, artikel, unlesbar)


_FORMATE = (
    (b"PK\x03\x04", "ein Word-Dokument (.docx) oder eine andere gepackte Datei"),
    (b"\xd0\xcf\x11\xe0", "ein altes Word-Dokument (.doc)"),
    (b"{\\rtf", "ein RTF-Dokument (WordPad oder Word)"),
    (b"%PDF", "ein PDF"),
)


def keine_textdatei(data: bytes) -> str:
    """Why ``data`` is no text file (a Word document saved as ".md"), else "".

    Read as text, such a file became an "article" of binary garbage, titled with its file name, that
    took part in every suggestion. Text has no NUL bytes (UTF-16, with its BOM, aside).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ""
    was = next((name for magic, name in _FORMATE if data.startswith(magic)), "")
    if not was and b"\x00" not in data[:65536]:
        return ""
    return (
        f"keine Textdatei, sondern {was or 'eine Datei mit Binärdaten'} – in Word oder im Editor öffnen und mit "
        "„Speichern unter → Nur Text (*.txt)“ (Codierung UTF-8) wieder als .md speichern"
    )
