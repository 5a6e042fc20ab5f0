"""Operations of the reports: build a report or a staffing estimate, render it, save it.

Plain functions over Vorgänge; the computation lives in :mod:`buero_ticket.berichte`. Reading
the Vorgänge (the cache) and the settings is the caller's job, so the same functions serve the
``bericht`` command and the register's "Statistik" sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from .. import fristen_config
from ..berichte import ausgabe_json, ausgabe_text, ausgabe_xlsx, personal
from ..berichte.faelle import Erfassung
from ..berichte.kennzahlen import Optionen, erstelle_bericht
from ..berichte.modell import Bericht, BerichtArt
from ..berichte.servicezeit import D115Kalender, Kalender, beschreibung, stunden
from ..berichte.statistik import Sammler
from ..errors import EingabeFehler
from ..fileio import atomic_write_bytes
from ..models import Kanal
from ..settings.berichte import Berichte
from .context import Context

Format = Literal["text", "xlsx", "json"]
FORMATE: tuple[Format, ...] = ("text", "xlsx", "json")
STANDARD_TAGE = 30  # default period: the last 30 days up to today
KONTAKT_KANAELE = (Kanal.TELEFON, Kanal.PERSOENLICH)


def zeitraum(von: date | None, bis: date | None, heute: date) -> tuple[date, date]:
    """The period (both days included); default: the 30 days up to today."""
    bis = bis or heute
    von = von or bis - timedelta(days=STANDARD_TAGE - 1)
    if von > bis:
        raise EingabeFehler(
            f"Der Zeitraum beginnt ({von:%d.%m.%Y}) nach seinem Ende ({bis:%d.%m.%Y}).",
            "Geben Sie --von vor --bis an, z. B. --von 01.11.2026 --bis 30.11.2026.",
        )
    return von, bis


def parse_tag(text: str, heute: date) -> date:
    """``30.11.2026``, ``2026-11-30``, ``30.11.`` (this year), ``heute``, ``gestern``."""
    t = text.strip().lower()
    if t in ("heute", "gestern"):
        return heute - timedelta(days=t == "gestern")
    try:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})?", t)
        if m:
            return date(int(m.group(3) or heute.year), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(t)
    except ValueError:
        raise EingabeFehler(
            f"„{text}“ ist kein Datum.", "Schreiben Sie das Datum als TT.MM.JJJJ, z. B. 30.11.2026."
        ) from None


def bericht(ctx: Context, vorgaenge: Iterable[Any], *, von: date, bis: date, nach: str = "kanal") -> Bericht:
    """The report over ``vorgaenge`` with the Ablage's settings (calendar, per-person figures, office name)."""
    return erstellen(
        vorgaenge,
        von=von,
        bis=bis,
        jetzt=ctx.clock(),
        nach=nach,
        personen=ctx.settings.section(Berichte).personen,
        amt=ctx.settings.amt.name,
        kalender=fristen_config.kalender(ctx.settings),
    )


def erstellen(
    vorgaenge: Iterable[Any],
    *,
    von: date,
    bis: date,
    jetzt: datetime,
    nach: str = "kanal",
    personen: bool = False,
    amt: str = "",
    kalender: Kalender | None = None,
    erfassung: Erfassung | None = None,
) -> Bericht:
    """The report over ``vorgaenge`` for ``von``–``bis``."""
    kal = kalender or D115Kalender()
    opt = Optionen(
        von=von,
        bis=bis,
        jetzt=jetzt,
        servicestunden=stunden(kal),
        nach=nach,
        personen=personen,
        amt=amt,
        servicezeit=beschreibung(kal),
        lokal=kal.lokal,
    )
    sammler = Sammler(von, kal.lokal)
    for v in vorgaenge:
        sammler.add(v)
    return erstelle_bericht(sammler.faelle, opt, erfassung)


def ankuenfte_aus_vorgaengen(vorgaenge: Iterable[Any], kanaele: Iterable[Kanal] = KONTAKT_KANAELE) -> list[datetime]:
    wanted = {k.value for k in kanaele}
    return [v.eingang for v in vorgaenge if str(getattr(v.kanal, "value", v.kanal)) in wanted]


