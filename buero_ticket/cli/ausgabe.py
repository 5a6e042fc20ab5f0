"""Output for people (German tables) and scripts (stable JSON fields, see README)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any

import click

from ..clock import system_clock
from ..index import CacheRow
from ..merker import merker
from ..models import Dringlichkeit, HistoryEntry, Kanal, Vorgang, Weiterleitung
from ..ortszeit import in_office
from ..store import ANLAGEN_DIR, AUSGANG_DIR, NACHRICHTEN_DIR, message_text

PREVIEW_LINES = 3  # lines of each message shown by zeige without --voll


def vorgang_json(v: Vorgang) -> dict[str, Any]:
    """The stable fields of ``liste --json`` (documented in README, section JSON)."""
    return {
        "aktenzeichen": v.aktenzeichen,
        "status": v.status.value,
        "kanal": v.kanal.value,
        "betreff": v.betreff,
        "absender": v.absender.display(),
        "absender_name": v.absender.name,
        "absender_email": v.absender.email,
        "absender_telefon": v.absender.telefon,
        "absender_anschrift": v.absender.anschrift,
        "eingang": v.eingang.isoformat(),
        "dringlichkeit": v.dringlichkeit.value,
        "bearbeiter": v.bearbeiter,
        "frist": v.frist.isoformat() if v.frist else None,
        "letzte_aktivitaet": v.letzte_aktivitaet.isoformat(),
        "anzahl_nachrichten": len(v.nachrichten),
        "antwort_gesendet": v.antwort_gesendet.isoformat() if v.antwort_gesendet else None,
        "kategorie": v.kategorie,
        "verknuepft": v.verknuepft,
        "wiedervorlage": v.wiedervorlage.isoformat() if v.wiedervorlage else None,
        "wiedervorlage_grund": v.wiedervorlage_grund,
        "neue_nachricht": v.neue_nachricht is not None,
        "bei_stelle": v.bei_stelle,
        "weiterleitungen": [weiterleitung_json(w) for w in v.weiterleitungen],
        "wissen": v.wissen or None,
        "erstkontakt_geloest": v.erstkontakt_geloest,
        "revision": v.revision,
        "ordner": str(v.ordner) if v.ordner else None,
    }


def stored_json(row: CacheRow) -> dict[str, Any]:
    """:func:`vorgang_json` of a cache row, without building the model (``liste --alle --json``).

    Field by field what ``vorgang_json(Vorgang.from_json(row.data))`` gives (a test compares both);
    times are parsed and written again, so a hand-edited file reads the same either way.
    """
    d = row.data
    sender = d.get("absender") or {}
    name, email, telefon, anschrift = (str(sender[k]) if k in sender else "" for k in _SENDER)
    eingang = datetime.fromisoformat(d["eingang"]).isoformat()
    weiterleitungen = Vorgang.from_json(d).weiterleitungen if d.get("weiterleitungen") else []  # rare
    return {
        "aktenzeichen": str(d["aktenzeichen"]),
        "status": row.status.value,
        "kanal": _KANAL[d["kanal"]],
        "betreff": str(d.get("betreff", "")),
        "absender": f"{name} <{email}>" if name and email else (name or email or telefon or ""),
        "absender_name": name,
        "absender_email": email,
        "absender_telefon": telefon,
        "absender_anschrift": anschrift,
        "eingang": eingang,
        "dringlichkeit": _DRINGLICHKEIT[d.get("dringlichkeit", "normal")],
        "bearbeiter": str(d.get("bearbeiter") or ""),
        "frist": _iso_date(d.get("frist")),
        "letzte_aktivitaet": _iso_time(d.get("geaendert")) or eingang,
        "anzahl_nachrichten": len(d.get("nachrichten") or []),
        "antwort_gesendet": _iso_time(d.get("antwort_gesendet")),
        "kategorie": str(d.get("kategorie") or ""),
        "verknuepft": [str(x) for x in d.get("verknuepft") or []],
        "wiedervorlage": _iso_date(d.get("wiedervorlage")),
        "wiedervorlage_grund": str(d.get("wiedervorlage_grund") or ""),
        "neue_nachricht": bool(d.get("neue_nachricht")),
        "bei_stelle": [w.stelle_name for w in weiterleitungen if w.offen],
        "weiterleitungen": [weiterleitung_json(w) for w in weiterleitungen],
        "wissen": str(d.get("wissen") or "") or None,
        "erstkontakt_geloest": None if d.get("erstkontakt_geloest") is None else bool(d["erstkontakt_geloest"]),
        "revision": int(d.get("revision", 0)),
        "ordner": row.ordner,
    }


_SENDER = ("name", "email", "telefon", "anschrift")
_KANAL = {k.value: k.value for k in Kanal}  # the enums' checks without an enum call per row
_DRINGLICHKEIT = {d.value: d.value for d in Dringlichkeit}


def _iso_time(value: Any) -> str | None:
    return datetime.fromisoformat(value).isoformat() if value else None


def _iso_date(value: Any) -> str | None:
    return date.fromisoformat(value).isoformat() if value else None


def weiterleitung_json(w: Weiterleitung) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in dataclasses.asdict(w).items()}


def vorgang_detail_json(v: Vorgang, verlauf: list[HistoryEntry]) -> dict[str, Any]:
    data = vorgang_json(v)
    folder = v.ordner
    assert folder is not None
    data["nachrichten"] = [
        {
            "datei": str(folder / NACHRICHTEN_DIR / n.datei),
            "text_datei": str(folder / NACHRICHTEN_DIR / n.text_datei) if n.text_datei else None,
            "richtung": n.richtung,
            "zeit": n.zeit.isoformat(),
            "kanal": n.kanal,
            "von": n.von,
            "betreff": n.betreff,
            "message_id": n.message_id,
            "automatisch": n.automatisch,
            "anlagen": [str(folder / ANLAGEN_DIR / a) for a in n.anlagen],
        }
        for n in v.nachrichten
    ]
    data["dateien"] = {
        sub: sorted(p.name for p in (folder / sub).iterdir()) if (folder / sub).is_dir() else []
        for sub in (NACHRICHTEN_DIR, ANLAGEN_DIR, AUSGANG_DIR)
    }
    data["verlauf"] = [
        {"zeit": e.zeit.isoformat(), "benutzer": e.benutzer, "aktion": e.aktion, "details": e.details} for e in verlauf
    ]
    return data


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_json_list(items: Iterable[dict[str, Any]]) -> None:
    """A JSON array written item by item, one compact object per line: ``liste --alle --json`` over
    100,000 Vorgänge starts at once, never holds them all, and uses json's fast C encoder."""
    out = click.get_text_stream("stdout")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    chunk: list[str] = []
    first = True
    for item in items:
        chunk.append(("[\n  " if first else ",\n  ") + encode(item))
        first = False
        if len(chunk) >= 500:
            out.write("".join(chunk))
            chunk.clear()
    chunk.append("[]\n" if first else "\n]\n")
    out.write("".join(chunk))
    out.flush()


