"""``erinnern``: one German mail per person with what is due or overdue, one to the team mailbox for the
unassigned, and a polite reminder to a Stelle whose answer is overdue (for a daily scheduled task).

Nothing is sent twice for the same item on the same day: what went out is noted per day in
``.buero-ticket/erinnerungen/JJJJ-MM-TT.txt`` (one key a line, written after each mail). A Stelle gets
at most one reminder per ``[servicezeiten] erinnerung_stelle_servicestunden`` service hours (the time of
the last one is kept with the forwarding in the Vorgang).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path

from .. import fristen_config
from ..datum import format_datum, format_zeitpunkt
from ..errors import BueroTicketError
from ..fileio import atomic_write_text
from ..models import HistoryEntry, Kanal, Outgoing, Vorgang, Weiterleitung
from ..ortszeit import in_office, office_zone
from ..settings.fristen import Fristen, Servicezeiten
from .context import Context
from .fristen import Faelligkeit, faelligkeiten, ueberschritten

LEDGER_DIR = "erinnerungen"
TEAM = "Team"


@dataclass
class Mail:
    """One reminder: to whom, what, and the keys of the items it names."""

    an: str  # address
    name: str  # person, "Team" or the Stelle
    betreff: str
    text: str
    schluessel: list[str] = field(default_factory=list)
    vorgang: str = ""  # for a Stelle reminder: the Vorgang it is filed in
    stelle: str = ""
    message_id_antwort: str = ""  # the forwarding mail it answers (threading)


@dataclass
class ErinnernResult:
    mails: list[Mail] = field(default_factory=list)
    gesendet: int = 0
    schon_erinnert: int = 0  # items left out: already reminded today
    ohne_adresse: list[str] = field(default_factory=list)  # people without an address: went to the team
    fehler: list[str] = field(default_factory=list)


def _ledger(ctx: Context, day: datetime) -> Path:
    return ctx.store.ablage.state_dir / LEDGER_DIR / f"{day:%Y-%m-%d}.txt"


def _already(path: Path) -> set[str]:
    try:
        return set(path.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return set()


def _remember(path: Path, keys: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    known = _already(path)
    atomic_write_text(path, "".join(f"{k}\n" for k in sorted(known | set(keys))))


def person_address(ctx: Context, bearbeiter: str) -> str:
    """The e-mail address of a clerk: [benutzer.LOGIN] email (by login, Kürzel or name), else the login if it
    is an address; "" when unknown."""
    if "@" in bearbeiter:
        return parseaddr(bearbeiter)[1]
    tables = ctx.settings.values.get("benutzer")  # [benutzer.LOGIN] tables (the clerk's desk)
    if isinstance(tables, dict):
        wanted = bearbeiter.casefold()
        for login, table in tables.items():
            if not isinstance(table, dict):
                continue
            names = {str(login), str(table.get("kuerzel", "")), str(table.get("name", ""))}
            names = {n.casefold() for n in names if n}
            if wanted in names and "@" in str(table.get("email", "")):
                return str(table["email"])
    return ""


def team_address(ctx: Context) -> str:
    return ctx.settings.section(Fristen).team_email or ctx.settings.amt.email


def plan(ctx: Context, vorgaenge: Iterable[Vorgang]) -> ErinnernResult:
    """Who gets which reminder now (nothing is sent or written)."""
    jetzt = ctx.clock()
    seen = _already(_ledger(ctx, jetzt))
    result = ErinnernResult()
    by_person: dict[str, list[Faelligkeit]] = {}
    stellen_due: list[tuple[Vorgang, Weiterleitung]] = []
    abstand = ctx.settings.section(Servicezeiten).erinnerung_stelle_servicestunden
    kalender = fristen_config.kalender(ctx.settings)
    for v in vorgaenge:
        for item in faelligkeiten(v, jetzt):
            if item.schluessel in seen:
                result.schon_erinnert += 1
                continue
            by_person.setdefault(v.bearbeiter, []).append(item)
        for w in v.weiterleitungen:
            if not (w.offen and w.weg == "email" and w.adresse and ueberschritten(w.antwort_bis, jetzt)):
                continue
            if w.erinnert is not None and kalender.zwischen(w.erinnert, jetzt).total_seconds() < abstand * 3600:
                continue
            stellen_due.append((v, w))
    team: list[Faelligkeit] = by_person.pop("", [])
    for person, items in sorted(by_person.items()):
        address = person_address(ctx, person)
        if not address:
            result.ohne_adresse.append(person)
            team += items
            continue
        result.mails.append(_person_mail(address, person, items, jetzt))
    if team:
        address = team_address(ctx)
        if address:
            result.mails.append(_person_mail(address, TEAM, team, jetzt))
        else:
            result.fehler.append(
                f"{len(team)} fällige Punkte ohne Bearbeiter: keine Team-Adresse "
                "([fristen] team_email oder [amt] email)"
            )
    for v, w in stellen_due:
        result.mails.append(_stelle_mail(ctx, v, w))
    return result


def _person_mail(address: str, name: str, items: list[Faelligkeit], jetzt: datetime) -> Mail:
    items = sorted(items, key=lambda f: (not f.ueberfaellig, f.vorgang.aktenzeichen))
    vorgaenge = sorted({f.vorgang.aktenzeichen for f in items})
    anzahl = f"{len(vorgaenge)} Vorgang" if len(vorgaenge) == 1 else f"{len(vorgaenge)} Vorgänge"
    anrede = "Guten Tag," if name == TEAM else f"Guten Tag {name},"
    wem = "ohne Bearbeiter/in " if name == TEAM else ""
    lines = [
        anrede,
        "",
        f"folgende Vorgänge {wem}sind heute ({format_datum(jetzt.date())}) fällig oder überfällig:",
        "",
    ]
    current = ""
    for item in items:
        v = item.vorgang
        if v.aktenzeichen != current:
            current = v.aktenzeichen
            lines.append(f"{v.aktenzeichen}  {v.betreff}")
        lines.append(f"    {'ÜBERFÄLLIG: ' if item.ueberfaellig else ''}{item.text}")
    lines += [
        "",
        "Übersicht: buero-ticket liste --faellig",
        "",
        "Diese Erinnerung schickt buero-ticket einmal am Tag; jeder Punkt kommt höchstens einmal täglich.",
    ]
    return Mail(
        an=address,
        name=name,
        betreff=f"Erinnerung: {anzahl} fällig ({format_datum(jetzt.date())})",
        text="\n".join(lines) + "\n",
        schluessel=[f.schluessel for f in items],
    )


def _stelle_mail(ctx: Context, v: Vorgang, w: Weiterleitung) -> Mail:
    from ..antwort import kontext, render, vorlagen
    from .weiterleiten import vorlage_vollstaendig

    template = vorlagen.find(ctx.store.ablage.vorlagen_dir, "erinnerung_stelle", vorlagen.EMAIL)
    fields = {
        "stelle": w.stelle_name,
        "weitergeleitet_am": format_zeitpunkt(in_office(w.zeit, office_zone(ctx.settings))),
        "antwort_bis": format_zeitpunkt(w.antwort_bis) + " Uhr",
    }
    context = kontext.build(v, ctx.store.ablage.config, fields, today=ctx.clock().date())
    vorlage_vollstaendig(template, context, "stelle, weitergeleitet_am, antwort_bis")
    rendered = render.render_email(template, context)
    return Mail(
        an=w.adresse,
        name=w.stelle_name,
        betreff=rendered.betreff,
        text=rendered.text,
        vorgang=v.aktenzeichen,
        stelle=w.stelle,
        message_id_antwort=w.message_id,
    )


def erinnern(
    ctx: Context, vorgaenge: Iterable[Vorgang], *, nur_anzeigen: bool = False, env: Mapping[str, str] = os.environ
) -> ErinnernResult:
    """Plan and (unless ``nur_anzeigen``) send; each sent mail is noted at once, so a crash never repeats it.

    Forwardings into another Ablage are looked up first (done there = answered, no reminder)."""
    from .weiterleiten import ablagen_abgleichen

    result = plan(ctx, ablagen_abgleichen(ctx, vorgaenge))
    if nur_anzeigen or not result.mails:
        return result
    from ..antwort import nachricht, smtp, versand

    cfg = smtp.smtp_config(ctx.store.ablage.config)
    password = smtp.read_password(cfg, env) if cfg.benutzer else ""
    von = versand.sender(ctx.store)
    ledger = _ledger(ctx, ctx.clock())
    for mail in result.mails:
        subject = nachricht.with_tag(mail.betreff, mail.vorgang) if mail.vorgang else mail.betreff
        references = [mail.message_id_antwort] if mail.message_id_antwort else []
        outgoing = nachricht.OutgoingMail(
            absender=von,
            to=nachricht.Recipient(mail.name, mail.an, mail.message_id_antwort, references),
            betreff=subject,
            text=mail.text,
            message_id=nachricht.new_message_id(mail.vorgang or "erinnerung", von),
            automatisch=not mail.vorgang,  # a note to ourselves: no auto-replies; the Stelle's reminder may be answered
        )
        raw = nachricht.serialise(nachricht.build(outgoing))
        try:
            smtp.send(cfg, raw, [mail.an], password=password)
        except BueroTicketError as exc:
            result.fehler.append(f"an {mail.an}: {exc.text}")
            continue
        result.gesendet += 1
        if mail.vorgang:
            _file_stelle_reminder(ctx, mail, outgoing.betreff, outgoing.message_id, raw, von)
        else:
            _remember(ledger, mail.schluessel)
    return result


def _file_stelle_reminder(ctx: Context, mail: Mail, betreff: str, message_id: str, raw: bytes, von: str) -> None:
    jetzt = ctx.clock()
    message = Outgoing(
        kanal=Kanal.EMAIL,
        zeit=jetzt,
        von=von,
        betreff=betreff,
        text=mail.text,
        original=("eml", raw),
        message_id=message_id,
        automatisch=True,
        hinweis=f"Erinnerung an {mail.name} <{mail.an}>",
    )
    ctx.store.add_message(
        mail.vorgang, message, "Erinnerung an Fachabteilung", f"an {mail.name} <{mail.an}>", gesehen=False
    )

    def change(v: Vorgang) -> list[HistoryEntry]:
        for w in v.weiterleitungen:
            if w.stelle == mail.stelle and w.offen:
                w.erinnert = jetzt
        return [ctx.entry("Erinnerung vermerkt", f"nächste frühestens nach {_stunden(ctx)} Servicestunden")]

    ctx.store.update(mail.vorgang, change, gesehen=False)


def _stunden(ctx: Context) -> str:
    return f"{ctx.settings.section(Servicezeiten).erinnerung_stelle_servicestunden:g}"
