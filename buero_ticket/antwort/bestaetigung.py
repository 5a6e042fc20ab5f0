"""Automatic acknowledgement of receipt (Eingangsbestätigung) when the import creates a new Vorgang.

Off unless ``[smtp] eingangsbestaetigung = true``. Loop protection, so two
auto-responders can never ping-pong:

- never to automatic mail (auto-replies, bounces, lists: the import's classification),
- never to noreply/mailer-daemon/postmaster-like addresses or our own addresses
  ([smtp] absender and benutzer, [amt] email, [imap] benutzer),
- never to a mail that itself looks like an acknowledgement or a helpdesk's automatic
  answer by its subject (``[Ticket#…]``, "Automatische Antwort", "Out of Office",
  "Eingangsbestätigung", "Ihre Anfrage ist eingegangen" …), even without the RFC 3834 headers
  the import already recognises (Auto-Submitted, X-Autoreply, X-Autorespond,
  X-Auto-Response-Suppress, Precedence, List-Id, X-Loop),
- caps, all counted in the Ablage's state folder and reserved *before* sending, so a crash
  cannot exceed them: ``max_bestaetigungen_pro_tag`` per address and day,
  ``max_bestaetigungen_pro_domain`` per sender domain and day, except private mail providers
  such as gmx.de (:data:`FREEMAIL`) (a responder that answers from
  a new address each time, ``ticket-1234@…``), and ``max_bestaetigungen_pro_stunde_gesamt`` /
  ``max_bestaetigungen_pro_tag_gesamt`` for all together,
- the acknowledgement itself carries ``Auto-Submitted: auto-replied``,
  ``X-Auto-Response-Suppress: All`` and ``Precedence: auto_reply``, so other
  systems (and our own import) treat it as automatic and do not answer it.

:func:`acknowledge` never raises: a failure is logged and noted in the Vorgang's
history, and the import goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import history
from ..clock import system_clock
from ..config import Config
from ..errors import translate
from ..fileio import atomic_write_text
from ..mail.parse import AutoKind, ParsedMail
from ..models import HistoryEntry, Vorgang
from ..sharelock import ShareLock
from ..store import Store
from . import nachricht, smtp, versand, vorlagen

log = logging.getLogger("buero_ticket.antwort")

STATE_DIR = "bestaetigungen"
KEEP_DAYS = 14
#: After the server was unreachable, further acknowledgements in this process wait this long.
PAUSE_AFTER_FAILURE_S = 300.0
SEND_TIMEOUT_S = 15.0
#: Older mails (an mbox archive read in with 'mail einlesen') get no acknowledgement.
MAX_AGE = timedelta(days=3)
_NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|abuse|root|nobody"
    r"|daemon|listserv|majordomo|auto[-_.]?(?:reply|responder|antwort))(?:[-_.+].*)?$"
    r"|^owner-|-(?:owner|bounces?|request)$|noreply|no-reply",
    re.IGNORECASE,
)


class Pauses:
    """Mail servers that just failed, per run (one per importer; nothing module-wide outlives a run)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def remaining(self, target: str) -> float:
        return self._until.get(target, 0.0) - time.monotonic()

    def pause(self, target: str) -> None:
        self._until[target] = time.monotonic() + PAUSE_AFTER_FAILURE_S


def acknowledge(
    store: Store,
    vorgang: Vorgang,
    parsed: ParsedMail,
    env: Mapping[str, str] = os.environ,
    *,
    pauses: Pauses | None = None,
) -> None:
    """Acknowledge a new Vorgang from ``parsed`` if configured and allowed. Never raises.

    ``pauses``: the run's memory of failed servers (the importer keeps one per run).
    """
    try:
        if not store.ablage.config.smtp.eingangsbestaetigung:
            return
        _acknowledge(store, vorgang, parsed, env, pauses if pauses is not None else Pauses())
    except Exception as exc:  # the import must go on whatever happens here
        text = translate(exc).fuer_eintrag()[0]
        log.warning("Eingangsbestätigung für %s nicht gesendet: %s", vorgang.aktenzeichen, text, exc_info=True)
        _note(store, vorgang.aktenzeichen, "Eingangsbestätigung nicht gesendet", text)


