"""The Ablage's configuration file ``buero-ticket.toml``.

One declarative schema; validation lists every problem at once, each with its
line number. Passwords never live here (see the IMAP and SMTP sections).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import toml_deutsch
from .errors import KonfigFehler

CONFIG_NAME = "buero-ticket.toml"

# section -> key -> (type, default). A type of tuple means "one of these strings".
Spec = type | tuple[str, ...]
SCHEMA: dict[str, dict[str, tuple[Spec, Any]]] = {
    "amt": {
        "name": (str, "Bürgerbüro"),
        "kuerzel": (str, ""),
        "anschrift": (str, ""),
        "email": (str, ""),
        "telefon": (str, ""),
    },
    "register": {
        "datei": (str, "Vorgangsregister.xlsx"),
        "aktualisieren": (("hintergrund", "sofort", "aus"), "hintergrund"),
    },
    "vorgang": {
        "frist_tage": (int, 14),
        "wiedereroeffnen_tage": (int, 30),
    },
    "imap": {
        "server": (str, ""),
        "port": (int, 0),
        "benutzer": (str, ""),
        "verschluesselung": (("imaps", "starttls", "keine"), "imaps"),
        "ca_datei": (str, ""),
        "ordner_eingang": (str, "INBOX"),
        "ordner_importiert": (str, "Importiert"),
        "ordner_quarantaene": (str, "Quarantäne"),
        "passwort_datei": (str, ""),
        "passwort_befehl": (str, ""),
        "max_groesse_mb": (int, 25),
        "automatische_mails": (("notiz", "ignorieren"), "notiz"),
        "antwort_auf_erledigt": (("wiedereroeffnen", "neuer-vorgang"), "wiedereroeffnen"),
    },
    "smtp": {
        "server": (str, ""),
        "port": (int, 0),
        "benutzer": (str, ""),
        "verschluesselung": (("tls", "starttls", "keine"), "starttls"),
        "absender": (str, ""),
        "ca_datei": (str, ""),
        "passwort_datei": (str, ""),
        "passwort_befehl": (str, ""),
        "eingangsbestaetigung": (bool, False),
        "max_bestaetigungen_pro_tag": (int, 3),
    },
    "servicezeiten": {  # see servicezeit.py; checked further by fristen_config.check_servicezeiten
        "land": (str, "BY"),
        "zeitzone": (str, "Europe/Berlin"),
        "montag": (str, "08:00-18:00"),
        "dienstag": (str, "08:00-18:00"),
        "mittwoch": (str, "08:00-18:00"),
        "donnerstag": (str, "08:00-18:00"),
        "freitag": (str, "08:00-18:00"),
        "samstag": (str, ""),
        "sonntag": (str, ""),
        "schliesstage": (list, []),
        "rueckmeldung_servicestunden": (float, 24.0),
        "erinnerung_stelle_servicestunden": (float, 8.0),
    },
    "fristen": {  # per-channel/category default Frist: [fristen.kanal] / [fristen.kategorie], see fristen_config
        "neue_nachricht": (("in-bearbeitung", "markieren"), "in-bearbeitung"),
        "team_email": (str, ""),
    },
    "einwurf": {
        "abfragen": (bool, True),
        "ruhezeit_sekunden": (float, 5.0),
        "kanal": (("brief", "fax", "scan", "email", "persoenlich", "telefon"), "scan"),
    },
}

# Sections whose keys are sub-tables ([stellen.bauamt]) or which hold sub-tables besides plain keys,
# each with its own checker (text → problems with line numbers). Filled at the end of this module.
TABLE_SECTIONS: dict[str, Callable[[Any, str], list[str]]] = {}
NESTED = frozenset({"fristen"})
SECTION_CHECKS: dict[str, Callable[[dict[str, Any], str], list[str]]] = {}

KUERZEL_RE = re.compile(r"^[A-Z0-9]{1,8}$")


@dataclass(frozen=True)
class Config:
    path: Path | None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, section: str, key: str) -> Any:
        given = self.values.get(section, {})
        if key in given:
            return given[key]
        return SCHEMA[section][key][1]

    def section(self, section: str) -> dict[str, Any]:
        """All keys of a section, defaults filled in."""
        return {key: self.get(section, key) for key in SCHEMA[section]}

    @property
    def kuerzel(self) -> str:
        return str(self.get("amt", "kuerzel")).upper()


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KonfigFehler(
            f"Die Konfigurationsdatei {path} fehlt.",
            "Legen Sie die Ablage mit 'buero-ticket init ORDNER' an.",
        ) from None
    except UnicodeDecodeError as exc:
        raise KonfigFehler(
            f"{path} ist keine UTF-8-Textdatei (Byte {exc.start}).",
            "Speichern Sie die Datei im Editor als UTF-8.",
        ) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Config:
    name = str(path) if path else CONFIG_NAME
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KonfigFehler(
            f"{name} ist fehlerhaft: {toml_deutsch.german(str(exc))}",
            'Korrigieren Sie die genannte Zeile (TOML-Schreibweise: schluessel = "wert").',
        ) from None
    problems = validate(data, text)
    if problems:
        raise KonfigFehler(
            f"{name} enthält {len(problems)} Fehler.",
            "Korrigieren Sie alle genannten Stellen und starten Sie den Befehl erneut.",
            problems=problems,
        )
    return Config(path=path, values=data)


def validate(data: dict[str, Any], text: str) -> list[str]:
    problems: list[str] = []
    for section, content in data.items():
        if section in TABLE_SECTIONS:
            problems += TABLE_SECTIONS[section](content, text)
            continue
        if section not in SCHEMA:
            problems.append(f"Zeile {_line_of(text, section, None)}: unbekannter Abschnitt [{section}]")
            continue
        if not isinstance(content, dict):
            problems.append(f"Zeile {_line_of(text, None, section)}: '{section}' muss ein Abschnitt sein")
            continue
        for key, value in content.items():
            if section in NESTED and isinstance(value, dict):
                continue  # a sub-table such as [fristen.kanal]: checked by the section's own checker
            msg = _check_value(section, key, value)
            if msg:
                problems.append(f"Zeile {_line_of(text, section, key)}: [{section}] {key}: {msg}")
    for section, checker in SECTION_CHECKS.items():
        if isinstance(data.get(section), dict):
            problems += checker(data[section], text)
    kuerzel = data.get("amt", {}).get("kuerzel", "") if isinstance(data.get("amt"), dict) else ""
    if isinstance(kuerzel, str) and kuerzel and not KUERZEL_RE.match(kuerzel.upper()):
        problems.append(
            f"Zeile {_line_of(text, 'amt', 'kuerzel')}: [amt] kuerzel: nur Buchstaben A-Z und Ziffern, "
            'höchstens 8 Zeichen (z. B. "BB")'
        )
    return problems


def _check_value(section: str, key: str, value: Any) -> str:
    spec = SCHEMA[section].get(key)
    if spec is None:
        known = ", ".join(SCHEMA[section])
        return f"unbekannter Schlüssel (erlaubt: {known})"
    kind = spec[0]
    if isinstance(kind, tuple):
        if value not in kind:
            return f"muss einer dieser Werte sein: {', '.join(kind)} (ist {value!r})"
        return ""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return ""
    if kind is int and isinstance(value, bool):
        return "muss eine ganze Zahl sein"
    if not isinstance(value, kind):
        names = {
            str: "ein Text in Anführungszeichen",
            int: "eine ganze Zahl",
            bool: "true oder false",
            float: "eine Zahl",
            list: 'eine Liste in eckigen Klammern, z. B. ["24.12.2026", "31.12.2026"]',
        }
        return f"muss {names.get(kind, kind.__name__)} sein (ist {value!r})"
    return ""


def _line_of(text: str, section: str | None, key: str | None) -> int:
    """Best-effort line number of ``key`` in ``[section]`` (or of the section header)."""
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip('"')
            if key is None and current == section:
                return number
            continue
        if key and (section is None or current == section) and re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
            return number
    return 0


DEFAULT_CONFIG = """\
# Konfiguration von buero-ticket für diese Ablage.
# Zeilen mit # sind Kommentare. Texte stehen in Anführungszeichen.
# Passwörter gehören NICHT in diese Datei (sie liegt auf dem gemeinsamen Laufwerk):
# siehe Abschnitte [imap] und [smtp] unten.

