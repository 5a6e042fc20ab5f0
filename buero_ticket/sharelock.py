"""A lock that every PC on the network drive respects.

OS locks (``flock``, ``lockf``, the ``filelock`` package) exclude processes on one PC only: an SMB
client keeps them to itself, so a process on a second PC is not excluded (measured with Samba and
two mounts). Creating a folder (``mkdir``) is decided by the server: exactly one winner across all
PCs. (``O_CREAT | O_EXCL`` on a file is not always: an SMB client that believes the name is free may
open the existing file — two holders were seen in the 800-notes test.) So a lock here is a folder
``<name>.lock`` created with ``mkdir``, holding its owner (host, process, user, since when) as JSON
in ``besitzer.json``. Releasing deletes both.

Stale locks (the holder crashed, was killed or lost the connection) are broken by a safe rule that
never compares the clocks of two PCs:

- the holder runs on this PC and its process is gone: stale at once;
- otherwise: stale when the lock file's content has not changed for :data:`STALE_AFTER` seconds,
  measured on the waiting process's own monotonic clock. A live holder rewrites the file every
  :data:`HEARTBEAT` seconds (a thread), so its lock never looks stale, however long it is held;
- a waiter that would give up sooner (``timeout=0``: "is a mail run going on?") still waits
  :data:`CONFIRM_OLD` seconds to watch a lock whose file was last written long ago (its time
  stamp older than :data:`STALE_AFTER` plus :data:`CLOCK_SKEW`): unchanged → stale. So a crashed
  run on another PC never blocks the scheduled task for good.

Breaking happens under a second, short-lived lock (``<name>.lock.bruch``), after re-reading the
owner file: only the exact content judged stale is removed, never a lock someone took meanwhile.
The filelock package is not used at all: its 4.x releases crash with EBUSY on their probe file on
SMB shares, and no version of it excludes the other PC.
"""

from __future__ import annotations

import errno
import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from . import faults
from .errors import ZugriffFehler
from .fileio import read_fresh

HEARTBEAT = 10.0  # seconds between rewrites of a held lock
STALE_AFTER = 60.0  # unchanged this long (observed by the waiter) → the holder is gone
CLOCK_SKEW = 300.0  # PC clocks may differ this much (Windows domains allow 5 minutes)
CONFIRM_OLD = 2.5 * HEARTBEAT  # watching this long without a heartbeat confirms an old lock is dead
_CHECK_EVERY = 0.5  # seconds between reads of the holder's content while waiting
_TRANSIENT = {errno.EBUSY, errno.EIO, errno.EAGAIN, errno.EINTR}
_NO_RIGHTS_GRACE = 3.0  # EACCES for this long while creating → really no write access


OWNER = "besitzer.json"
_Seen = tuple[bytes, float, bool]  # a holder's content, when first seen (monotonic), old by its time stamp


class LockTimeout(ZugriffFehler):
    """The lock stayed taken for the whole timeout; ``holder`` describes who has it."""

    beschreibung = "Eine Sperre wird von einem anderen Programm gehalten."

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} ist gesperrt ({holder}).", "Warten Sie einen Moment und versuchen Sie es erneut.")
        self.path = path
        self.holder = holder


class NoLockRights(ZugriffFehler):
    """The lock folder is not writable (no rights, read-only share)."""

    beschreibung = "Im Ordner der Sperrdateien darf nicht geschrieben werden."


def holder_text(content: bytes) -> str:
    """German description of a lock's owner for messages ("mweber auf PC-12, seit 10:14")."""
    try:
        data = json.loads(content.decode("utf-8"))
        since = str(data.get("seit", ""))[11:16]
        return f"{data.get('benutzer', '?')} auf {data.get('rechner', '?')}" + (f", seit {since} Uhr" if since else "")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return "unbekannt"


