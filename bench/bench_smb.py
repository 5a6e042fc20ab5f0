"""The Ablage on a real SMB share against the local disk: time and SMB round trips per command.

    python bench/bench_smb.py [--anzahl 1000] [--gross] [--laeufe 5]

Needs root, Samba, smbnetfs and fuse3 (``bash ../shared/tools/smb-share.sh install``). Generates
``--anzahl`` Vorgänge (``--gross``: also 10,000) on the local disk, copies the same tree into the
share's export folder (server side, fast) and runs the same commands in this process against both:
the local copy is the floor, measured in the same run. The generated tree's mtimes are set an hour
back (an office's steady state; the commands' own changes during the run are fresh). Each command
runs with a warm local cache and the register off (``BUERO_TICKET_REGISTER=aus``): a first,
unmeasured run of each command warms it (a cold ``liste``, the first ``zeige`` — it builds the local
full-text index — and the first ``pruefen`` on this PC are shown separately). Local and SMB runs
alternate, so a change of the machine's load hits both; the load average is printed with the
figures. The commands run in this process (each round trip weighs against a floor of a few ms); then
each again as a whole process, as a clerk runs it and as the issue's own figures were taken (start-up
included, the same on both), printed beside; the program's start-up (``--hilfe``) once for reference.

Round trips are counted by wrapping the os functions every file access goes through (stat, lstat,
scandir, listdir, open, rename, replace, unlink, mkdir, rmdir, utime, and ``DirEntry.stat``) for
paths under the Ablage: on the share each of them is at least one network round trip. Figures:
median of ``--laeufe`` runs (``pruefen``: of 2). ``pruefen`` is the quick check (a Vorgang the program has
not changed since the last pruefen on this PC is taken from the record: one stat per Vorgang),
``pruefen --gruendlich`` stats every file and subfolder (six round trips per Vorgang on this client).
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import fcntl
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_foundation import generate  # noqa: E402

from buero_ticket.cli import main  # noqa: E402

SCRIPT = ROOT.parent / "shared" / "tools" / "smb-share.sh"
LOCK_FILE = "/tmp/buero-ticket-smb.lock"  # the tests' fixture holds it too: one share per machine
KINDS = {
    "stat": ("stat", "lstat"),
    "liste": ("scandir", "listdir"),
    "open": ("open",),
    "aendern": ("rename", "replace", "unlink", "remove", "mkdir", "rmdir", "utime"),
}


class Counting:
    """Counts os calls on paths below ``root`` while active."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.counts: Counter[str] = Counter()

    def _wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            path = args[0] if args else kwargs.get("path", kwargs.get("file"))
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith(self.root):
                self.counts[name] += 1
            return func(*args, **kwargs)

        return wrapped

    def _wrap_scandir(self, func: Callable[..., Any]) -> Callable[..., Any]:
        counted = self._wrap("scandir", func)

        def scandir(*args: Any, **kwargs: Any) -> Any:
            it = counted(*args, **kwargs)
            path = os.fspath(args[0]) if args else ""
            return _Listing(it, self) if path.startswith(self.root) else it

        return scandir

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        saved: list[tuple[Any, str, Any]] = []
        targets = [(os, n) for kind in KINDS.values() for n in kind if n != "open" and hasattr(os, n)]
        targets += [(os, "open"), (io, "open"), (builtins, "open")]
        for module, name in targets:
            func = getattr(module, name)
            saved.append((module, name, func))
            wrapped = self._wrap_scandir(func) if name == "scandir" else self._wrap(name, func)
            setattr(module, name, wrapped)
        try:
            yield
        finally:
            for module, name, func in saved:
                setattr(module, name, func)

    def by_kind(self) -> dict[str, int]:
        return {kind: sum(self.counts[n] for n in names) for kind, names in KINDS.items()}


class _Listing:
    """A scandir iterator whose entries count ``stat()`` (a round trip on the share; free on Windows)."""

    def __init__(self, it: Any, counter: Counting) -> None:
        self._it, self._counter = it, counter

    def __iter__(self) -> _Listing:
        return self

    def __next__(self) -> _Entry:
        return _Entry(next(self._it), self._counter)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        self._it.close()

    def close(self) -> None:
        self._it.close()


class _Entry:
    def __init__(self, entry: os.DirEntry[str], counter: Counting) -> None:
        self._entry, self._counter = entry, counter
        self.name, self.path = entry.name, entry.path

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        self._counter.counts["lstat"] += 1
        return self._entry.stat(follow_symlinks=follow_symlinks)

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def is_symlink(self) -> bool:
        return self._entry.is_symlink()

    def inode(self) -> int:
        return self._entry.inode()

    def __fspath__(self) -> str:
        return self.path


def run(root: Path, *args: str) -> tuple[float, dict[str, int]]:
    counter = Counting(root)
    with counter.active(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        try:
            main(["--ablage", str(root), *args])
        except SystemExit as exc:
            if exc.code not in (0, None, 1):
                raise RuntimeError(f"{args} endete mit {exc.code}") from None
        elapsed = time.perf_counter() - start
    return elapsed, counter.by_kind()


def commands(root: Path) -> list[tuple[str, list[str]]]:
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
        main(["--ablage", str(root), "liste", "--json"])
    az = json.loads(out.getvalue())[0]["aktenzeichen"]
    return [
        ("liste", ["liste"]),
        ("zeige", ["zeige", az]),
        ("notiz", ["notiz", az, "Rückruf erledigt"]),
        ("zuweisen", ["zuweisen", az, "--an", "M. Weber"]),
        ("status", ["status", az, "wartet"]),
        ("status zurück", ["status", az, "in-bearbeitung"]),
        ("neu", ["neu", "--kanal", "telefon", "--betreff", "Sperrmüll Termin", "--von", "Erika Muster"]),
        ("pruefen", ["pruefen"]),
        ("pruefen --gruendlich", ["pruefen", "--gruendlich"]),
    ]


@contextlib.contextmanager
def share(base: Path) -> Iterator[Path]:
    lock = open(LOCK_FILE, "a+")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        done = subprocess.run(["bash", str(SCRIPT), "start", str(base)], capture_output=True, text=True, check=True)
        yield Path(done.stdout.split()[0])
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(base)], capture_output=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def settle(root: Path, age_s: float = 3600) -> None:
    """Give every file and folder an mtime an hour ago, as in an office where most Vorgänge were last
    touched long ago (a freshly generated tree would look changed this very second)."""
    when = time.time() - age_s
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (when, when))
        os.utime(folder, (when, when))


