"""A real SMB share with two "PCs" for the tests: Samba on 127.0.0.1:445, mounted twice by smbnetfs.

``../shared/tools/smb-share.sh`` (read its header) starts the server and the two FUSE mounts. Port
445 allows one share per machine, and other test sessions may run at the same time: the session
fixture holds a system-wide lock file (``flock`` on /tmp/buero-ticket-smb.lock) while its share
runs, and stops the share at the end of the session.

Skipped with a German reason when the tools are missing or the share cannot start, except under
``CI=1`` (then the test fails). ``BUERO_TICKET_SMB_TESTS=0`` skips these tests on purpose.

Each test gets its own folder on the share, seen as ``pc1`` and ``pc2`` (the same folder through the
two mounts), and a separate local cache per PC (``BUERO_TICKET_CACHE``), as on two office PCs.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO.parent / "shared" / "tools" / "smb-share.sh"
LOCK_FILE = Path("/tmp/buero-ticket-smb.lock")
ENV_SWITCH = "BUERO_TICKET_SMB_TESTS"
LOCK_WAIT_S = 1800  # another session's SMB tests take a few minutes


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason + " In der CI ist das ein Fehler (.ci/run installiert samba, smbnetfs und fuse3).")
    pytest.skip(reason + " Die SMB-Tests werden übersprungen.")


@dataclass(frozen=True)
class Share:
    """The running share: the same export folder seen through two mounts."""

    pc1: Path
    pc2: Path
    export: Path


@pytest.fixture(scope="session")
def smb_share(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Share]:
    if os.environ.get(ENV_SWITCH) == "0":
        pytest.skip(f"SMB-Tests abgeschaltet ({ENV_SWITCH}=0).")
    if not SCRIPT.is_file():
        _unavailable(f"{SCRIPT} fehlt (../shared liegt nicht neben dem Projekt).")
    missing = [tool for tool in ("smbd", "smbpasswd", "smbnetfs", "fusermount3") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"Es fehlen {', '.join(missing)} (bash {SCRIPT} install).")
    if os.geteuid() != 0 or not Path("/dev/fuse").exists():
        _unavailable("Die SMB-Freigabe braucht root und /dev/fuse.")
    lock = open(LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole session (local /tmp, not the share)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock.close()
                _unavailable("Eine andere Testsitzung hält die SMB-Freigabe (Port 445) seit 30 Minuten.")
            time.sleep(1)
    base = Path(f"/tmp/bt-smb-{os.getpid()}")  # short: every path on the share goes through it
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    try:
        started = subprocess.run(["bash", str(SCRIPT), "start", str(base)], capture_output=True, text=True, timeout=120)
        paths = [Path(line) for line in started.stdout.split()]
        if started.returncode != 0 or len(paths) != 2 or not all(p.is_dir() for p in paths):
            subprocess.run(["bash", str(SCRIPT), "stop", str(base)], capture_output=True, timeout=60)
            _unavailable(f"Die SMB-Freigabe startete nicht: {started.stderr.strip()[-500:]}")
        yield Share(paths[0], paths[1], base / "export")
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(base)], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@dataclass(frozen=True)
class Pc:
    """One office PC: its path to the Ablage on the share and its own local cache."""

    name: str
    ablage: Path
    env: Mapping[str, str]

    def cli(self, *args: str, timeout: float = 300, env: Mapping[str, str] | None = None) -> Done:
        """Run the installed command exactly as a clerk would (a new process each time)."""
        done = subprocess.run(
            [sys.executable, "-m", "buero_ticket", "--ablage", str(self.ablage), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**self.env, **(env or {})},
        )
        return Done(done.returncode, done.stdout, done.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "buero_ticket", "--ablage", str(self.ablage), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(self.env),
        )


@pytest.fixture
def two_pcs(smb_share: Share, tmp_path: Path) -> Iterator[tuple[Pc, Pc]]:
    """A fresh folder on the share, seen from PC1 and PC2 (not yet an Ablage: call ``init``)."""
    folder = f"t-{uuid.uuid4().hex[:8]}"
    (smb_share.pc1 / folder).mkdir()
    pcs = []
    for name, mount in (("PC1", smb_share.pc1), ("PC2", smb_share.pc2)):
        env = {
            **os.environ,
            "BUERO_TICKET_CACHE": str(tmp_path / f"cache-{name}"),
            "BUERO_TICKET_PROTOKOLL": str(tmp_path / f"protokoll-{name}"),
            "BUERO_TICKET_REGISTER": "aus",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        pcs.append(Pc(name, mount / folder / "Ablage", env))
    yield pcs[0], pcs[1]
    shutil.rmtree(smb_share.export / folder, ignore_errors=True)  # on the server side: fast
