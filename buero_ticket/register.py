"""The Excel register (``Vorgangsregister.xlsx``): an overview rebuilt from the Vorgang folders.

The register is a view, never read back. It is streamed with openpyxl's
write-only mode (memory does not grow with the number of Vorgänge), written to
a temp file beside the target, fsynced and renamed into place. If the register
is open in Excel (locked on a share), the new one goes to a side file
(``Vorgangsregister (neu).xlsx``) and the main file is replaced next time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_STORED, ZipFile

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from buero_ticket.fileio import fsync_dir, retry_on_busy, temp_path_for
from buero_ticket.models import Status, Vorgang
from buero_ticket.register_cells import MAX_LINKS_PER_SHEET, CellMaker, relative_link, to_local_naive
from buero_ticket.register_links import LinkSpool, copy_with_links
from buero_ticket.register_stats import Statistics, write_statistics

REGISTER_NAME = "Vorgangsregister.xlsx"
SHEET_OPEN, SHEET_ALL, SHEET_STATISTICS, SHEET_INFO = "Offen", "Alle", "Statistik", "Info"
#: Attempts to rename over a busy register before falling back to the side file (about 0.5 s).
REPLACE_ATTEMPTS = 5
# Errors that mean "someone has the file open": EACCES on Windows (sharing violation),
# EBUSY from a Linux CIFS mount.
_BUSY_ERRNOS = {errno.EBUSY}

#: (header, width, meaning) of the columns on "Offen" and "Alle".
COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Aktenzeichen", 16, "Nummer des Vorgangs. Ein Klick öffnet seinen Ordner in der Ablage."),
    ("Eingang", 17, "Datum und Uhrzeit des Eingangs."),
    ("Kanal", 11, "Wie das Anliegen kam: E-Mail, Telefon, persönlich, Brief, Fax oder Scan."),
    ("Absender", 32, "Name und E-Mail-Adresse (oder Telefon) der Absenderin / des Absenders."),
    ("Betreff", 50, "Betreff des Vorgangs."),
    ("Status", 15, "Eingang, In Bearbeitung, Wartet, Erledigt oder Archiv."),
    ("Bearbeiter", 16, "Wer den Vorgang bearbeitet."),
    ("Dringlichkeit", 13, "Hoch, Normal oder Niedrig."),
    ("Frist", 12, "Frist des Vorgangs; rot hinterlegt, wenn sie überschritten und der Vorgang offen ist."),
    ("Letzte Aktivität", 17, "Letzte Änderung am Vorgang (sonst der Eingang)."),
    ("Nachrichten", 12, "Anzahl gespeicherter Nachrichten (ein- und ausgehend)."),
    ("Antwort gesendet", 10, "ja, wenn eine Antwort an die Absenderin / den Absender ging, sonst nein."),
    ("Antwort am", 17, "Wann die Antwort gesendet wurde."),
)
_LAST_COL = get_column_letter(len(COLUMNS))
_DEADLINE_COL = get_column_letter(9)
_STATUS_COL = get_column_letter(6)
_OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
_OVERDUE_FONT = Font(color="9C0006")


class RegisterLockedError(PermissionError):
    """Neither the register nor its side file could be replaced; the message is German."""


@dataclass(frozen=True)
class RegisterResult:
    """What :func:`write_register` did. ``message`` is meant for the clerk."""

    file: Path  # the file that now holds the new register
    is_side_file: bool  # True: the main file was locked, ``file`` is the side file
    message: str
    open_count: int
    total_count: int


@dataclass(frozen=True)
class _Counts:
    open_count: int
    all_count: int


def side_file_for(target: Path) -> Path:
    """``Vorgangsregister.xlsx`` → ``Vorgangsregister (neu).xlsx``."""
    return target.with_name(f"{target.stem} (neu){target.suffix}")


def write_register(
    target: Path,
    open_vorgaenge: Iterable[Vorgang],
    all_vorgaenge: Iterable[Vorgang],
    *,
    ablage_name: str,
    now: datetime | None = None,
) -> RegisterResult:
    """Write the register to ``target`` (or its side file if ``target`` is open).

    ``open_vorgaenge`` must come sorted (most urgent, then oldest first) and ``all_vorgaenge`` newest
    first; both are consumed once, row by row. Raises :class:`RegisterGesperrtError`
    if both the register and its side file are locked.
    """
    as_of = to_local_naive(now or datetime.now())
    tmp = temp_path_for(target)
    try:
        counts = _write_workbook(tmp, target, open_vorgaenge, all_vorgaenge, ablage_name=ablage_name, as_of=as_of)
        return _publish(tmp, target, counts)
    finally:
        tmp.unlink(missing_ok=True)  # only left over if something failed


def _write_workbook(
    tmp: Path,
    target: Path,
    open_vorgaenge: Iterable[Vorgang],
    all_vorgaenge: Iterable[Vorgang],
    *,
    ablage_name: str,
    as_of: datetime,
) -> _Counts:
    wb = Workbook(write_only=True)
    sheets = [wb.create_sheet(name) for name in (SHEET_OPEN, SHEET_ALL, SHEET_STATISTICS, SHEET_INFO)]
    with LinkSpool() as links_open, LinkSpool() as links_all, tempfile.TemporaryFile() as package:
        try:
            counts = _fill(sheets, target, open_vorgaenge, all_vorgaenge, (links_open, links_all), ablage_name, as_of)
        except BaseException:
            with contextlib.suppress(Exception):  # lets openpyxl close its streams and temp files
                _save_uncompressed(wb, package)
            raise
        _save_uncompressed(wb, package)
        package.seek(0)
        with open(tmp, "xb") as fh:
            copy_with_links(package, fh, {sheets[0].path[1:]: links_open, sheets[1].path[1:]: links_all})
            fh.flush()
            os.fsync(fh.fileno())
    return counts


def _fill(
    sheets: list[Any],
    target: Path,
    open_vorgaenge: Iterable[Vorgang],
    all_vorgaenge: Iterable[Vorgang],
    links: tuple[LinkSpool, LinkSpool],
    ablage_name: str,
    as_of: datetime,
) -> _Counts:
    """Stream all four sheets; only the statistics' small counters stay in memory."""
    ws_open, ws_all, ws_stats, ws_info = sheets
    stats = Statistics(as_of.date())
    counts = _Counts(
        open_count=_write_list(ws_open, open_vorgaenge, target.parent, links[0]),
        all_count=_write_list(ws_all, all_vorgaenge, target.parent, links[1], seen=stats.add),
    )
    write_statistics(ws_stats, stats, as_of)
    _write_info(ws_info, target, ablage_name, as_of, counts)
    return counts