def frist_zelle(v: Vorgang, heute: date) -> str:
    """``15.12.2026`` or ``15.12.2026!`` when overdue (open Vorgänge only)."""
    if v.frist is None:
        return ""
    return f"{v.frist:%d.%m.%Y}" + ("!" if v.status.is_open and v.frist < heute else "")


def weiterleitung_zelle(v: Vorgang, jetzt: datetime, zone: tzinfo | None = None) -> str:
    """``14.01. 11:00!``: the earliest open deadline of the forwardings ("!" when overdue), "" if none."""
    from ..operations.fristen import naechste_weiterleitungsfrist, ueberschritten

    bis = naechste_weiterleitungsfrist(v)
    if bis is None:
        return ""
    return f"{in_office(bis, zone):%d.%m. %H:%M}" + ("!" if ueberschritten(bis, jetzt) else "")


def weiterleitung_fristen(v: Vorgang, jetzt: datetime, zone: tzinfo | None = None) -> str:
    """``Rückmeldung bis 14.01. 11:00 (überfällig) · Antwort der Stelle bis 15.01. 17:00``: the open
    deadlines of the forwardings (forwarded more than once: the earliest of each); "" if none is open."""
    from ..operations.fristen import antwort_bis, rueckmeldung_bis, ueberschritten

    parts = []
    for label, bis in (("Rückmeldung bis", rueckmeldung_bis(v)), ("Antwort der Stelle bis", antwort_bis(v))):
        if bis is not None:
            over = " (überfällig)" if ueberschritten(bis, jetzt) else ""
            parts.append(f"{label} {in_office(bis, zone):%d.%m. %H:%M}{over}")
    return " · ".join(parts)


