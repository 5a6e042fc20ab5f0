"""Forwarding a Vorgang to a Stelle (2nd level) and tracking it: ``weiterleiten``, ``zurueck``, Rückmeldung.

Two ways to a Stelle:

- **by mail** (``[stellen.KEY] email``): a mail from the template ``weiterleitung_intern`` with the
  Aktenzeichen in the subject; it is stored as an outgoing message of the Vorgang, so the Stelle's
  reply threads back by In-Reply-To/References (or the ``[Az. …]`` tag: the Stelle's address is a known
  sender of the Vorgang) and is recorded as "Antwort der Fachabteilung" (see ``fristen.folgenachricht``).
- **into the Stelle's own Ablage** (``[stellen.KEY] ablage``): a folder dropped into its ``0 Einwurf``
  (the same intake path as every scan); its Vorgang there is looked up by the Aktenzeichen in its
  subject, and its status is shown here (:func:`ablage_abgleichen`).

Each forwarding is a :class:`~buero_ticket.models.Weiterleitung` with two deadlines in service hours:
"Rückmeldung an Bürger bis" ([servicezeiten] rueckmeldung_servicestunden, D115: 24) and "Antwort der
Stelle bis" (the Stelle's ``antwort_servicestunden``). Order of work: everything that can fail on the
clerk's input is checked before anything is sent or written.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import fristen_config
from ..datum import format_zeitpunkt
from ..errors import BueroTicketError, EingabeFehler
from ..fileio import TEMP_PREFIX, atomic_write_bytes
from ..fristen_config import Stelle
from ..models import HistoryEntry, Kanal, Outgoing, Status, Vorgang, Weiterleitung
from ..names import safe_name
from ..settings.fristen import Servicezeiten
from ..store import ANLAGEN_DIR, AUSGANG_DIR, NACHRICHTEN_DIR, message_text
from .context import Context

if TYPE_CHECKING:
    from ..antwort.vorlagen import Vorlage

ANLAGEN_ALLE = "alle"
ANLAGEN_KEINE = "keine"
DROP_PREFIX = "Weiterleitung"


@dataclass(frozen=True)
class WeiterleitenResult:
    vorgang: Vorgang
    weiterleitung: Weiterleitung
    ziel: str  # the address or the drop folder
    datei: Path | None  # the stored mail (.eml) or the drop folder
    informiert: str = ""  # how the citizen was told ("" = not asked)
    hinweis: str = ""  # a problem informing the citizen (the forwarding itself is done)


# --- weiterleiten --------------------------------------------------------------------------------


def weiterleiten(
    ctx: Context,
    az: str,
    an: str,
    *,
    text: str = "",
    anlagen: Sequence[str] = (ANLAGEN_ALLE,),
    buerger_informieren: bool = False,
    env: Mapping[str, str] = os.environ,
) -> WeiterleitenResult:
    """Forward Vorgang ``az`` to the Stelle ``an`` (key or name); it then waits ("Wartet", ``bei_stelle``)."""
    stelle = fristen_config.stelle(ctx.settings, an)
    vorgang = ctx.store.get(az)
    if not vorgang.status.is_open:
        raise EingabeFehler(
            f"Vorgang {vorgang.aktenzeichen} ist „{vorgang.status.label}“ und kann nicht weitergeleitet werden.",
            f"Öffnen Sie ihn erst wieder: buero-ticket status {vorgang.aktenzeichen} in-bearbeitung",
        )
    files = _attachments(vorgang, anlagen)
    anliegen = _request_text(vorgang) or vorgang.betreff  # the request itself; ``text`` is the clerk's note
    jetzt = ctx.clock()
    kalender = fristen_config.kalender(ctx.settings)
    stunden = ctx.settings.section(Servicezeiten).rueckmeldung_servicestunden
    record = Weiterleitung(
        stelle=stelle.key,
        stelle_name=stelle.name,
        weg="ablage" if stelle.ablage else "email",
        zeit=jetzt,
        rueckmeldung_bis=kalender.plus_stunden(jetzt, stunden),
        antwort_bis=kalender.plus_stunden(jetzt, stelle.antwort_servicestunden),
        adresse=parseaddr(stelle.email)[1].lower(),
        ziel_ablage=stelle.ablage,
    )
    if stelle.ablage:
        ziel, datei = _drop_into_ablage(ctx, vorgang, stelle, record, anliegen, text.strip(), files)
    else:
        ziel, datei, record.message_id = _send_mail(ctx, vorgang, stelle, record, anliegen, text.strip(), files, env)
    vorgang = _record(ctx, vorgang.aktenzeichen, record, f"an {stelle.name} ({ziel})")
    informiert, hinweis = "", ""
    if buerger_informieren:
        informiert, hinweis = _inform_citizen(ctx, vorgang, stelle, env)
        vorgang = ctx.store.get(vorgang.aktenzeichen)
    return WeiterleitenResult(vorgang, record, ziel, datei, informiert, hinweis)


def _record(ctx: Context, az: str, record: Weiterleitung, where: str) -> Vorgang:
    def change(v: Vorgang) -> list[HistoryEntry]:
        v.weiterleitungen.append(record)
        return [
            ctx.entry(
                "Weitergeleitet",
                f"{where}; Rückmeldung an Bürger bis {format_zeitpunkt(record.rueckmeldung_bis)}, "
                f"Antwort der Stelle bis {format_zeitpunkt(record.antwort_bis)}",
            )
        ]

    vorgang = ctx.store.update(az, change)
    if vorgang.status is not Status.WARTET:
        vorgang = ctx.store.set_status(az, Status.WARTET, grund=f"bei {record.stelle_name}")
    return vorgang


def _attachments(vorgang: Vorgang, anlagen: Sequence[str]) -> list[tuple[str, bytes]]:
    """The files to pass on: ``alle`` (every file in Anlagen), ``keine``, or names/paths (Anlagen, Ausgang)."""
    assert vorgang.ordner is not None
    wanted = [a for a in anlagen if a]
    if not wanted or wanted == [ANLAGEN_KEINE]:
        return []
    if wanted == [ANLAGEN_ALLE]:
        folder = vorgang.ordner / ANLAGEN_DIR
        return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()] if folder.is_dir() else []
    found: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for name in wanted:
        path = Path(name)
        candidates = [path] if path.is_absolute() else [path, vorgang.ordner / ANLAGEN_DIR / name]
        candidates += [] if path.is_absolute() else [vorgang.ordner / AUSGANG_DIR / name]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            problems.append(f"{name}: nicht gefunden (weder als Pfad noch in {ANLAGEN_DIR} oder {AUSGANG_DIR})")
        else:
            found.append((safe_name(hit.name), hit.read_bytes()))
    if problems:
        raise EingabeFehler(
            "Anlagen fehlen; es wurde nichts weitergeleitet.",
            "Prüfen Sie die Namen hinter --anlagen ('buero-ticket zeige AZ' listet die Dateien) "
            "oder geben Sie --anlagen alle bzw. --anlagen keine an.",
            problems=problems,
        )
    return found


def _request_text(vorgang: Vorgang) -> str:
    """The text of the first incoming message (the request itself)."""
    assert vorgang.ordner is not None
    first = next((n for n in vorgang.nachrichten if n.richtung == "eingang" and n.text_datei), None)
    return message_text(vorgang.ordner, first) if first else ""


def _send_mail(
    ctx: Context,
    vorgang: Vorgang,
    stelle: Stelle,
    record: Weiterleitung,
    anliegen: str,
    hinweis: str,
    files: list[tuple[str, bytes]],
    env: Mapping[str, str],
) -> tuple[str, Path, str]:
    from ..antwort import kontext, nachricht, render, smtp, versand, vorlagen

    store = ctx.store
    cfg = smtp.smtp_config(store.ablage.config)  # checked before anything is written
    password = smtp.read_password(cfg, env) if cfg.benutzer else ""
    template = vorlagen.find(store.ablage.vorlagen_dir, "weiterleitung_intern", vorlagen.EMAIL)
    fields = {
        "stelle": stelle.name,
        "anliegen": anliegen,
        "antwort_bis": format_zeitpunkt(record.antwort_bis) + " Uhr",
        "rueckmeldung_bis": format_zeitpunkt(record.rueckmeldung_bis) + " Uhr",
    }
    if hinweis:
        fields["hinweis"] = hinweis
    context = kontext.build(vorgang, store.ablage.config, fields, today=ctx.clock().date())
    vorlage_vollstaendig(template, context, "stelle, anliegen, antwort_bis, rueckmeldung_bis, hinweis (--text)")
    rendered = render.render_email(template, context)
    von = versand.sender(store)
    mail = nachricht.OutgoingMail(
        absender=von,
        to=nachricht.Recipient(stelle.name, parseaddr(stelle.email)[1]),
        betreff=nachricht.with_tag(rendered.betreff, vorgang.aktenzeichen),
        text=rendered.text,
        message_id=nachricht.new_message_id(vorgang.aktenzeichen, von),
        anlagen=files,
    )
    raw = nachricht.serialise(nachricht.build(mail))
    smtp.send(cfg, raw, [mail.to.address], password=password)
    stored = store.add_message(
        vorgang.aktenzeichen,
        Outgoing(
            kanal=Kanal.EMAIL,
            zeit=ctx.clock(),
            von=von,
            betreff=mail.betreff,
            text=mail.text,
            original=("eml", raw),
            message_id=mail.message_id,
            hinweis=f"Weiterleitung an {stelle.name} <{mail.to.address}>",
        ),
        "E-Mail an Fachabteilung gesendet",
        f"an {stelle.name} <{mail.to.address}>, Betreff „{mail.betreff}“, {len(files)} Anlagen",
    )
    assert stored.ordner is not None
    return mail.to.address, stored.ordner / NACHRICHTEN_DIR / stored.nachrichten[-1].datei, mail.message_id


# --- into the Stelle's own Ablage ----------------------------------------------------------------


def vorlage_vollstaendig(template: Vorlage, context: dict[str, Any], gesetzt: str) -> None:
    """Fields the program sets itself: an office's own template may leave any of them out, but one that uses a
    field the program does not set is an error of the template (there is no --feld to give it)."""
    from ..antwort import render

    try:
        render.ensure_complete([template], context, ())
    except render.MissingFields as exc:
        hint = ": mit --feld"  # the answer commands' advice; here the template must change instead
        problems = [p.split(hint, 1)[0] + (" – wird hier nicht gesetzt" if hint in p else "") for p in exc.problems]
        raise render.VorlagenFehler(
            f"Die Vorlage „{template.name}“ ({template.path}) verwendet Felder, die buero-ticket hier nicht setzt; "
            "es wurde nichts gesendet.",
            f"Hier gesetzt werden: {gesetzt}. Korrigieren Sie die Vorlage im Ordner „Vorlagen“ (ein freiwilliges "
            "Feld mit {% if feld is defined %} … {% endif %}) und prüfen Sie sie mit 'buero-ticket vorlagen pruefen'.",
            problems=problems,
        ) from None


def _stelle_ablage(stelle: Stelle) -> object:
    from ..ablage import open_ablage

    try:
        return open_ablage(Path(stelle.ablage))
    except BueroTicketError as exc:
        raise EingabeFehler(
            f"Die Ablage von {stelle.name} ({stelle.ablage}) ist nicht erreichbar: {exc.text}",
            "Prüfen Sie [stellen." + stelle.key + "] ablage in buero-ticket.toml und ob das Laufwerk verbunden ist.",
        ) from None


def drop_name(vorgang: Vorgang) -> str:
    """The drop folder's name: it becomes the subject there and carries our Aktenzeichen (not at the start)."""
    subject = " ".join(vorgang.betreff.replace(".", " ").split())[:60]
    return safe_name(f"{DROP_PREFIX} {vorgang.aktenzeichen} {subject}".strip())


