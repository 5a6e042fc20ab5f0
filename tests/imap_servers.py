"""Real IMAP servers for tests: an in-process pymap and a throwaway Dovecot.

Loaded as a pytest plugin (``pytest_plugins = ["tests.imap_servers"]``). Fixtures:

- ``pymap_server``: a fresh in-process pymap (dict backend, plain IMAP) per test.
- ``dovecot_server``: one Dovecot per session (plain/STARTTLS and IMAPS ports, self-signed
  certificate) and a fresh user with an empty mailbox per test.

Both yield an object with host, port(s), user, password and helpers that use their own
connection (``append``, ``uids``, ``flags``, ``raw``), so tests can check what the code under
test did without going through it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from argparse import Namespace
from collections.abc import Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0


# --- helpers shared by both servers ----------------------------------------------------------


@dataclass
class ImapAccount:
    """Test-side access to one mailbox, over a separate plain connection."""

    host: str
    port: int
    user: str
    password: str

    def client(self) -> BaseMailBox:
        """A logged-in plain connection (no folder selected); use it as a context manager."""
        mb = MailBoxUnencrypted(self.host, self.port, timeout=10)
        if (self.user + self.password).isascii():
            return mb.login(self.user, self.password, initial_folder=None)
        return mb.login_utf8(self.user, self.password, initial_folder=None)

    def append(self, raw: bytes, folder: str = "INBOX", flags: Iterable[str] = ()) -> int:
        """Append ``raw`` (use CRLF line endings) and return its UID (from APPENDUID)."""
        with self.client() as mb:
            _typ, data = mb.append(raw, folder, flag_set=list(flags))
        found = re.search(rb"\[APPENDUID \d+ (\d+)\]", b" ".join(d for d in data if isinstance(d, bytes)))
        if not found:
            raise AssertionError(f"no APPENDUID in {data!r}")
        return int(found.group(1))

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client() as mb:
            return self._uids(mb, folder)

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        """Flags of one message, read with a fresh connection (FETCH FLAGS does not set \\Seen)."""
        with self.client() as mb:
            mb.folder.set(folder, readonly=True)
            for msg in mb.fetch(uid_list=[str(uid)], mark_seen=False, headers_only=True):
                return set(msg.flags)
        raise AssertionError(f"UID {uid} not found in {folder}")

    def raw(self, uid: int, folder: str = "INBOX") -> bytes:
        """The bytes of one message from the FETCH literal, read without the code under test."""
        with self.client() as mb:
            mb.folder.set(folder, readonly=True)
            typ, data = mb.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        literals = [item[1] for item in data if isinstance(item, tuple) and b"BODY[]" in item[0]]
        if typ != "OK" or len(literals) != 1:
            raise AssertionError(f"UID {uid} not found in {folder}: {typ} {data!r}")
        return bytes(literals[0])

    @staticmethod
    def _uids(mb: BaseMailBox, folder: str) -> list[int]:
        mb.folder.set(folder, readonly=True)
        return sorted(int(u) for u in mb.uids("ALL", charset=None))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_for_greeting(port: int, is_alive: Callable[[], bool], tls: ssl.SSLContext | None = None) -> None:
    """Poll until the server greets with ``* OK``; stop early if the server process died."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while is_alive() and time.monotonic() < deadline:
        try:
            if _greeting(port, tls).startswith(b"* OK"):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"IMAP server on port {port} did not greet")


def _greeting(port: int, tls: ssl.SSLContext | None) -> bytes:
    with socket.create_connection((HOST, port), timeout=2) as raw:
        if tls is None:
            return raw.recv(64)
        with tls.wrap_socket(raw, server_hostname=HOST) as sock:
            return sock.recv(64)


# --- pymap ------------------------------------------------------------------------------------


@dataclass
class PymapServer(ImapAccount):
    """A pymap dict-backend server running on an asyncio loop in a daemon thread.

    ``accepted`` counts client connections, so tests can tell whether a client reconnected.
    """

    accepted: int = 0
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _stop: asyncio.Event | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _ready: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None
    _login: Any = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pymap-test-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise RuntimeError("pymap did not start")
        if self._error is not None:
            raise RuntimeError("pymap failed to start") from self._error

    def stop(self) -> None:
        """Stop the server and join its thread; calling it twice is harmless."""
        loop, self._loop = self._loop, None
        if loop is not None and self._stop is not None and self._thread is not None:
            loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():
                raise RuntimeError("pymap thread did not stop")

    def drop_connections(self) -> None:
        """Close every client connection from the server side, as a crashing server would."""
        self._call(self._abort_connections())

    def add_user(self, user: str, password: str) -> None:
        self._call(self._add_user(user, password))

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        if self._loop is None:
            raise RuntimeError("pymap is not running")
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(START_TIMEOUT_S)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start() through _error
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        # Imported here: pymap requires Python ~=3.11, and the Dovecot fixtures must not need it.
        from proxyprotocol.reader import ProxyProtocolReader
        from pymap.backend.dict import DictBackend
        from pymap.imap import IMAPServer
        from pysasl.hashing import BuiltinHash

        args = Namespace(
            host=[HOST], port="0", debug=False, cert=None, key=None, tls=False, proxy_protocol=None,
            inherited_sockets=None, passlib_cfg=None, demo_data=False,
            demo_user=self.user, demo_password=self.password,
        )  # fmt: skip
        backend, config = await DictBackend.init(args, hash_context=BuiltinHash(rounds=1000))
        config.apply_context()
        self._login = backend.login
        handler = ProxyProtocolReader(config.proxy_protocol).get_callback(IMAPServer(backend.login, config))

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.accepted += 1
            self._writers.add(writer)
            await handler(reader, writer)

        server = await asyncio.start_server(on_connect, HOST, 0)
        async with server:
            self.port = int(server.sockets[0].getsockname()[1])
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await self._stop.wait()
            await self._abort_connections()

    async def _abort_connections(self) -> None:
        writers, self._writers = self._writers, set()
        for writer in writers:
            writer.transport.abort()

    async def _add_user(self, user: str, password: str) -> None:
        from pymap.backend.dict import Identity
        from pymap.user import Passwords, UserMetadata

        login = self._login
        hashed = await Passwords(login.config).hash_password(password)
        await Identity(user, login, None, frozenset()).set(UserMetadata(login.config, user, password=hashed))