def echo_table(
    vorgaenge: Iterable[Vorgang],
    jetzt: datetime | None = None,
    *,
    zone: tzinfo | None = None,
    details: Callable[[Vorgang], list[str]] | None = None,
    weiterleitung_spalte: bool = False,
) -> int:
    """The worklist; times in the office's zone ``zone`` (as in the register). Under a row: its markers, then
    the open deadlines of its forwardings, or instead the lines of ``details`` (``liste --faellig``: what is due).
    ``weiterleitung_spalte``: a column "Weiterl. bis" with the earliest open forwarding deadline ("!" when
    overdue) – only when a listed Vorgang has one, so the usual list keeps its width."""
    width = shutil.get_terminal_size((120, 20)).columns
    jetzt = jetzt or system_clock()
    heute = jetzt.date()
    spalte = f"{'Weiterl. bis':<13} " if weiterleitung_spalte else ""
    header = (
        f"{'Aktenzeichen':<16} {'Status':<14} {'Dringl.':<8} {'Eingang':<16} {'Frist':<11} {spalte}"
        f"{'Absender':<22} Betreff"
    )
    click.echo(header)
    click.echo("-" * min(width, len(header) + 30))
    count = 0
    for v in vorgaenge:
        count += 1
        marks = merker(v, heute)
        line = (
            f"{v.aktenzeichen:<16} {v.status.label:<14} {v.dringlichkeit.label:<8} "
            f"{in_office(v.eingang, zone):%d.%m.%Y %H:%M} {frist_zelle(v, heute):<11} "
            + (f"{weiterleitung_zelle(v, jetzt, zone):<13} " if weiterleitung_spalte else "")
            + f"{_cut(v.absender.display(), 22):<22} "
            + v.betreff
        )
        if v.bearbeiter:
            line += f"  [{v.bearbeiter}]"
        click.echo(_cut(line, max(width, 60)))
        if marks:  # on a line of its own, so a long subject never hides them
            click.echo(_cut(f"{'':<16} > {marks}", max(width, 60)))
        if details is not None:  # liste --faellig: what is due (includes an overdue forwarding deadline)
            for line in details(v):
                click.echo(_cut(f"{'':<16} > {line}", max(width, 60)))
        elif v.weiterleitungen and (deadlines := weiterleitung_fristen(v, jetzt, zone)):  # which deadline is which
            click.echo(_cut(f"{'':<16} > {deadlines}", max(width, 60)))
    return count


def _message_lines(body: str, voll: bool) -> list[str]:
    lines = [line.rstrip() for line in body.splitlines()]
    if voll:
        return lines
    shown = [line for line in lines if line.strip()][:PREVIEW_LINES]
    if len([line for line in lines if line.strip()]) > PREVIEW_LINES:
        shown.append("… (ganzer Text: zeige --voll)")
    return shown