[amt]
# Name der Dienststelle, erscheint in Briefen, E-Mails und im Register.
name = "{name}"
# Kürzel der Organisationseinheit, wird dem Aktenzeichen vorangestellt
# (z. B. "BB" ergibt BB-2026-00042-7). Leer lassen für 2026-00042-7.
kuerzel = "{kuerzel}"
# anschrift = "Marktplatz 1, 12345 Musterstadt"
# email = "buergerbuero@musterstadt.de"
# telefon = "0731 123-0"

[register]
# Dateiname des Excel-Registers im Hauptordner der Ablage.
datei = "Vorgangsregister.xlsx"
# Nach neu/status/zuweisen/notiz: "hintergrund" (Register wird nebenher neu geschrieben),
# "sofort" (Befehl wartet darauf) oder "aus" (nur mit 'buero-ticket register').
# Mailabruf und Einwurf schreiben es immer einmal am Ende ihres Laufs.
aktualisieren = "hintergrund"

[vorgang]
# Bearbeitungsfrist in Tagen ab Eingang (für die Spalte "Frist" im Register).
frist_tage = 14
# Antwort auf einen erledigten Vorgang: bis zu so vielen Tagen nach "erledigt"
# wird er wieder geöffnet, danach entsteht ein neuer, verknüpfter Vorgang.
wiedereroeffnen_tage = 30