def _drop_into_ablage(
    ctx: Context,
    vorgang: Vorgang,
    stelle: Stelle,
    record: Weiterleitung,
    anliegen: str,
    hinweis: str,
    files: list[tuple[str, bytes]],
) -> tuple[str, Path]:
    from ..ablage import Ablage

    ablage = _stelle_ablage(stelle)
    assert isinstance(ablage, Ablage)
    einwurf = ablage.einwurf_dir
    amt = ctx.settings.amt.name
    letter = "\n".join(
        [
            f"Weitergeleitet von {amt} am {format_zeitpunkt(record.zeit)}",
            f"Aktenzeichen dort: {vorgang.aktenzeichen}",
            f"Betreff: {vorgang.betreff}",
            f"Von: {vorgang.absender.display() or 'unbekannt'}"
            + (f", Telefon {vorgang.absender.telefon}" if vorgang.absender.telefon else ""),
            f"Antwort erbeten bis: {format_zeitpunkt(record.antwort_bis)}",
            *([f"Hinweis: {hinweis}"] if hinweis else []),
            "",
            "Anliegen:",
            anliegen,
            "",
        ]
    )
    name = drop_name(vorgang)
    final = einwurf / name
    number = 2
    while final.exists():
        final = einwurf / f"{name} ({number})"
        number += 1
    # assembled invisibly beside the Einwurf's scan (a temp name it ignores), then renamed in one step
    tmp = einwurf / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}.tmp"
    tmp.mkdir(parents=True)
    try:
        atomic_write_bytes(tmp / "Weiterleitung.txt", letter.encode("utf-8"))
        for file_name, data in files:
            atomic_write_bytes(tmp / safe_name(file_name), data, overwrite=False)
        os.replace(tmp, final)
    except BaseException:
        for leftover in tmp.glob("*"):
            leftover.unlink()
        tmp.rmdir()
        raise
    return str(final), final


