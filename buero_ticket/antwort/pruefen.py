"""``vorlagen pruefen``: every template (shipped and the Ablage's own) checked, every problem listed.

A template is rendered against an example Vorgang with the recording Undefined
(see :mod:`.render`). Names it uses at the top level that the program does not
fill are its ``--feld`` fields (not a problem, they are listed); misspelt names
of the program's values (``vorgang.aktenzeichn``), syntax errors, forbidden
access, a missing ``Betreff:`` line and unreadable Word files are problems. The
automatic acknowledgement must not need any ``--feld`` field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..ablage import Ablage
from ..models import Absender, Kanal, Status, Vorgang
from . import kontext, render, vorlagen


@dataclass
class Pruefung:
    vorlage: vorlagen.Vorlage
    felder: list[str] = field(default_factory=list)
    probleme: list[str] = field(default_factory=list)
    ersetzt: bool = False  # an own template that overrides a shipped one


@dataclass
class Bericht:
    pruefungen: list[Pruefung]
    ignoriert: list[Path]

    @property
    def anzahl_probleme(self) -> int:
        return sum(len(p.probleme) for p in self.pruefungen)


def example_vorgang() -> Vorgang:
    """An example Vorgang with every field filled, so only real gaps show."""
    eingang = datetime(2026, 11, 23, 9, 30).astimezone()
    return Vorgang(
        aktenzeichen="2026-00042-7",
        betreff="Beispiel: Sperrmüll Termin",
        kanal=Kanal.EMAIL,
        status=Status.IN_BEARBEITUNG,
        eingang=eingang,
        bearbeiter="M. Weber",
        absender=Absender("Erika Muster", "erika.muster@example.org", "0731 12345", "Hauptstraße 5\n89073 Ulm"),
        frist=eingang.date() + timedelta(days=14),
    )


def check_one(vorlage: vorlagen.Vorlage, context: dict[str, Any]) -> Pruefung:
    result = Pruefung(vorlage)
    try:
        gaps, output = render.first_pass(vorlage, context)
        if vorlage.art == vorlagen.EMAIL:
            render.split_subject(vorlage, str(output))
    except render.VorlagenFehler as exc:
        result.probleme.append(exc.text)
        return result
    result.felder = sorted({g.pfad for g in gaps if g.feld})
    result.probleme += [render.gap_text(g, vorlage) for g in gaps if not g.feld]
    if vorlagen.key(vorlage.name) == vorlagen.AUTOMATISCH and result.felder:
        result.probleme.append(
            "Die Eingangsbestätigung wird automatisch verschickt und kann keine --feld-Werte bekommen; "
            f"sie verwendet aber: {', '.join(result.felder)}."
        )
    return result


def check_all(ablage: Ablage, heute: date | None = None) -> Bericht:
    context = kontext.build(example_vorgang(), ablage.config, {}, heute=heute)
    shipped = {(vorlagen.key(v.name), v.art) for v in vorlagen.every_template(ablage.vorlagen_dir) if not v.eigene}
    results = []
    for vorlage in vorlagen.every_template(ablage.vorlagen_dir):
        result = check_one(vorlage, context)
        result.ersetzt = vorlage.eigene and (vorlagen.key(vorlage.name), vorlage.art) in shipped
        results.append(result)
    return Bericht(results, vorlagen.ignored_files(ablage.vorlagen_dir))


def lines(bericht: Bericht) -> list[str]:
    """The German report, one line per template plus its problems."""
    out = []
    for p in bericht.pruefungen:
        v = p.vorlage
        where = "eigene Vorlage" + (", ersetzt die mitgelieferte" if p.ersetzt else "") if v.eigene else "mitgeliefert"
        felder = f"; Felder: {', '.join(p.felder)}" if p.felder else ""
        state = "FEHLER" if p.probleme else "ok    "
        out.append(f"{state} {v.name} ({vorlagen.ART_LABEL[v.art]}, {where}: {v.pfad}){felder}")
        out += [f"         - {problem}" for problem in p.probleme]
    for path in bericht.ignoriert:
        out.append(
            f"Hinweis: {path} ist keine Vorlage und wird nicht verwendet "
            "(Vorlagen heißen NAME.txt.j2 für E-Mails oder NAME.docx für Briefe)."
        )
    return out
