"""The columns of the register's list sheets: one entry each.

To add a column, add one :class:`Column` to :data:`COLUMNS` (or append one with
:func:`add_column` from the module that owns the value): its header, its width
in characters, its meaning (shown on the "Info" sheet), a function from the
Vorgang to the value, and the kind of cell (see ``cells.CellWriter``). ``sheets``
limits a column to some sheets, e.g. a suggestion only on "Offen".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..models import Vorgang

SHEET_OPEN, SHEET_ALL = "Offen", "Alle"
LIST_SHEETS = (SHEET_OPEN, SHEET_ALL)


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # characters at the register's font size
    meaning: str
    value: Callable[[Vorgang], Any]
    kind: str = "text"  # text | wrap | label | number | when | day | deadline (see cells.CellWriter)
    sheets: tuple[str, ...] = LIST_SHEETS


def _betreff_mit_merkern(v: Vorgang) -> str:
    from datetime import date

    from ..merker import merker

    marks = merker(v, date.today())
    return f"{v.betreff} {marks}" if marks else v.betreff


def _damaged_or(value: Callable[[Vorgang], Any]) -> Callable[[Vorgang], Any]:
    """Fields that a damaged Vorgang does not have stay empty (the cache made them up)."""
    return lambda v: None if v.beschaedigt else value(v)


COLUMNS: list[Column] = [
    Column(
        "Aktenzeichen",
        13,
        "Nummer des Vorgangs. Ein Klick öffnet seinen Ordner in der Ablage.",
        lambda v: v.aktenzeichen,
        "link",
    ),
    Column("Eingang", 14, "Datum und Uhrzeit des Eingangs.", _damaged_or(lambda v: v.eingang), "when"),
    Column(
        "Kanal",
        9,
        "Wie das Anliegen kam: E-Mail, Telefon, persönlich, Brief, Fax oder Scan.",
        _damaged_or(lambda v: v.kanal.label),
        "label",
    ),
    Column(
        "Absender",
        22,
        "Name und E-Mail-Adresse (oder Telefon) der Absenderin / des Absenders.",
        lambda v: v.absender.display(),
        "wrap",
    ),
    Column(
        "Betreff",
        32,
        "Betreff des Vorgangs; dahinter wie in 'liste' [neue Nachricht], [Wiedervorlage TT.MM.: Grund] (fällig) "
        "und [bei Stelle].",
        lambda v: _betreff_mit_merkern(v),
        "wrap",
    ),
    Column("Status", 12, "Eingang, In Bearbeitung, Wartet, Erledigt oder Archiv.", lambda v: v.status.label, "label"),
    Column("Bearbeiter", 12, "Wer den Vorgang bearbeitet.", lambda v: v.bearbeiter, "text"),
    Column("Dringlichkeit", 11, "Hoch, Normal oder Niedrig.", lambda v: v.dringlichkeit.label, "label"),
    Column(
        "Frist",
        10,
        "Frist des Vorgangs; rot hinterlegt, wenn sie überschritten und der Vorgang offen ist.",
        lambda v: v.frist,
        "day",
    ),
    Column(
        "Rückmeldung bis",
        14,
        "Bis wann die Bürgerin / der Bürger nach einer Weiterleitung eine Rückmeldung bekommen muss "
        "(Servicestunden, D115: 24); bei mehreren Weiterleitungen die früheste noch offene. Leer, sobald eine "
        "Nachricht an die Bürgerin / den Bürger ging (Antwort, Brief, 'notiz --rueckmeldung') oder der Vorgang "
        "erledigt ist; rot, wenn überschritten.",
        _damaged_or(lambda v: _rueckmeldung_bis(v)),
        "deadline",
    ),
    Column(
        "Antwort der Stelle bis",
        14,
        "Bis wann die Stelle, an die weitergeleitet wurde, antworten soll (ihre Servicestunden); bei mehreren "
        "Stellen die früheste noch offene. Leer, sobald alle geantwortet haben ('zurueck', ihre E-Mail, erledigt "
        "in ihrer Ablage) oder der Vorgang erledigt ist; rot, wenn überschritten.",
        _damaged_or(lambda v: _antwort_bis(v)),
        "deadline",
    ),
    Column(
        "Letzte Aktivität",
        14,
        "Letzte Änderung am Vorgang (sonst der Eingang).",
        _damaged_or(lambda v: v.letzte_aktivitaet),
        "when",
    ),
    Column(
        "Nachrichten",
        10,
        "Anzahl gespeicherter Nachrichten (ein- und ausgehend).",
        _damaged_or(lambda v: len(v.nachrichten)),
        "number",
    ),
    Column(
        "Antwort gesendet",
        8,
        "ja, wenn eine Antwort an die Absenderin / den Absender ging, sonst nein.",
        _damaged_or(lambda v: "ja" if v.antwort_gesendet else "nein"),
        "label",
    ),
    Column("Antwort am", 14, "Wann die Antwort gesendet wurde.", lambda v: v.antwort_gesendet, "when"),
    Column("Kategorie", 12, "Kategorie des Vorgangs (bestimmt u. a. die Aufbewahrungsfrist).", lambda v: v.kategorie),
    Column(
        "Aufbewahren bis",
        10,
        "Ende der Aufbewahrungsfrist (ab Ende des Jahres der Erledigung, je Kategorie); danach "
        "'buero-ticket aussondern'. Leer, solange der Vorgang offen ist.",
        _damaged_or(lambda v: _aufbewahren_bis(v)),
        "day",
    ),
]


def _rueckmeldung_bis(v: Vorgang) -> datetime | None:
    from ..operations.fristen import rueckmeldung_bis

    return rueckmeldung_bis(v)


def _antwort_bis(v: Vorgang) -> datetime | None:
    from ..operations.fristen import antwort_bis

    return antwort_bis(v)


def _aufbewahren_bis(v: Vorgang) -> Any:
    from ..datenschutz.aufbewahrung import aufbewahren_bis_im_ordner

    return aufbewahren_bis_im_ordner(v)


def add_column(column: Column, *, after: str | None = None) -> None:
    """Add a column (at the end, or right after the column with header ``after``)."""
    if any(c.header == column.header for c in COLUMNS):
        return
    if after is None:
        COLUMNS.append(column)
        return
    position = next(i for i, c in enumerate(COLUMNS) if c.header == after) + 1
    COLUMNS.insert(position, column)


def columns_for(sheet: str) -> list[Column]:
    return [c for c in COLUMNS if sheet in c.sheets]


def layout_key() -> str:
    """Changes whenever the columns change (a workbook written with other columns is rewritten)."""
    return "|".join(f"{c.header}:{c.kind}:{c.width}:{','.join(c.sheets)}" for c in COLUMNS)


from ..wissen import register_spalte as _wissen_spalte  # noqa: E402,F401  (adds the column "Wissen" to "Offen")
