"""Atomic file writes that survive crashes and work on SMB shares.

A write goes to a temp file in the same folder, is fsynced, then renamed over
the target. Readers skip temp files (:func:`is_temp_name`). This module knows
nothing about Vorgänge.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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


def retry_on_busy(action: Callable[[], T], attempts: int = 10, delay: float = 0.05) -> T:
    """Run ``action``, retrying briefly on PermissionError.

    On Windows a rename over a file fails while another process (a virus scanner,
    Excel, a reader) has it open; that usually clears within a moment.
    """
    for i in range(attempts):
        try:
            return action()
        except PermissionError:
            if i == attempts - 1:
                raise
            time.sleep(delay * (i + 1))
    raise AssertionError("unreachable")


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
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if overwrite:
            retry_on_busy(lambda: os.replace(tmp, target))
        else:
            _rename_no_replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
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
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _rename_no_replace(src: Path, dst: Path) -> None:
    """Rename that fails if ``dst`` exists (os.rename replaces on POSIX, not on Windows)."""
    try:
        os.link(src, dst)  # atomic create-if-absent on POSIX
    except FileExistsError:
        raise
    except OSError:
        # No hard links (some SMB servers, FAT): exclusive create, then rename over it.
        fd = os.open(dst, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.close(fd)
        retry_on_busy(lambda: os.replace(src, dst))
        return
    src.unlink()


def remove_file(path: Path) -> bool:
    """Delete one file (retrying while a scanner holds it); False if it was already gone."""
    try:
        retry_on_busy(lambda: path.unlink())
    except FileNotFoundError:
        return False
    return True
