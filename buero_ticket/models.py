"""Plain data of the domain: status, channel, urgency, a Vorgang and its history.

No I/O happens here. The German words that a clerk reads (folder names, labels)
live next to the keyword they belong to, so there is exactly one mapping.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

FORMAT_NAME = "buero-ticket/vorgang"
FORMAT_VERSION = 1


class Status(StrEnum):
    """Where a Vorgang stands. The keyword is public interface (scripts use it)."""

    EINGANG = "eingang"
    IN_BEARBEITUNG = "in-bearbeitung"
    WARTET = "wartet"
    ERLEDIGT = "erledigt"
    ARCHIV = "archiv"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def folder_name(self) -> str:
        """Name of the status folder at the Ablage root (numbered for Explorer order)."""
        return _STATUS_FOLDERS[self]

    @property
    def is_open(self) -> bool:
        return self in (Status.EINGANG, Status.IN_BEARBEITUNG, Status.WARTET)


_STATUS_LABELS = {
    Status.EINGANG: "Eingang",
    Status.IN_BEARBEITUNG: "In Bearbeitung",
    Status.WARTET: "Wartet",
    Status.ERLEDIGT: "Erledigt",
    Status.ARCHIV: "Archiv",
}
_STATUS_FOLDERS = {s: f"{i} {label}" for i, (s, label) in enumerate(_STATUS_LABELS.items(), 1)}


class Kanal(StrEnum):
    """How a request reached the office."""

    EMAIL = "email"
    TELEFON = "telefon"
    PERSOENLICH = "persoenlich"
    BRIEF = "brief"
    FAX = "fax"
    SCAN = "scan"

    @property
    def label(self) -> str:
        return _KANAL_LABELS[self]


_KANAL_LABELS = {
    Kanal.EMAIL: "E-Mail",
    Kanal.TELEFON: "Telefon",
    Kanal.PERSOENLICH: "Persönlich",
    Kanal.BRIEF: "Brief",
    Kanal.FAX: "Fax",
    Kanal.SCAN: "Scan",
}


class Dringlichkeit(StrEnum):
    NIEDRIG = "niedrig"
    NORMAL = "normal"
    HOCH = "hoch"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """Sort key: most urgent first means ascending rank."""
        return {"hoch": 0, "normal": 1, "niedrig": 2}[self.value]


@dataclass
class Absender:
    name: str = ""
    email: str = ""
    telefon: str = ""
    anschrift: str = ""

    def display(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or self.telefon or ""


@dataclass
class Nachricht:
    """One stored message (incoming mail, phone note, outgoing reply)."""

    datei: str  # file name inside the Vorgang's message folder
    richtung: str  # "eingang" or "ausgang"
    zeit: datetime
    kanal: str
    von: str = ""
    betreff: str = ""
    message_id: str = ""
    sha256: str = ""  # of the original file (raw mail), for duplicate detection
    fingerabdruck: str = ""  # Message-ID + sender + subject + date, for duplicate detection
    text_datei: str = ""  # readable body text, if stored separately
    anlagen: list[str] = field(default_factory=list)  # file names in the attachment folder
    automatisch: bool = False  # auto-reply, bounce


@dataclass
class Weiterleitung:
    """One forwarding of a Vorgang to a Stelle (2nd level), tracked on its own."""

    stelle: str  # key of [stellen.KEY]
    stelle_name: str
    weg: str  # "email" | "ablage"
    zeit: datetime
    rueckmeldung_bis: datetime  # "Rückmeldung an Bürger bis" (service hours)
    antwort_bis: datetime  # "Antwort der Stelle bis" (the Stelle's service hours)
    adresse: str = ""  # the Stelle's e-mail address (a known sender of this Vorgang)
    message_id: str = ""  # of our forwarding mail: the Stelle's reply threads back by it
    ziel_ablage: str = ""  # the Stelle's own Ablage (weg "ablage")
    ziel_aktenzeichen: str = ""  # the linked Vorgang there, once its intake took the drop
    ziel_status: str = ""  # last seen status there (keyword) and since when
    ziel_status_seit: datetime | None = None
    rueckmeldung: datetime | None = None  # first outgoing message to the citizen after the forwarding
    rueckmeldung_rechtzeitig: bool | None = None
    antwort: datetime | None = None  # the Stelle answered (mail, zurueck, done in its Ablage)
    antwort_wie: str = ""
    erinnert: datetime | None = None  # last reminder mail to the Stelle

    @property
    def offen(self) -> bool:
        return self.antwort is None


@dataclass
class Vorgang:
    aktenzeichen: str
    betreff: str
    kanal: Kanal
    status: Status
    eingang: datetime
    dringlichkeit: Dringlichkeit = Dringlichkeit.NORMAL
    bearbeiter: str = ""
    absender: Absender = field(default_factory=Absender)
    frist: date | None = None
    verknuepft: list[str] = field(default_factory=list)
    nachrichten: list[Nachricht] = field(default_factory=list)
    antwort_gesendet: datetime | None = None
    geaendert: datetime | None = None
    erledigt: datetime | None = None
    kategorie: str = ""
    person_alias: list[str] = field(default_factory=list)  # links made by 'person zusammenfuehren'
    gesperrt: str = ""  # reason of an Art. 18 DSGVO restriction; "" = not restricted
    archivbewertung: str = ""  # the archive's decision: A, V or B ("" = none yet)
    revision: int = 0
    wissen: str = ""  # the knowledge-base article that answered it (path relative to Wissen/)
    # answered directly at first contact (anruf/schalter): True/False where recorded, None = not recorded
    erstkontakt_geloest: bool | None = None
    wiedervorlage: date | None = None
    wiedervorlage_grund: str = ""
    neue_nachricht: datetime | None = None  # a follow-up nobody has looked at yet (cleared by zeige or a change)
    weiterleitungen: list[Weiterleitung] = field(default_factory=list)
    ordner: Path | None = None  # where the folder is now; never written to the file
    beschaedigt: str = ""  # why the metadata cannot be used (set by the cache); never written to the file

    @property
    def bei_stelle(self) -> list[str]:
        """Names of the Stellen with an open forwarding (written to vorgang.json for readers, derived)."""
        return [w.stelle_name for w in self.weiterleitungen if w.offen]

    @property
    def letzte_aktivitaet(self) -> datetime:
        return self.geaendert or self.eingang

    def sort_key_urgent(self) -> tuple[int, datetime]:
        return (self.dringlichkeit.rank, self.eingang)

    def to_json(self) -> dict[str, Any]:
        """The metadata file's content (format version included)."""
        data: dict[str, Any] = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
        for f in dataclasses.fields(self):
            if f.name in _NOT_STORED:
                continue
            data[f.name] = _to_plain(getattr(self, f.name))
        data["bei_stelle"] = self.bei_stelle
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Vorgang:
        fmt = data.get("format_version")
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise ValueError(f"unbekannte Formatversion {fmt!r}")
        absender = Absender(**{k: str(v) for k, v in (data.get("absender") or {}).items() if k in _ABSENDER_FIELDS})
        nachrichten = [_nachricht_from_json(n) for n in data.get("nachrichten") or []]
        return cls(
            aktenzeichen=str(data["aktenzeichen"]),
            betreff=str(data.get("betreff", "")),
            kanal=Kanal(data["kanal"]),
            status=Status(data["status"]),
            eingang=datetime.fromisoformat(data["eingang"]),
            dringlichkeit=Dringlichkeit(data.get("dringlichkeit", "normal")),
            bearbeiter=str(data.get("bearbeiter") or ""),
            absender=absender,
            frist=date.fromisoformat(data["frist"]) if data.get("frist") else None,
            verknuepft=[str(x) for x in data.get("verknuepft") or []],
            nachrichten=nachrichten,
            antwort_gesendet=_dt(data.get("antwort_gesendet")),
            geaendert=_dt(data.get("geaendert")),
            erledigt=_dt(data.get("erledigt")),
            kategorie=str(data.get("kategorie") or ""),
            person_alias=[str(x) for x in data.get("person_alias") or []],
            gesperrt=str(data.get("gesperrt") or ""),
            archivbewertung=str(data.get("archivbewertung") or ""),
            revision=int(data.get("revision", 0)),
            wissen=str(data.get("wissen") or ""),
            erstkontakt_geloest=_opt_bool(data.get("erstkontakt_geloest")),
            wiedervorlage=date.fromisoformat(data["wiedervorlage"]) if data.get("wiedervorlage") else None,
            wiedervorlage_grund=str(data.get("wiedervorlage_grund") or ""),
            neue_nachricht=_dt(data.get("neue_nachricht")),
            weiterleitungen=[_weiterleitung_from_json(w) for w in data.get("weiterleitungen") or []],
        )


