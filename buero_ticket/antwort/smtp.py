"""Sending mail over SMTP: STARTTLS (default), implicit TLS or plain, password never in the shared config.

The password comes from ``passwort_datei`` or ``passwort_befehl`` in ``[smtp]``, else
from the environment variable ``BUERO_TICKET_SMTP_PASSWORT`` (as for IMAP). Without
``benutzer`` no login happens (a relay inside the office network). Certificates are
always verified; ``ca_datei`` trusts an own certificate authority.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from ..config import Config
from ..errors import Exit, KonfigFehler, VerbindungsFehler, ursache
from ..passwort import read_secret

PASSWORD_ENV = "BUERO_TICKET_SMTP_PASSWORT"
DEFAULT_PORTS = {"tls": 465, "starttls": 587, "keine": 25}
TIMEOUT_S = 30.0
_CONFIG_HINT = "Korrigieren Sie den Abschnitt [smtp] in buero-ticket.toml (Vorlage steht auskommentiert darin)."


class VersandFehler(VerbindungsFehler):
    """The mail could not be sent (server unreachable, login refused, recipient refused)."""

    exit_code = Exit.VERBINDUNG
    beschreibung = "Die E-Mail konnte nicht gesendet werden."

    def __init__(self, text: str, hinweis: str = "", *, connection_failed: bool = False) -> None:
        super().__init__(text, hinweis)
        self.connection_failed = connection_failed  # the server was not reachable at all


@dataclass(frozen=True)
class SmtpConfig:
    server: str
    port: int
    benutzer: str
    verschluesselung: str  # tls | starttls | keine
    absender: str  # "Name <adresse>"
    ca_datei: str = ""
    passwort_datei: str = ""
    passwort_befehl: str = ""

    @property
    def sender_address(self) -> str:
        return parseaddr(self.absender)[1]

    @property
    def target(self) -> str:
        return f"{self.server}:{self.port}"


def smtp_config(config: Config) -> SmtpConfig:
    """The ``[smtp]`` section, checked; every problem is listed at once."""
    s = config.smtp
    absender = s.absender or _amt_sender(config)
    problems = []
    if not str(s.server).strip():
        problems.append('server fehlt (z. B. server = "mail.musterstadt.de")')
    if "@" not in parseaddr(absender)[1]:
        problems.append('absender fehlt oder ist keine Adresse (z. B. absender = "Bürgerbüro <bb@musterstadt.de>")')
    if not 0 <= int(s.port) < 65536:
        problems.append(f"port {s.port} ist ungültig (1 bis 65535, 0 = Standardport)")
    if s.passwort_datei and s.passwort_befehl:
        problems.append("bitte nur eine der Angaben passwort_datei oder passwort_befehl setzen")
    if problems:
        raise KonfigFehler("Der Abschnitt [smtp] in buero-ticket.toml ist unvollständig.", _CONFIG_HINT, problems)
    mode = str(s.verschluesselung)
    return SmtpConfig(
        server=str(s.server).strip(),
        port=int(s.port) or DEFAULT_PORTS[mode],
        benutzer=str(s.benutzer),
        verschluesselung=mode,
        absender=absender,
        ca_datei=str(s.ca_datei),
        passwort_datei=str(s.passwort_datei),
        passwort_befehl=str(s.passwort_befehl),
    )


def _amt_sender(config: Config) -> str:
    email = config.amt.email
    return f"{config.amt.name} <{email}>" if email else ""


def own_addresses(config: Config) -> set[str]:
    """Every address that is ours: [smtp] absender and benutzer, [amt] email, [imap] benutzer."""
    values = [config.smtp.absender, config.smtp.benutzer, config.amt.email, config.imap.benutzer]
    return {parseaddr(str(v))[1].lower() for v in values if "@" in str(v)}


# --- password ----------------------------------------------------------------------------------


def read_password(cfg: SmtpConfig, env: Mapping[str, str]) -> str:
    """The SMTP password from passwort_datei, passwort_befehl or BUERO_TICKET_SMTP_PASSWORT."""
    return read_secret(
        "smtp", datei=cfg.passwort_datei, befehl=cfg.passwort_befehl, env_name=PASSWORD_ENV, env=env, user=cfg.benutzer
    )


# --- sending -----------------------------------------------------------------------------------


def _context(cfg: SmtpConfig) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cfg.ca_datei or None)
    except (OSError, ssl.SSLError) as exc:
        raise KonfigFehler(
            f"Die CA-Datei {cfg.ca_datei} kann nicht gelesen werden ({ursache(exc)}).", "Prüfen Sie ca_datei in [smtp]."
        ) from None


def _connect(cfg: SmtpConfig, timeout: float) -> smtplib.SMTP:
    if cfg.verschluesselung == "tls":
        return smtplib.SMTP_SSL(cfg.server, cfg.port, timeout=timeout, context=_context(cfg))
    client = smtplib.SMTP(cfg.server, cfg.port, timeout=timeout)
    if cfg.verschluesselung == "starttls":
        client.ehlo()
        client.starttls(context=_context(cfg))
        client.ehlo()
    return client


def send(cfg: SmtpConfig, raw: bytes, recipients: list[str], *, password: str = "", timeout: float = TIMEOUT_S) -> None:
    """Send ``raw`` (the exact bytes that are also stored) to ``recipients``; German errors."""
    try:
        with _connect(cfg, timeout) as client:
            if cfg.benutzer:
                _login(client, cfg.benutzer, password)
            client.sendmail(cfg.sender_address, recipients, raw)
    except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError and socket errors are OSErrors
        raise versand_fehler(cfg, exc) from exc


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; smtplib encodes credentials as ASCII, so umlauts go through AUTH PLAIN in UTF-8 (RFC 4616)."""
    if (user + password).isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def versand_fehler(cfg: SmtpConfig, exc: Exception) -> VersandFehler:
    """The product error for an SMTP or network error, with what the server said and what to fix in [smtp];
    shown like every error by the one translator (errors.translate). The exception stays its cause (log)."""
    where = f"Mailserver {cfg.target}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return VersandFehler(
            f"Der {where} hat die Anmeldung als {cfg.benutzer} abgelehnt ({_reply(exc)}).",
            f"Prüfen Sie benutzer in [smtp] und das Passwort ({PASSWORD_ENV} oder passwort_datei).",
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{a} ({_reply_of(r)})" for a, r in exc.recipients.items())
        return VersandFehler(
            f"Der {where} hat den Empfänger abgelehnt: {refused}.", "Prüfen Sie die E-Mail-Adresse im Vorgang."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return VersandFehler(
            f"Der {where} hat den Absender {cfg.sender_address} abgelehnt ({_reply(exc)}).",
            "Prüfen Sie absender in [smtp]: er muss zum Postfach von benutzer passen.",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return VersandFehler(
            f"Der {where} bietet keine Verschlüsselung mit STARTTLS an ({exc}).",
            'Fragen Sie die IT nach Port und Verfahren; oft ist es port = 465 mit verschluesselung = "tls".',
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return VersandFehler(
            f"Das Zertifikat des {where}s ist nicht vertrauenswürdig ({exc.verify_message}).",
            "Tragen Sie unter ca_datei in [smtp] die CA-Datei des Servers ein oder prüfen Sie den Servernamen.",
        )
    if isinstance(exc, ssl.SSLError):
        return VersandFehler(
            f"Die verschlüsselte Verbindung zum {where} ist gescheitert ({exc}).",
            'Passt verschluesselung zum Port? Üblich: 587 mit "starttls", 465 mit "tls".',
            connection_failed=True,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return VersandFehler(f"Der {where} hat die E-Mail abgelehnt ({_reply(exc)}).", "Melden Sie das der IT.")
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return VersandFehler(
            f"Der {where} ist nicht erreichbar ({ursache(exc)}).",
            "Prüfen Sie die Netzwerkverbindung und server/port in [smtp]; versuchen Sie es später erneut.",
            connection_failed=True,
        )
    return VersandFehler(f"Versand über den {where} gescheitert ({ursache(exc)}).", "Melden Sie das der IT.")


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of((exc.smtp_code, exc.smtp_error))


def _reply_of(reply: tuple[int, bytes | str]) -> str:
    code, text = reply
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"
