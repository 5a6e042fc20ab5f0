"""People, not login names: who is acting, and whom a Vorgang is assigned to ([benutzer.LOGIN])."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import EingabeFehler
from .fileio import atomic_write_text
from .settings import Person, Settings
from .vorschlag import similar_names


def display_name(settings: Settings, login: str) -> str:
    """The name for the history and letters: ``Maria Weber`` for login ``mweber``, else the login."""
    person = settings.benutzer.by_login(login)
    return person.name if person else login


def person_named(settings: Settings, name: str) -> Person | None:
    """The person whose name, Kürzel or login is ``name`` (case-insensitive)."""
    wanted = " ".join(name.split()).casefold()
    for person in settings.benutzer.personen:
        keys = {person.name.casefold(), person.kuerzel.casefold(), person.login.casefold()}
        if wanted and wanted in keys:
            return person
    return None


def resolve(settings: Settings, text: str) -> str:
    """The Bearbeiter as stored: the person's name for a Kürzel, name or login from [benutzer].

    Without a [benutzer] table any name is taken as typed. With one, an unknown name is refused with
    suggestions, so that "M. Weber", "mweber" and "MW" do not become three Bearbeiter.
    """
    text = " ".join(text.split())
    people = settings.benutzer.personen
    if not text or not people:
        return text
    person = person_named(settings, text)
    if person is not None:
        return person.name
    names = {p.name: p for p in people}
    close = similar_names(text, [*names, *(p.kuerzel for p in people if p.kuerzel)])
    suggestions = [names[c].name if c in names else next(p.name for p in people if p.kuerzel == c) for c in close]
    known = ", ".join(f"{p.name} ({p.kuerzel})" if p.kuerzel else p.name for p in people)
    hint = f"Meinten Sie: {', '.join(dict.fromkeys(suggestions))}? " if suggestions else ""
    raise EingabeFehler(
        f"„{text}“ steht nicht in [benutzer] von buero-ticket.toml.",
        f"{hint}Bekannt sind: {known}. Eine neue Person als [benutzer.ANMELDENAME] mit name und kuerzel eintragen.",
    )


def unknown_login_hint(settings: Settings, login: str, cache: Path) -> str:
    """Once per PC and login: how to add an unknown login to [benutzer] ("" when known or already said)."""
    if settings.benutzer.by_login(login) is not None:
        return ""
    marker = cache / f"benutzer-hinweis-{_safe(login)}.txt"
    if marker.exists():
        return ""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        atomic_write_text(marker, f"{login}\n", durable=False)
    except OSError:
        pass  # only a reminder: without a writable cache it is said again next time
    path = settings.path or "buero-ticket.toml"
    return (
        f"Hinweis: Ihr Anmeldename „{login}“ steht nicht in {path}; im Verlauf und in Briefen erscheint daher "
        f"„{login}“. Eintragen (einmalig, gilt für alle PCs):{os.linesep}"
        f'  [benutzer.{login}]{os.linesep}  name = "Vorname Nachname"{os.linesep}  kuerzel = "VN"{os.linesep}'
        f'  telefon = "…"{os.linesep}  email = "…"'
    )


def _safe(login: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in login)[:64]
