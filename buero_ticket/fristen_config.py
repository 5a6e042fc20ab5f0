"""Settings for deadlines and the 2nd level: ``[servicezeiten]``, ``[fristen]`` and ``[stellen.KEY]``.

Checkers return German problems with line numbers (called from :func:`config.validate`);
the readers turn a loaded :class:`Config` into typed values (calendar, Stellen, default Frist).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from .errors import EingabeFehler
from .servicezeit import WOCHENTAGE, Servicekalender, kalender_aus_einstellungen, parse_schliesstage, parse_spans

if TYPE_CHECKING:
    from .config import Config

STELLE_KEYS = ("name", "email", "ablage", "antwort_servicestunden")
STANDARD_ANTWORT_SERVICESTUNDEN = 40.0
_KEY_RE = re.compile(r"^[a-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Stelle:
    """A Fachabteilung (2nd level) a Vorgang can be forwarded to."""

    key: str
    name: str
    email: str = ""
    ablage: str = ""
    antwort_servicestunden: float = STANDARD_ANTWORT_SERVICESTUNDEN


def _line(text: str, section: str | None, key: str | None) -> int:
    from .settings.base import line_of

    return line_of(text, section, key)


def check_stellen(content: Any, text: str) -> list[str]:
    if not isinstance(content, dict):
        return [f"Zeile {_line(text, None, 'stellen')}: 'stellen' muss Abschnitte wie [stellen.bauamt] haben"]
    problems: list[str] = []
    for key, table in content.items():
        section = f"stellen.{key}"
        where = f"Zeile {_line(text, section, None)}: [{section}]"
        if not _KEY_RE.match(key):
            problems.append(f"{where}: der Kurzname nur aus Kleinbuchstaben, Ziffern, - und _ (z. B. [stellen.bauamt])")
        if not isinstance(table, dict):
            problems.append(f"{where} muss ein Abschnitt sein")
            continue
        for name, value in table.items():
            at = f"Zeile {_line(text, section, name)}: [{section}] {name}"
            if name not in STELLE_KEYS:
                problems.append(f"{at}: unbekannter Schlüssel (erlaubt: {', '.join(STELLE_KEYS)})")
            elif name == "antwort_servicestunden":
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    problems.append(f"{at}: muss eine Zahl größer 0 sein (ist {value!r})")
            elif not isinstance(value, str):
                problems.append(f"{at}: muss ein Text in Anführungszeichen sein (ist {value!r})")
            elif name == "email" and value.strip() and not _one_address(value):
                problems.append(
                    f"{at}: „{value}“ ist keine E-Mail-Adresse (genau eine, wie "
                    '"bauamt@musterstadt.de" oder "Bauamt <bauamt@musterstadt.de>")'
                )
        if not str(table.get("name", "")).strip():
            problems.append(f'{where}: name fehlt (z. B. name = "Bauamt")')
        if not str(table.get("email", "")).strip() and not str(table.get("ablage", "")).strip():
            problems.append(f"{where}: email oder ablage fehlt (wohin soll weitergeleitet werden?)")
    return problems


def _one_address(value: str) -> bool:
    """One address, ``name@domain`` or ``Name <name@domain>`` (the forwarding mail goes to it)."""
    from email.utils import getaddresses

    found = getaddresses([value])
    if len(found) != 1:
        return False
    local, at, domain = found[0][1].rpartition("@")
    return bool(local and at and domain) and not any(c.isspace() or c in "@<>," for c in local + domain)


def check_servicezeiten(section: dict[str, Any], text: str) -> list[str]:
    problems: list[str] = []
    for tag in WOCHENTAGE:
        value = section.get(tag)
        if isinstance(value, str):
            try:
                parse_spans(value)
            except ValueError as exc:
                problems.append(f"Zeile {_line(text, 'servicezeiten', tag)}: [servicezeiten] {tag}: {exc}")
    days = section.get("schliesstage")
    if isinstance(days, list):
        try:
            parse_schliesstage(days)
        except ValueError as exc:
            problems.append(
                f"Zeile {_line(text, 'servicezeiten', 'schliesstage')}: [servicezeiten] schliesstage: {exc}"
            )
    from .errors import KonfigFehler

    try:
        kalender_aus_einstellungen({k: v for k, v in section.items() if k in ("land", "zeitzone")})
    except (KonfigFehler, ValueError) as exc:
        key = "land" if "Bundesland" in str(exc) else "zeitzone"
        text_ = exc.text + " " + exc.hinweis if isinstance(exc, KonfigFehler) else str(exc)
        problems.append(f"Zeile {_line(text, 'servicezeiten', key)}: [servicezeiten] {key}: {text_}")
    return problems


def check_fristen(section: dict[str, Any], text: str) -> list[str]:
    problems: list[str] = []
    for sub in ("kanal", "kategorie"):
        table = section.get(sub)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(
                f"Zeile {_line(text, 'fristen', sub)}: [fristen] {sub} muss ein Abschnitt [fristen.{sub}] sein"
            )
            continue
        for key, value in table.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(
                    f"Zeile {_line(text, f'fristen.{sub}', key)}: [fristen.{sub}] {key}: "
                    f"muss eine ganze Zahl von Tagen sein (0 = keine Frist; ist {value!r})"
                )
    for key, value in section.items():
        if isinstance(value, dict) and key not in ("kanal", "kategorie"):
            problems.append(f"Zeile {_line(text, f'fristen.{key}', None)}: unbekannter Abschnitt [fristen.{key}]")
    return problems


# -- readers --------------------------------------------------------------------------------
def kalender(config: Config) -> Servicekalender:
    from .settings.fristen import Servicezeiten

    return kalender_aus_einstellungen(dataclasses.asdict(config.section(Servicezeiten)))


def stellen(config: Config) -> dict[str, Stelle]:
    result: dict[str, Stelle] = {}
    from .settings.fristen import Stellen

    for key, table in config.section(Stellen).tabellen.items():
        result[key] = Stelle(
            key=key,
            name=str(table.get("name", key)),
            email=str(table.get("email", "")),
            ablage=str(table.get("ablage", "")),
            antwort_servicestunden=float(table.get("antwort_servicestunden", STANDARD_ANTWORT_SERVICESTUNDEN)),
        )
    return result


def stelle(config: Config, text: str) -> Stelle:
    """The Stelle a clerk named, by key or name (case-insensitive)."""
    known = stellen(config)
    wanted = text.strip().casefold()
    for item in known.values():
        if wanted in (item.key.casefold(), item.name.casefold()):
            return item
    if not known:
        raise EingabeFehler(
            f"Eine Stelle „{text}“ gibt es nicht: in buero-ticket.toml ist noch keine Stelle eingetragen.",
            'Tragen Sie die Fachabteilung ein, z. B. [stellen.bauamt] mit name = "Bauamt" und email = "…".',
        )
    import difflib

    close = difflib.get_close_matches(wanted, [s.key for s in known.values()], n=1, cutoff=0.6)
    hint = f"Meinten Sie „{close[0]}“? " if close else ""
    raise EingabeFehler(
        f"Eine Stelle „{text}“ gibt es nicht.",
        hint
        + "Bekannt sind: "
        + ", ".join(f"{s.key} ({s.name})" for s in known.values())
        + " – siehe 'buero-ticket stellen'.",
    )


def standard_frist(config: Config, kanal: str, eingang: date, kategorie: str = "") -> date | None:
    """The default Frist of a new Vorgang: ``[fristen.kategorie]``, else ``[fristen.kanal]``, else frist_tage.

    0 days means no Frist. A Frist that falls on a day without service moves to the next service day.
    """
    from .settings.fristen import Fristen

    section = config.section(Fristen)
    days: int | None = None
    if kategorie:
        by_category = {str(k).casefold(): v for k, v in section.kategorie.items()}
        days = by_category.get(kategorie.casefold())
    if days is None and kategorie.strip().casefold() == "dsgvo-anfrage":
        from .operations.datenschutz import dsgvo_frist  # Art. 12(3) DSGVO: one month, not a number of days

        return _next_open_day(config, dsgvo_frist(eingang))
    if days is None:
        days = section.kanal.get(kanal)
    if days is None:
        days = config.vorgang.frist_tage
    if not days:
        return None
    return _next_open_day(config, eingang + timedelta(days=int(days)))


def _next_open_day(config: Config, due: date) -> date:
    """A Frist that falls on a day without service moves to the next service day."""
    cal = kalender(config)
    for _ in range(30):
        if not cal.geschlossen(due):
            break
        due += timedelta(days=1)
    return due
