"""The Art. 15 DSGVO access export: everything about one person, as a folder and a ZIP with a German index.

Collected: the person's Vorgänge (metadata as readable text and as stored, messages, letters, attachments,
history), quarantine and Einwurf-error copies that mention them, matching log lines and import-ledger
entries. The index document (``Übersicht.txt``) says what each part is, where it comes from, why it is
kept, how long, and to whom it was passed on.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..ablage import Ablage
from ..fileio import is_temp_name
from ..models import Vorgang
from ..names import short_subject
from ..settings.aufbewahrung import Aufbewahrung
from .aufbewahrung import beschreibung, kategorie_of
from .fundstellen import FundArt, Fundstelle, importverzeichnis, protokolle, quarantaene
from .personen import Person

ZWECK = (
    "Bearbeitung Ihres Anliegens durch die Verwaltung (Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit "
    "dem jeweiligen Fachrecht) und Nachweis der Bearbeitung (Aktenführung)."
)


@dataclass
class Auskunftspaket:
    """The files of the export (relative path → bytes) and the Vorgänge it covers."""

    titel: str
    dateien: dict[str, bytes] = field(default_factory=dict)
    vorgaenge: list[Vorgang] = field(default_factory=list)
    fundstellen: list[Fundstelle] = field(default_factory=list)

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in sorted(self.dateien.items()):
                zf.writestr(f"{self.titel}/{name}", data)
        return buffer.getvalue()


def _vorgang_files(folder: Path) -> Iterator[tuple[str, Path]]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not is_temp_name(d))
        for name in sorted(filenames):
            if not is_temp_name(name):
                path = Path(dirpath) / name
                yield path.relative_to(folder).as_posix(), path


def _empfaenger(vorgang: Vorgang) -> list[str]:
    """Recipients the data was passed on to (forwarded Stellen), as far as the Vorgang records them."""
    names = []
    for w in getattr(vorgang, "weiterleitungen", None) or []:
        name = (
            getattr(w, "stelle_name", "")
            or getattr(w, "stelle", "")
            or (w.get("stelle") if isinstance(w, dict) else "")
        )
        if name:
            names.append(str(name))
    bei = getattr(vorgang, "bei_stelle", "")
    if bei and str(bei) not in names:
        names.append(str(bei))
    return names


def _angaben(vorgang: Vorgang, settings: Aufbewahrung) -> str:
    a = vorgang.absender
    lines = [
        f"Aktenzeichen: {vorgang.aktenzeichen}",
        f"Betreff: {vorgang.betreff}",
        f"Eingang: {vorgang.eingang:%d.%m.%Y %H:%M} über {vorgang.kanal.label}",
        f"Status: {vorgang.status.label}",
        f"Kategorie: {kategorie_of(vorgang) or '–'}",
        f"Name: {a.name or '–'}",
        f"E-Mail: {a.email or '–'}",
        f"Telefon: {a.telefon or '–'}",
        f"Anschrift: {a.anschrift.replace(chr(10), ', ') if a.anschrift else '–'}",
        f"Nachrichten: {len(vorgang.nachrichten)}",
        f"Aufbewahrung: {beschreibung(vorgang, settings)}",
        f"Weitergegeben an: {', '.join(_empfaenger(vorgang)) or 'niemanden'}",
    ]
    return "\n".join(lines) + "\n"


def sammle(ablage: Ablage, person: Person, settings: Aufbewahrung, amt: str, now: datetime) -> Auskunftspaket:
    titel = f"Auskunft {short_subject(person.anzeigename, 40)} {now:%Y-%m-%d}"
    paket = Auskunftspaket(titel)
    begriffe = person.suchbegriffe()
    azs = [v.aktenzeichen for v in person.vorgaenge]
    for v in person.vorgaenge:
        if v.ordner is None:
            continue
        base = f"Vorgänge/{v.aktenzeichen}"
        paket.dateien[f"{base}/Angaben.txt"] = _angaben(v, settings).encode("utf-8")
        for rel, path in _vorgang_files(v.ordner):
            paket.dateien[f"{base}/{rel}"] = path.read_bytes()
        paket.vorgaenge.append(v)
    paket.fundstellen = quarantaene(ablage, begriffe) + protokolle(ablage, begriffe, azs)
    paket.fundstellen += importverzeichnis(ablage, azs)
    for f in paket.fundstellen:
        if f.zeilen:
            key = f"{f.art}/{f.pfad.name}.txt"
            paket.dateien[key] = paket.dateien.get(key, b"") + ("\n".join(f.zeilen) + "\n").encode("utf-8")
        else:
            paket.dateien[f"{f.art}/{f.pfad.name}"] = f.pfad.read_bytes()
    paket.dateien["Übersicht.txt"] = _uebersicht(ablage, person, paket, settings, amt, now).encode("utf-8")
    return paket


def _uebersicht(
    ablage: Ablage, person: Person, paket: Auskunftspaket, settings: Aufbewahrung, amt: str, now: datetime
) -> str:
    out = [
        f"Auskunft nach Art. 15 DSGVO – {amt}",
        f"Erstellt am {now:%d.%m.%Y um %H:%M} Uhr",
        "",
        f"Betroffene Person: {', '.join(person.namen) or '–'}",
        f"E-Mail-Adressen: {', '.join(person.emails) or '–'}",
        f"Telefonnummern: {', '.join(person.telefone) or '–'}",
        "",
        "1. Zweck der Verarbeitung",
        f"   {ZWECK}",
        "",
        f"2. Vorgänge ({len(paket.vorgaenge)}) – Ordner „Vorgänge“",
    ]
    for v in paket.vorgaenge:
        out.append(f"   {v.aktenzeichen}  {v.eingang:%d.%m.%Y}  {v.status.label:<16} {v.betreff}")
        out.append(f"      Herkunft: Ablage, {v.ordner.relative_to(ablage.root) if v.ordner else '–'}")
        out.append(f"      Aufbewahrung: {beschreibung(v, settings)}")
        out.append(f"      Empfänger: {', '.join(_empfaenger(v)) or 'keine (nur im Amt bearbeitet)'}")
    out += [
        "   Je Vorgang: Angaben.txt (Ihre Angaben lesbar), vorgang.json (gespeicherte Angaben),",
        "   verlauf.txt (alle Bearbeitungsschritte), Nachrichten (E-Mails, Gesprächsnotizen), Anlagen,",
        "   Ausgang (Briefe und Antworten an Sie).",
        "",
        "3. Weitere Fundstellen",
    ]
    if not paket.fundstellen:
        out.append("   keine")
    erklaerung = {
        FundArt.QUARANTAENE: "E-Mails/Dateien, die nicht automatisch zugeordnet werden konnten (Ordner „Quarantäne“)",
        FundArt.EINWURF_FEHLER: "eingeworfene Dateien, die nicht verarbeitet werden konnten (Ordner „_Fehler“)",
        FundArt.PROTOKOLL: "Protokollzeilen des Programms (Nachweis, wann was verarbeitet wurde)",
        FundArt.IMPORTVERZEICHNIS: "Einträge, die doppelte Importe derselben E-Mail verhindern",
    }
    for f in paket.fundstellen:
        what = f"{len(f.zeilen)} Zeile(n)" if f.zeilen else "Datei"
        out.append(f"   {f.art}: {f.pfad.name} ({what}) – {erklaerung[f.art]}")
    out += [
        "",
        "4. Ihre Rechte",
        "   Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18), Widerspruch (Art. 21),",
        "   Beschwerde bei der Datenschutz-Aufsichtsbehörde (Art. 77 DSGVO).",
        "",
        "Hinweis für das Amt: Prüfen Sie vor der Herausgabe, ob Angaben Dritter enthalten sind, und schwärzen",
        "Sie diese (Art. 15 Abs. 4 DSGVO).",
    ]
    return "\n".join(out) + "\n"
