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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import history
from ..clock import system_clock
from ..errors import EingabeFehler, NichtAbgelegt, translate
from ..models import HistoryEntry, Kanal, Outgoing, Vorgang
from ..names import safe_name
from ..store import AUSGANG_DIR, NACHRICHTEN_DIR, Store
from . import kontext, nachricht, render, smtp, vorlagen

log = logging.getLogger("buero_ticket.antwort")


@dataclass(frozen=True)
class Draft:
    """A rendered mail, ready to file or send."""

    vorgang: Vorgang
    template: vorlagen.Vorlage
    mail: nachricht.OutgoingMail


@dataclass(frozen=True)
class SendResult:
    aktenzeichen: str
    sent: bool
    datei: Path
    to: str
    betreff: str
    warnungen: tuple[str, ...] = ()  # problems after the mail was sent and filed (shown, exit code stays 0)


def sender(store: Store) -> str:
    """The From address: [smtp] absender, else "[amt] name <[amt] email>"."""
    config = store.ablage.config
    value = config.smtp.absender
    if not value and config.amt.email:
        value = f"{config.amt.name} <{config.amt.email}>"
    return value


def prepare(
    store: Store,
    vorgang: Vorgang,
    name: str,
    fields: Mapping[str, str],
    *,
    anlagen: Sequence[tuple[str, bytes]] = (),
    automatisch: bool = False,
) -> Draft:
    """Render the template for ``vorgang``; every problem is raised before anything is written."""
    template = vorlagen.find(store.ablage.vorlagen_dir, name, vorlagen.EMAIL)
    context = kontext.build(vorgang, store.ablage.config, dict(fields), today=store.clock().date())
    render.ensure_complete([template], context, fields)
    to = nachricht.recipient(vorgang)
    text = render.render_email(template, context)
    von = sender(store)
    mail = nachricht.OutgoingMail(
        absender=von,
        to=to,
        betreff=nachricht.with_tag(text.betreff, vorgang.aktenzeichen),
        text=text.text,
        message_id=nachricht.new_message_id(vorgang.aktenzeichen, von),
        anlagen=list(anlagen),
        automatisch=automatisch,
    )
    return Draft(vorgang, template, mail)


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


def file_mail(store: Store, draft: Draft, raw: bytes, action: str, details: str, *, sent: bool) -> Path:
    """Store the mail as an outgoing message of its Vorgang; returns the .eml path."""
    mail = draft.mail
    note = f"An {mail.to.address}" + ("" if sent else "; Entwurf, nicht gesendet")
    new_message = Outgoing(
        kanal=Kanal.EMAIL,
        zeit=store.clock(),
        von=mail.absender,
        betreff=mail.betreff,
        text=mail.text,
        original=("eml", raw),
        message_id=mail.message_id,
        automatisch=mail.automatisch,
        hinweis=note,
    )
    vorgang = store.add_message(draft.vorgang.aktenzeichen, new_message, action, details)
    assert vorgang.ordner is not None
    return vorgang.ordner / NACHRICHTEN_DIR / vorgang.nachrichten[-1].datei


def mark_answered(store: Store, az: str, to: str, when: datetime) -> None:
    """Set ``antwort_gesendet`` (the first answer counts, for the register and reports)."""

    def change(vorgang: Vorgang) -> list[HistoryEntry]:
        from ..operations.weiterleiten import rueckmeldung_vermerken

        vorgang.antwort_gesendet = vorgang.antwort_gesendet or when
        line = history.entry("Antwort gesendet", f"an {to}", zeit=store.clock(), benutzer=store.user)
        return [line, *rueckmeldung_vermerken(vorgang, when, "E-Mail", store.user)]

    store.update(az, change)


def answer(
    store: Store,
    az: str,
    name: str,
    fields: Mapping[str, str],
    *,
    senden: bool,
    anlagen: Sequence[Path] = (),
    env: Mapping[str, str] = os.environ,
) -> SendResult:
    """The whole ``antworten`` command (see the module docstring for the order of work)."""
    vorgang = store.get(az)
    files = read_attachments(anlagen, vorgang)
    draft = prepare(store, vorgang, name, fields, anlagen=files)
    cfg, password = _smtp_ready(store, env) if senden else (None, "")
    mail = draft.mail
    details = f"Vorlage {draft.template.name}, an {mail.to.display}, Betreff „{mail.betreff}“"
    if cfg is None:
        unsent = nachricht.serialise(nachricht.build(mail, draft=True))
        path = file_mail(store, draft, unsent, "E-Mail-Entwurf abgelegt", details, sent=False)
        return SendResult(draft.vorgang.aktenzeichen, False, path, mail.to.display, mail.betreff)
    raw = nachricht.serialise(nachricht.build(mail))
    try:
        smtp.send(cfg, raw, [mail.to.address], password=password)
    except smtp.VersandFehler as exc:
        _file_failed(store, draft, details, exc)
        raise
    warnings: list[str] = []
    path = _file_sent(store, draft, raw, details, warnings)
    return SendResult(draft.vorgang.aktenzeichen, True, path, mail.to.display, mail.betreff, tuple(warnings))


def _smtp_ready(store: Store, env: Mapping[str, str]) -> tuple[smtp.SmtpConfig, str]:
    cfg = smtp.smtp_config(store.ablage.config)
    return cfg, smtp.read_password(cfg, env) if cfg.benutzer else ""


def _file_failed(store: Store, draft: Draft, details: str, exc: smtp.VersandFehler) -> None:
    unsent = nachricht.serialise(nachricht.build(draft.mail, draft=True))
    path = file_mail(store, draft, unsent, "E-Mail nicht gesendet", f"{details}; Grund: {exc.text}", sent=False)
    exc.text += f" Die E-Mail wurde nicht gesendet; sie liegt als Entwurf in {path}."


def _file_sent(store: Store, draft: Draft, raw: bytes, details: str, warnings: list[str]) -> Path:
    mail = draft.mail
    sent_at = store.clock()
    try:
        path = file_mail(store, draft, raw, "E-Mail gesendet", details, sent=True)
    except Exception as exc:
        rescue = _rescue(raw, draft.vorgang.aktenzeichen)
        log.error("Gesendete Mail %s nicht abgelegt: %s; Kopie in %s", mail.message_id, exc, rescue)
        raise NichtAbgelegt(
            f"Die E-Mail an {mail.to.address} wurde GESENDET, konnte aber nicht in Vorgang "
            f"{draft.vorgang.aktenzeichen} abgelegt werden ({translate(exc).text}).",
            f"Eine Kopie liegt in {rescue}. Ziehen Sie sie in den Ordner 0 Einwurf\\{draft.vorgang.aktenzeichen} "
            "oder legen Sie sie von Hand in den Vorgang; NICHT erneut senden.",
            exc,
        ) from exc
    try:
        mark_answered(store, draft.vorgang.aktenzeichen, mail.to.address, sent_at)
    except Exception as exc:  # sent and filed: only the "answered" mark is missing; never an error exit
        log.error("Antwort-Vermerk für %s nicht gespeichert", draft.vorgang.aktenzeichen, exc_info=True)
        warnings.append(
            f"Die Mail ist gesendet und abgelegt; nur der Vermerk „Antwort gesendet“ fehlt ({translate(exc).text})."
        )
    return path


def _rescue(raw: bytes, az: str) -> Path:
    """A local copy of a sent mail that could not be filed (the share may be gone)."""
    folder = Path(tempfile.gettempdir()) / "buero-ticket-nicht-abgelegt"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{az} {system_clock():%Y-%m-%d %H%M%S}.eml"
    path.write_bytes(raw)
    return path
