"""The archive offer and hand-over in the structure of xdomea 3.0 (Aussonderung 0501 and 0503).

What is written follows the xdomea 3.0.0 message structure for the elements listed in ``xdomea_teilmenge.xsd``
beside this module (a documented subset: Kopf, Schriftgutobjekt/Vorgang with Identifikation,
AllgemeineMetadaten/Betreff+Kennzeichen, Laufzeit, ArchivspezifischeMetadaten and, in 0503, Dokument with
Version/Format/Primaerdokument). Every file written is validated against that schema before it is saved; the
official XSD is not available offline, so conformance beyond this subset is not claimed.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from .. import __version__
from ..errors import DatenFehler, EingabeFehler
from ..models import Vorgang

NS = "urn:xoev-de:xdomea:schema:3.0.0"
SCHEMA_FILE = Path(__file__).with_name("xdomea_teilmenge.xsd")
NAMESPACE_UUID = uuid.UUID("6f1c7e52-3d0b-4d7e-9a57-2a8f4a6f9b10")
CSV_FIELDS = ["Aktenzeichen", "Betreff", "Kategorie", "Laufzeit_Beginn", "Laufzeit_Ende", "UUID", "Bewertung"]
BEWERTUNGEN = {"A": "archivieren", "V": "vernichten", "B": "nachbewerten"}

ET.register_namespace("xdomea", NS)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def vorgang_uuid(vorgang: Vorgang) -> str:
    """A stable identification: the same Vorgang gets the same UUID in the offer and in the hand-over."""
    return str(uuid.uuid5(NAMESPACE_UUID, f"{vorgang.aktenzeichen}|{vorgang.eingang.isoformat()}"))


@dataclass(frozen=True)
class Absender:
    behoerde: str
    kennung: str


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _q(tag))
    if text is not None:
        el.text = text
    return el


def _kopf(root: ET.Element, prozess_id: str, typ: str, absender: Absender, now: datetime) -> None:
    kopf = _sub(root, "Kopf")
    _sub(kopf, "ProzessID", prozess_id)
    _sub(_sub(kopf, "Nachrichtentyp"), "code", typ)
    _sub(kopf, "Erstellungszeitpunkt", now.replace(microsecond=0).isoformat())
    sender = _sub(kopf, "Absender")
    _sub(_sub(sender, "Behoerdenkennung"), "Kennung", absender.kennung or "unbekannt")
    _sub(_sub(sender, "Institution"), "Name", absender.behoerde)
    empf = _sub(kopf, "Empfaenger")
    _sub(_sub(empf, "Institution"), "Name", "Zuständiges Archiv")
    system = _sub(kopf, "SendendesSystem")
    _sub(system, "InstanzID", absender.kennung or "buero-ticket")
    _sub(system, "Produktname", "buero_ticket")
    _sub(system, "Version", __version__)
    _sub(kopf, "Empfangsbestaetigung", "true")


def _vorgang_element(parent: ET.Element, vorgang: Vorgang, kategorie: str, bewertung: str = "") -> ET.Element:
    el = _sub(_sub(parent, "Schriftgutobjekt"), "Vorgang")
    _sub(_sub(el, "Identifikation"), "ID", vorgang_uuid(vorgang))
    meta = _sub(el, "AllgemeineMetadaten")
    _sub(meta, "Betreff", vorgang.betreff or "(ohne Betreff)")
    _sub(meta, "Kennzeichen", vorgang.aktenzeichen)
    if kategorie:
        _sub(meta, "Bemerkung", f"Kategorie: {kategorie}")
    laufzeit = _sub(el, "Laufzeit")
    _sub(laufzeit, "Beginn", vorgang.eingang.date().isoformat())
    _sub(laufzeit, "Ende", (vorgang.erledigt or vorgang.eingang).date().isoformat())
    if bewertung:
        arch = _sub(el, "ArchivspezifischeMetadaten")
        _sub(_sub(arch, "Aussonderungsart"), "code", bewertung)
    return el


def anbieteverzeichnis(
    vorgaenge: Iterable[tuple[Vorgang, str]], absender: Absender, now: datetime
) -> tuple[str, bytes]:
    """The 0501 message (offer list) as (file name, XML bytes)."""
    prozess = str(uuid.uuid4())
    root = ET.Element(_q("Aussonderung.Anbieteverzeichnis.0501"))
    _kopf(root, prozess, "0501", absender, now)
    for vorgang, kategorie in vorgaenge:
        _vorgang_element(root, vorgang, kategorie)
    data = _serialise(root)
    validate(data)
    return f"{prozess}_Aussonderung.Anbieteverzeichnis.0501.xml", data


def anbieteliste_csv(vorgaenge: Iterable[tuple[Vorgang, str]]) -> bytes:
    """The same offer as a CSV the archive fills in (column Bewertung: A, V or B), for Excel (UTF-8 BOM, ';')."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for v, kategorie in vorgaenge:
        ende = (v.erledigt or v.eingang).date()
        writer.writerow(
            [v.aktenzeichen, v.betreff, kategorie, f"{v.eingang:%d.%m.%Y}", f"{ende:%d.%m.%Y}", vorgang_uuid(v), ""]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def lies_bewertung(path: Path) -> dict[str, str]:
    """The archive's decision per Aktenzeichen from the annotated CSV (A/V/B; German words accepted)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EingabeFehler(f"Die Bewertungsdatei {path} ist nicht lesbar ({exc.strerror}).", "Pfad prüfen.") from None
    text = raw.decode("utf-8-sig") if _is_utf8(raw) else raw.decode("cp1252")
    dialect = ";" if text.count(";") >= text.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    if not reader.fieldnames or "Aktenzeichen" not in reader.fieldnames or "Bewertung" not in reader.fieldnames:
        raise EingabeFehler(
            f"{path.name} hat nicht die Spalten „Aktenzeichen“ und „Bewertung“.",
            "Verwenden Sie die Datei, die 'buero-ticket aussondern anbieten' geschrieben hat.",
        )
    result: dict[str, str] = {}
    problems = []
    words = {"ARCHIVIEREN": "A", "VERNICHTEN": "V", "NACHBEWERTEN": "B", "KASSIEREN": "V"}
    for line, row in enumerate(reader, start=2):
        az = (row.get("Aktenzeichen") or "").strip()
        code = (row.get("Bewertung") or "").strip().upper()
        code = words.get(code, code)
        if not az:
            continue
        if code not in BEWERTUNGEN:
            problems.append(f"Zeile {line} ({az}): Bewertung „{row.get('Bewertung') or ''}“ – erwartet A, V oder B")
            continue
        result[az] = code
    if problems:
        raise EingabeFehler(
            f"Die Bewertungsdatei {path.name} enthält {len(problems)} ungültige Zeile(n).",
            "Bitte korrigieren und erneut einlesen. Es wurde nichts übernommen.",
            problems,
        )
    return result


@dataclass(frozen=True)
class Datei:
    """One file of a Vorgang for the hand-over package."""

    name: str  # path relative to the Vorgang folder, with '/'
    data: bytes


def aussonderungspaket(
    vorgaenge: Iterable[tuple[Vorgang, str, Iterable[Datei]]], absender: Absender, now: datetime
) -> tuple[str, bytes]:
    """The 0503 hand-over as (zip file name, zip bytes): the XML plus every file of every Vorgang."""
    prozess = str(uuid.uuid4())
    root = ET.Element(_q("Aussonderung.Aussonderung.0503"))
    _kopf(root, prozess, "0503", absender, now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for vorgang, kategorie, dateien in vorgaenge:
            el = _vorgang_element(root, vorgang, kategorie, "A")
            for nummer, datei in enumerate(dateien, start=1):
                doc_id = str(uuid.uuid5(NAMESPACE_UUID, f"{vorgang_uuid(vorgang)}|{datei.name}"))
                doc = _sub(el, "Dokument")
                _sub(_sub(doc, "Identifikation"), "ID", doc_id)
                meta = _sub(doc, "AllgemeineMetadaten")
                _sub(meta, "Betreff", datei.name)
                _sub(meta, "Kennzeichen", f"{vorgang.aktenzeichen}/{nummer}")
                version = _sub(doc, "Version")
                _sub(version, "Nummer", "1")
                fmt = _sub(version, "Format")
                _sub(_sub(fmt, "Name"), "code", Path(datei.name).suffix.lstrip(".").lower() or "bin")
                member = f"{doc_id}_{Path(datei.name).name}"
                _sub(_sub(fmt, "Primaerdokument"), "Dateiname", member)
                zf.writestr(member, datei.data)
        data = _serialise(root)
        validate(data)
        zf.writestr(f"{prozess}_Aussonderung.Aussonderung.0503.xml", data)
    return f"{prozess}_Aussonderung.Aussonderung.0503.zip", buffer.getvalue()


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def validate(data: bytes) -> None:
    """Check ``data`` against the documented subset (lxml + XML Schema); raises DatenFehler with each problem."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
    doc = etree.fromstring(data)
    if not schema.validate(doc):
        problems = [f"Zeile {e.line}: {e.message}" for e in schema.error_log]
        raise DatenFehler("Die xdomea-Datei entspricht nicht der dokumentierten Struktur.", "", problems)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def iter_bewertete(bewertung: dict[str, str], code: str) -> Iterator[str]:
    return (az for az, c in sorted(bewertung.items()) if c == code)


def stichtag_text(stichtag: date) -> str:
    return f"{stichtag:%d.%m.%Y}"