def measure(count: int, runs: int, work: Path) -> None:
    local = work / f"lokal-{count}" / "Ablage"
    generate(local, count)
    settle(local)
    base = Path(tempfile.mkdtemp(prefix="bt-bench-smb-", dir="/tmp"))
    load = [os.getloadavg()[0]]
    with share(base) as mount:
        shutil.copytree(local, base / "export" / "Ablage")
        subprocess.run(["chown", "-R", "smbtest", str(base / "export")], check=True)  # served as user smbtest
        roots = {"lokal": local, "SMB": mount / "Ablage"}
        caches = {where: str(work / f"cache-{where}-{count}") for where in roots}
        os.environ["BUERO_TICKET_REGISTER"] = "aus"

        def at(where: str, *args: str) -> tuple[float, dict[str, int]]:
            os.environ["BUERO_TICKET_CACHE"] = caches[where]
            return run(roots[where], *args)

        results: dict[str, dict[str, list[tuple[float, dict[str, int]]]]] = {}
        for where in roots:
            results.setdefault("liste (Cache leer)", {})[where] = [at(where, "liste")]
        plans = {where: commands(roots[where]) for where in roots}
        for i, (name, _args) in enumerate(plans["lokal"]):
            first = {where: at(where, *plans[where][i][1]) for where in roots}  # warms caches and imports
            if name in ("zeige", "pruefen"):
                results[f"{name} (erster Lauf)"] = {where: [first[where]] for where in roots}
            per: dict[str, list[tuple[float, dict[str, int]]]] = {where: [] for where in roots}
            for _ in range(min(runs, 2) if name.startswith("pruefen") else runs):
                for where in roots:  # alternating: a change of the machine's load hits both
                    per[where].append(at(where, *plans[where][i][1]))
            results[name] = per
        # The same commands as a clerk runs them: a whole process each (start-up included, as the issue's own
        # figures were taken), alternating local and share, median of ``runs``.
        whole: dict[str, dict[str, list[float]]] = {}
        for i, (name, _args) in enumerate(plans["lokal"]):
            for _ in range(min(runs, 2) if name.startswith("pruefen") else runs):
                for where in roots:
                    env = {**os.environ, "BUERO_TICKET_CACHE": caches[where]}
                    cmd = [sys.executable, "-m", "buero_ticket", "--ablage", str(roots[where]), *plans[where][i][1]]
                    start = time.perf_counter()
                    subprocess.run(cmd, capture_output=True, env=env)
                    whole.setdefault(name, {}).setdefault(where, []).append(time.perf_counter() - start)
        load.append(os.getloadavg()[0])
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "buero_ticket", "--hilfe"], capture_output=True, check=True)
        startup = time.perf_counter() - start
        print(
            f"\n{count} Vorgänge — Median aus {runs} Läufen; Boden = dieselbe Ablage auf der lokalen Platte; "
            f"Last (1 min) {load[0]:.1f} → {load[1]:.1f}; Programmstart (--hilfe) {startup:.3f} s"
        )
        print(
            f"{'Befehl':24} {'lokal s':>8} {'SMB s':>8} {'Faktor':>7}   SMB-Zugriffe (stat/liste/open/ändern)"
            "   als ganzer Befehl: lokal s / SMB s = Faktor"
        )
        for name, per in results.items():
            t_local = statistics.median(t for t, _c in per["lokal"])
            t_smb = statistics.median(t for t, _c in per["SMB"])
            counts = per["SMB"][-1][1]
            trips = "/".join(str(counts[k]) for k in KINDS)
            line = (
                f"{name:24} {t_local:8.3f} {t_smb:8.3f} {t_smb / t_local:6.1f}×   {sum(counts.values()):5d} = {trips}"
            )
            if name in whole:
                w_local, w_smb = (statistics.median(whole[name][where]) for where in ("lokal", "SMB"))
                line += f"   {w_local:.3f} / {w_smb:.3f} = {w_smb / w_local:.1f}×"
            print(line)
    shutil.rmtree(base, ignore_errors=True)


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--anzahl", type=int, default=1000)
    parser.add_argument("--gross", action="store_true", help="zusätzlich 10.000 Vorgänge")
    parser.add_argument("--laeufe", type=int, default=5)
    args = parser.parse_args()
    if os.geteuid() != 0 or not SCRIPT.is_file() or shutil.which("smbnetfs") is None:
        raise SystemExit(f"Braucht root, {SCRIPT} und smbnetfs (bash {SCRIPT} install).")
    with tempfile.TemporaryDirectory(prefix="bt-bench-") as work:
        for count in [args.anzahl] + ([10_000] if args.gross else []):
            measure(count, args.laeufe, Path(work))


if __name__ == "__main__":
    main_bench()
