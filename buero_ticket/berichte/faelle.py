"""What a report needs from a Vorgang, read defensively.

Some figures depend on fields that other parts of buero_ticket add to the Vorgang (category,
first-contact resolution, knowledge article, forwardings, Wiedervorlage). A field the data model does
not have yet is ``None`` here and its figures say "nicht erfasst"; a field the model has but a given
Vorgang leaves empty is a real "no" (or, for first contact, "not recorded for this Vorgang").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from buero_ticket.models import Status, Vorgang


@dataclass(frozen=True)
class Weiterleitung:
    """One forwarding of a Vorgang to a Stelle (2nd level)."""

    stelle: str
    am: datetime
    rueckmeldung: datetime | None  # first Rückmeldung to the citizen after the forwarding
    antwort: datetime | None  # the Stelle's answer
    rueckmeldung_rechtzeitig: bool | None = None  # as recorded at the time, if recorded
    rueckmeldung_bis: datetime | None = None  # the deadline computed when forwarding, if recorded


@dataclass(frozen=True)
class Fall:
    """One Vorgang as the reports see it."""

    aktenzeichen: str
    kanal: str
    status: Status
    eingang: datetime
    erledigt: datetime | None
    erste_antwort: datetime | None
    frist: date | None
    bearbeiter: str
    kategorie: str | None  # "" = no category given
    wiedervorlage: date | None
    erstkontakt_geloest: bool | None  # None: not recorded for this Vorgang
    wissen: tuple[str, ...]
    weiterleitungen: tuple[Weiterleitung, ...]

    @property
    def weitergeleitet(self) -> bool:
        return bool(self.weiterleitungen)


@dataclass(frozen=True)
class Erfassung:
    """Which optional fields the data model records at all."""

    kategorie: bool
    wiedervorlage: bool
    erstkontakt: bool
    wissen: bool
    weiterleitungen: bool

    @classmethod
    def aus_modell(cls, model: type = Vorgang) -> Erfassung:
        names = {f.name for f in fields(model)} | {n for n in dir(model) if not n.startswith("_")}
        return cls(
            kategorie="kategorie" in names,
            wiedervorlage="wiedervorlage" in names,
            erstkontakt="erstkontakt_geloest" in names,
            wissen="wissen" in names,
            weiterleitungen="weiterleitungen" in names,
        )


def fall_aus_vorgang(v: Any) -> Fall:
    """Read a :class:`~buero_ticket.models.Vorgang` (or anything shaped like one) into a :class:`Fall`."""
    geloest = getattr(v, "erstkontakt_geloest", None)
    kategorie = getattr(v, "kategorie", None)
    weiterleitungen = tuple(w for w in map(_weiterleitung, getattr(v, "weiterleitungen", None) or ()) if w)
    antworten = [t for t in (v.antwort_gesendet, *(w.rueckmeldung for w in weiterleitungen)) if t is not None]
    return Fall(
        aktenzeichen=str(v.aktenzeichen),
        kanal=str(getattr(v.kanal, "value", v.kanal)),
        status=v.status,
        eingang=v.eingang,
        erledigt=v.erledigt,
        erste_antwort=v.eingang if geloest is True else min(antworten, default=None),
        frist=_as_date(getattr(v, "frist", None)),
        bearbeiter=str(v.bearbeiter or ""),
        kategorie=None if kategorie is None else str(kategorie).strip(),
        wiedervorlage=_as_date(_pick(getattr(v, "wiedervorlage", None), "datum", "am", "bis")),
        erstkontakt_geloest=geloest if isinstance(geloest, bool) else None,
        wissen=_articles(getattr(v, "wissen", None)),
        weiterleitungen=weiterleitungen,
    )


def faelle(vorgaenge: Iterable[Any]) -> list[Fall]:
    return [fall_aus_vorgang(v) for v in vorgaenge]


def _pick(obj: Any, *names: str) -> Any:
    """``obj`` itself if it is a plain value, else its first present attribute or key of ``names``."""
    if obj is None or isinstance(obj, str | date | datetime):
        return obj
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None and value != "":
            return value
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _articles(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        name = _pick(item, "datei", "titel", "artikel", "name")
        if name:
            out.append(str(name))
    return tuple(out)


def _weiterleitung(item: Any) -> Weiterleitung | None:
    stelle = _pick(item, "stelle_name", "stelle", "an", "name")
    am = _as_datetime(_pick(item, "am", "weitergeleitet_am", "zeit", "seit"))
    if not stelle or am is None:
        return None
    rechtzeitig = _pick(item, "rueckmeldung_rechtzeitig", "rueckmeldung_in_frist")
    return Weiterleitung(
        stelle=str(stelle),
        am=am,
        rueckmeldung=_as_datetime(_pick(item, "rueckmeldung", "rueckmeldung_am")),
        antwort=_as_datetime(_pick(item, "antwort", "antwort_am", "antwort_stelle_am", "beantwortet_am")),
        rueckmeldung_rechtzeitig=rechtzeitig if isinstance(rechtzeitig, bool) else None,
        rueckmeldung_bis=_as_datetime(_pick(item, "rueckmeldung_bis")),
    )