def refusal(parsed: ParsedMail, config: Config) -> str:
    """Why no acknowledgement may go to the sender of ``parsed`` (German), or ""."""
    if parsed.auto is not AutoKind.MENSCH:
        return f"automatische Mail ({parsed.auto_grund or parsed.auto.value})"
    if marker := looks_automatic(parsed.subject):
        return f"der Betreff sieht nach einer automatischen Antwort oder Bestätigung aus („{marker}“)"
    if parsed.date is not None and system_clock() - parsed.date > MAX_AGE:
        return f"die Mail vom {parsed.date:%d.%m.%Y} ist älter als {MAX_AGE.days} Tage"
    target = recipient_address(parsed)
    if "@" not in target:
        return "keine Absenderadresse"
    own = smtp.own_addresses(config)
    for address in dict.fromkeys(a for a in (parsed.from_email, target) if a):
        if address.lower() in own:
            return f"{address} ist eine eigene Adresse"
        if _NOREPLY.search(address.lower().partition("@")[0]):
            return f"{address} ist eine automatische Adresse (noreply, mailer-daemon, postmaster …)"
    return ""


#: Subjects of automatic answers and acknowledgements (helpdesks, out-of-office, our own kind of mail).
_AUTOMATIC_SUBJECT = re.compile(
    r"\[\s*(?:ticket|case|request|anfrage|vorgang|incident|sr|req)?\s*(?:#|nr\.?|no\.?|id:?)\s*[\w-]*\d[\w-]*\s*\]"
    r"|\[az\.?\s"  # our own tag: an answer to our acknowledgement
    r"|\bticket\s*(?:#|nr\.?|id:?)\s*\d"
    r"|automatische\s+antwort|automatic\s+reply|auto[-\s]?reply|autoreply|auto[-\s]?response|out\s+of\s+(?:the\s+)?office"
    r"|abwesenheits(?:notiz|meldung)|nicht\s+im\s+b(?:ü|ue)ro|eingangsbest(?:ä|ae)tigung|empfangsbest(?:ä|ae)tigung"
    r"|lesebest(?:ä|ae)tigung|(?:ist|wurde)\s+(?:bei\s+uns\s+)?eingegangen|haben\s+ihre\s+(?:nachricht|anfrage|e-?mail)\s+erhalten"
    r"|(?:we\s+have\s+)?received\s+your\s+(?:message|request|e-?mail)|request\s+(?:has\s+been\s+)?received"
    r"|thank\s+you\s+for\s+(?:your\s+(?:message|e-?mail)|contacting)|delivery\s+status\s+notification|unzustellbar",
    re.IGNORECASE,
)


def looks_automatic(subject: str) -> str:
    """The part of ``subject`` that marks it as an automatic answer or acknowledgement, or ""."""
    match = _AUTOMATIC_SUBJECT.search(subject or "")
    return " ".join(match.group(0).split()) if match else ""


def recipient_address(parsed: ParsedMail) -> str:
    return (parsed.reply_to or parsed.from_email).strip().lower()


def _acknowledge(store: Store, vorgang: Vorgang, parsed: ParsedMail, env: Mapping[str, str], pauses: Pauses) -> None:
    config = store.ablage.config
    reason = refusal(parsed, config)
    if reason:
        _note(store, vorgang.aktenzeichen, "Keine Eingangsbestätigung", reason)
        return
    cfg = smtp.smtp_config(config)
    if pauses.remaining(cfg.target) > 0:
        _note(store, vorgang.aktenzeichen, "Eingangsbestätigung nicht gesendet", _pause_text(cfg))
        return
    password = smtp.read_password(cfg, env) if cfg.benutzer else ""
    address = recipient_address(parsed)
    refused = reserve(store.ablage.state_dir, address, Limits.of(config), store.clock())
    if refused:
        _note(store, vorgang.aktenzeichen, "Keine Eingangsbestätigung", refused)
        return
    _send(store, vorgang, parsed, cfg, password, pauses)


def _send(
    store: Store, vorgang: Vorgang, parsed: ParsedMail, cfg: smtp.SmtpConfig, password: str, pauses: Pauses
) -> None:
    draft = versand.prepare(store, vorgang, vorlagen.AUTOMATIC, {}, automatisch=True)
    address = recipient_address(parsed)
    mid = parsed.message_id
    to = nachricht.Recipient(
        "" if parsed.reply_to and parsed.reply_to != parsed.from_email else parsed.from_name,
        address,
        mid,
        list(dict.fromkeys([*parsed.references, mid] if mid else parsed.references))[-nachricht.MAX_REFERENCES :],
    )
    draft = replace(draft, mail=replace(draft.mail, to=to))
    raw = nachricht.serialise(nachricht.build(draft.mail))
    try:
        smtp.send(cfg, raw, [address], password=password, timeout=SEND_TIMEOUT_S)
    except smtp.VersandFehler as exc:
        if exc.connection_failed:
            pauses.pause(cfg.target)
        raise
    details = f"an {address}, Betreff „{draft.mail.betreff}“"
    versand.file_mail(store, draft, raw, "Eingangsbestätigung gesendet", details, sent=True)


