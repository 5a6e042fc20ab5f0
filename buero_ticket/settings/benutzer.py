"""``[benutzer.LOGIN]``: the people behind the login names (name, Kürzel, Telefon, E-Mail)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import Problems, line_of, section

FELDER = ("name", "kuerzel", "telefon", "email")
_LOGIN_RE = re.compile(r"^[^\s\[\]\"'=#]{1,64}$")

TEMPLATE = """\
# [benutzer.mweber]
# Wer sich am PC als "mweber" anmeldet: so erscheint die Person im Verlauf, in Briefen,
# Mails und im Register ("Bearbeiter"). Je Person ein Abschnitt [benutzer.ANMELDENAME].
# 'buero-ticket zuweisen … --an MW' (Kürzel) oder --an "Maria Weber" findet sie.
# name = "Maria Weber"
# kuerzel = "MW"
# telefon = "0731 123-45"
# email = "m.weber@musterstadt.de"
"""


def check(content: Any, text: str) -> list[str]:
    """Every problem of the [benutzer.*] tables, with line numbers."""
    if not isinstance(content, dict):
        return [f"Zeile {line_of(text, None, 'benutzer')}: 'benutzer' muss Abschnitte wie [benutzer.mweber] haben"]
    problems: list[str] = []
    kuerzel_seen: dict[str, str] = {}
    for login, table in content.items():
        name = f"benutzer.{login}"
        where = f"Zeile {line_of(text, name, None)}: [{name}]"
        if not isinstance(table, dict):
            problems.append(f'{where} muss ein Abschnitt sein, z. B. [benutzer.{login}] mit name = "…"')
            continue
        if not _LOGIN_RE.match(login):
            problems.append(f"{where}: ungültiger Anmeldename")
        for key, value in table.items():
            at = f"Zeile {line_of(text, name, key)}: [{name}] {key}"
            if key not in FELDER:
                problems.append(f"{at}: unbekannter Schlüssel (erlaubt: {', '.join(FELDER)})")
            elif not isinstance(value, str):
                problems.append(f"{at}: muss ein Text in Anführungszeichen sein (ist {value!r})")
        if not str(table.get("name", "")).strip():
            problems.append(f'{where}: name fehlt (z. B. name = "Maria Weber")')
        kuerzel = str(table.get("kuerzel", "")).strip().casefold()
        if kuerzel and kuerzel in kuerzel_seen:
            problems.append(f"{where}: Kürzel „{table['kuerzel']}“ hat schon [benutzer.{kuerzel_seen[kuerzel]}]")
        elif kuerzel:
            kuerzel_seen[kuerzel] = login
    return problems


@dataclass(frozen=True)
class Person:
    login: str
    name: str
    kuerzel: str = ""
    telefon: str = ""
    email: str = ""


@section("benutzer", order=190, template=TEMPLATE, check=check)
@dataclass(frozen=True)
class Benutzer:
    """All ``[benutzer.LOGIN]`` tables; logins compare case-insensitively (as on Windows)."""

    personen: tuple[Person, ...] = field(default_factory=tuple)

    @classmethod
    def from_toml(cls, data: Mapping[str, Any]) -> tuple[Benutzer, Problems]:
        people = []
        for login, table in data.items():
            if isinstance(table, dict) and str(table.get("name", "")).strip():
                values = {k: str(table.get(k, "")).strip() for k in FELDER}
                people.append(Person(login=str(login), **values))
        return cls(tuple(people)), []

    def by_login(self, login: str) -> Person | None:
        wanted = login.casefold()
        return next((p for p in self.personen if p.login.casefold() == wanted), None)