def in_anderer_ablage(vorgang: Vorgang) -> bool:
    """An open forwarding into a Stelle's own Ablage: its state there is looked up by ablage_abgleichen."""
    return any(w.weg == "ablage" and w.offen for w in vorgang.weiterleitungen)


def ablagen_abgleichen(ctx: Context, vorgaenge: Iterable[Vorgang]) -> list[Vorgang]:
    """Every Vorgang with an open forwarding into another Ablage brought up to date; the others as they are."""
    return [ablage_abgleichen(ctx, v.aktenzeichen) if in_anderer_ablage(v) else v for v in vorgaenge]


def ablage_abgleichen(ctx: Context, az: str) -> Vorgang:
    """Look up forwardings into other Ablagen: their Vorgang's status there; done there = answered here."""
    vorgang = ctx.store.get(az)
    updates: dict[int, tuple[str, str, datetime | None]] = {}
    for number, w in enumerate(vorgang.weiterleitungen):
        if w.weg != "ablage" or not w.ziel_ablage:
            continue
        found = _find_there(Path(w.ziel_ablage), vorgang.aktenzeichen, w.ziel_aktenzeichen)
        if found is not None:
            updates[number] = found
    if not updates:
        return vorgang

    def change(v: Vorgang) -> list[HistoryEntry]:
        lines: list[HistoryEntry] = []
        for number, (ziel_az, status, seit) in updates.items():
            if number >= len(v.weiterleitungen):
                continue
            w = v.weiterleitungen[number]
            if (w.ziel_aktenzeichen, w.ziel_status, w.ziel_status_seit) == (ziel_az, status, seit):
                continue
            w.ziel_aktenzeichen, w.ziel_status, w.ziel_status_seit = ziel_az, status, seit
            label = Status(status).label
            lines.append(ctx.entry("Stand bei der Fachabteilung", f"{w.stelle_name}: {label} (dort {ziel_az})"))
            if status in (Status.ERLEDIGT.value, Status.ARCHIV.value) and w.offen:
                w.antwort, w.antwort_wie = seit or ctx.clock(), "ablage"
                v.neue_nachricht = v.neue_nachricht or ctx.clock()
                lines.append(ctx.entry("Antwort der Fachabteilung", f"{w.stelle_name}: dort erledigt"))
        return lines

    vorgang = ctx.store.update(az, change, gesehen=False)
    answered = any(s in (Status.ERLEDIGT.value, Status.ARCHIV.value) for _a, s, _t in updates.values())
    if answered and vorgang.status is Status.WARTET:
        vorgang = ctx.store.set_status(az, Status.IN_BEARBEITUNG, grund="Fachabteilung fertig", gesehen=False)
    return vorgang


