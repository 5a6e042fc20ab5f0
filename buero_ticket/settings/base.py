"""The machinery of typed settings: a registry of section dataclasses, validation, construction.

A section of ``buero-ticket.toml`` is a frozen dataclass registered with :func:`section`; its fields
are the keys, their defaults the defaults and their annotations the allowed values (``str``, ``int``,
``float``, ``bool``, ``Literal[...]`` of strings, ``list[str]``). Cross-key rules go into an optional
method ``problems(self) -> list[tuple[key, German message]]``. A section with free-form content
(e.g. a table per Stelle) defines a classmethod ``from_toml(cls, data) -> (instance, problems)``
instead. Every module in this package is imported on first use, so a new section is a new module
here and nothing else changes.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from ..errors import KonfigFehler

S = TypeVar("S")
Problems = list[tuple[str, str]]  # (key, German message); key "" means the section itself


@dataclass(frozen=True)
class SectionSpec:
    name: str
    cls: type[Any]
    order: int
    template: str  # commented text for a new buero-ticket.toml ("" = not written there)
    check: Callable[[Any, str], list[str]] | None = None  # (raw content, file text) -> "Zeile n: …" problems


_REGISTRY: dict[str, SectionSpec] = {}
_BY_CLASS: dict[type[Any], SectionSpec] = {}
_discovered = False


def section(
    name: str, *, order: int = 100, template: str = "", check: Callable[[Any, str], list[str]] | None = None
) -> Callable[[type[S]], type[S]]:
    """Register a dataclass as the section ``[name]`` of ``buero-ticket.toml``.

    ``check(content, text)`` validates the raw section further and returns complete German problem lines
    ("Zeile n: [name] key: …", see :func:`line_of`); with a ``from_toml`` classmethod it is the only check.
    """

    def register(cls: type[S]) -> type[S]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        old = _REGISTRY.get(name)
        if old is not None and old.cls.__qualname__ != cls.__qualname__:
            raise TypeError(f"section [{name}] is registered twice ({old.cls.__name__}, {cls.__name__})")
        spec = SectionSpec(name, cls, order, template, check)
        _REGISTRY[name] = spec
        _BY_CLASS[cls] = spec
        return cls

    return register


def sections() -> list[SectionSpec]:
    """All registered sections, in the order of the default configuration file."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.name))


def spec_of(cls: type[Any]) -> SectionSpec:
    _discover()
    return _BY_CLASS[cls]


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module(__package__ or "buero_ticket.settings")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base":
            importlib.import_module(f"{package.__name__}.{info.name}")


# --- validation ----------------------------------------------------------------------------------