def _save_uncompressed(wb: Workbook, package: IO[bytes]) -> None:
    """Save to a local temp file without compression: copy_with_links compresses it once.

    (``Workbook.save`` would deflate everything, and the copy would inflate and deflate it again.)
    """
    wb.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    ExcelWriter(wb, ZipFile(package, "w", ZIP_STORED, allowZip64=True)).save()


def _write_list(
    ws: Any,
    vorgaenge: Iterable[Vorgang],
    base: Path,
    links: LinkSpool,
    seen: Callable[[Vorgang], None] | None = None,
) -> int:
    """Stream one list sheet (header + one row per Vorgang); returns the number of rows."""
    cells = CellMaker(ws)
    _prepare_list_sheet(ws)
    ws.append([cells.header(title) for title, _, _ in COLUMNS])
    rows = 0
    for v in vorgaenge:
        rows += 1
        if v.ordner is not None and links.count < MAX_LINKS_PER_SHEET:
            links.add(rows + 1, relative_link(v.ordner, base))
            ws.append(_row(cells.link_text(v.aktenzeichen), cells, v))
        else:
            ws.append(_row(cells.text(v.aktenzeichen), cells, v))
        if seen is not None:
            seen(v)
    _finish_list_sheet(ws, rows)
    return rows


def _row(aktenzeichen: Any, cells: CellMaker, v: Vorgang) -> list[Any]:
    return [
        aktenzeichen,
        cells.when(v.eingang),
        v.kanal.label,
        cells.text(v.absender.display()),
        cells.text(v.betreff),
        v.status.label,
        cells.text(v.bearbeiter),
        v.dringlichkeit.label,
        cells.day(v.frist),
        cells.when(v.letzte_aktivitaet),
        len(v.nachrichten),
        "ja" if v.antwort_gesendet else "nein",
        cells.when(v.antwort_gesendet),
    ]


def _prepare_list_sheet(ws: Any) -> None:
    """Panes, widths and print setup: in write-only mode they only count before the first row."""
    ws.freeze_panes = "B2"
    for col, (_, width, _) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _finish_list_sheet(ws: Any, rows: int) -> None:
    """Filter over all rows and the red "Frist überschritten" rule (Excel re-evaluates TODAY())."""
    last = rows + 1
    ws.auto_filter.ref = f"A1:{_LAST_COL}{last}"
    if rows == 0:
        return
    closed = ",".join(f'${_STATUS_COL}2<>"{s.label}"' for s in Status if not s.is_open)
    formula = f"AND(ISNUMBER(${_DEADLINE_COL}2),${_DEADLINE_COL}2<TODAY(),{closed})"
    rule = FormulaRule(formula=[formula], fill=_OVERDUE_FILL, font=_OVERDUE_FONT)
    ws.conditional_formatting.add(f"{_DEADLINE_COL}2:{_DEADLINE_COL}{last}", rule)