def _find_there(root: Path, our_az: str, known_az: str) -> tuple[str, str, datetime | None] | None:
    """(Aktenzeichen there, status keyword, since when) of the Vorgang our drop became, or None."""
    from ..ablage import open_ablage
    from ..history import read_history
    from ..index import Index
    from ..store import Store

    try:
        ablage = open_ablage(root)
    except BueroTicketError:
        return None  # the other share is not reachable now: the last known state stays
    store = Store(ablage)
    index = Index(store)
    try:
        index.refresh()
        match: Vorgang | None = None
        for v in index.alle():
            if (known_az and v.aktenzeichen == known_az) or (not known_az and our_az in v.betreff):
                match = v
                break
    finally:
        index.close()
    if match is None or match.ordner is None:
        return None
    since: datetime | None = match.eingang
    for entry in read_history(match.ordner):
        if entry.aktion.startswith("Statuswechsel"):
            since = entry.zeit
    return match.aktenzeichen, match.status.value, since


# --- the citizen ---------------------------------------------------------------------------------


def _inform_citizen(ctx: Context, vorgang: Vorgang, stelle: Stelle, env: Mapping[str, str]) -> tuple[str, str]:
    """The existing ``weiterleitung`` message: by mail when there is an address, else as a letter."""
    from . import antwort

    fields = {"stelle": stelle.name}
    try:
        if vorgang.absender.email or any(n.kanal == Kanal.EMAIL.value for n in vorgang.nachrichten):
            sent = antwort.send_reply(ctx, vorgang.aktenzeichen, "weiterleitung", fields, senden=True, env=env)
            return f"E-Mail an {sent.to}", ""
        letter = antwort.file_letter(ctx, vorgang.aktenzeichen, "weiterleitung", fields, pdf=False, env=env)
        return f"Brief {letter.docx.name} (bitte ausdrucken und versenden)", ""
    except BueroTicketError as exc:
        return "", f"Die Bürgerin / der Bürger wurde NICHT informiert: {exc.text} {exc.hinweis}".strip()