_NOT_STORED = frozenset({"ordner", "beschaedigt"})
_ABSENDER_FIELDS = frozenset(f.name for f in dataclasses.fields(Absender))
_NACHRICHT_FIELDS = frozenset(f.name for f in dataclasses.fields(Nachricht))


def _nachricht_from_json(data: dict[str, Any]) -> Nachricht:
    values = {k: v for k, v in data.items() if k in _NACHRICHT_FIELDS}
    values["zeit"] = datetime.fromisoformat(values["zeit"])
    return Nachricht(**values)


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


_WEITERLEITUNG_TIMES = (
    "zeit",
    "rueckmeldung_bis",
    "antwort_bis",
    "ziel_status_seit",
    "rueckmeldung",
    "antwort",
    "erinnert",
)
_WEITERLEITUNG_FIELDS = frozenset(f.name for f in dataclasses.fields(Weiterleitung))


def _weiterleitung_from_json(data: dict[str, Any]) -> Weiterleitung:
    values = {k: v for k, v in data.items() if k in _WEITERLEITUNG_FIELDS}
    for key in _WEITERLEITUNG_TIMES:
        if key in values:
            values[key] = _dt(values[key])
    return Weiterleitung(**values)


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _to_plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a Vorgang's history (verlauf.txt)."""

    zeit: datetime
    benutzer: str
    aktion: str
    details: str = ""


