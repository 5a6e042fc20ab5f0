"""``antworten``: render an e-mail from a template, file it in the Vorgang, optionally send it.

Order, so nothing is lost and nothing half-done is visible:

1. Everything that can fail on the clerk's input is checked first: template,
   missing fields, recipient, attachments, SMTP settings and password. Nothing is
   written before that.
2. Without ``--senden`` the mail is filed as a draft (``X-Unsent: 1``: Outlook
   opens such an ``.eml`` as a new message ready to send).
3. With ``--senden`` it is sent first and then filed byte for byte, and
   ``antwort_gesendet`` is set. If sending fails, the draft is filed with the
   reason in the history. If filing fails after sending, the sent mail is saved
   on the local disk and the clerk is told where.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import history
from ..errors import BueroTicketError, EingabeFehler
from ..models import HistoryEntry, Kanal, Vorgang
from ..names import safe_name
from ..store import AUSGANG_DIR, NACHRICHTEN_DIR, NeueNachricht, Store
from . import kontext, nachricht, render, smtp, vorlagen

log = logging.getLogger("buero_ticket.antwort")


@dataclass(frozen=True)
class Entwurf:
    """A rendered mail, ready to file or send."""

    vorgang: Vorgang
    vorlage: vorlagen.Vorlage
    mail: nachricht.Ausgehend


@dataclass(frozen=True)
class Versandergebnis:
    aktenzeichen: str
    gesendet: bool
    datei: Path
    an: str
    betreff: str
    hinweise: list[str] = field(default_factory=list)


def sender(store: Store) -> str:
    """The From address: [smtp] absender, else "[amt] name <[amt] email>"."""
    config = store.ablage.config
    value = str(config.get("smtp", "absender"))
    if not value and config.get("amt", "email"):
        value = f"{config.get('amt', 'name')} <{config.get('amt', 'email')}>"
    return value


def prepare(
    store: Store,
    vorgang: Vorgang,
    name: str,
    felder: Mapping[str, str],
    *,
    anlagen: Sequence[tuple[str, bytes]] = (),
    automatisch: bool = False,
) -> Entwurf:
    """Render the template for ``vorgang``; every problem is raised before anything is written."""
    vorlage = vorlagen.find(store.ablage.vorlagen_dir, name, vorlagen.EMAIL)
    context = kontext.build(vorgang, store.ablage.config, dict(felder))
    render.ensure_complete([vorlage], context, felder)
    an = nachricht.recipient(vorgang)
    text = render.render_email(vorlage, context)
    von = sender(store)
    mail = nachricht.Ausgehend(
        absender=von,
        an=an,
        betreff=nachricht.with_tag(text.betreff, vorgang.aktenzeichen),
        text=text.text,
        message_id=nachricht.new_message_id(vorgang.aktenzeichen, von),
        anlagen=list(anlagen),
        automatisch=automatisch,
    )
    return Entwurf(vorgang, vorlage, mail)


def read_attachments(paths: Sequence[Path], vorgang: Vorgang) -> list[tuple[str, bytes]]:
    """Attachment files; a bare name is also looked up in the Vorgang's Ausgang folder. All problems at once."""
    found: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for path in paths:
        candidates = [path]
        if vorgang.ordner is not None and not path.is_absolute():
            candidates.append(vorgang.ordner / AUSGANG_DIR / path)
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            problems.append(f"{path}: Datei nicht gefunden (auch nicht im Ordner {AUSGANG_DIR} des Vorgangs)")
            continue
        try:
            found.append((safe_name(hit.name), hit.read_bytes()))
        except OSError as exc:
            problems.append(f"{hit}: nicht lesbar ({exc})")
    if problems:
        raise EingabeFehler(
            "Anlagen fehlen oder sind nicht lesbar; es wurde nichts geschrieben oder gesendet.",
            "Prüfen Sie die Pfade hinter --anlage.",
            problems=problems,
        )
    return found


def file_mail(store: Store, entwurf: Entwurf, raw: bytes, aktion: str, details: str, *, gesendet: bool) -> Path:
    """Store the mail as an outgoing message of its Vorgang; returns the .eml path."""
    mail = entwurf.mail
    note = f"An {mail.an.adresse}" + ("" if gesendet else "; Entwurf, nicht gesendet")
    neu = NeueNachricht(
        richtung="ausgang",
        kanal=Kanal.EMAIL,
        zeit=history.now(),
        von=mail.absender,
        betreff=mail.betreff,
        text=mail.text,
        original=("eml", raw),
        message_id=mail.message_id,
        automatisch=mail.automatisch,
        hinweis=note,
    )
    vorgang = store.add_message(entwurf.vorgang.aktenzeichen, neu, aktion, details)
    assert vorgang.ordner is not None
    return vorgang.ordner / NACHRICHTEN_DIR / vorgang.nachrichten[-1].datei


