"""A tiny knowledge base for tests that must run without ../shared (each article in its own file encoding)."""

from __future__ import annotations

from pathlib import Path

PASS = """---
titel: Reisepass beantragen
stichwoerter: [Reisepass, Pass, Expresspass]
leika: "99088002000000"
zustaendig: Bürgerbüro
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

# Reisepass beantragen

## Kurzinfo
Den Reisepass beantragen Sie persönlich im Bürgerbüro. Ein Expresspass ist in drei Werktagen fertig.

## Unterlagen
- bisheriger Pass oder Personalausweis
- ein biometrisches Passfoto

## Gebühren
70 € (ab 24 Jahren), Expresspass 32 € zusätzlich.

## Intern
Nur für das Team: Drucker im Raum 2 nutzen.
"""

PARKEN = """---
titel: Bewohnerparkausweis beantragen
stichwoerter:
  - Bewohnerparken
  - Parkausweis
leika: "99067005000000"
zustaendig: Straßenverkehrsamt
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

## Kurzinfo
In den Bewohnerparkzonen der Innenstadt parken Bewohnerinnen und Bewohner mit gültigem Ausweis ohne Parkschein.

## Gebühren
120 € im Jahr.
"""

SPERRMUELL = """---
titel: Sperrmüll anmelden
stichwoerter: [Sperrmüll, Sperrmülltermin, Möbel entsorgen]
leika: "99001003000000"
zustaendig: Abfallwirtschaft
geprueft_am: 2025-12-01
pruefen_bis: 2026-12-01
---

## Kurzinfo
Sperrmüll holt die Abfallwirtschaft zweimal im Jahr kostenlos ab. Möbel, Matratzen und Schränke bitte am
Abend vor dem Termin an die Straße stellen.

## Gebühren
Zwei Abholungen im Jahr sind kostenlos, jede weitere 35 €.
"""

OHNE_KOPF = """## Kurzinfo
Gefundene Sachen geben Sie im Fundbüro im Rathaus ab. Verlorene Gegenstände werden sechs Monate aufbewahrt.
"""

HUND = """---
titel: Hund anmelden
stichwoerter: [Hundesteuer, Hundemarke]
leika: "12345"
zustaendig: Steueramt
geprueft_am: 2025-01-01
pruefen_bis: 2025-06-01
---

## Kurzinfo
Einen Hund melden Sie innerhalb von zwei Wochen zur Hundesteuer an. Sie erhalten eine Hundemarke.
"""


def write_articles(folder: Path) -> None:
    """Five articles as a clerk's editors leave them: UTF-8 with BOM and CRLF, Windows-1252, no front matter."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Reisepass beantragen.md").write_bytes(b"\xef\xbb\xbf" + PASS.replace("\n", "\r\n").encode("utf-8"))
    (folder / "Bewohnerparkausweis.md").write_bytes(PARKEN.encode("cp1252"))
    (folder / "Abfall").mkdir(exist_ok=True)
    (folder / "Abfall" / "Sperrmüll anmelden.md").write_bytes(SPERRMUELL.encode("utf-8"))
    (folder / "Fundbüro.md").write_bytes(OHNE_KOPF.encode("utf-8"))
    (folder / "Hund.md").write_bytes(HUND.encode("utf-8"))
