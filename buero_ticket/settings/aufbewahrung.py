"""Section ``[aufbewahrung]``: retention periods in years, per category (Datenschutz, Aussonderung)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import Problems, _generic_build, section

# Common practice (domain.md §4): simple Auskunft 2 years, Anliegen and Beschwerde 5 years.
DEFAULT_KATEGORIEN = {"auskunft": 2, "anliegen": 5, "beschwerde": 5, "dsgvo-anfrage": 3}


@section(
    "aufbewahrung",
    order=60,
    template="""\
[aufbewahrung]
# Aufbewahrungsfrist in Jahren, gezählt ab Ende des Jahres, in dem der Vorgang erledigt wurde.
# Danach bietet 'buero-ticket aussondern' die Vorgänge dem Archiv an; vorher verweigert 'loeschen'.
standard_jahre = 5
# Je Kategorie (wie im Feld Kategorie des Vorgangs, Groß/Klein egal):
# [aufbewahrung.kategorie]
# "Auskunft" = 2
# "Beschwerde" = 5
""",
)
@dataclass(frozen=True)
class Aufbewahrung:
    standard_jahre: int = 5
    kategorie: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_KATEGORIEN))

    def jahre(self, kategorie: str) -> int:
        return self.kategorie.get(kategorie.strip().casefold(), self.standard_jahre)

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> tuple[Aufbewahrung, Problems]:
        plain = {k: v for k, v in data.items() if k != "kategorie"}
        instance, problems = _generic_build(cls, plain)
        table = data.get("kategorie", {})
        kategorien = dict(DEFAULT_KATEGORIEN)
        if not isinstance(table, dict):
            problems.append(("kategorie", 'muss ein Abschnitt sein: [aufbewahrung.kategorie] mit "Name" = Jahre'))
            table = {}
        for name, years in table.items():
            if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 100:
                problems.append((f"kategorie.{name}", f"muss eine ganze Zahl von Jahren (0–100) sein (ist {years!r})"))
                continue
            kategorien[str(name).strip().casefold()] = years
        if not 0 <= instance.standard_jahre <= 100:
            problems.append(("standard_jahre", "muss zwischen 0 und 100 Jahren liegen"))
        return cls(instance.standard_jahre, kategorien), problems