class ShareLock:
    """Exclusive lock across processes and PCs: ``with ShareLock(path, timeout=30): ...``.

    ``timeout=0`` tries once (raises :class:`LockTimeout` at once if taken). Not reentrant.
    """

    def __init__(self, path: Path | str, timeout: float = 30.0, *, what: str = "") -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.what = what
        self._token = ""
        self._content = b""
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # -- public ------------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return bool(self._token)

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        observed: _Seen | None = None
        next_check = time.monotonic()
        denied_since: float | None = None
        while True:
            try:
                self._create()
                return
            except FileExistsError:
                denied_since = None
            except FileNotFoundError:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                continue
            except PermissionError:
                # EACCES also comes while the server still deletes the old lock file; persisting → no rights
                now = time.monotonic()
                denied_since = denied_since or now
                if now - denied_since > _NO_RIGHTS_GRACE:
                    raise NoLockRights(
                        f"Keine Schreibrechte für die Sperrdatei {self.path}.",
                        "Fragen Sie die IT nach Schreib- und Löschrechten auf der ganzen Ablage.",
                    ) from None
            except OSError as exc:
                if exc.errno not in _TRANSIENT:
                    raise
            now = time.monotonic()
            if now >= next_check:
                next_check = now + _CHECK_EVERY
                observed = self._check_stale(observed, now)
                if observed is None:
                    continue  # released or broken: try again at once
                if observed[2]:  # an old-looking lock: watch it long enough to be sure
                    deadline = max(deadline, observed[1] + CONFIRM_OLD + _CHECK_EVERY)
            if now >= deadline:
                raise LockTimeout(self.path, holder_text(observed[0]) if observed else "unbekannt")
            time.sleep(min(delay * random.uniform(0.5, 1.5), max(0.0, deadline - now)))
            delay = min(delay * 2, 0.1)

    def release(self) -> None:
        if not self._token:
            return
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        token, self._token = self._token, ""
        faults.point("sperre-freigeben")
        try:
            content = read_fresh(self.path / OWNER)
        except FileNotFoundError:
            return  # broken by someone who judged us stale; nothing of ours to remove
        if token.encode() not in content:
            return  # not ours any more
        _remove_lock(self.path)

    def __enter__(self) -> ShareLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    # -- internals ---------------------------------------------------------------------------
    def _owner(self, beat: int) -> bytes:
        data = {
            "rechner": socket.gethostname(),
            "pid": os.getpid(),
            "benutzer": _user(),
            "seit": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "zweck": self.what,
            "token": self._token,
            "puls": beat,
        }
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def _create(self) -> None:
        token = uuid.uuid4().hex
        os.mkdir(self.path)  # FileExistsError: someone holds it
        self._token = token
        try:
            self._content = self._owner(0)
            with open(self.path / OWNER, "xb") as fh:
                fh.write(self._content)
        except BaseException:
            self._token = ""
            _remove_lock(self.path)  # e.g. disk full: leave no ownerless lock behind
            raise
        self._start_heartbeat()

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name=f"sperre {self.path.name}", daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        beat = 0
        while not self._stop.wait(HEARTBEAT):
            beat += 1
            content = self._owner(beat)
            try:
                with open(self.path / OWNER, "r+b") as fh:  # rewrite in place: no append mode, no rename
                    if self._token.encode() not in fh.read():
                        return  # broken meanwhile; the next write will notice the lost lock
                    fh.seek(0)
                    fh.write(content)
                    fh.truncate()
            except OSError:
                continue  # connection hiccup: try again at the next beat

    def _check_stale(self, observed: _Seen | None, now: float) -> _Seen | None:
        """Read the holder's content; break the lock if it is stale. None: gone, try again."""
        try:
            content = read_fresh(self.path / OWNER)
            old = time.time() - (self.path / OWNER).stat().st_mtime > STALE_AFTER + CLOCK_SKEW
        except FileNotFoundError:
            if not self.path.is_dir():
                return None  # released meanwhile
            content, old = b"", False  # created a moment ago, or its owner crashed before writing
        except OSError:
            return observed
        if observed is None or observed[0] != content:
            observed = (content, now, old)
        unchanged = now - observed[1]
        stale = _dead_on_this_host(content) or unchanged >= STALE_AFTER or (observed[2] and unchanged >= CONFIRM_OLD)
        if stale and self._break(content):
            return None
        return observed

    def _break(self, content: bytes) -> bool:
        """Remove the lock if its owner file still holds exactly ``content``."""
        guard = self.path.with_name(self.path.name + ".bruch")
        try:
            os.mkdir(guard)
        except FileExistsError:
            _remove_old_guard(guard)
            return False
        except OSError:
            return False
        try:
            try:
                if read_fresh(self.path / OWNER) != content:
                    return False
            except FileNotFoundError:
                if content:
                    return not self.path.is_dir()
            _remove_lock(self.path)
            return True
        finally:
            _retrying(lambda: guard.rmdir())


def _remove_old_guard(guard: Path) -> None:
    """A breaker that crashed leaves its guard: it only lives for a moment, so an old one is removed."""
    try:
        if time.time() - guard.stat().st_mtime > STALE_AFTER:
            guard.rmdir()
    except OSError:
        pass


def _remove_lock(path: Path) -> None:
    _retrying(lambda: (path / OWNER).unlink(missing_ok=True))
    _retrying(lambda: path.rmdir())


def _retrying(action: Callable[[], None]) -> None:
    """Delete with retries: a reader on another PC holding the file open makes SMB answer EBUSY a moment."""
    for i in range(40):
        try:
            action()
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno not in (*_TRANSIENT, errno.EACCES, errno.EPERM, errno.ENOTEMPTY) or i == 39:
                raise
            time.sleep(min(0.005 * 2**i, 0.2))


def _dead_on_this_host(content: bytes) -> bool:
    try:
        data = json.loads(content.decode("utf-8"))
        if data.get("rechner") != socket.gethostname():
            return False
        return not pid_running(int(data["pid"]))
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return False


def pid_running(pid: int) -> bool:
    """Whether a process with this id runs on this PC (our own: True; unsure: True, so nothing is taken away)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows only; os.kill(pid, 0) would end the process there
        import ctypes

        kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (no windll on other systems)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(kernel32.GetLastError() == 5)  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _user() -> str:
    from .history import current_user

    return current_user()
