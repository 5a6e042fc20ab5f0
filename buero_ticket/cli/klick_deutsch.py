"""click's own messages in German: a small message catalogue.

click writes its usage errors ("No such option", "File '…' does not exist", "Did you mean …")
through ``gettext``/``ngettext`` names bound in each of its modules, and ships no German
catalogue. ``install()`` binds those names to lookups in the catalogue below, so every message
is German where click builds it (placeholders and all). ``tests/test_meldungen.py`` parses
click's source and fails if click gains a message the catalogue lacks.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: click's message ids → German. Placeholders stay the same (``str.format`` names).
CATALOGUE: dict[str, str] = {
    # usage errors
    "Missing command.": "Es fehlt der Befehl.",
    "Missing argument": "Es fehlt die Angabe",
    "Missing option": "Es fehlt die Option",
    "Missing parameter": "Es fehlt die Angabe",
    "Missing {param_type}": "Es fehlt: {param_type}",
    "Missing parameter: {param_name}": "Es fehlt die Angabe {param_name}",
    "No such option {name!r}.": "Eine Option {name!r} gibt es nicht.",
    "No such command {name!r}.": "Einen Befehl {name!r} gibt es nicht.",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Option {name!r} does not take a value.": "Die Option {name!r} nimmt keinen Wert.",
    "Invalid start character for option ({option})": "Ungültiges erstes Zeichen für eine Option ({option})",
    "Argument {name!r} takes {nargs} values.": "Die Angabe {name!r} braucht {nargs} Werte.",
    "Value must be an iterable.": "Der Wert muss eine Liste sein.",
    "Could not open file {filename!r}: {message}": "Die Datei {filename!r} lässt sich nicht öffnen: {message}",
    "unknown error": "unbekannter Fehler",
    "Error: {message}": "Fehler: {message}",
    "Try '{command} {option}' for help.": "'{command} {option}' zeigt die Bedienung mit Beispiel.",
    "Aborted!": "Abgebrochen.",
    # parameter types
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige Zahl.",
    "{value} is not in the range {range}.": "{value} liegt nicht im erlaubten Bereich {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} ist kein Ja/Nein-Wert. Erlaubt: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} ist keine gültige UUID.",
    "Choose from:\n\t{choices}": "Erlaubt:\n\t{choices}",
    "Choice({choices})": "Auswahl({choices})",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
    "{name} {filename!r} does not exist.": "{name} {filename!r} gibt es nicht.",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei, erwartet wird ein Ordner.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner, erwartet wird eine Datei.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar (keine Berechtigung).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist schreibgeschützt.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} ist nicht ausführbar.",
    # help pages and prompts
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Programmversion zeigen und beenden.",
    "%(prog)s, version %(version)s": "%(prog)s, Version %(version)s",
    "env var: {var}": "Umgebungsvariable: {var}",
    "default: {default}": "Standard: {default}",
    "(dynamic)": "(wechselnd)",
    "deprecated": "veraltet",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Hinweis: Der Befehl {name!r} ist veraltet.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Hinweis: Die Angabe {name!r} ist veraltet.{extra_message}"
    ),
    "Do you want to continue?": "Fortfahren?",
    "Confirm the action without prompting.": "Ohne Rückfrage ausführen.",
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Error: The two entered values do not match.": "Fehler: Die beiden Eingaben stimmen nicht überein.",
    "Error: invalid input": "Fehler: ungültige Eingabe",
    "Press any key to continue...": "Weiter mit einer beliebigen Taste …",
    "{editor}: Editing failed": "{editor}: Bearbeiten fehlgeschlagen",
    "{editor}: Editing failed: {e}": "{editor}: Bearbeiten fehlgeschlagen: {e}",
    "Windows error: {error}": "Windows-Fehler: {error}",
}

#: (singular id, plural id) → (German singular, German plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Meinten Sie {possibility}?",
        "(Meinten Sie eines davon: {possibilities}?)",
    ),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Unerwartete zusätzliche Angabe ({args})",
        "Unerwartete zusätzliche Angaben ({args})",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Braucht {nargs} Werte, angegeben wurde 1.",
        "Braucht {nargs} Werte, angegeben wurden {len}.",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Die Option {name!r} braucht einen Wert.",
        "Die Option {name!r} braucht {nargs} Werte.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} ist kein gültiger Wert; erlaubt: {choice}.",
        "{value!r} ist kein gültiger Wert; erlaubt: {choices}.",
    ),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "{value!r} hat nicht die Form {format}.",
        "{value!r} hat keine der Formen {formats}.",
    ),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "{len_type} Werte sind nötig, angegeben wurde {len_value}.",
        "{len_type} Werte sind nötig, angegeben wurden {len_value}.",
    ),
}

#: click's modules that bind ``_`` / ``ngettext`` (the ones that can reach a clerk).
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click._termui_impl",
)


def gettext_de(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext_de(singular: str, plural: str, n: int) -> str:
    german = PLURALS.get((singular, plural))
    if german is None:
        return singular if n == 1 else plural
    return german[0] if n == 1 else german[1]


def install() -> None:
    """Bind click's message functions to the German catalogue (idempotent)."""
    for name in CLICK_MODULES:
        module: ModuleType = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext_de  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_de  # type: ignore[attr-defined]
