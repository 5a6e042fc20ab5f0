"""What an erasure (Art. 17 DSGVO) removes, decided before anything is touched (the dry run shows it).

The plan lists the Vorgänge that may go (and those refused, with the reason), the copies of their data
outside the folders (quarantine, logs, import ledger), and what must be removed elsewhere.
``operations/datenschutz.py`` carries it out through the store and the atomic-file module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..ablage import Ablage
from ..models import Vorgang
from ..settings.aufbewahrung import Aufbewahrung
from .aufbewahrung import aufbewahren_bis
from .fundstellen import Fundstelle, importverzeichnis, protokolle, quarantaene

ANDERSWO = [
    "Postfach: Der Ordner „Importiert“ auf dem Mailserver enthält die E-Mails weiter "
    "(mit --auch-postfach löscht buero-ticket sie dort mit).",
    "Andere PCs: Deren Zwischenspeicher (Cache) vergessen den Vorgang beim nächsten Befehl.",
    "Sicherungen (Backup) des Netzlaufwerks: enthalten die Daten bis zum Ablauf ihrer Aufbewahrung.",
    "Ausdrucke, weitergeleitete E-Mails und Kopien bei Fachabteilungen: dort gesondert löschen lassen.",
]


@dataclass
class Loeschplan:
    vorgaenge: list[Vorgang] = field(default_factory=list)
    verweigert: list[tuple[Vorgang, str]] = field(default_factory=list)
    fundstellen: list[Fundstelle] = field(default_factory=list)
    anderswo: list[str] = field(default_factory=lambda: list(ANDERSWO))

    @property
    def leer(self) -> bool:
        return not self.vorgaenge and not self.fundstellen


def hinderungsgrund(vorgang: Vorgang, settings: Aufbewahrung, heute: date) -> str:
    """Why the Vorgang may not be deleted yet ("" = it may)."""
    if getattr(vorgang, "gesperrt", ""):
        return "Der Vorgang ist gesperrt (Art. 18 DSGVO). Erst mit 'buero-ticket entsperren' aufheben."
    if vorgang.status.is_open:
        return "Der Vorgang ist noch offen. Erst erledigen, dann läuft die Aufbewahrungsfrist."
    ende = aufbewahren_bis(vorgang, settings)
    if ende is not None and ende >= heute:
        return (
            f"Die Aufbewahrungsfrist läuft bis {ende:%d.%m.%Y} (Art. 17 Abs. 3 DSGVO: gesetzliche "
            "Aufbewahrungspflicht). Vorher darf nicht gelöscht werden."
        )
    return ""


def plane(
    ablage: Ablage,
    vorgaenge: list[Vorgang],
    begriffe: list[str],
    settings: Aufbewahrung,
    heute: date,
    *,
    pruefe_frist: bool = True,
) -> Loeschplan:
    """The erasure plan for these Vorgänge; ``begriffe`` identify the person in quarantine and logs."""
    plan = Loeschplan()
    for v in vorgaenge:
        grund = hinderungsgrund(v, settings, heute) if pruefe_frist else ""
        if grund:
            plan.verweigert.append((v, grund))
        else:
            plan.vorgaenge.append(v)
    if not plan.vorgaenge:
        return plan
    azs = [v.aktenzeichen for v in plan.vorgaenge]
    plan.fundstellen += importverzeichnis(ablage, azs)
    plan.fundstellen += protokolle(ablage, begriffe, azs)
    if begriffe:
        plan.fundstellen += quarantaene(ablage, begriffe)
    return plan
