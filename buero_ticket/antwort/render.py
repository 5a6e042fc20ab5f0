"""Rendering templates safely: sandboxed jinja2, strict names, every gap listed at once.

Two passes per template. The first renders with an Undefined that *records*
each missing name instead of failing, so all missing ``--feld`` values (and
misspelt names such as ``vorgang.aktenzeichn``) are reported together before
anything is written. The second renders for real with ``StrictUndefined``.
Optional fields are written ``{% if bis is defined %}`` or ``{{ bis | default("…") }}``.

E-mail text is rendered without escaping (``Müller & Söhne <GmbH>`` stays as
typed); Word letters go through docxtpl with ``autoescape=True``, which escapes
for XML so Word shows the same characters.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing

from ..errors import BueroTicketError, EingabeFehler, Exit, Schwere
from .kontext import split_lines
from .sandbox import EinbindenVerboten, Grenze, Sandbox, ZuLange, limit_s, render_bounded, time_bound
from .vorlagen import AUTOMATIC, BRIEF, Vorlage, key

SUBJECT_PREFIX = "Betreff:"


class VorlagenFehler(BueroTicketError):
    """A template is broken (syntax, forbidden access, no subject line, not a Word file)."""

    exit_code = Exit.PROBLEME
    schwere = Schwere.EINZELN
    beschreibung = "Eine Vorlage ist fehlerhaft."


class MissingFields(EingabeFehler):
    """Fields are missing or unknown; ``problems`` lists every one."""

    beschreibung = "Für die Vorlage fehlen Angaben oder es sind unbekannte angegeben."


@dataclass(frozen=True)
class Gap:
    """A name a template uses but the context lacks."""

    path: str  # "text" or "vorgang.aktenzeichn"
    is_field: bool  # a top-level name: the clerk gives it with --feld
    known: tuple[str, ...] = ()  # the keys that do exist (for a suggestion)


@dataclass(frozen=True)
class RenderedMail:
    betreff: str
    text: str


def _as_list(value: Any) -> list[str]:
    """Items of a list typed as lines or separated by semicolons."""
    text = str(value)
    parts = text.splitlines() if "\n" in text else text.split(";")
    return [p.strip(" \t-•*") for p in parts if p.strip(" \t-•*")]


def environment(*, autoescape: bool, undefined: type[Undefined] = StrictUndefined) -> ImmutableSandboxedEnvironment:
    """A fresh sandbox; e-mail text trims block lines so ``{% if %}`` leaves no blank lines."""
    env = Sandbox(undefined=undefined, autoescape=autoescape, trim_blocks=not autoescape, lstrip_blocks=not autoescape)
    env.filters["zeilen"] = lambda value: split_lines(str(value))
    env.filters["liste"] = _as_list
    return env


def _recorder(found: list[Gap], owners: dict[int, str], keys: dict[int, tuple[str, ...]]) -> type[Undefined]:
    """An Undefined class that notes every use of a missing name and behaves like an empty value."""

    class Recorder(Undefined):
        __slots__ = ()

        def _note(self) -> None:
            if isinstance(self._undefined_exception, type) and issubclass(self._undefined_exception, SecurityError):
                raise self._undefined_exception(self._undefined_message)
            obj, name = self._undefined_obj, self._undefined_name
            if isinstance(obj, Undefined):
                return  # reported already where the chain started
            if obj is missing:
                found.append(Gap(str(name), True))
            else:
                parent = owners.get(id(obj), type(obj).__name__)
                found.append(Gap(f"{parent}.{name}", False, keys.get(id(obj), ())))

        def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
            self._note()
            return self

        def __getattr__(self, name: str) -> Any:
            if name[:2] == "__":
                raise AttributeError(name)
            self._note()
            return self

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self) -> Any:
            self._note()
            return iter(())

        def __bool__(self) -> bool:
            self._note()
            return False

        def __len__(self) -> int:
            self._note()
            return 0

    return Recorder


def _owners(context: dict[str, Any]) -> tuple[dict[int, str], dict[int, tuple[str, ...]]]:
    owners = {id(v): k for k, v in context.items() if isinstance(v, dict)}
    keys = {id(v): tuple(v) for v in context.values() if isinstance(v, dict)}
    return owners, keys


# --- the two kinds of template -------------------------------------------------------------------


def _source(template: Vorlage) -> str:
    try:
        return template.path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise VorlagenFehler(
            f"Die {template.origin} ist nicht lesbar ({exc}).",
            "Speichern Sie die Vorlage als UTF-8-Text (Editor: Speichern unter → Codierung UTF-8).",
        ) from None


def _run_email(template: Vorlage, env: ImmutableSandboxedEnvironment, context: dict[str, Any]) -> str:
    return render_bounded(env.from_string(_source(template)), context)


def _load_docx(template: Vorlage) -> DocxTemplate:
    tpl = DocxTemplate(str(template.path))
    try:
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise VorlagenFehler(
            f"Die {template.origin} ist keine lesbare Word-Datei (.docx) ({exc}).",
            "Öffnen Sie sie in Word und speichern Sie sie als „Word-Dokument (*.docx)“.",
        ) from None
    return tpl


def _run_docx(template: Vorlage, env: ImmutableSandboxedEnvironment, context: dict[str, Any]) -> bytes:
    tpl = _load_docx(template)
    tpl.render(context, env, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _guarded(template: Vorlage, action: Callable[[], Any]) -> Any:
    """Run ``action`` within the time bound; every error becomes one German VorlagenFehler naming the template
    and, where known, the line (see :mod:`.sandbox` for the bounds)."""
    try:
        with time_bound():
            return action()
    except VorlagenFehler:
        raise
    except (EinbindenVerboten, Grenze) as exc:
        raise VorlagenFehler(f"Die {template.origin} ist fehlerhaft{_line(exc)}: {exc}.", _FIX_HINT) from None
    except ZuLange as exc:
        raise VorlagenFehler(
            f"Die {template.origin} braucht zu lange (mehr als {limit_s():g} Sekunden){_line(exc)}; "
            "vermutlich eine Schleife ohne Ende oder eine sehr große Schleife.",
            _FIX_HINT,
        ) from None
    except RecursionError as exc:
        raise VorlagenFehler(
            f"Die {template.origin} ruft sich endlos selbst auf{_line(exc)} (ein Makro, das sich selbst aufruft, "
            "ohne aufzuhören).",
            _FIX_HINT,
        ) from None
    except OverflowError as exc:
        raise VorlagenFehler(
            f"Die {template.origin} ist fehlerhaft{_line(exc)}: Zahl oder Bereich zu groß ({_overflow_text(exc)}).",
            _FIX_HINT,
        ) from None
    except SecurityError as exc:
        raise VorlagenFehler(
            f"Die {template.origin} greift auf etwas zu, das Vorlagen nicht dürfen ({exc}).",
            "Verwenden Sie nur die Felder vorgang, absender, amt, datum, bearbeiter und eigene --feld-Werte.",
        ) from None
    except TemplateError as exc:
        raise VorlagenFehler(f"Die {template.origin} ist fehlerhaft: {describe(exc)}.", _FIX_HINT) from None
    except (MemoryError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        raise VorlagenFehler(
            f"Die {template.origin} ist fehlerhaft{_line(exc)}: {type(exc).__name__}: {exc}.", _FIX_HINT
        ) from None


def _line(exc: BaseException) -> str:
    """ " (Zeile N)" for an error raised while a template ran (jinja puts the template line into the traceback)."""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (Zeile {line})" if line else ""


def _overflow_text(exc: OverflowError) -> str:
    text = str(exc)
    if "MAX_RANGE" in text or "Range too big" in text:
        return "range mit mehr als 100.000 Zahlen"
    return text


_FIX_HINT = "Korrigieren Sie die Vorlage; 'buero-ticket vorlagen pruefen' zeigt alle Fehler aller Vorlagen."


def describe(exc: TemplateError) -> str:
    """A template error in words, with its line (e-mail) or the text around it (Word)."""
    text = exc.message or type(exc).__name__
    near = getattr(exc, "docx_context", None)
    if near is not None:
        snippet = " ".join(" ".join(line.split()) for line in near if line.strip())
        return f"{text} (bei „{snippet[:120]}“)"
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return f"Zeile {exc.lineno}: {text}"
    return text


def _runner(template: Vorlage) -> Callable[[Vorlage, ImmutableSandboxedEnvironment, dict[str, Any]], Any]:
    return _run_docx if template.kind == BRIEF else _run_email


def used_names(template: Vorlage) -> set[str]:
    """Top-level names a template uses (for unknown --feld values)."""
    env = environment(autoescape=template.kind == BRIEF)

    def parse() -> set[str]:
        if template.kind == BRIEF:
            return set(_load_docx(template).get_undeclared_template_variables(env))
        return set(meta.find_undeclared_variables(env.parse(_source(template))))

    result: set[str] = _guarded(template, parse)
    return result


def first_pass(template: Vorlage, context: dict[str, Any]) -> tuple[list[Gap], Any]:
    """Render with the recording Undefined: (every name ``context`` lacks, the lenient output)."""
    found: list[Gap] = []
    owners, keys = _owners(context)
    env = environment(autoescape=template.kind == BRIEF, undefined=_recorder(found, owners, keys))
    output = _guarded(template, lambda: _runner(template)(template, env, context))
    return list(dict.fromkeys(found)), output


def gaps(template: Vorlage, context: dict[str, Any]) -> list[Gap]:
    """Every name ``vorlage`` uses that ``context`` lacks (nothing is written)."""
    return first_pass(template, context)[0]


# --- public: check, then render ----------------------------------------------------------------


def ensure_complete(templates: Sequence[Vorlage], context: dict[str, Any], fields: Iterable[str]) -> None:
    """Raise MissingFields listing every missing and every unused field of all ``templates`` at once."""
    problems: list[str] = []
    used: set[str] = set()
    for template in templates:
        used |= used_names(template)
        problems += [gap_text(g, template) for g in gaps(template, context)]
    problems = list(dict.fromkeys(problems))
    for name in sorted(set(fields) - used - {"datum", "bearbeiter"}):
        close = difflib.get_close_matches(name, sorted(used), n=1)
        tip = f" Meinten Sie „{close[0]}“?" if close else ""
        problems.append(f"Feld „{name}“ kommt in der Vorlage nicht vor.{tip}")
    if problems:
        names = ", ".join(f"„{v.name}“ ({v.path.name})" for v in templates)
        raise MissingFields(
            f"Für die Vorlage {names} fehlen Angaben oder sind unbekannt ({len(problems)}). "
            "Es wurde nichts geschrieben.",
            "Geben Sie jedes fehlende Feld mit --feld name=wert an (längere Texte mit --feld-datei name=DATEI) "
            "und rufen Sie den Befehl erneut auf.",
            problems=problems,
        )


def gap_text(gap: Gap, template: Vorlage) -> str:
    if gap.is_field:
        if key(template.name) == AUTOMATIC:
            return f"„{gap.path}“ ist unbekannt; die automatische Eingangsbestätigung kann keine --feld-Werte haben."
        return f"Feld „{gap.path}“ fehlt: mit --feld {gap.path}=… angeben."
    parent, _, attribute = gap.path.partition(".")
    close = difflib.get_close_matches(attribute, gap.known, n=1)
    tip = f" Meinten Sie „{parent}.{close[0]}“?" if close else ""
    return f"„{gap.path}“ gibt es nicht (Fehler in der Vorlage {template.path.name}).{tip}"


def render_email(template: Vorlage, context: dict[str, Any]) -> RenderedMail:
    """Subject and body of an e-mail template (first line ``Betreff: …``, a blank line, the text)."""
    text: str = _guarded(template, lambda: _run_email(template, environment(autoescape=False), context))
    return split_subject(template, text)


def split_subject(template: Vorlage, text: str) -> RenderedMail:
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].startswith(SUBJECT_PREFIX):
        raise VorlagenFehler(
            f"Die {template.origin} beginnt nicht mit einer Zeile „{SUBJECT_PREFIX} …“.",
            "Schreiben Sie in die erste Zeile der Vorlage den Betreff, z. B. „Betreff: Ihr Anliegen“, "
            "dann eine Leerzeile und den Text.",
        )
    subject = " ".join(lines[0][len(SUBJECT_PREFIX) :].split())
    body = "\n".join(line.rstrip() for line in lines[1:]).strip("\n")
    return RenderedMail(subject, re.sub(r"\n{3,}", "\n\n", body) + "\n")


def render_docx(template: Vorlage, context: dict[str, Any]) -> bytes:
    """The letter as .docx bytes (docxtpl, sandboxed, autoescape)."""
    data: bytes = _guarded(template, lambda: _run_docx(template, environment(autoescape=True), context))
    return data
