"""Thin, typed layer over imap-tools for the shared intake mailbox.

The caller keeps the import state, keyed by (UIDVALIDITY, UID). This module never uses
``\\Seen`` as state, never marks messages as read, and never expunges messages it did not
move itself. Messages a person reads are German; identifiers are English.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import selectors
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import (
    ImapToolsError,
    MailboxCopyError,
    MailboxExpungeError,
    MailboxFetchError,
    MailboxFlagError,
    MailboxFolderCreateError,
    MailboxLoginError,
    MailboxMoveError,
    MailboxUidsError,
    UnexpectedCommandStatusError,
)
from imap_tools.mailbox import BaseMailBox
from imap_tools.utils import check_command_status, encode_folder

from ..errors import VerbindungsFehler, ursache
from ..passwort import PasswortFehler, read_secret

PASSWORD_ENV = "BUERO_TICKET_IMAP_PASSWORT"
ENCRYPTIONS = ("imaps", "starttls", "keine")
CONNECT_TIMEOUT_S = 30.0
IDLE_MAX_S = 29 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
FETCH_CHUNK = 500  # UIDs per UID FETCH command in sizes()

# imaplib.IMAP4.abort means the connection is unusable; it must be caught before IMAP4.error.
_CONNECTION_ERRORS = (imaplib.IMAP4.abort, OSError)
_PROTOCOL_ERRORS = (imaplib.IMAP4.error, ImapToolsError)

T = TypeVar("T")


class ImapFehler(VerbindungsFehler):
    """An IMAP problem, with a German message that says what happened and what to do next."""

    beschreibung = "Das Postfach meldet einen Fehler."


class ImapVerbindungsfehler(ImapFehler):
    """The server is unreachable or the connection broke; trying again later may help."""

    beschreibung = "Die Verbindung zum Postfach ist abgebrochen oder nicht möglich."


class ImapUidvalidityGeaendert(ImapVerbindungsfehler):
    """After a reconnect the inbox has a new UIDVALIDITY: UIDs read before mean other messages.

    Starting the round again (uidvalidity(), list_uids()) is the right reaction.
    """

    beschreibung = "Der Posteingang wurde auf dem Server neu angelegt (neue UIDVALIDITY)."


@dataclass(frozen=True)
class ImapConfig:
    """The ``[imap]`` section of buero-ticket.toml. Raises ImapFehler listing every problem.

    Empty strings count as "not set" and port 0 as "default port", like the config defaults.
    """

    server: str
    benutzer: str
    verschluesselung: Literal["imaps", "starttls", "keine"] = "imaps"
    port: int | None = None
    ca_datei: str | None = None
    ordner_eingang: str = "INBOX"
    ordner_importiert: str = "Importiert"
    ordner_quarantaene: str = "Quarantäne"
    passwort_datei: str | None = None
    passwort_befehl: str | None = None
    max_groesse_mb: int = 25

    def __post_init__(self) -> None:
        problems = _config_problems(self)
        if problems:
            raise ImapFehler("Fehler im Abschnitt [imap] der Einstellungen:\n- " + "\n- ".join(problems))

    @property
    def resolved_port(self) -> int:
        """The configured port; if it is None or 0, 993 for IMAPS and 143 otherwise."""
        if self.port:
            return self.port
        return 993 if self.verschluesselung == "imaps" else 143


def _config_problems(cfg: ImapConfig) -> list[str]:
    problems = []
    if not cfg.server.strip():
        problems.append('server fehlt (z. B. server = "mail.example.de").')
    if not cfg.benutzer.strip():
        problems.append("benutzer fehlt (der Anmeldename des Postfachs).")
    if cfg.verschluesselung not in ENCRYPTIONS:
        problems.append(
            f"verschluesselung „{cfg.verschluesselung}“ ist unbekannt; erlaubt sind „imaps“, „starttls“ oder „keine“."
        )
    if cfg.port is not None and not 0 <= cfg.port < 65536:
        problems.append(f"port {cfg.port} ist ungültig; erlaubt ist 1 bis 65535 (0 = Standardport).")
    if cfg.verschluesselung == "starttls" and cfg.port == 993:
        problems.append('Port 993 ist IMAPS: setzen Sie verschluesselung = "imaps" oder port = 143.')
    if cfg.passwort_datei and cfg.passwort_befehl:
        problems.append("Bitte nur eine der Angaben passwort_datei oder passwort_befehl setzen.")
    if cfg.max_groesse_mb <= 0:
        problems.append("max_groesse_mb muss größer als 0 sein.")
    folders = [cfg.ordner_eingang, cfg.ordner_importiert, cfg.ordner_quarantaene]
    if not all(f.strip() for f in folders) or len(set(folders)) != len(folders):
        problems.append(
            "ordner_eingang, ordner_importiert und ordner_quarantaene müssen gesetzt und drei verschiedene Ordner sein."
        )
    return problems


# --- password ------------------------------------------------------------------------------


def read_password(cfg: ImapConfig, env: Mapping[str, str]) -> str:
    """The IMAP password from passwort_datei, passwort_befehl or BUERO_TICKET_IMAP_PASSWORT."""
    try:
        return read_secret(
            "imap", datei=cfg.passwort_datei, befehl=cfg.passwort_befehl, env_name=PASSWORD_ENV, env=env,
            user=cfg.benutzer,
        )  # fmt: skip
    except PasswortFehler as exc:
        raise ImapFehler(f"{exc.text} {exc.hinweis}") from None


def _password_hint(cfg: ImapConfig) -> str:
    if cfg.passwort_datei:
        return f"die Passwortdatei {cfg.passwort_datei}"
    if cfg.passwort_befehl:
        return "den passwort_befehl"
    return f"{PASSWORD_ENV} bzw. das mit 'buero-ticket passwort setzen imap' gespeicherte Passwort"


# --- mailbox -------------------------------------------------------------------------------


class ImapPostfach:
    """One logged-in connection to the intake mailbox, with the inbox selected.

    Use as a context manager, from one thread at a time. Read operations reconnect once
    after a lost connection; ``move`` and ``append`` raise ImapVerbindungsfehler instead
    (their outcome is unknown), and the next call reconnects. If a reconnect finds a new
    UIDVALIDITY, the call raises ImapUidvalidityGeaendert: UIDs from before must not be used
    (a move could hit another message); start again with uidvalidity() and list_uids().
    ``disabled_capabilities`` (e.g. ``{"MOVE"}``) makes the layer ignore server
    capabilities, for broken servers and for tests of the fallbacks.
    """

    def __init__(
        self,
        cfg: ImapConfig,
        password: str,
        *,
        disabled_capabilities: Iterable[str] = (),
        timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self._cfg = cfg
        self._password = password
        self._disabled = frozenset(c.upper() for c in disabled_capabilities)
        self._timeout_s = timeout_s
        self._mb: BaseMailBox | None = None
        self._caps: frozenset[str] = frozenset()
        self._uidvalidity = 0

    def __enter__(self) -> ImapPostfach:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def capabilities(self) -> frozenset[str]:
        """Capabilities advertised after login, minus the disabled ones."""
        return self._caps

    @property
    def _where(self) -> str:
        return f"{self._cfg.server}:{self._cfg.resolved_port}"

    # connection ---------------------------------------------------------------------------

    def connect(self) -> None:
        """Connect, log in, create missing folders and select the inbox (no-op if connected)."""
        self._connected()

    def _connected(self) -> BaseMailBox:
        if self._mb is None:
            known = self._uidvalidity
            mb = self._open()
            try:
                self._prepare(mb)
            except BaseException:
                _shutdown_quietly(mb)
                raise
            self._mb = mb
            if known and known != self._uidvalidity:
                raise ImapUidvalidityGeaendert(
                    f"Der Ordner „{self._cfg.ordner_eingang}“ wurde auf dem Server neu angelegt "
                    f"(UIDVALIDITY {known} → {self._uidvalidity}); die bisher gelesenen "
                    "Nachrichtennummern gelten nicht mehr. Der Abruf muss neu beginnen."
                )
        return self._mb

    def reconnect(self) -> None:
        """Drop the current connection (if any) and connect again."""
        self._drop()
        self.connect()

    def close(self) -> None:
        """Log out; errors are ignored because the connection is given up anyway."""
        mb, self._mb = self._mb, None
        if mb is None:
            return
        try:
            mb.client.logout()
        except (*_PROTOCOL_ERRORS, OSError):
            _shutdown_quietly(mb)

    def _drop(self) -> None:
        mb, self._mb = self._mb, None
        if mb is not None:
            _shutdown_quietly(mb)

    def _open(self) -> BaseMailBox:
        cfg = self._cfg
        port, timeout = cfg.resolved_port, self._timeout_s
        try:
            if cfg.verschluesselung == "keine":
                return MailBoxUnencrypted(cfg.server, port, timeout=timeout)
            context = _ssl_context(cfg)
            if cfg.verschluesselung == "starttls":
                return MailBoxStartTls(cfg.server, port, timeout=timeout, ssl_context=context)
            return MailBox(cfg.server, port, timeout=timeout, ssl_context=context)
        except ssl.SSLCertVerificationError as exc:
            raise ImapFehler(
                f"Das TLS-Zertifikat von {self._where} wurde abgelehnt ({exc.verify_message}). "
                "Tragen Sie unter ca_datei in [imap] die CA-Datei des Servers ein oder prüfen Sie "
                "den Servernamen."
            ) from exc
        except ssl.SSLError as exc:
            raise ImapFehler(
                f"Die TLS-Verbindung zu {self._where} ist fehlgeschlagen ({exc.reason}). Passt "
                "verschluesselung zum Port? Üblich: „imaps“ mit 993, „starttls“ mit 143."
            ) from exc
        except OSError as exc:
            raise ImapVerbindungsfehler(
                f"Der IMAP-Server {self._where} ist nicht erreichbar oder antwortet nicht ({ursache(exc)}). "
                "Prüfen Sie server, port und verschluesselung in [imap] und die Netzwerkverbindung."
            ) from exc
        except _PROTOCOL_ERRORS as exc:
            raise ImapFehler(
                f"Der IMAP-Server {self._where} hat den Verbindungsaufbau abgelehnt "
                f"({_server_text(exc)}). Prüfen Sie verschluesselung in [imap]."
            ) from exc

    def _prepare(self, mb: BaseMailBox) -> None:
        actions: list[tuple[str, Callable[[BaseMailBox], None]]] = [
            ("Anmeldung", self._login),
            ("Abfrage der Fähigkeiten", self._read_capabilities),
            ("Prüfen der Ordner", self._ensure_folders),
            (f"Öffnen des Ordners „{self._cfg.ordner_eingang}“", self._select_inbox),
        ]
        for what, action in actions:
            _translated(self._where, what, action, mb)

    def _login(self, mb: BaseMailBox) -> None:
        user, password = self._cfg.benutzer, self._password
        if "LOGINDISABLED" in mb.client.capabilities:
            raise ImapFehler(
                f"Der IMAP-Server {self._where} erlaubt keine Anmeldung ohne Verschlüsselung. "
                'Setzen Sie in [imap] verschluesselung = "starttls" oder "imaps".'
            )
        try:
            if (user + password).isascii():
                mb.login(user, password, initial_folder=None)
            else:  # LOGIN is ASCII-only in imaplib; AUTHENTICATE PLAIN carries UTF-8
                mb.login_utf8(user, password, initial_folder=None)
        except _CONNECTION_ERRORS:
            raise
        except (MailboxLoginError, imaplib.IMAP4.error) as exc:
            raise ImapFehler(
                f"IMAP-Anmeldung bei {self._cfg.server} fehlgeschlagen: Benutzer oder Passwort "
                f"falsch (Server: {_server_text(exc)}). Prüfen Sie benutzer in [imap] und "
                f"{_password_hint(self._cfg)}."
            ) from exc

    def _read_capabilities(self, mb: BaseMailBox) -> None:
        # pitfalls 1.1: MOVE and UIDPLUS are only advertised after login.
        _typ, data = mb.client.capability()
        caps = tuple(data[-1].decode().upper().split())
        mb.client.capabilities = caps
        self._caps = frozenset(caps) - self._disabled

    def _ensure_folders(self, mb: BaseMailBox) -> None:
        for folder in (self._cfg.ordner_importiert, self._cfg.ordner_quarantaene):
            self._ensure_folder(mb, folder)

    def _ensure_folder(self, mb: BaseMailBox, folder: str) -> None:
        if mb.folder.exists(folder):
            return
        try:
            mb.folder.create(folder)
        except MailboxFolderCreateError as exc:
            if mb.folder.exists(folder):  # another process created it meanwhile
                return
            raise ImapFehler(
                f"Der IMAP-Ordner „{folder}“ fehlt und konnte nicht angelegt werden "
                f"(Server: {_server_text(exc)}). Legen Sie ihn im Mailprogramm an oder passen Sie "
                "ordner_importiert bzw. ordner_quarantaene in [imap] an (manche Server verlangen "
                "den Präfix „INBOX.“)."
            ) from exc
        mb.folder.subscribe(folder, True)  # so that Outlook and Thunderbird show it

    def _select_inbox(self, mb: BaseMailBox) -> None:
        inbox = self._cfg.ordner_eingang
        self._uidvalidity = mb.folder.status(inbox, ["UIDVALIDITY"])["UIDVALIDITY"]
        mb.folder.set(inbox)

    # operations ---------------------------------------------------------------------------

    def _run(self, what: str, action: Callable[[BaseMailBox], T], *, retry: bool) -> T:
        """Run ``action``; after a lost connection reconnect and, if ``retry``, run it once more."""
        try:
            return self._attempt(what, action)
        except ImapUidvalidityGeaendert:
            raise  # never repeat an action with a UID from before
        except ImapVerbindungsfehler:
            if not retry:
                raise
        return self._attempt(what, action)

    def _attempt(self, what: str, action: Callable[[BaseMailBox], T]) -> T:
        mb = self._connected()
        try:
            return _translated(self._where, what, action, mb)
        except ImapVerbindungsfehler:
            self._drop()
            raise

    def uidvalidity(self) -> int:
        """UIDVALIDITY of the inbox for the current connection."""
        self.connect()
        return self._uidvalidity

    def list_uids(self) -> list[int]:
        """All UIDs in the inbox (UID SEARCH ALL), ascending; flags are not looked at."""
        return self._run("Suche im Posteingang", _search_all, retry=True)

    def sizes(self, uids: Iterable[int]) -> dict[int, int]:
        """RFC822.SIZE in bytes per UID; UIDs no longer in the inbox are missing."""
        wanted = sorted(set(uids))
        if not wanted:
            return {}
        return self._run("Abfrage der Nachrichtengrößen", lambda mb: _fetch_sizes(mb, wanted), retry=True)

    def fetch_raw(self, uid: int) -> bytes:
        """The exact message bytes from the FETCH literal; BODY.PEEK does not set \\Seen."""
        raw = self._run(f"Abruf der Nachricht UID {uid}", lambda mb: _fetch_literal(mb, uid), retry=True)
        if raw is None:
            raise ImapFehler(
                f"Die Nachricht UID {uid} ist nicht mehr im Ordner „{self._cfg.ordner_eingang}“; "
                "sie wurde vermutlich inzwischen verschoben oder gelöscht, z. B. von einem anderen Arbeitsplatz."
            )
        return raw

    def move(self, uid: int | Iterable[int], folder: str) -> None:
        """Move one message (or several, in one command) out of the inbox, expunging no other message.

        UID MOVE when advertised; else UID COPY + \\Deleted + UID EXPUNGE of these UIDs (UIDPLUS).
        Without both, a plain EXPUNGE would also remove messages that others marked \\Deleted,
        so it is sent only when this message is the only \\Deleted one. Otherwise the message
        stays in the inbox marked \\Deleted until someone expunges; list_uids still reports it,
        and the caller's (UIDVALIDITY, UID) record keeps it from being imported twice.
        """
        uids = [uid] if isinstance(uid, int) else sorted(set(uid))
        if not uids:
            return
        uid_s = ",".join(str(u) for u in uids)
        self._run(
            f"Verschieben der Nachrichten mit UID {uid_s} nach „{folder}“",
            lambda mb: self._move(mb, uids, folder),
            retry=False,
        )

    def _move(self, mb: BaseMailBox, uids: list[int], folder: str) -> None:
        client, uid_s, target = mb.client, ",".join(str(u) for u in uids), encode_folder(folder).decode("ascii")
        _sync(mb)
        if "MOVE" in self._caps:
            check_command_status(client.uid("MOVE", uid_s, target), MailboxMoveError)
            return
        check_command_status(client.uid("COPY", uid_s, target), MailboxCopyError)
        check_command_status(client.uid("STORE", uid_s, "+FLAGS.SILENT", r"(\Deleted)"), MailboxFlagError)
        if "UIDPLUS" in self._caps:
            check_command_status(client.uid("EXPUNGE", uid_s), MailboxExpungeError)
        elif _deleted_uids(mb) <= set(uids):
            check_command_status(client.expunge(), MailboxExpungeError)

    def delete_by_message_id(self, folder: str, message_ids: Iterable[str]) -> int:
        """Delete the messages with these Message-IDs from ``folder`` (erasure, Art. 17 DSGVO).

        Only the matching UIDs are expunged (UID EXPUNGE with UIDPLUS); the inbox is selected again
        afterwards. Returns how many messages were deleted."""
        ids = [i.strip() for i in message_ids if i.strip()]

        def action(mb: BaseMailBox) -> int:
            client = mb.client
            mb.folder.set(folder)
            try:
                uids: set[int] = set()
                for mid in ids:
                    typ, data = client.uid("SEARCH", "HEADER", "Message-ID", f'"{mid}"')
                    if typ == "OK" and data and data[0]:
                        uids.update(int(u) for u in data[0].split())
                if not uids:
                    return 0
                uid_s = ",".join(str(u) for u in sorted(uids))
                check_command_status(client.uid("STORE", uid_s, "+FLAGS.SILENT", r"(\Deleted)"), MailboxFlagError)
                if "UIDPLUS" in self._caps:
                    check_command_status(client.uid("EXPUNGE", uid_s), MailboxExpungeError)
                elif _deleted_uids(mb) <= uids:
                    check_command_status(client.expunge(), MailboxExpungeError)
                return len(uids)
            finally:
                mb.folder.set(self._cfg.ordner_eingang)

        return self._run(f"Löschen im Ordner „{folder}“", action, retry=False)

    def quarantine(self, uid: int) -> None:
        """Move a message that could not be imported to the quarantine folder."""
        self.move(uid, self._cfg.ordner_quarantaene)

    def append(self, folder: str, raw: bytes, flags: Iterable[str] = ()) -> int | None:
        """Store ``raw`` in ``folder``; returns the new UID if the server reports it (UIDPLUS).

        imaplib rewrites bare LF and CR to CRLF, so only CRLF messages come back byte-identical.
        """
        result = self._run(
            f"Ablegen einer Nachricht in „{folder}“",
            lambda mb: mb.append(raw, folder, flag_set=list(flags)),
            retry=False,
        )
        return _append_uid(result[1])

    def wait_for_change(self, timeout_s: float) -> None:
        """Wait until the server reports a change or ``timeout_s`` passes, whichever is first.

        IDLE is a wake-up hint only (pitfalls 1.4): errors are swallowed, a broken connection
        is dropped (the next call reconnects), and the caller must call list_uids() after
        every return. Without IDLE support this simply sleeps for ``timeout_s``.

        imap-tools' ``idle.poll()`` reads from a non-blocking socket and can abort on half a
        line (pymap). So this only waits until the socket is readable; DONE then reads the
        responses with an ordinary blocking read.
        """
        try:
            mb = self._connected()
        except ImapFehler:
            return  # the caller's next call reports the problem
        if "IDLE" not in self._caps:
            time.sleep(timeout_s)
            return
        try:
            with mb.idle:  # IDLE, wait for "+"; on exit DONE and read up to the tagged OK
                _wait_readable(mb.client.sock, min(timeout_s, IDLE_MAX_S))
        except (*_PROTOCOL_ERRORS, OSError):
            self._drop()


# --- helpers (module level, so they stay small and testable) ---------------------------------


def _ssl_context(cfg: ImapConfig) -> ssl.SSLContext:
    """Verification is always on; with ca_datei only that CA is trusted."""
    try:
        return ssl.create_default_context(cafile=cfg.ca_datei or None)
    except OSError as exc:
        raise ImapFehler(
            f"Die CA-Datei {cfg.ca_datei} kann nicht gelesen werden ({ursache(exc)}). Prüfen Sie ca_datei in [imap]."
        ) from exc


def _translated(where: str, what: str, action: Callable[[BaseMailBox], T], mb: BaseMailBox) -> T:
    try:
        return action(mb)
    except _CONNECTION_ERRORS as exc:
        raise ImapVerbindungsfehler(
            f"Die Verbindung zu {where} ist abgebrochen ({what}; {ursache(exc)}). Prüfen Sie die "
            "Netzwerkverbindung; beim nächsten Aufruf wird neu verbunden."
        ) from exc
    except _PROTOCOL_ERRORS as exc:
        raise ImapFehler(
            f"Der IMAP-Server {where} meldete einen Fehler ({what}; Server: {_server_text(exc)}). "
            "Versuchen Sie es später erneut; bleibt der Fehler, bitte die IT informieren."
        ) from exc


def _wait_readable(sock: socket.socket, timeout_s: float) -> None:
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        selector.select(timeout_s)


def _shutdown_quietly(mb: BaseMailBox) -> None:
    with contextlib.suppress(OSError):
        mb.client.shutdown()


def _server_text(exc: Exception) -> str:
    if isinstance(exc, UnexpectedCommandStatusError):
        parts = [p.decode("utf-8", "replace") for p in exc.command_result[1] if isinstance(p, bytes)]
        return " ".join(parts) or str(exc.command_result[0])
    return str(exc)


def _sync(mb: BaseMailBox) -> None:
    """NOOP: let the session see messages other sessions added since the last sync.

    UID SEARCH on pymap and UID MOVE on Dovecot ignore such messages until then. Also drops
    imaplib's collected untagged responses, which otherwise grow with every NOOP and IDLE.
    """
    check_command_status(mb.client.noop(), MailboxUidsError)
    mb.client.untagged_responses.clear()


def _search_all(mb: BaseMailBox) -> list[int]:
    _sync(mb)
    return sorted(int(uid) for uid in mb.uids("ALL", charset=None))


def _deleted_uids(mb: BaseMailBox) -> set[int]:
    result = mb.client.uid("SEARCH", "DELETED")
    check_command_status(result, MailboxUidsError)
    return {int(uid) for uid in (result[1][0] or b"").split()}


_UID_RE = re.compile(rb"\bUID (\d+)")
_SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_APPENDUID_RE = re.compile(rb"\[APPENDUID \d+ (\d+)\]")


def _fetch_sizes(mb: BaseMailBox, uids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(uids), FETCH_CHUNK):
        uid_set = ",".join(str(u) for u in uids[start : start + FETCH_CHUNK])
        result = mb.client.uid("FETCH", uid_set, "(RFC822.SIZE)")
        check_command_status(result, MailboxFetchError)
        found.update(_parse_sizes(result[1]))
    wanted = set(uids)
    return {uid: size for uid, size in found.items() if uid in wanted}


def _parse_sizes(data: list[Any]) -> dict[int, int]:
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        uid, size = _UID_RE.search(line or b""), _SIZE_RE.search(line or b"")
        if uid and size:
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _fetch_literal(mb: BaseMailBox, uid: int) -> bytes | None:
    for attempt in range(2):
        if attempt:
            _sync(mb)  # the UID may be newer than this session's view
        result = mb.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        check_command_status(result, MailboxFetchError)
        raw = _literal_for(result[1], uid)
        if raw is not None:
            return raw
    return None


def _literal_for(data: list[Any], uid: int) -> bytes | None:
    """The BODY[] literal of ``uid``; skips unsolicited FETCH responses (pitfalls 1.3).

    imaplib splits a response with a literal into (head, literal) and the rest of the line;
    the UID may sit in either part (Dovecot sends it first, pymap after the literal).
    """
    for index, item in enumerate(data):
        if not isinstance(item, tuple) or b"BODY[]" not in item[0].upper():
            continue
        rest = data[index + 1] if index + 1 < len(data) and isinstance(data[index + 1], bytes) else b""
        found = _UID_RE.search(item[0] + b" " + rest)
        if found and int(found.group(1)) == uid:
            return bytes(item[1])
    return None


def _append_uid(data: list[Any]) -> int | None:
    for item in data:
        found = _APPENDUID_RE.search(item) if isinstance(item, bytes) else None
        if found:
            return int(found.group(1))
    return None