def rueckmeldung_vermerken(v: Vorgang, zeit: datetime, wie: str, benutzer: str) -> list[HistoryEntry]:
    """Inside a change: an outgoing message to the citizen counts as Rückmeldung for open forwardings.

    Returns history lines ("Rückmeldung an Bürger: rechtzeitig/zu spät"). Called by the answer mail,
    the letter and ``notiz --rueckmeldung``.
    """
    from .. import history

    lines: list[HistoryEntry] = []
    for w in v.weiterleitungen:
        if w.rueckmeldung is not None or zeit < w.zeit:
            continue
        w.rueckmeldung = zeit
        w.rueckmeldung_rechtzeitig = zeit <= w.rueckmeldung_bis
        state = "rechtzeitig" if w.rueckmeldung_rechtzeitig else "zu spät"
        details = f"{wie} nach Weiterleitung an {w.stelle_name}: {state} (bis {format_zeitpunkt(w.rueckmeldung_bis)})"
        lines.append(history.entry("Rückmeldung an Bürger", details, zeit=zeit, benutzer=benutzer))
    return lines


def rueckmeldung_notiz(ctx: Context, az: str, text: str) -> Vorgang:
    """``notiz --rueckmeldung``: a phone call or conversation with the citizen, recorded as Rückmeldung."""
    jetzt = ctx.clock()

    def change(v: Vorgang) -> list[HistoryEntry]:
        return [ctx.entry("Notiz (Rückmeldung an Bürger)", text), *rueckmeldung_vermerken(v, jetzt, "Notiz", ctx.user)]

    return ctx.store.update(az, change)


def zurueck(ctx: Context, az: str, *, stelle: str = "", notiz: str = "") -> Vorgang:
    """The Stelle answered by phone or in person: its forwarding is closed, the Vorgang back in the worklist."""
    vorgang = ctx.store.get(az)
    open_ones = [w for w in vorgang.weiterleitungen if w.offen]
    if stelle:
        wanted = fristen_config.stelle(ctx.settings, stelle).key if fristen_config.stellen(ctx.settings) else stelle
        open_ones = [w for w in open_ones if w.stelle == wanted or w.stelle_name.casefold() == stelle.casefold()]
    if not open_ones:
        raise EingabeFehler(
            f"Vorgang {vorgang.aktenzeichen} ist bei keiner Stelle"
            + (f" „{stelle}“" if stelle else "")
            + " offen weitergeleitet.",
            f"'buero-ticket zeige {vorgang.aktenzeichen}' zeigt die Weiterleitungen.",
        )
    if len(open_ones) > 1 and not stelle:
        names = ", ".join(w.stelle_name for w in open_ones)
        raise EingabeFehler(
            f"Vorgang {vorgang.aktenzeichen} ist bei mehreren Stellen: {names}.",
            f"Geben Sie an, welche geantwortet hat: buero-ticket zurueck {vorgang.aktenzeichen} --von STELLE",
        )
    jetzt = ctx.clock()
    keys = {w.stelle for w in open_ones}

    def change(v: Vorgang) -> list[HistoryEntry]:
        lines = []
        for w in v.weiterleitungen:
            if w.offen and w.stelle in keys:
                w.antwort, w.antwort_wie = jetzt, "zurueck"
                rechtzeitig = "rechtzeitig" if jetzt <= w.antwort_bis else "nach der Frist"
                lines.append(
                    ctx.entry("Antwort der Fachabteilung", f"{w.stelle_name}, telefonisch/persönlich ({rechtzeitig})")
                )
        if notiz:
            lines.append(ctx.entry("Notiz", notiz))
        return lines

    vorgang = ctx.store.update(az, change)
    if vorgang.status is Status.WARTET and not vorgang.bei_stelle:
        vorgang = ctx.store.set_status(az, Status.IN_BEARBEITUNG, grund="Antwort der Fachabteilung")
    return vorgang


def overdue_hours(ctx: Context, since: datetime, until: datetime) -> timedelta:
    """Service time between two moments (for "at most once per N service hours")."""
    return fristen_config.kalender(ctx.settings).zwischen(since, until)