def _pause_text(cfg: smtp.SmtpConfig) -> str:
    minutes, server = int(PAUSE_AFTER_FAILURE_S // 60), cfg.target
    return f"der Mailserver {server} war kurz zuvor nicht erreichbar (nächster Versuch frühestens in {minutes} Min.)"


def _note(store: Store, az: str, action: str, details: str) -> None:
    """A history line on the Vorgang; if even that fails, only the log knows."""

    def change(_vorgang: Vorgang) -> list[HistoryEntry]:
        return [history.entry(action, details, zeit=store.clock(), benutzer=store.user)]

    try:
        store.update(az, change)
    except Exception:
        log.exception("Verlaufseintrag „%s“ für %s nicht geschrieben", action, az)


# --- caps -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The acknowledgement caps of ``[smtp]``."""

    per_address: int = 3
    per_domain: int = 20
    per_hour: int = 30
    per_day: int = 200

    @classmethod
    def of(cls, config: Config) -> Limits:
        s = config.smtp
        return cls(
            s.max_bestaetigungen_pro_tag,
            s.max_bestaetigungen_pro_domain,
            s.max_bestaetigungen_pro_stunde_gesamt,
            s.max_bestaetigungen_pro_tag_gesamt,
        )


#: Mail providers of private people: the per-domain cap does not apply to them (the other caps do).
FREEMAIL = frozenset(
    {
        "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "gmail.com", "googlemail.com",
        "yahoo.de", "yahoo.com", "outlook.de", "outlook.com", "hotmail.de", "hotmail.com", "live.de", "live.com",
        "icloud.com", "me.com", "freenet.de", "arcor.de", "posteo.de", "mailbox.org", "aol.com", "aol.de",
        "online.de", "mail.de", "email.de", "vodafone.de", "kabelmail.de", "magenta.de", "bluewin.ch", "gmx.com",
    }
)  # fmt: skip


def reserve(state_dir: Path, address: str, limits: Limits, now: datetime) -> str:
    """Count one acknowledgement to ``address`` now; if a cap is reached, count nothing and return why."""
    day = now.date()
    folder = state_dir / STATE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (state_dir / "sperren").mkdir(parents=True, exist_ok=True)
    address = address.strip().lower()
    domain = address.rpartition("@")[2]
    keys = {  # counter key -> (cap, German reason); addresses and domains only as hashes (no personal data)
        _hashed(address): (limits.per_address, f"an {address} gingen heute schon {limits.per_address} "
                           "Eingangsbestätigungen (Höchstzahl pro Tag)"),
        f"stunde-{now:%H}": (limits.per_hour, f"in dieser Stunde gingen schon {limits.per_hour} "
                             "Eingangsbestätigungen hinaus (Höchstzahl pro Stunde, alle zusammen)"),
        "gesamt": (limits.per_day, f"heute gingen schon {limits.per_day} Eingangsbestätigungen hinaus "
                   "(Höchstzahl pro Tag, alle zusammen)"),
    }  # fmt: skip
    if domain not in FREEMAIL:  # thousands of citizens share gmx.de; a helpdesk's rotating addresses do not
        keys["domain-" + _hashed(domain)] = (
            limits.per_domain,
            f"an Adressen bei {domain} gingen heute schon {limits.per_domain} Eingangsbestätigungen "
            "(Höchstzahl je Domain und Tag)",
        )
    with ShareLock(state_dir / "sperren" / "bestaetigungen.lock", timeout=60, what="Bestätigungszähler"):
        path = folder / f"{day.isoformat()}.json"
        counts = _read_counts(path)
        for key, (cap, reason) in keys.items():
            if counts.get(key, 0) >= cap:
                log.warning("Eingangsbestätigung an %s nicht gesendet: %s", address, reason)
                return reason
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        atomic_write_text(path, json.dumps(counts, indent=0, sort_keys=True) + "\n")
        _forget_old(folder, day)
    return ""


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _read_counts(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("Zählerdatei %s unlesbar; sie wird neu begonnen", path)
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _forget_old(folder: Path, today: date) -> None:
    oldest = (today - timedelta(days=KEEP_DAYS)).isoformat()
    for entry in os.scandir(folder):
        if entry.name.endswith(".json") and entry.name[:10] < oldest:
            Path(entry.path).unlink(missing_ok=True)