def _write_info(ws: Any, target: Path, ablage_name: str, as_of: datetime, counts: _Counts) -> None:
    cells = CellMaker(ws)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 110
    for row in _info_rows(cells, target, ablage_name, as_of, counts):
        ws.append(row)


def _info_rows(cells: CellMaker, target: Path, ablage_name: str, as_of: datetime, counts: _Counts) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [cells.header("Vorgangsregister")],
        ["Erstellt am", cells.when(as_of)],
        ["Ablage", cells.text(ablage_name)],
        ["Datei", cells.text(target.name)],
        ["Vorgänge offen", counts.open_count],
        ["Vorgänge gesamt", counts.all_count],
        [],
        [
            "Nur Ansicht",
            "Diese Datei wird aus den Vorgangsordnern neu erzeugt. Änderungen hier werden nicht "
            "übernommen und beim nächsten Erzeugen überschrieben; bitte im Vorgang selbst ändern.",
        ],
        [
            "Verweise",
            "Das Aktenzeichen verweist auf den Ordner des Vorgangs, relativ zum Ordner dieser Datei: "
            "Das klappt mit jedem Laufwerksbuchstaben, aber nur, solange die Datei in der Ablage liegt.",
        ],
    ]
    for sheet, count in ((SHEET_OPEN, counts.open_count), (SHEET_ALL, counts.all_count)):
        if count > MAX_LINKS_PER_SHEET:
            rows.append(
                [
                    "",
                    f"Excel erlaubt höchstens {_number(MAX_LINKS_PER_SHEET)} Verweise pro Blatt: Im Blatt "
                    f"„{sheet}“ haben die letzten {_number(count - MAX_LINKS_PER_SHEET)} Zeilen keinen Verweis.",
                ]
            )
    rows += [
        [],
        [cells.header("Blatt"), cells.header("Inhalt")],
        [
            SHEET_OPEN,
            "Alle nicht erledigten Vorgänge: die dringendsten zuerst, dann die ältesten (die tägliche Arbeitsliste).",
        ],
        [SHEET_ALL, "Alle Vorgänge, die neuesten zuerst."],
        [SHEET_STATISTICS, "Offene Vorgänge nach Alter; Eingänge pro Woche nach Kanal und heutigem Status."],
        [],
        [cells.header("Spalte"), cells.header("Bedeutung")],
    ]
    return rows + [[title, meaning] for title, _, meaning in COLUMNS]


def _publish(tmp: Path, target: Path, counts: _Counts) -> RegisterResult:
    """Rename the finished temp file over the register, or beside it if the register is locked."""
    side = side_file_for(target)
    try:
        retry_on_busy(lambda: _replace(tmp, target), attempts=REPLACE_ATTEMPTS)
    except PermissionError:
        return _publish_side_file(tmp, target, side, counts)
    fsync_dir(target.parent)
    message = (
        f"Register „{target.name}“ geschrieben ({_number(counts.open_count)} offen, "
        f"{_number(counts.all_count)} gesamt).{_remove_side_file(side)}"
    )
    return RegisterResult(target, False, message, counts.open_count, counts.all_count)


def _publish_side_file(tmp: Path, target: Path, side: Path, counts: _Counts) -> RegisterResult:
    try:
        retry_on_busy(lambda: _replace(tmp, side), attempts=REPLACE_ATTEMPTS)
    except PermissionError as exc:
        raise RegisterLockedError(
            f"„{target.name}“ und „{side.name}“ lassen sich nicht ersetzen (geöffnet oder keine "
            "Schreibrechte). Das Register wurde nicht geschrieben; bitte eine der Dateien schließen "
            "und erneut versuchen."
        ) from exc
    fsync_dir(target.parent)
    message = (
        f"„{target.name}“ ist gerade geöffnet (gesperrt). Das neue Register steht in „{side.name}“; "
        "die Hauptdatei wird beim nächsten Erzeugen ersetzt."
    )
    return RegisterResult(side, True, message, counts.open_count, counts.all_count)


def _remove_side_file(side: Path) -> str:
    """Delete an older side file; the returned sentence (or "") completes the message."""
    try:
        side.unlink()
    except FileNotFoundError:
        return ""
    except OSError:
        return f" Die veraltete Ausweichdatei „{side.name}“ ist geöffnet und konnte nicht gelöscht werden."
    return f" Die veraltete Ausweichdatei „{side.name}“ wurde gelöscht."


def _replace(src: Path, dst: Path) -> None:
    """os.replace that reports "file is open" uniformly as PermissionError."""
    try:
        os.replace(src, dst)
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno not in _BUSY_ERRNOS:
            raise
        raise PermissionError(exc.errno, exc.strerror, str(dst)) from exc


def _number(n: int) -> str:
    """German thousands separator: 65530 → 65.530."""
    return f"{n:,}".replace(",", ".")
