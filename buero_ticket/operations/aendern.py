"""``aendern``: correct a Vorgang's details after it was created.

One operation for every field a clerk may correct (Betreff, the citizen's name and contact details,
Anschrift, Dringlichkeit, Frist, Kategorie) and for linking Vorgänge. Every changed field is one
history line "Feld: alt → neu"; a new Betreff renames the folder; a link is written on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .. import aktenzeichen as azmod
from ..errors import EingabeFehler
from ..models import Dringlichkeit, HistoryEntry, Vorgang
from .context import Context
from .vorgang import UNSET, Changed, _Unset


@dataclass(frozen=True)
class Aenderung:
    """What to change; ``None`` (``UNSET`` for the Frist) leaves a field as it is."""

    betreff: str | None = None
    name: str | None = None
    email: str | None = None
    telefon: str | None = None
    anschrift: str | None = None
    dringlichkeit: Dringlichkeit | None = None
    frist: date | _Unset | None = UNSET  # None: no Frist any more
    kategorie: str | None = None
    verknuepfen: tuple[str, ...] = field(default_factory=tuple)
    loesen: tuple[str, ...] = field(default_factory=tuple)

    @property
    def leer(self) -> bool:
        return self == Aenderung()


def _text(value: str) -> str:
    return f"„{value}“" if value else "leer"


def _frist(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else "keine"


def _lines(value: str) -> str:
    return _text(value.replace("\n", ", "))


def check(aenderung: Aenderung) -> None:
    """Refuse what cannot be right, before anything is written."""
    if aenderung.betreff is not None and not aenderung.betreff.strip():
        raise EingabeFehler(
            "Der Betreff darf nicht leer sein.", 'Geben Sie einen Betreff an, z. B. --betreff "Sperrmüll".'
        )
    email = (aenderung.email or "").strip()
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise EingabeFehler(
            f"„{email}“ ist keine E-Mail-Adresse.", 'Schreiben Sie sie wie name@example.de (leer: --email "").'
        )
    if aenderung.leer:
        raise EingabeFehler(
            "Es wurde nichts zum Ändern angegeben.",
            'Geben Sie an, was sich ändert, z. B. --telefon "0731 12345" (alle Möglichkeiten: aendern --hilfe).',
        )


def aendern(ctx: Context, az: str, aenderung: Aenderung, *, stand: int | None = None) -> Changed:
    """Apply ``aenderung`` to Vorgang ``az`` under its lock; links are written on both sides."""
    check(aenderung)
    own = str(azmod.parse(az, ctx.settings.kuerzel))
    add = [_other(ctx, text, own) for text in aenderung.verknuepfen]
    remove = [str(azmod.parse(text, ctx.settings.kuerzel)) for text in aenderung.loesen]
    done = [False]

    def change(v: Vorgang) -> list[HistoryEntry]:
        lines = _field_changes(ctx, v, aenderung)
        for other in add:
            if other not in v.verknuepft:
                v.verknuepft.append(other)
                lines.append(ctx.entry("Verknüpft", f"mit Vorgang {other}"))
        for other in remove:
            if other in v.verknuepft:
                v.verknuepft.remove(other)
                lines.append(ctx.entry("Verknüpfung gelöst", f"mit Vorgang {other}"))
        if aenderung.betreff is not None and lines:
            ctx.store.rename_for_subject(v)
        done[0] = bool(lines)
        return lines

    vorgang = ctx.store.update(own, change, expected_revision=stand)
    for other in add:
        _link_back(ctx, other, vorgang.aktenzeichen, link=True)
    for other in remove:
        _link_back(ctx, other, vorgang.aktenzeichen, link=False)
    return Changed(vorgang, done[0])


def _field_changes(ctx: Context, v: Vorgang, a: Aenderung) -> list[HistoryEntry]:
    lines: list[HistoryEntry] = []

    def note(label: str, old: str, new: str) -> None:
        lines.append(ctx.entry("Geändert", f"{label}: {old} → {new}"))

    if a.betreff is not None and a.betreff.strip() != v.betreff:
        note("Betreff", _text(v.betreff), _text(a.betreff.strip()))
        v.betreff = a.betreff.strip()
    sender = v.absender
    for label, attr, value in (
        ("Name", "name", a.name),
        ("E-Mail", "email", a.email),
        ("Telefon", "telefon", a.telefon),
    ):
        if value is not None and value.strip() != getattr(sender, attr):
            note(label, _text(getattr(sender, attr)), _text(value.strip()))
            setattr(sender, attr, value.strip())
    if a.anschrift is not None:
        new = "\n".join(line.strip() for line in a.anschrift.strip().splitlines() if line.strip())
        if new != sender.anschrift:
            note("Anschrift", _lines(sender.anschrift), _lines(new))
            sender.anschrift = new
    if a.dringlichkeit is not None and a.dringlichkeit is not v.dringlichkeit:
        note("Dringlichkeit", v.dringlichkeit.label, a.dringlichkeit.label)
        v.dringlichkeit = a.dringlichkeit
    if not isinstance(a.frist, _Unset) and a.frist != v.frist:
        note("Frist", _frist(v.frist), _frist(a.frist))
        v.frist = a.frist
    if a.kategorie is not None and a.kategorie.strip() != v.kategorie:
        note("Kategorie", _text(v.kategorie), _text(a.kategorie.strip()))
        v.kategorie = a.kategorie.strip()
        if v.kategorie.casefold() == "dsgvo-anfrage" and isinstance(a.frist, _Unset):
            from .datenschutz import dsgvo_frist  # Art. 12(3) DSGVO: answer within one month of receipt

            due = dsgvo_frist(v.eingang.date())
            if v.frist != due:
                note("Frist", _frist(v.frist), f"{_frist(due)} (Art. 12 Abs. 3 DSGVO: ein Monat nach Eingang)")
                v.frist = due
    return lines


def _other(ctx: Context, text: str, own: str) -> str:
    """The other Vorgang of a link: it must exist (suggestions when not) and not be this one."""
    other = ctx.store.get(text).aktenzeichen
    if other == own:
        raise EingabeFehler(f"Vorgang {own} kann nicht mit sich selbst verknüpft werden.", "Nennen Sie einen anderen.")
    return other


def _link_back(ctx: Context, other: str, az: str, *, link: bool) -> None:
    def change(v: Vorgang) -> list[HistoryEntry]:
        if link and az not in v.verknuepft:
            v.verknuepft.append(az)
            return [ctx.entry("Verknüpft", f"mit Vorgang {az} (dort angegeben)")]
        if not link and az in v.verknuepft:
            v.verknuepft.remove(az)
            return [ctx.entry("Verknüpfung gelöst", f"mit Vorgang {az} (dort angegeben)")]
        return []

    ctx.store.update(other, change)
