"""Output for people (German tables) and scripts (stable JSON fields, see README)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..models import HistoryEntry, Nachricht, Vorgang
from ..store import ANLAGEN_DIR, AUSGANG_DIR, NACHRICHTEN_DIR

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
        "verknuepft": v.verknuepft,
        "revision": v.revision,
        "ordner": str(v.ordner) if v.ordner else None,
    }


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


def echo_table(vorgaenge: Iterable[Vorgang]) -> int:
    width = shutil.get_terminal_size((120, 20)).columns
    header = f"{'Aktenzeichen':<16} {'Status':<14} {'Dringl.':<8} {'Eingang':<16} {'Absender':<22} Betreff"
    click.echo(header)
    click.echo("-" * min(width, len(header) + 30))
    count = 0
    for v in vorgaenge:
        count += 1
        line = (
            f"{v.aktenzeichen:<16} {v.status.label:<14} {v.dringlichkeit.label:<8} "
            f"{v.eingang:%d.%m.%Y %H:%M} {_cut(v.absender.display(), 22):<22} {v.betreff}"
        )
        if v.bearbeiter:
            line += f"  [{v.bearbeiter}]"
        click.echo(_cut(line, max(width, 60)))
    return count


def message_body(folder: Path, nachricht: Nachricht) -> str:
    """The readable text of a stored message (without the head lines of our own text files)."""
    if not nachricht.text_datei:
        return ""
    try:
        text = (folder / NACHRICHTEN_DIR / nachricht.text_datei).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    head, sep, body = text.partition("\n\n")
    if sep and all(": " in line for line in head.splitlines()):
        text = body
    return text.strip()


def _message_lines(body: str, voll: bool) -> list[str]:
    lines = [line.rstrip() for line in body.splitlines()]
    if voll:
        return lines
    shown = [line for line in lines if line.strip()][:PREVIEW_LINES]
    if len([line for line in lines if line.strip()]) > PREVIEW_LINES:
        shown.append("… (ganzer Text: zeige --voll)")
    return shown


def echo_detail(
    v: Vorgang, verlauf: list[HistoryEntry], extra: list[tuple[str, str]] | None = None, *, voll: bool = False
) -> None:
    if v.gesperrt:
        click.echo(f"ACHTUNG: Vorgang gesperrt (Art. 18 DSGVO): {v.gesperrt}. Nur lesen, nicht bearbeiten.\n")

    rows = [
        ("Aktenzeichen", v.aktenzeichen),
        ("Betreff", v.betreff),
        ("Status", v.status.label),
        ("Kanal", v.kanal.label),
        ("Eingang", f"{v.eingang:%d.%m.%Y %H:%M}"),
        ("Absender", v.absender.display()),
        ("Telefon", v.absender.telefon),
        ("Anschrift", v.absender.anschrift.replace("\n", "\n" + " " * 15)),
        ("Dringlichkeit", v.dringlichkeit.label),
        ("Bearbeiter", v.bearbeiter or "—"),
        ("Frist", f"{v.frist:%d.%m.%Y}" if v.frist else "—"),
        ("Verknüpft", ", ".join(v.verknuepft)),
        ("Kategorie", v.kategorie),
        *(extra or []),
        ("Ordner", str(v.ordner)),
    ]
    for label, value in rows:
        if value:
            click.echo(f"{label + ':':<15}{value}")
    folder = v.ordner
    assert folder is not None
    click.echo(f"\nNachrichten ({len(v.nachrichten)}):")
    for n in v.nachrichten:
        auto = " [automatisch]" if n.automatisch else ""
        click.echo(f"  {n.zeit:%d.%m.%Y %H:%M}  {n.richtung:<8} {n.datei}{auto}")
        for anlage in n.anlagen:
            click.echo(f"      Anlage: {anlage}")
        for line in _message_lines(message_body(folder, n), voll):
            click.echo(f"      │ {line}")
    click.echo(f"\nVerlauf ({len(verlauf)}):")
    for e in verlauf:
        details = e.details.replace("\n", " / ")
        click.echo(f"  {e.zeit:%d.%m.%Y %H:%M}  {e.benutzer:<12} {e.aktion}: {details}")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
