"""The core sections of ``buero-ticket.toml``: [amt], [register], [vorgang], [imap], [smtp], [einwurf]."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .base import Problems, section

KUERZEL_RE = re.compile(r"^[A-Z0-9]{1,8}$")

KanalName = Literal["brief", "fax", "scan", "email", "persoenlich", "telefon"]


@section(
    "amt",
    order=10,
    template="""\
[amt]
# Name der Dienststelle, erscheint in Briefen, E-Mails und im Register.
name = "{name}"
# Kürzel der Organisationseinheit, wird dem Aktenzeichen vorangestellt
# (z. B. "BB" ergibt BB-2026-00042-7). Leer lassen für 2026-00042-7.
kuerzel = "{kuerzel}"
# anschrift = "Marktplatz 1, 12345 Musterstadt"
# email = "buergerbuero@musterstadt.de"
# telefon = "0731 123-0"
""",
)
@dataclass(frozen=True)
class Amt:
    name: str = "Bürgerbüro"
    kuerzel: str = ""
    anschrift: str = ""
    email: str = ""
    telefon: str = ""

    def problems(self) -> Problems:
        if self.kuerzel and not KUERZEL_RE.match(self.kuerzel.upper()):
            return [("kuerzel", 'nur Buchstaben A-Z und Ziffern, höchstens 8 Zeichen (z. B. "BB")')]
        return []


@section(
    "register",
    order=20,
    template="""\
[register]
# Dateiname des Excel-Registers im Hauptordner der Ablage.
datei = "Vorgangsregister.xlsx"
# Nach neu/status/zuweisen/notiz: "hintergrund" (Register wird nebenher neu geschrieben),
# "sofort" (Befehl wartet darauf) oder "aus" (nur mit 'buero-ticket register').
# Mailabruf und Einwurf schreiben es immer einmal am Ende ihres Laufs.
aktualisieren = "hintergrund"
""",
)
@dataclass(frozen=True)
class Register:
    datei: str = "Vorgangsregister.xlsx"
    aktualisieren: Literal["hintergrund", "sofort", "aus"] = "hintergrund"


@section(
    "vorgang",
    order=30,
    template="""\
[vorgang]
# Bearbeitungsfrist in Tagen ab Eingang (für die Spalte "Frist" im Register).
frist_tage = 14
# Antwort auf einen erledigten Vorgang: bis zu so vielen Tagen nach "erledigt"
# wird er wieder geöffnet, danach entsteht ein neuer, verknüpfter Vorgang.
wiedereroeffnen_tage = 30
""",
)
@dataclass(frozen=True)
class VorgangSettings:
    frist_tage: int = 14
    wiedereroeffnen_tage: int = 30


@section(
    "imap",
    order=40,
    template="""\
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
""",
)
@dataclass(frozen=True)
class Imap:
    server: str = ""
    port: int = 0
    benutzer: str = ""
    verschluesselung: Literal["imaps", "starttls", "keine"] = "imaps"
    ca_datei: str = ""
    ordner_eingang: str = "INBOX"
    ordner_importiert: str = "Importiert"
    ordner_quarantaene: str = "Quarantäne"
    passwort_datei: str = ""
    passwort_befehl: str = ""
    max_groesse_mb: int = 25
    automatische_mails: Literal["notiz", "ignorieren"] = "notiz"
    antwort_auf_erledigt: Literal["wiedereroeffnen", "neuer-vorgang"] = "wiedereroeffnen"


@section(
    "smtp",
    order=50,
    template="""\
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
# max_bestaetigungen_pro_domain = 20          # je Absender-Domain (z. B. helpdesk.example) und Tag
# max_bestaetigungen_pro_stunde_gesamt = 30   # an alle zusammen je Stunde
# max_bestaetigungen_pro_tag_gesamt = 200     # an alle zusammen je Tag
""",
)
@dataclass(frozen=True)
class Smtp:
    server: str = ""
    port: int = 0
    benutzer: str = ""
    verschluesselung: Literal["tls", "starttls", "keine"] = "starttls"
    absender: str = ""
    ca_datei: str = ""
    passwort_datei: str = ""
    passwort_befehl: str = ""
    eingangsbestaetigung: bool = False
    max_bestaetigungen_pro_tag: int = 3
    max_bestaetigungen_pro_domain: int = 20
    max_bestaetigungen_pro_stunde_gesamt: int = 30
    max_bestaetigungen_pro_tag_gesamt: int = 200


@section(
    "einwurf",
    order=60,
    template="""\
[einwurf]
# Ordner "0 Einwurf": abgelegte Scans, Faxe und Outlook-Mails werden zu Vorgängen.
# Auf Netzlaufwerken (SMB) sieht das System keine Dateiereignisse: dann abfragen = true.
abfragen = true
# So viele Sekunden muss eine Datei unverändert sein, bevor sie übernommen wird.
ruhezeit_sekunden = 5
# Kanal für Dateien direkt im Einwurf: brief, fax oder scan
kanal = "scan"
""",
)
@dataclass(frozen=True)
class Einwurf:
    abfragen: bool = True
    ruhezeit_sekunden: float = 5.0
    kanal: KanalName = "scan"
