"""Sections for deadlines and the 2nd level: ``[servicezeiten]``, ``[fristen]`` and ``[stellen.KEY]``.

The detailed checks (time spans, holidays, Stellen) live in :mod:`buero_ticket.fristen_config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .. import fristen_config
from .base import Problems, _generic_build, section


@section(
    "fristen",
    order=32,
    template="""\
# [fristen.kanal]
# Andere Frist (in Tagen) je Kanal; 0 = keine Frist. Ebenso [fristen.kategorie] mit "Kategorie" = Tage.
# telefon = 3
# email = 5
""",
    check=lambda content, text: _check_plain_fristen(content, text),
)
@dataclass(frozen=True)
class Fristen:
    neue_nachricht: Literal["in-bearbeitung", "markieren"] = "in-bearbeitung"
    team_email: str = ""
    kanal: dict[str, int] = field(default_factory=dict)  # [fristen.kanal]
    kategorie: dict[str, int] = field(default_factory=dict)  # [fristen.kategorie]

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> tuple[Fristen, Problems]:
        plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
        instance, problems = _generic_build(cls, plain)
        kanal, kategorie = data.get("kanal"), data.get("kategorie")
        return cls(
            neue_nachricht=instance.neue_nachricht,
            team_email=instance.team_email,
            kanal=dict(kanal) if isinstance(kanal, dict) else {},
            kategorie=dict(kategorie) if isinstance(kategorie, dict) else {},
        ), problems


def _check_plain_fristen(content: Any, text: str) -> list[str]:
    from .base import line_of

    if not isinstance(content, dict):
        return [f"Zeile {line_of(text, None, 'fristen')}: 'fristen' muss ein Abschnitt sein"]
    plain = {k: v for k, v in content.items() if not isinstance(v, dict)}
    _instance, problems = _generic_build(Fristen, plain)
    lines = [f"Zeile {line_of(text, 'fristen', k)}: [fristen] {k}: {m}" for k, m in problems]
    return lines + fristen_config.check_fristen(content, text)


@section(
    "servicezeiten",
    order=34,
    template="""\
[servicezeiten]
# Servicezeiten für Fristen in Servicestunden (D115: Rückmeldung binnen 24 Servicestunden).
# Bundesland für die Feiertage: BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH
land = "BY"
# Zeiten je Wochentag, mehrere Spannen mit Komma ("08:00-12:00, 13:00-16:00"), "" = geschlossen
montag = "08:00-18:00"
dienstag = "08:00-18:00"
mittwoch = "08:00-18:00"
donnerstag = "08:00-18:00"
freitag = "08:00-18:00"
samstag = ""
sonntag = ""
# Eigene Schließtage (Heiligabend, Silvester, Rosenmontag, Betriebsausflug …)
schliesstage = []
# Rückmeldung an die Bürgerin / den Bürger nach dem Weiterleiten: so viele Servicestunden
rueckmeldung_servicestunden = 24
""",
    check=fristen_config.check_servicezeiten,
)
@dataclass(frozen=True)
class Servicezeiten:
    land: str = "BY"
    zeitzone: str = "Europe/Berlin"
    montag: str = "08:00-18:00"
    dienstag: str = "08:00-18:00"
    mittwoch: str = "08:00-18:00"
    donnerstag: str = "08:00-18:00"
    freitag: str = "08:00-18:00"
    samstag: str = ""
    sonntag: str = ""
    schliesstage: list[object] = field(default_factory=list)
    rueckmeldung_servicestunden: float = 24.0
    erinnerung_stelle_servicestunden: float = 8.0


@section("stellen", order=200, check=fristen_config.check_stellen)
@dataclass(frozen=True)
class Stellen:
    """``[stellen.KEY]`` tables: the Fachabteilungen a Vorgang can be forwarded to."""

    tabellen: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> tuple[Stellen, Problems]:
        return cls({str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}), []