@pytest.fixture
def pymap_server() -> Iterator[PymapServer]:
    """A fresh pymap (plain IMAP on 127.0.0.1, user alice) per test; start-up takes milliseconds."""
    server = PymapServer(host=HOST, port=0, user="alice", password="geheim")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- Dovecot ----------------------------------------------------------------------------------

DOVECOT_PASSWORD = "Geheim-123"
DOVECOT_CONF = """\
protocols = imap
listen = {host}
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = bt-test-{imap_port}
log_path = {dir}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
last_valid_uid = {mail_uid}
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={dir}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class DovecotInstance:
    """One running Dovecot; ``new_account`` hands out a user with an empty mailbox.

    Every user name logs in with DOVECOT_PASSWORD (static passdb), so a new name is a new,
    empty mailbox. A passwd-file would need a rewrite per user, and Dovecot re-reads it at
    most once per second.
    """

    directory: Path
    imap_port: int
    imaps_port: int
    process: subprocess.Popen[bytes]
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    @property
    def cafile(self) -> str:
        return str(self.directory / "cert.pem")

    def new_account(self) -> DovecotServer:
        user = f"user{next(self._numbers)}@example.com"
        return DovecotServer(HOST, self.imap_port, user, DOVECOT_PASSWORD, self.imaps_port, self.cafile)

    def stop(self) -> None:
        self.process.terminate()  # SIGTERM to the master; it stops its children
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT_S)


@dataclass
class DovecotServer(ImapAccount):
    """A Dovecot user: ``port`` is plain/STARTTLS (143-style), ``imaps_port`` implicit TLS."""

    imaps_port: int = 0
    cafile: str = ""

    @property
    def imap_port(self) -> int:
        return self.port


def _dovecot_binary() -> str:
    # /usr/sbin is not on an ordinary user's PATH on Debian.
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found and shutil.which("openssl"):
        return found
    reason = "Dovecot oder openssl ist nicht installiert (apt-get install dovecot-imapd openssl)."
    if os.environ.get("CI"):
        pytest.fail(reason + " In der CI ist das ein Fehler.")
    pytest.skip(reason + " Die Dovecot-Tests werden übersprungen.")


def _dovecot_accounts() -> dict[str, Any]:
    """Users for the config: as root, imap-login must not run as root (pitfalls §3)."""
    if os.geteuid() == 0:
        return {
            "internal_user": "dovecot", "internal_group": "dovecot", "login_user": "dovenull",
            "mail_uid": 65534, "mail_gid": 65534,
        }  # fmt: skip
    import grp
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    return {
        "internal_user": me, "internal_group": group, "login_user": me,
        "mail_uid": os.getuid(), "mail_gid": os.getgid(),
    }  # fmt: skip


def _make_certificate(directory: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
        ],
        check=True, capture_output=True,
    )  # fmt: skip


def _start_dovecot(binary: str, directory: Path) -> DovecotInstance:
    accounts = _dovecot_accounts()
    for sub in ("run", "state", "mail"):
        (directory / sub).mkdir()
    _make_certificate(directory)
    os.chown(directory / "mail", accounts["mail_uid"], accounts["mail_gid"])
    imap_port, imaps_port = _free_port(), _free_port()
    conf = directory / "dovecot.conf"
    settings = {"host": HOST, "dir": directory, "password": DOVECOT_PASSWORD, **accounts}
    conf.write_text(DOVECOT_CONF.format(imap_port=imap_port, imaps_port=imaps_port, **settings), encoding="utf-8")
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL)
    instance = DovecotInstance(directory, imap_port, imaps_port, process)
    try:
        _wait_for_greeting(imap_port, lambda: process.poll() is None)
        tls = ssl.create_default_context(cafile=instance.cafile)
        _wait_for_greeting(imaps_port, lambda: process.poll() is None, tls)
    except RuntimeError:
        instance.stop()
        log = directory / "dovecot.log"
        pytest.fail(f"Dovecot startete nicht:\n{log.read_text() if log.exists() else ''}")
    return instance


@pytest.fixture(scope="session")
def dovecot_instance() -> Iterator[DovecotInstance]:
    """One Dovecot for the whole session, in its own temp dir (world-traversable for its users)."""
    binary = _dovecot_binary()
    directory = Path(tempfile.mkdtemp(prefix="bt-dovecot-"))
    directory.chmod(0o755)  # the mail and login processes run as other users
    try:
        instance = _start_dovecot(binary, directory)
        try:
            yield instance
        finally:
            instance.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def dovecot_server(dovecot_instance: DovecotInstance) -> DovecotServer:
    """A fresh Dovecot user with an empty mailbox on the session's Dovecot."""
    return dovecot_instance.new_account()
