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
class TemplateCheck:
    template: vorlagen.Vorlage
    fields: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    replaces: bool = False  # an own template that overrides a shipped one
    programm: vorlagen.ProgrammFelder | None = None  # fields a command fills itself (weiterleiten, erinnern)


@dataclass
class Report:
    checks: list[TemplateCheck]
    ignored: list[Path]

    @property
    def problem_count(self) -> int:
        return sum(len(p.problems) for p in self.checks)


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


def check_one(template: vorlagen.Vorlage, context: dict[str, Any]) -> TemplateCheck:
    result = TemplateCheck(template)
    try:
        gaps, output = render.first_pass(template, context)
        if template.kind == vorlagen.EMAIL:
            render.split_subject(template, str(output))
    except render.VorlagenFehler as exc:
        result.problems.append(exc.text)
        return result
    except Exception as exc:  # 'vorlagen pruefen' reports every template; one it cannot check is a problem
        result.problems.append(
            f"Die {template.origin} konnte nicht geprüft werden ({type(exc).__name__}: {exc}). "
            "Geben Sie die Vorlage an die IT."
        )
        return result
    result.fields = sorted({g.path for g in gaps if g.is_field})
    result.problems += [render.gap_text(g, template) for g in gaps if not g.is_field]
    _check_programm_felder(result)
    if vorlagen.key(template.name) == vorlagen.AUTOMATIC and result.fields:
        result.problems.append(
            "Die Eingangsbestätigung wird automatisch verschickt und kann keine --feld-Werte bekommen; "
            f"sie verwendet aber: {', '.join(result.fields)}."
        )
    return result


def _check_programm_felder(result: TemplateCheck) -> None:
    """A template a command fills: the fields it must use, and no field that command cannot give."""
    programm = vorlagen.PROGRAMM_FELDER.get(vorlagen.key(result.template.name))
    result.programm = programm
    if programm is None:
        return
    befehl = f"'buero-ticket {programm.befehl}'"
    for name in programm.pflicht:
        if name not in result.fields:
            result.problems.append(
                f"{{{{ {name} }}}} fehlt: die Nachricht an die Bürgerin / den Bürger muss nennen, an welche Stelle "
                f"das Anliegen weitergeleitet wurde ({befehl} setzt {name} selbst). "
                f"Was tun: {{{{ {name} }}}} in den Text schreiben, z. B. „weitergeleitet an {{{{ {name} }}}}“."
            )
    others = [f for f in result.fields if f not in programm.felder]
    if others:
        optional = " ".join(f"{{% if {name} is defined %}} … {{% endif %}}" for name in others)
        result.problems.append(
            f"{befehl} setzt nur {', '.join(programm.felder)}; die Vorlage braucht auch {', '.join(others)} – "
            f"dafür gibt es dort kein --feld, {programm.folge}. Was tun: weglassen oder freiwillig machen: {optional}."
        )
    if programm.nur_programm:  # not the clerk's --feld fields: the command sets them
        result.fields = []


def check_all(ablage: Ablage, today: date) -> Report:
    context = kontext.build(example_vorgang(), ablage.config, {}, today=today)
    shipped = {(vorlagen.key(v.name), v.kind) for v in vorlagen.every_template(ablage.vorlagen_dir) if not v.own}
    results = []
    for template in vorlagen.every_template(ablage.vorlagen_dir):
        result = check_one(template, context)
        result.replaces = template.own and (vorlagen.key(template.name), template.kind) in shipped
        results.append(result)
    return Report(results, vorlagen.ignored_files(ablage.vorlagen_dir))


def lines(report: Report) -> list[str]:
    """The German report, one line per template plus its problems."""
    out = []
    for p in report.checks:
        v = p.template
        where = "eigene Vorlage" + (", ersetzt die mitgelieferte" if p.replaces else "") if v.own else "mitgeliefert"
        fields = f"; Felder: {', '.join(p.fields)}" if p.fields else ""
        if p.programm:
            fields += f"; setzt 'buero-ticket {p.programm.befehl}' selbst: {', '.join(p.programm.felder)}"
        state = "FEHLER" if p.problems else "ok    "
        out.append(f"{state} {v.name} ({vorlagen.KIND_LABEL[v.kind]}, {where}: {v.path}){fields}")
        out += [f"         - {problem}" for problem in p.problems]
    for path in report.ignored:
        out.append(
            f"Hinweis: {path} ist keine Vorlage und wird nicht verwendet "
            "(Vorlagen heißen NAME.txt.j2 für E-Mails oder NAME.docx für Briefe)."
        )
    return out
