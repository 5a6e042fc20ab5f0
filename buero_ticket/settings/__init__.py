"""Typed settings from ``buero-ticket.toml``, built once per Ablage.

``settings.amt.name`` instead of ``config.get("amt", "name")``. The core sections live in
:mod:`.core`; a feature with its own section adds a module to this package (see :mod:`.base`) and
reads it with ``settings.section(ItsDataclass)``.
"""

from __future__ import annotations

from .base import Problems, SectionSpec, SettingsBase, check_value, line_of, section, sections, validate
from .benutzer import Benutzer, Person
from .core import Amt, Einwurf, Imap, Register, Smtp, VorgangSettings

__all__ = [
    "Amt",
    "Benutzer",
    "Einwurf",
    "Imap",
    "Person",
    "Problems",
    "Register",
    "SectionSpec",
    "Settings",
    "Smtp",
    "VorgangSettings",
    "check_value",
    "line_of",
    "section",
    "sections",
    "validate",
]


class Settings(SettingsBase):
    """All sections; the core ones as typed attributes, any other with ``section(Cls)``."""

    @property
    def amt(self) -> Amt:
        return self.section(Amt)

    @property
    def register(self) -> Register:
        return self.section(Register)

    @property
    def vorgang(self) -> VorgangSettings:
        return self.section(VorgangSettings)

    @property
    def imap(self) -> Imap:
        return self.section(Imap)

    @property
    def smtp(self) -> Smtp:
        return self.section(Smtp)

    @property
    def einwurf(self) -> Einwurf:
        return self.section(Einwurf)

    @property
    def benutzer(self) -> Benutzer:
        return self.section(Benutzer)

    @property
    def kuerzel(self) -> str:
        return self.amt.kuerzel.upper()
