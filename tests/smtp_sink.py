"""A real SMTP server for tests: aiosmtpd on loopback, plain, STARTTLS or implicit TLS, optional AUTH.

Every accepted mail is kept with its envelope and the exact bytes received. The
port is picked free beforehand (aiosmtpd's ``port=0`` fails, see pitfalls.md §4).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost/127.0.0.1: (cert.pem, key.pem)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpSink:
    """``mode``: "keine" (plain), "starttls" (STARTTLS required) or "tls" (implicit TLS)."""

    mode: str = "keine"
    user: str = ""
    password: str = ""
    cert: tuple[Path, Path] | None = None
    port: int = 0
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (
            self.user,
            self.password,
        )
        if ok:
            self.logins.append(self.user)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def start(self, port: int = 0) -> SmtpSink:
        """Listen on ``port`` (0: a free one)."""
        kwargs: dict[str, Any] = {}
        if self.mode != "keine":
            assert self.cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.cert[0]), str(self.cert[1]))
            if self.mode == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs.update(ssl_context=context)
        if self.user:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=self.mode == "starttls")
        self.port = port or free_port()
        self._controller = Controller(self, hostname=HOST, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def take(self) -> list[Received]:
        """Every mail received so far, removing them from the sink."""
        with self._lock:
            taken, self.received = self.received, []
        return taken

    def toml(self, absender: str = "Bürgerbüro Musterstadt <buergerbuero@musterstadt.example>") -> dict[str, Any]:
        """The [smtp] settings that point at this server."""
        section: dict[str, Any] = {
            "server": HOST,
            "port": self.port,
            "verschluesselung": self.mode,
            "absender": absender,
        }
        if self.user:
            section["benutzer"] = self.user
        if self.cert is not None:
            section["ca_datei"] = str(self.cert[0])
        return section


def set_config(root: Path, sections: dict[str, dict[str, Any]]) -> None:
    """Set keys in an Ablage's buero-ticket.toml (existing keys of a section are replaced)."""
    path = root / "buero-ticket.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    current = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped.strip("[]").strip()
        key = stripped.split("=", 1)[0].strip()
        if "=" in stripped and not stripped.startswith("#") and key in sections.get(current, {}):
            continue
        out.append(line)
        if current in sections and stripped == f"[{current}]":
            out += [f"{k} = {_toml(v)}" for k, v in sections[current].items()]
    present = {ln.strip().strip("[]") for ln in out if ln.strip().startswith("[")}
    for section, values in sections.items():
        if section not in present:
            out += ["", f"[{section}]", *(f"{k} = {_toml(v)}" for k, v in values.items())]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