# [fristen.kanal]
# Andere Frist (in Tagen) je Kanal; 0 = keine Frist. Ebenso [fristen.kategorie] mit "Kategorie" = Tage.
# telefon = 3
# email = 5

[servicezeiten]
# Servicezeiten für Fristen in Servicestunden (D115: Rückmeldung binnen 24 Servicestunden).
# Bundesland für die Feiertage: BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH
land = "BY"
# Zeiten je Wochentag, mehrere Spannen mit Komma ("08:00-12:00, 13:00-16:00"), "" = geschlossen
montag = "08:00-18:00"
dienstag = "08:00-18:00"
mittwoch = "08:00-18:00"
donnerstag = "08:00-18:00"
freitag = "08:00-18:00"
samstag = ""
sonntag = ""
# Eigene Schließtage (Heiligabend, Silvester, Rosenmontag, Betriebsausflug …)
schliesstage = []
# Rückmeldung an die Bürgerin / den Bürger nach dem Weiterleiten: so viele Servicestunden
rueckmeldung_servicestunden = 24

# [imap]
# Gemeinsames Postfach für "buero-ticket mail abrufen".
# server = "mail.musterstadt.de"
# port = 993
# benutzer = "buergerbuero@musterstadt.de"
# verschluesselung = "imaps"      # imaps, starttls oder keine
# ca_datei = ""                   # eigene Zertifizierungsstelle (PEM), falls nötig
# ordner_eingang = "INBOX"
# ordner_importiert = "Importiert"
# ordner_quarantaene = "Quarantäne"
# Passwort: Umgebungsvariable BUERO_TICKET_IMAP_PASSWORT, oder
# passwort_datei = "C:\\\\Users\\\\dienst\\\\imap-passwort.txt"   # nur für den Besitzer lesbar
# passwort_befehl = "..."         # ein Befehl, der das Passwort ausgibt

# [smtp]
# Versand von Antworten ("buero-ticket antworten ... --senden").
# server = "mail.musterstadt.de"
# port = 587
# benutzer = "buergerbuero@musterstadt.de"
# verschluesselung = "starttls"   # tls, starttls oder keine
# absender = "Bürgerbüro Musterstadt <buergerbuero@musterstadt.de>"
# Passwort: Umgebungsvariable BUERO_TICKET_SMTP_PASSWORT (oder passwort_datei / passwort_befehl)
# eingangsbestaetigung = false      # true: automatische Eingangsbestätigung an neue Absender
# max_bestaetigungen_pro_tag = 3    # höchstens so viele Bestätigungen je Adresse und Tag

[einwurf]
# Ordner "0 Einwurf": abgelegte Scans, Faxe und Outlook-Mails werden zu Vorgängen.
# Auf Netzlaufwerken (SMB) sieht das System keine Dateiereignisse: dann abfragen = true.
abfragen = true
# So viele Sekunden muss eine Datei unverändert sein, bevor sie übernommen wird.
ruhezeit_sekunden = 5
# Kanal für Dateien direkt im Einwurf: brief, fax oder scan
kanal = "scan"
"""


def default_config_text(name: str = "Bürgerbüro", kuerzel: str = "") -> str:
    return DEFAULT_CONFIG.format(name=name.replace('"', "'"), kuerzel=kuerzel)


from . import fristen_config  # noqa: E402  (its checkers need _line_of above)

TABLE_SECTIONS["stellen"] = fristen_config.check_stellen
SECTION_CHECKS["servicezeiten"] = fristen_config.check_servicezeiten
SECTION_CHECKS["fristen"] = fristen_config.check_fristen
