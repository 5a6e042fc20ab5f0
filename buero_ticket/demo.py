"""A complete demo Ablage from built-in sample data, written through the normal intake path."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .ablage import Ablage, init_ablage, open_ablage
from .clock import FixedClock, system_clock
from .config import CONFIG_NAME
from .fileio import atomic_write_bytes, atomic_write_text
from .index import Index
from .models import Absender, Dringlichkeit, Incoming, Kanal, Status, Vorgang
from .operations import vorgang as ops
from .operations.context import Context
from .ortszeit import in_office, office_zone
from .register import update as register_update
from .store import Store

# (days ago, hour, channel, subject, name, email, phone, text, urgency, final status, clerk)
SAMPLES = [
    (
        9,
        8,
        Kanal.EMAIL,
        "Anwohnerparkausweis verlängern",
        "Jonas Becker",
        "j.becker@example.org",
        "",
        "Guten Tag,\nmein Anwohnerparkausweis läuft Ende des Monats ab. Welche Unterlagen brauche ich?\n"
        "Mit freundlichen Grüßen\nJonas Becker",
        Dringlichkeit.NORMAL,
        Status.ERLEDIGT,
        "Maria Weber",
    ),
    (
        6,
        10,
        Kanal.TELEFON,
        "Sperrmüll Termin",
        "Erika Muster",
        "",
        "0731 12345",
        "Bittet um einen Termin für die Sperrmüllabholung (Sofa, Schrank). Rückruf erwünscht.",
        Dringlichkeit.HOCH,
        Status.IN_BEARBEITUNG,
        "Maria Weber",
    ),
    (
        5,
        14,
        Kanal.BRIEF,
        "Widerspruch Gebührenbescheid",
        "Hans Müller & Söhne GmbH",
        "",
        "",
        "Schreiben eingescannt, siehe Anlage.",
        Dringlichkeit.HOCH,
        Status.WARTET,
        "Sevgi Yilmaz",
    ),
    (
        3,
        9,
        Kanal.PERSOENLICH,
        "Meldebescheinigung",
        "Aylin Demir",
        "",
        "0731 98765",
        "Benötigt eine erweiterte Meldebescheinigung für den Arbeitgeber.",
        Dringlichkeit.NORMAL,
        Status.EINGANG,
        "",
    ),
    (
        2,
        16,
        Kanal.EMAIL,
        "Straßenlaterne defekt Lindenweg 4",
        "Peter Schmidt",
        "p.schmidt@example.net",
        "",
        "Hallo,\ndie Laterne vor Lindenweg 4 ist seit einer Woche dunkel.\nGruß P. Schmidt",
        Dringlichkeit.NIEDRIG,
        Status.EINGANG,
        "",
    ),
    (
        1,
        11,
        Kanal.FAX,
        "Antrag Sondernutzung Marktplatz",
        "Café Rosa",
        "",
        "0731 55555",
        "Fax eingegangen, siehe Anlage.",
        Dringlichkeit.NORMAL,
        Status.EINGANG,
        "",
    ),
    (
        400,
        10,
        Kanal.TELEFON,
        "Fundsache Regenschirm",
        "Karl Klein",
        "",
        "0731 4711",
        "Fragt nach einem im Rathaus vergessenen Regenschirm.",
        Dringlichkeit.NIEDRIG,
        Status.ARCHIV,
        "",
    ),
    (
        0,
        8,
        Kanal.EMAIL,
        "Hundesteuer Abmeldung nach Umzug",
        "Sabine Krüger",
        "sabine.krueger@example.de",
        "",
        "Sehr geehrte Damen und Herren,\nwir sind zum 1. des Monats nach Neu-Ulm gezogen. Bitte melden Sie "
        "unseren Hund Bruno (Steuermarke 0815) ab.\nNeue Anschrift: Augsburger Str. 12, 89231 Neu-Ulm\n\n"
        "Mit freundlichen Grüßen\nSabine Krüger",
        Dringlichkeit.NORMAL,
        Status.EINGANG,
        "",
    ),
]

# Postal addresses the office knows (letters need them; e-mail senders usually give none).
ANSCHRIFTEN = {
    "Erika Muster": "Erika Muster\nLindenweg 4\n89073 Ulm",
    "Hans Müller & Söhne GmbH": "Hans Müller & Söhne GmbH\nz. Hd. Herrn Hans Müller\nIndustriestraße 7\n89079 Ulm",
    "Aylin Demir": "Aylin Demir\nKeplerstraße 21\n89073 Ulm",
    "Café Rosa": "Café Rosa\nInh. Rosa Bauer\nMarktplatz 3\n89073 Ulm",
    "Karl Klein": "Karl Klein\nAm Bach 2\n89075 Ulm",
}

# What the scanned letter and the fax of the demo say (real text in the PDF, so 'suche' finds it).
_SCHREIBEN = {
    "Widerspruch Gebührenbescheid": [
        "Hans Müller & Söhne GmbH, Industriestraße 7, 89079 Ulm",
        "Widerspruch gegen den Gebührenbescheid vom 02.11.2026",
        "Hiermit legen wir Widerspruch gegen die Sondernutzungsgebühr für das Baugerüst ein.",
        "Das Gerüst stand nur elf Tage, berechnet wurden dreißig.",
    ],
    "Antrag Sondernutzung Marktplatz": [
        "Café Rosa, Inh. Rosa Bauer, Marktplatz 3, 89073 Ulm",
        "Antrag auf Sondernutzung öffentlicher Verkehrsfläche",
        "Außenbestuhlung mit vier Tischen und sechzehn Stühlen vor dem Café, April bis Oktober.",
    ],
}


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text can be read (Helvetica, Windows-1252 for the umlauts)."""

    def literal(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = b"BT /F1 11 Tf 14 TL 72 770 Td " + b" Tj T* ".join(literal(line) for line in lines) + b" Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# Example articles of the demo's Wissen folder (one per kind of demo request), reviewed "today".
_ARTIKEL = {
    "Sperrmüll anmelden": (
        ["Sperrmüll", "Sperrmüllabholung", "Möbel abholen", "Sofa", "Schrank"],
        "99002011000000",
        "Abfallwirtschaft",
        "Sperrmüll (Möbel, Matratzen, Teppiche) holen wir zweimal im Jahr kostenlos ab. Melden Sie die "
        "Abholung online, telefonisch oder am Schalter an; den Termin erhalten Sie schriftlich.",
        "bis zu 5 m³ je Abholung kostenlos, jeder weitere m³ 25 €",
    ),
    "Bewohnerparkausweis": (
        ["Anwohnerparkausweis", "Parkausweis", "Bewohnerparken", "Parkausweis verlängern"],
        "99067005000000",
        "Bürgerbüro",
        "Wer in einer Bewohnerparkzone mit Hauptwohnsitz gemeldet ist, erhält für ein auf sich zugelassenes "
        "Fahrzeug einen Parkausweis. Die Verlängerung geht online oder im Bürgerbüro.",
        "30,70 € für ein Jahr",
    ),
    "Meldebescheinigung": (
        ["Meldebescheinigung", "erweiterte Meldebescheinigung", "Wohnsitzbescheinigung"],
        "99115012000000",
        "Bürgerbüro",
        "Eine einfache oder erweiterte Meldebescheinigung erhalten Sie sofort im Bürgerbüro gegen Vorlage des "
        "Personalausweises; für Dritte mit schriftlicher Vollmacht.",
        "einfach 5 €, erweitert 10 €",
    ),
    "Hundesteuer": (
        ["Hundesteuer", "Hund anmelden", "Hund abmelden", "Hundemarke"],
        "99126003000000",
        "Steueramt",
        "Ein Hund ist innerhalb von zwei Wochen anzumelden und bei Wegzug oder Abgabe abzumelden; mit der "
        "Abmeldung geben Sie die Hundemarke zurück. Die Steuer wird anteilig erstattet.",
        "96 € im Jahr für den ersten Hund",
    ),
}


def _write_articles(ablage: Ablage, today: date) -> None:
    for titel, (stichwoerter, leika, zustaendig, kurzinfo, gebuehren) in _ARTIKEL.items():
        text = (
            f'---\ntitel: {titel}\nstichwoerter: [{", ".join(stichwoerter)}]\nleika: "{leika}"\n'
            f"zustaendig: {zustaendig}\ngeprueft_am: {today.isoformat()}\n"
            f"pruefen_bis: {today.replace(year=today.year + 1, day=min(today.day, 28)).isoformat()}\n---\n\n"
            f"## Kurzinfo\n{kurzinfo}\n\n## Gebühren\n{gebuehren}\n"
        )
        atomic_write_bytes(ablage.wissen_dir / f"{titel}.md", text.replace("\n", "\r\n").encode("utf-8"))


def _mail(subject: str, name: str, addr: str, text: str, when: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{addr}>"
    msg["To"] = "buergerbuero@musterstadt.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(text)
    return msg.as_bytes()


DEMO_BENUTZER = """
[benutzer.mweber]
name = "Maria Weber"
kuerzel = "MW"
telefon = "0731 161-2345"
email = "m.weber@musterstadt.example"

[benutzer.syilmaz]
name = "Sevgi Yilmaz"
kuerzel = "SY"
telefon = "0731 161-2346"
email = "s.yilmaz@musterstadt.example"
"""
_FIRST = "Maria Weber"  # who takes Vorgänge in that nobody has yet


def build_demo(target: Path, now: datetime | None = None) -> tuple[Ablage, list[Vorgang]]:
    ablage, _ = init_ablage(target, name="Bürgerbüro Musterstadt (Demo)", kuerzel="")
    config = ablage.root / CONFIG_NAME
    atomic_write_text(config, config.read_text(encoding="utf-8") + DEMO_BENUTZER)
    ablage = open_ablage(ablage.root)
    now = in_office(now or system_clock(), office_zone(ablage.config))  # office hours in the office's zone
    _write_articles(ablage, now.date())
    clock = FixedClock(now)
    created = []
    for days, hour, kanal, subject, name, addr, phone, text, urgency, final, clerk in SAMPLES:
        when = min((now - timedelta(days=days)).replace(hour=hour, minute=15, second=0), now - timedelta(hours=1))
        clock.now = when  # the history reads as the office's days did, not as the minute of the demo
        store = Store(ablage, clock, user=clerk or _FIRST)
        ctx = Context.of(store)
        item = Incoming(
            kanal=kanal,
            betreff=subject,
            absender=Absender(name, addr, phone, ANSCHRIFTEN.get(name, "")),
            zeit=when,
            text=text,
            dringlichkeit=urgency,
            herkunft="Demo-Daten",
        )
        if kanal is Kanal.EMAIL:
            item.original = ("eml", _mail(subject, name, addr, text, when))
        if kanal in (Kanal.BRIEF, Kanal.FAX):
            item.anlagen = [(f"{kanal.label} {when:%Y-%m-%d}.pdf", _pdf(_SCHREIBEN.get(subject, [subject])))]
        vorgang = ops.create(ctx, item)
        if clerk:
            _later(clock, now, minutes=25)
            vorgang = ops.assign(ctx, vorgang.aktenzeichen, clerk).vorgang
        for status in _path_to(final):
            _later(clock, now, hours=23)
            vorgang = ops.set_status(ctx, vorgang.aktenzeichen, status).vorgang
        if subject == "Sperrmüll Termin":
            _later(clock, now, hours=3)
            vorgang = ops.add_note(ctx, vorgang.aktenzeichen, "Rückruf erledigt, Termin 12.12.").vorgang
        created.append(vorgang)
    store = Store(ablage)
    index = Index(store)
    index.sync()
    register_update.rewrite(ablage, index)
    return ablage, created


def _later(clock: FixedClock, now: datetime, **delta: float) -> None:
    """Move the demo's clock on, but never past the real now."""
    clock.now = min(clock.now + timedelta(**delta), now - timedelta(minutes=1))


def _path_to(final: Status) -> list[Status]:
    """The status changes a clerk would make to bring a new Vorgang to ``final``."""
    paths: dict[Status, list[Status]] = {
        Status.EINGANG: [],
        Status.IN_BEARBEITUNG: [Status.IN_BEARBEITUNG],
        Status.WARTET: [Status.IN_BEARBEITUNG, Status.WARTET],
        Status.ERLEDIGT: [Status.IN_BEARBEITUNG, Status.ERLEDIGT],
        Status.ARCHIV: [Status.IN_BEARBEITUNG, Status.ERLEDIGT, Status.ARCHIV],
    }
    return paths[final]