_TYPE_NAMES = {
    str: "ein Text in Anführungszeichen",
    int: "eine ganze Zahl",
    bool: "true oder false",
    float: "eine Zahl",
}


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def check_value(kind: Any, value: Any) -> str:
    """ "" if ``value`` fits the annotation ``kind``, else a German description of what is allowed."""
    origin = get_origin(kind)
    if origin is Literal:
        allowed = get_args(kind)
        if value not in allowed:
            return f"muss einer dieser Werte sein: {', '.join(map(str, allowed))} (ist {value!r})"
        return ""
    if origin is list:
        (item,) = get_args(kind) or (str,)
        if not isinstance(value, list):
            return f'muss eine Liste in eckigen Klammern sein, z. B. ["24.12.2026", "31.12.2026"] (ist {value!r})'
        for element in value:
            msg = check_value(item, element)
            if msg:
                return f"Eintrag {element!r}: {msg}"
        return ""
    if origin is dict:
        return "" if isinstance(value, dict) else f"muss ein Abschnitt sein (ist {value!r})"
    if origin in (types.UnionType, typing.Union):
        options = [a for a in get_args(kind) if a is not type(None)]
        return "" if any(not check_value(o, value) for o in options) else check_value(options[0], value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return ""
    if kind is int and isinstance(value, bool):
        return "muss eine ganze Zahl sein"
    if isinstance(kind, type) and not isinstance(value, kind):
        return f"muss {_TYPE_NAMES.get(kind, kind.__name__)} sein (ist {value!r})"
    return ""


def _generic_build(cls: type[S], data: Mapping[str, Any]) -> tuple[S, Problems]:
    hints = _hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    problems: Problems = []
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            problems.append((key, f"unbekannter Schlüssel (erlaubt: {', '.join(fields)})"))
            continue
        msg = check_value(hints[key], value)
        if msg:
            problems.append((key, msg))
            continue
        kwargs[key] = float(value) if hints[key] is float else value
    instance = cls(**kwargs)
    check = getattr(instance, "problems", None)
    if callable(check):
        problems += check()
    return instance, problems


def build_section(spec: SectionSpec, data: Mapping[str, Any]) -> tuple[Any, Problems]:
    custom = getattr(spec.cls, "from_toml", None)
    if callable(custom):
        instance, problems = custom(data)
        return instance, list(problems)
    return _generic_build(spec.cls, data)


def validate(data: Mapping[str, Any], text: str) -> list[str]:
    """Every problem of the parsed file, each with its line number (German)."""
    _discover()
    problems: list[str] = []
    for name, content in data.items():
        spec = _REGISTRY.get(name)
        if spec is None:
            problems.append(f"Zeile {line_of(text, name, None)}: unbekannter Abschnitt [{name}]")
            continue
        free_form = callable(getattr(spec.cls, "from_toml", None))
        if spec.check is not None and (free_form or isinstance(content, dict)):
            problems += spec.check(content, text)
        if free_form and spec.check is not None:
            continue
        if not isinstance(content, dict):
            problems.append(f"Zeile {line_of(text, None, name)}: '{name}' muss ein Abschnitt sein")
            continue
        try:
            _instance, found = build_section(spec, content)
        except (TypeError, ValueError) as exc:
            found = [("", f"ungültig ({exc})")]
        for key, msg in found:
            where = line_of(text, name, key or None)
            label = f"[{name}] {key}: " if key else f"[{name}]: "
            problems.append(f"Zeile {where}: {label}{msg}")
    return problems


def line_of(text: str, section_name: str | None, key: str | None) -> int:
    """Best-effort line number of ``key`` in ``[section]`` (or of the section header)."""
    current = ""
    last_key = key.rsplit(".", 1)[-1] if key else None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip('"')
            if key is None and current == section_name:
                return number
            continue
        in_section = section_name is None or current == section_name or current.startswith(f"{section_name}.")
        if last_key and in_section and re.match(rf'^"?{re.escape(last_key)}"?\s*=', stripped):
            return number
    return 0


# --- the settings object -------------------------------------------------------------------------


class SettingsBase:
    """All sections of one ``buero-ticket.toml``, built once; ``settings.section(Cls)`` returns one."""

    def __init__(self, path: Path | None = None, values: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.values: dict[str, Any] = dict(values or {})
        self._sections: dict[type[Any], Any] = {}
        for spec in sections():
            given = self.values.get(spec.name)
            instance, problems = build_section(spec, given if isinstance(given, dict) else {})
            if problems:
                raise KonfigFehler(
                    f"Der Abschnitt [{spec.name}] der Konfiguration ist fehlerhaft.",
                    "Korrigieren Sie buero-ticket.toml.",
                    problems=[f"[{spec.name}] {k}: {m}" for k, m in problems],
                )
            self._sections[spec.cls] = instance

    def section(self, cls: type[S]) -> S:
        try:
            return typing.cast(S, self._sections[cls])
        except KeyError:
            raise KeyError(f"{cls.__name__} is not a registered settings section") from None

    def __repr__(self) -> str:
        return f"Settings({self.path!s})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SettingsBase) and (self.path, self.values) == (other.path, other.values)

    def __hash__(self) -> int:
        return hash(self.path)
