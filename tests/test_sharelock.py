"""The cross-PC lock on the local disk: exclusion between real processes and the stale-lock rule.

The same lock across two SMB mounts is tested in tests/test_smb.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from buero_ticket import sharelock
from buero_ticket.sharelock import OWNER, LockTimeout, ShareLock

COUNTER = """
import sys
from pathlib import Path
from buero_ticket.sharelock import ShareLock
lock, counter, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for _ in range(n):
    with ShareLock(lock, timeout=60):
        value = int(counter.read_text())  # read-modify-write: loses counts without exclusion
        counter.write_text(str(value + 1))
"""


def _foreign_lock(lock: Path) -> None:
    """A lock as a process on another PC leaves it when that PC crashes."""
    lock.mkdir()
    (lock / OWNER).write_text(json.dumps({"rechner": "ANDERER-PC", "pid": 1, "token": "x"}), encoding="utf-8")


def test_processes_exclude_each_other(tmp_path: Path) -> None:
    counter = tmp_path / "zaehler.txt"
    counter.write_text("0")
    procs = [
        subprocess.Popen([sys.executable, "-c", COUNTER, str(tmp_path / "z.lock"), str(counter), "150"])
        for _ in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert counter.read_text() == "600"
    assert not (tmp_path / "z.lock").exists()


def test_lock_of_a_killed_process_is_taken_over_at_once(tmp_path: Path) -> None:
    lock = tmp_path / "v.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from buero_ticket.sharelock import ShareLock\nShareLock({str(lock)!r}).acquire()\n"
         "print('gesperrt', flush=True)\nimport time\ntime.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "gesperrt"
    owner = json.loads((lock / OWNER).read_text(encoding="utf-8"))
    assert owner["pid"] == holder.pid and owner["rechner"] and owner["benutzer"]
    with pytest.raises(LockTimeout):
        ShareLock(lock, timeout=0).acquire()  # alive: not stale
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with ShareLock(lock, timeout=0):  # dead on this PC: broken at once
        assert json.loads((lock / OWNER).read_text(encoding="utf-8"))["pid"] == os.getpid()


def test_silent_lock_of_another_pc_is_broken_after_stale_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharelock, "STALE_AFTER", 0.6)
    lock = tmp_path / "v.lock"
    _foreign_lock(lock)
    with pytest.raises(LockTimeout, match="ANDERER-PC"):
        ShareLock(lock, timeout=0.2).acquire()
    with ShareLock(lock, timeout=5):
        assert "ANDERER-PC" not in (lock / OWNER).read_text(encoding="utf-8")


def test_holder_with_heartbeat_is_never_judged_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharelock, "HEARTBEAT", 0.1)
    monkeypatch.setattr(sharelock, "STALE_AFTER", 0.5)
    monkeypatch.setattr(sharelock, "_dead_on_this_host", lambda content: False)  # as if on another PC
    lock = tmp_path / "v.lock"
    holder = ShareLock(lock)
    holder.acquire()
    try:
        with pytest.raises(LockTimeout):
            ShareLock(lock, timeout=2.0).acquire()  # four times the stale time, but the holder beats
        assert holder.is_locked and json.loads((lock / OWNER).read_text(encoding="utf-8"))["puls"] > 0
    finally:
        holder.release()
    assert not lock.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("sperre ")]


def test_old_lock_is_confirmed_dead_even_by_a_non_waiting_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sharelock, "CONFIRM_OLD", 0.5)
    lock = tmp_path / "v.lock"
    _foreign_lock(lock)
    long_ago = time.time() - 3600
    os.utime(lock / OWNER, (long_ago, long_ago))
    with ShareLock(lock, timeout=0):  # e.g. the next scheduled mail run after a crash on another PC
        pass