def ankuenfte_aus_csv(path: Path) -> list[datetime]:
    """Arrival times from a phone-system export (format: :func:`buero_ticket.berichte.personal.lies_anrufe_csv`)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EingabeFehler(f"Die Datei {path} gibt es nicht.", "Prüfen Sie den Dateinamen.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    times, problems = personal.lies_anrufe_csv(text)
    if problems:
        raise EingabeFehler(
            f"{path.name}: {len(problems)} Zeilen ohne lesbaren Zeitpunkt.",
            "Jede Zeile beginnt mit Datum und Uhrzeit (z. B. 23.11.2026 08:15:03); Kopfzeile und "
            "Zeilen mit # sind erlaubt. Korrigieren Sie die genannten Zeilen.",
            problems=problems[:20],
        )
    return times


def personalbedarf(
    ctx: Context,
    ankuenfte: Iterable[datetime],
    *,
    quelle: str,
    bis: date,
    wochen: int | None = None,
    ziel: personal.Ziel | None = None,
    bearbeitungszeit: float | None = None,
    schwund: float | None = None,
) -> Bericht:
    """Staffing with the Ablage's calendar; options not given come from ``[berichte]``."""
    s = ctx.settings.section(Berichte)
    return personalbedarf_ueber(
        ankuenfte,
        quelle=quelle,
        bis=bis,
        wochen=s.wochen if wochen is None else wochen,
        ziel=ziel or personal.Ziel.parse(s.ziel),
        bearbeitungszeit=s.bearbeitungszeit_sekunden if bearbeitungszeit is None else bearbeitungszeit,
        schwund=s.schwund if schwund is None else schwund,
        jetzt=ctx.clock(),
        amt=ctx.settings.amt.name,
        kalender=fristen_config.kalender(ctx.settings),
    )


def personalbedarf_ueber(
    ankuenfte: Iterable[datetime],
    *,
    quelle: str,
    bis: date,
    wochen: int,
    ziel: personal.Ziel,
    bearbeitungszeit: float,
    schwund: float,
    jetzt: datetime,
    amt: str = "",
    kalender: Kalender | None = None,
) -> Bericht:
    """Erlang C staffing per weekday × 30-minute slot from the arrivals of the ``wochen`` weeks up to ``bis``."""
    if not 4 <= wochen <= 8:
        raise EingabeFehler(f"--wochen {wochen}: erlaubt sind 4 bis 8 Wochen.", "Zum Beispiel --wochen 6.")
    if not 0 <= schwund < 1:
        raise EingabeFehler(f"--schwund {schwund}: erlaubt ist 0 bis 0,95.", "Zum Beispiel --schwund 0.3 (30 %).")
    if bearbeitungszeit <= 0:
        raise EingabeFehler("--bearbeitungszeit muss größer als 0 sein.", "Zum Beispiel --bearbeitungszeit 240.")
    kal = kalender or D115Kalender()
    p = personal.prognose(
        ankuenfte,
        bis=bis,
        wochen=wochen,
        slots=personal.slots_aus_spans(kal.spans),
        geschlossen=kal.geschlossen,
        lokal=kal.lokal,
    )
    titel = f"Personalbedarf {amt}".strip()
    return personal.personalbedarf(
        p, ziel=ziel, bearbeitungszeit=bearbeitungszeit, schwund=schwund, titel=titel, quelle=quelle, jetzt=jetzt
    )


def ausgeben(b: Bericht, fmt: Format) -> bytes:
    """The report in one format, as bytes (text and JSON in UTF-8)."""
    if fmt == "xlsx":
        return ausgabe_xlsx.als_xlsx(b)
    if fmt == "json":
        return ausgabe_json.als_json(b).encode("utf-8")
    return ausgabe_text.als_text(b).encode("utf-8")


def speichern(b: Bericht, fmt: Format, ziel: Path) -> Path:
    """Write the report atomically to ``ziel`` (replacing an older file of that name)."""
    atomic_write_bytes(ziel, ausgeben(b, fmt))
    return ziel


def standard_dateiname(b: Bericht, fmt: Format) -> str:
    name = "Personalbedarf" if b.art is BerichtArt.PERSONAL else "Bericht"
    return f"{name} {b.von:%Y-%m-%d} bis {b.bis:%Y-%m-%d}.{'txt' if fmt == 'text' else fmt}"