@dataclass(kw_only=True)
class Incoming:
    """Something that came in, from any channel: the one intake item, filed by the store as it is.

    A mail (IMAP, an ``.eml``/``.msg``/mbox file, a Stelle's reply), a file or folder dropped into the
    Einwurf, a phone or counter note (``neu``, ``anruf``, ``schalter``). The operations decide where it
    goes (:func:`buero_ticket.operations.vorgang.accept`); the store writes its files and history line.
    Field names are those of :class:`Vorgang` and :class:`Nachricht`.
    """

    richtung: ClassVar[str] = "eingang"  # as Nachricht.richtung

    kanal: Kanal
    betreff: str
    absender: Absender
    zeit: datetime
    text: str = ""
    original: tuple[str, bytes] | None = None  # (extension, bytes) kept byte for byte, e.g. ("eml", raw mail)
    anlagen: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes)
    message_id: str = ""
    automatisch: bool = False  # auto-reply, bounce
    hinweis: str = ""  # note for the clerk, on top of the text file (parse warnings, oversized mail)
    fingerabdruck: str = ""  # duplicate detection of mails and drops (see intake.mail.fingerprint)
    # where it goes and how a new Vorgang from it starts
    aktenzeichen: str | None = None  # the Vorgang it explicitly belongs to (a reply, an Einwurf "zu <AZ>")
    verknuepft: list[str] = field(default_factory=list)
    dringlichkeit: Dringlichkeit = Dringlichkeit.NORMAL
    bearbeiter: str = ""
    kategorie: str = ""  # e.g. "DSGVO-Anfrage": decides the default Frist and the retention period
    herkunft: str = ""  # for the history: where it came from ("Einwurf …", "IMAP INBOX", "erfasst mit …")

    @property
    def von(self) -> str:
        """The sender as the message's history line and text file name it."""
        return self.absender.display()


@dataclass(kw_only=True)
class Outgoing:
    """A message the office sent (a reply, a forwarding to a Stelle, a reminder), filed in its Vorgang."""

    richtung: ClassVar[str] = "ausgang"  # as Nachricht.richtung

    kanal: Kanal
    zeit: datetime
    von: str
    betreff: str
    text: str
    original: tuple[str, bytes] | None = None  # (extension, bytes), e.g. ("eml", the mail as sent)
    message_id: str = ""
    automatisch: bool = False  # e.g. a reminder sent by 'erinnern'
    hinweis: str = ""  # note on top of the text file ("An …", "Weiterleitung an …")
