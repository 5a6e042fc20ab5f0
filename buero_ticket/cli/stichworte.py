"""Fixed keywords on the command line (status, channel, urgency), forgiving as a clerk types them.

``Erledigt``, ``in Bearbeitung``, ``In_Bearbeitung``, ``Telefon``, ``persönlich``, ``E-Mail``: case,
umlauts (ä/ae …), spaces, hyphens and underscores do not matter, and the German labels count as
well as the keywords. Scripts keep using the keywords (``in-bearbeitung``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import click

from ..models import Dringlichkeit, Kanal, Status

_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))

#: Further words people use for a keyword (normalised forms).
ALIASES: dict[type[StrEnum], dict[str, str]] = {
    Status: {"neu": "eingang", "bearbeitung": "in-bearbeitung", "archiviert": "archiv", "warten": "wartet"},
    Kanal: {"mail": "email", "schalter": "persoenlich", "vorort": "persoenlich", "post": "brief", "telefax": "fax"},
    Dringlichkeit: {"eilig": "hoch", "dringend": "hoch", "gering": "niedrig"},
}


def normalise(text: str) -> str:
    """``In Bearbeitung`` → ``inbearbeitung``, ``Persönlich`` → ``persoenlich``, ``E-Mail`` → ``email``."""
    low = text.strip().casefold()
    for umlaut, plain in _UMLAUTS:
        low = low.replace(umlaut, plain)
    return "".join(ch for ch in low if ch not in " -_.")


def lookup(enum: type[StrEnum], text: str) -> str | None:
    """The keyword of ``enum`` that ``text`` means, or None."""
    wanted = normalise(text)
    for member in enum:
        label = getattr(member, "label", member.value)
        if wanted in (normalise(member.value), normalise(label)):
            return member.value
    alias = ALIASES.get(enum, {}).get(wanted)
    return alias


class Keyword(click.ParamType):
    """A click type for one of the keywords of ``enum``; converts to the keyword string."""

    def __init__(self, enum: type[StrEnum]) -> None:
        self.enum = enum
        self.name = "stichwort"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(m.value for m in self.enum) + "]"

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "Erlaubt: " + ", ".join(m.value for m in self.enum)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, self.enum):
            return value.value
        found = lookup(self.enum, str(value))
        if found is not None:
            return found
        allowed = ", ".join(m.value for m in self.enum)
        close = difflib.get_close_matches(normalise(str(value)), [normalise(m.value) for m in self.enum], n=1)
        guess = next((m.value for m in self.enum if close and normalise(m.value) == close[0]), "")
        hint = f" Meinten Sie {guess}?" if guess else ""
        self.fail(f"„{value}“ ist kein gültiger Wert; erlaubt: {allowed}.{hint}", param, ctx)


def joined(keyword: Keyword) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], str]:
    """Callback for an argument with ``nargs=-1``: ``status AZ in Bearbeitung`` without quotes."""

    def callback(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str:
        return keyword.convert(" ".join(value), param, ctx)

    return callback


STATUS = Keyword(Status)
KANAL = Keyword(Kanal)
DRINGLICHKEIT = Keyword(Dringlichkeit)
