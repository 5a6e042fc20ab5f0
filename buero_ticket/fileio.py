"""Atomic file writes that survive crashes and work on SMB shares.

A write goes to a temp file in the same folder, is fsynced, then renamed over
the target. Readers skip temp files (:func:`is_temp_name`). This module knows
nothing about Vorgänge.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import time
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

from . import faults
from .errors import ZugriffFehler

TEMP_PREFIX = ".~bt-"
TEMP_SUFFIX = ".tmp"

T = TypeVar("T")


def is_temp_name(name: str) -> bool:
    """True for our own temp files and the usual Office/OS leftovers."""
    low = name.lower()
    return (
        name.startswith(TEMP_PREFIX)
        or name.startswith("~$")
        or low.endswith((".tmp", ".part", ".crdownload"))
        or low in {"thumbs.db", "desktop.ini", ".ds_store"}
    )


def fsync_dir(folder: Path) -> None:
    """Flush a directory entry (POSIX); a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: "Someone has the file open" as SMB and Windows report it: EACCES/EPERM (rename while open),
#: EBUSY (replace or delete while open on another PC), EIO for a moment right after a failed call.
BUSY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EBUSY, errno.EIO, errno.ETXTBSY})
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0)  # ~3.5 s in all: a virus scanner or backup lets go


def retry_on_busy(
    action: Callable[[], T], attempts: int = len(RETRY_DELAYS) + 1, delay: float = 0.05, *, also: Collection[int] = ()
) -> T:
    """Run ``action``, retrying with back-off while the OS says the file is busy.

    A rename, replace or delete fails while another process (a virus scanner, a backup, Excel, a
    reader on the other PC) has the file open; that usually clears within a moment. ``also``: more
    errno values to treat as busy (``os.replace`` over a file open on another PC gives EEXIST on
    some SMB clients). After the last attempt the original error is raised.
    """
    for i in range(attempts):
        try:
            return action()
        except OSError as exc:
            if exc.errno not in BUSY_ERRNOS and exc.errno not in also:
                raise
            if i == attempts - 1:
                raise
            time.sleep(RETRY_DELAYS[min(i, len(RETRY_DELAYS) - 1)] * delay / 0.05)
    raise AssertionError("unreachable")


def is_busy(exc: OSError) -> bool:
    return exc.errno in BUSY_ERRNOS or exc.errno == errno.EEXIST


def file_open_error(path: Path) -> ZugriffFehler:
    """The German message for a file that stays open (Word, Excel, a viewer, a scanner)."""
    return ZugriffFehler(
        f"Datei {path} ist in Word/Excel geöffnet – bitte schließen.",
        "Schließen Sie die Datei (auch die Vorschau im Explorer) und wiederholen Sie den Befehl. Ein "
        "Virenscanner oder eine Datensicherung sperrt Dateien manchmal kurz: dann genügt ein zweiter Versuch.",
    )


def replace_file(src: Path, dst: Path) -> None:
    """``os.replace`` with retries; a target that stays open becomes the German "geöffnet" message."""
    try:
        retry_on_busy(lambda: os.replace(src, dst), also={errno.EEXIST})
    except OSError as exc:
        if is_busy(exc):
            raise file_open_error(dst) from None
        raise


def remove_file(path: Path) -> bool:
    """Delete one file, retrying while a scanner or a reader holds it; False if it was already gone.

    A file that stays open gives the German "geöffnet" message.
    """
    try:
        retry_on_busy(lambda: path.unlink())
    except FileNotFoundError:
        return False
    except OSError as exc:
        if is_busy(exc):
            raise file_open_error(path) from None
        raise
    return True


def read_fresh(path: Path) -> bytes:
    """The file's bytes as the server has them now, past the client's page cache.

    A network-drive client may keep a small file's old content for a moment after another PC
    replaced it (same size, same second: nothing tells the cache it changed). Locks and read-modify-
    write under a lock must not act on that, so they read with ``O_DIRECT`` where the OS offers it
    (falling back to a normal read where the filesystem refuses it, e.g. tmpfs; Windows' SMB client
    keeps its cache coherent with leases).
    """
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return path.read_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | flag)
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return path.read_bytes()
        raise
    try:
        buf = mmap.mmap(-1, _DIRECT_CHUNK)  # page-aligned, as O_DIRECT wants
        parts: list[bytes] = []
        while True:
            try:
                n = os.readv(fd, [buf])
            except OSError as exc:
                if exc.errno == errno.EINVAL and not parts:
                    return path.read_bytes()
                raise
            parts.append(buf[:n])
            if n < _DIRECT_CHUNK:
                return b"".join(parts)
    finally:
        os.close(fd)


_DIRECT_CHUNK = 1 << 20


def temp_path_for(target: Path) -> Path:
    # Short on purpose: a long target name must not push the temp path over Windows' limit.
    return target.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}")


def atomic_write_bytes(target: Path, data: bytes, *, overwrite: bool = True, durable: bool = True) -> None:
    """Write ``data`` to ``target`` atomically (temp file, fsync, rename).

    With ``overwrite=False`` an existing file is never replaced (FileExistsError).
    ``durable=False`` skips the fsyncs (still atomic): only for records that can be rebuilt.
    """
    tmp = temp_path_for(target)
    try:
        with open(tmp, "xb") as fh:
            _write(fh.fileno(), data, target)
            if durable:
                os.fsync(fh.fileno())
        faults.point(f"vor-ersetzen:{target.name}")
        if overwrite:
            replace_file(tmp, target)
        else:
            _rename_no_replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise
    if durable:
        fsync_dir(target.parent)


def atomic_write_text(target: Path, text: str, *, overwrite: bool = True, durable: bool = True) -> None:
    atomic_write_bytes(target, text.encode("utf-8"), overwrite=overwrite, durable=durable)


def write_new_file(target: Path, data: bytes) -> None:
    """Create a file inside a folder that nobody sees yet (a temp folder renamed into place later).

    Exclusive create, write, fsync; no temp name needed, because the folder itself becomes visible
    atomically. The caller fsyncs the folder once before renaming it.
    """
    with open(target, "xb") as fh:
        _write(fh.fileno(), data, target)
        os.fsync(fh.fileno())


def _write(fd: int, data: bytes, path: Path) -> None:
    """Write all of ``data``; the crash point in the middle lets tests cut a write in half."""
    view = memoryview(data)
    half = len(view) // 2
    _write_all(fd, view[:half])
    faults.point(f"halb-geschrieben:{path.name}")
    _write_all(fd, view[half:])


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view) :]


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):  # a leftover temp file is invisible and reported by pruefen
        tmp.unlink(missing_ok=True)


def _rename_no_replace(src: Path, dst: Path) -> None:
    """Rename that fails if ``dst`` exists (os.rename replaces on POSIX, not on Windows)."""
    try:
        os.link(src, dst)  # atomic create-if-absent on POSIX
    except FileExistsError:
        raise
    except OSError:
        # No hard links (some SMB servers, FAT): exclusive create, then rename over it.
        # right after the failed call an SMB client may answer EIO for a moment: retried like busy
        fd = retry_on_busy(lambda: os.open(dst, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        os.close(fd)
        replace_file(src, dst)
        return
    remove_file(src)
