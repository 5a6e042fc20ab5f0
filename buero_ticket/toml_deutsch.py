"""tomllib's parser errors in German (``buero-ticket.toml`` is edited by hand in Notepad).

tomllib raises ``TOMLDecodeError("<what> (at line L, column C)")`` in English. ``german`` turns
that into "Zeile L, Spalte C: <was>"; ``tests/test_meldungen.py`` checks every message of
tomllib's parser has a translation here.
"""

from __future__ import annotations

import re

_WHERE = re.compile(r"^(?P<what>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$", re.S)

#: tomllib's fixed messages → German.
FIXED = {
    "Cannot overwrite a value": "Dieser Schlüssel hat schon einen Wert (doppelt eingetragen?)",
    "Escaped character is not a Unicode scalar value": "ungültiges Zeichen nach \\u bzw. \\U",
    "Expected '=' after a key in a key/value pair": 'nach dem Schlüssel fehlt „=“ (Schreibweise: schluessel = "wert")',
    "Expected ']' at the end of a table declaration": "die Abschnittszeile muss mit „]“ enden, z. B. [imap]",
    "Expected ']]' at the end of an array declaration": "die Zeile muss mit „]]“ enden",
    "Expected newline or end of document after a statement": (
        "nach dem Wert steht noch etwas in derselben Zeile (Anführungszeichen vergessen? Kommentare beginnen mit #)"
    ),
    "Invalid date or datetime": "ungültiges Datum",
    "Invalid hex value": (
        "ungültige Zeichen nach \\u bzw. \\U; Windows-Pfade in einfache Anführungszeichen setzen: 'C:\\Users\\…'"
    ),
    "Invalid initial character for a key part": "ein Schlüssel darf so nicht beginnen",
    "Invalid statement": "diese Zeile ist weder Abschnitt noch schluessel = wert",
    "Invalid value": 'ungültiger Wert (Texte stehen in Anführungszeichen: name = "Bürgerbüro")',
    "Unclosed array": "die Liste ist nicht mit „]“ geschlossen",
    "Unclosed inline table": "die Tabelle ist nicht mit „}“ geschlossen",
    "Unescaped '\\' in a string": (
        "ein einzelner Backslash \\ in einem Text in doppelten Anführungszeichen; "
        "Pfade in einfache Anführungszeichen setzen: 'C:\\Ordner' oder \\\\ schreiben"
    ),
    "Unterminated string": "der Text ist nicht mit einem Anführungszeichen geschlossen",
}

#: tomllib's messages with a value in them → (pattern, German with the groups).
PATTERNS = [
    (re.compile(r"^Cannot declare (.+) twice$", re.S), "der Abschnitt {0} steht zweimal in der Datei"),
    (re.compile(r"^Cannot mutate immutable namespace (.+)$", re.S), "{0} ist schon festgelegt, nicht ergänzbar"),
    (re.compile(r"^Cannot redefine namespace (.+)$", re.S), "{0} ist schon festgelegt"),
    (re.compile(r"^Duplicate inline table key (.+)$", re.S), "der Schlüssel {0} steht zweimal in der Tabelle"),
    (re.compile(r"^Expected (.+)$", re.S), "erwartet wurde {0}"),
    (re.compile(r"^Found invalid character (.+)$", re.S), "ungültiges Zeichen {0}"),
    (re.compile(r"^Illegal character (.+)$", re.S), "unzulässiges Zeichen {0} (Steuerzeichen im Text?)"),
]


def german(message: str) -> str:
    """``Invalid value (at line 3, column 8)`` → ``Zeile 3, Spalte 8: ungültiger Wert …``."""
    match = _WHERE.match(message)
    what, where = (match["what"], _where(match["line"], match["col"])) if match else (message, "")
    return f"{where}: {_what(what)}" if where else _what(what)


def _where(line: str | None, col: str | None) -> str:
    return f"Zeile {line}, Spalte {col}" if line else "am Ende der Datei"


def _what(text: str) -> str:
    if text in FIXED:
        return FIXED[text]
    for pattern, german_text in PATTERNS:
        found = pattern.match(text)
        if found:
            return german_text.format(*found.groups())
    return "Schreibfehler in der TOML-Schreibweise"