def echo_detail(
    v: Vorgang,
    verlauf: list[HistoryEntry],
    extra: list[tuple[str, str]] | None = None,
    *,
    voll: bool = False,
    jetzt: datetime | None = None,
    zone: tzinfo | None = None,
) -> None:
    jetzt = jetzt or system_clock()
    if v.gesperrt:
        click.echo(f"ACHTUNG: Vorgang gesperrt (Art. 18 DSGVO): {v.gesperrt}. Nur lesen, nicht bearbeiten.\n")

    rows = [
        ("Aktenzeichen", v.aktenzeichen),
        ("Betreff", v.betreff),
        ("Status", v.status.label),
        ("Kanal", v.kanal.label),
        ("Eingang", f"{in_office(v.eingang, zone):%d.%m.%Y %H:%M}"),
        ("Absender", v.absender.display()),
        ("Telefon", v.absender.telefon),
        ("Anschrift", v.absender.anschrift.replace("\n", "\n" + " " * 15)),
        ("Dringlichkeit", v.dringlichkeit.label),
        ("Bearbeiter", v.bearbeiter or "—"),
        ("Frist", (frist_zelle(v, jetzt.date()).replace("!", " (überschritten)")) if v.frist else "—"),
        ("Wiedervorlage", _wiedervorlage(v)),
        ("Kategorie", v.kategorie),
        ("Verknüpft", ", ".join(v.verknuepft)),
        *(extra or []),
        ("Ordner", str(v.ordner)),
    ]
    for label, value in rows:
        if value:
            click.echo(f"{label + ':':<15}{value}")
    for w in v.weiterleitungen:
        click.echo("")
        for line in weiterleitung_zeilen(w, jetzt, zone):
            click.echo(line)
    folder = v.ordner
    assert folder is not None
    click.echo(f"\nNachrichten ({len(v.nachrichten)}):")
    for n in v.nachrichten:
        auto = " [automatisch]" if n.automatisch else ""
        click.echo(f"  {in_office(n.zeit, zone):%d.%m.%Y %H:%M}  {n.richtung:<8} {n.datei}{auto}")
        for anlage in n.anlagen:
            click.echo(f"      Anlage: {anlage}")
        for line in _message_lines(message_text(folder, n), voll):
            click.echo(f"      │ {line}")
    click.echo(f"\nVerlauf ({len(verlauf)}):")
    for e in verlauf:
        details = e.details.replace("\n", " / ")
        click.echo(f"  {in_office(e.zeit, zone):%d.%m.%Y %H:%M}  {e.benutzer:<12} {e.aktion}: {details}")


def _wiedervorlage(v: Vorgang) -> str:
    if v.wiedervorlage is None:
        return ""
    return f"{v.wiedervorlage:%d.%m.%Y}" + (f" – {v.wiedervorlage_grund}" if v.wiedervorlage_grund else "")


def weiterleitung_zeilen(w: Weiterleitung, jetzt: datetime, zone: tzinfo | None = None) -> list[str]:
    """How ``zeige`` shows one forwarding: where, since when, both deadlines and their state; times in the
    office's zone ``zone`` (a forwarding made on a PC or server in another zone reads the same)."""
    from ..operations.fristen import ueberschritten

    def t(value: datetime) -> str:
        return f"{in_office(value, zone):%d.%m.%Y %H:%M}"

    weg = "per E-Mail an " + w.adresse if w.weg == "email" else "in deren Ablage " + w.ziel_ablage
    lines = [f"Weitergeleitet an {w.stelle_name} am {t(w.zeit)} ({weg})"]
    if w.ziel_status:
        seit = f" seit {t(w.ziel_status_seit)}" if w.ziel_status_seit else ""
        ziel = f" (dort {w.ziel_aktenzeichen})" if w.ziel_aktenzeichen else ""
        lines.append(f"  bei {w.stelle_name}: {_status_label(w.ziel_status)}{seit}{ziel}")
    elif w.weg == "ablage" and w.offen:
        lines.append(f"  bei {w.stelle_name}: noch nicht übernommen (liegt im Einwurf)")
    if w.rueckmeldung is not None:
        zeit = "rechtzeitig" if w.rueckmeldung_rechtzeitig else "zu spät"
        lines.append(f"  Rückmeldung an Bürger: am {t(w.rueckmeldung)} ({zeit})")
    else:
        over = " – ÜBERFÄLLIG" if ueberschritten(w.rueckmeldung_bis, jetzt) else ""
        lines.append(f"  Rückmeldung an Bürger bis: {t(w.rueckmeldung_bis)}{over}")
    if w.antwort is not None:
        lines.append(f"  Antwort der Stelle: am {t(w.antwort)} ({_WIE.get(w.antwort_wie, w.antwort_wie)})")
    else:
        over = " – ÜBERFÄLLIG" if ueberschritten(w.antwort_bis, jetzt) else ""
        lines.append(f"  Antwort der Stelle bis: {t(w.antwort_bis)}{over}")
    return lines


_WIE = {"email": "per E-Mail", "zurueck": "telefonisch/persönlich", "ablage": "in deren Ablage erledigt"}


def _status_label(keyword: str) -> str:
    from ..models import Status

    try:
        return Status(keyword).label
    except ValueError:
        return keyword


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