def mark_answered(store: Store, az: str, an: str, when: datetime) -> None:
    """Set ``antwort_gesendet`` (the first answer counts, for the register and reports)."""

    def change(vorgang: Vorgang) -> list[HistoryEntry]:
        vorgang.antwort_gesendet = vorgang.antwort_gesendet or when
        return [history.entry("Antwort gesendet", f"an {an}")]

    store.update(az, change)


def antworten(
    store: Store,
    az: str,
    name: str,
    felder: Mapping[str, str],
    *,
    senden: bool,
    anlagen: Sequence[Path] = (),
    env: Mapping[str, str] = os.environ,
) -> Versandergebnis:
    """The whole ``antworten`` command (see the module docstring for the order of work)."""
    vorgang = store.get(az)
    files = read_attachments(anlagen, vorgang)
    entwurf = prepare(store, vorgang, name, felder, anlagen=files)
    cfg, password = _smtp_ready(store, env) if senden else (None, "")
    mail = entwurf.mail
    details = f"Vorlage {entwurf.vorlage.name}, an {mail.an.display}, Betreff „{mail.betreff}“"
    if cfg is None:
        draft = nachricht.serialise(nachricht.build(mail, entwurf=True))
        path = file_mail(store, entwurf, draft, "E-Mail-Entwurf abgelegt", details, gesendet=False)
        return Versandergebnis(entwurf.vorgang.aktenzeichen, False, path, mail.an.display, mail.betreff)
    raw = nachricht.serialise(nachricht.build(mail))
    try:
        smtp.send(cfg, raw, [mail.an.adresse], password=password)
    except smtp.VersandFehler as exc:
        _file_failed(store, entwurf, details, exc)
        raise
    path = _file_sent(store, entwurf, raw, details)
    return Versandergebnis(entwurf.vorgang.aktenzeichen, True, path, mail.an.display, mail.betreff)


def _smtp_ready(store: Store, env: Mapping[str, str]) -> tuple[smtp.SmtpConfig, str]:
    cfg = smtp.smtp_config(store.ablage.config)
    return cfg, smtp.read_password(cfg, env) if cfg.benutzer else ""


def _file_failed(store: Store, entwurf: Entwurf, details: str, exc: smtp.VersandFehler) -> None:
    draft = nachricht.serialise(nachricht.build(entwurf.mail, entwurf=True))
    path = file_mail(store, entwurf, draft, "E-Mail nicht gesendet", f"{details}; Grund: {exc.text}", gesendet=False)
    exc.text += f" Die E-Mail wurde nicht gesendet; sie liegt als Entwurf in {path}."


def _file_sent(store: Store, entwurf: Entwurf, raw: bytes, details: str) -> Path:
    mail = entwurf.mail
    sent_at = history.now()
    try:
        path = file_mail(store, entwurf, raw, "E-Mail gesendet", details, gesendet=True)
        mark_answered(store, entwurf.vorgang.aktenzeichen, mail.an.adresse, sent_at)
    except (BueroTicketError, OSError) as exc:
        rescue = _rescue(raw, entwurf.vorgang.aktenzeichen)
        log.error("Gesendete Mail %s nicht abgelegt: %s; Kopie in %s", mail.message_id, exc, rescue)
        raise EingabeFehler(
            f"Die E-Mail an {mail.an.adresse} wurde GESENDET, konnte aber nicht in Vorgang "
            f"{entwurf.vorgang.aktenzeichen} abgelegt werden ({getattr(exc, 'text', exc)}).",
            f"Eine Kopie liegt in {rescue}. Ziehen Sie sie in den Ordner 0 Einwurf\\{entwurf.vorgang.aktenzeichen} "
            "oder legen Sie sie von Hand in den Vorgang; NICHT erneut senden.",
        ) from exc
    return path


def _rescue(raw: bytes, az: str) -> Path:
    """A local copy of a sent mail that could not be filed (the share may be gone)."""
    folder = Path(tempfile.gettempdir()) / "buero-ticket-nicht-abgelegt"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{az} {history.now():%Y-%m-%d %H%M%S}.eml"
    path.write_bytes(raw)
    return path
