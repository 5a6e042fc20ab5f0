"""Foundation benchmarks, run on demand: ``python bench/bench_foundation.py [--gross]``.

1. Aktenzeichen allocation with 4 processes, against the floor of a bare ``os.mkdir`` claim loop
   (no hint file, no check digit) in 4 processes on the same disk.
2. ``liste`` over 10,000 (and with --gross 100,000) generated Vorgänge: cold (empty cache) and
   warm, against the floor of reading the same metadata files (scandir + read + json.loads).

Every figure is printed next to its floor measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from buero_ticket import aktenzeichen  # noqa: E402
from buero_ticket.ablage import init_ablage  # noqa: E402
from buero_ticket.models import Absender, Dringlichkeit, Kanal, Nachricht, Status, Vorgang  # noqa: E402
from buero_ticket.store import SUBDIRS  # noqa: E402

PER_PROCESS = 2000


def _claim_bare(folder: str, count: int, sync: bool = False) -> None:
    """The floor: count up from 1 and mkdir until one succeeds; optionally fsync the folder."""
    n = 1
    for _ in range(count):
        while True:
            try:
                os.mkdir(os.path.join(folder, str(n)))
                break
            except FileExistsError:
                n += 1
        if sync:
            fd = os.open(folder, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)


def _claim_bare_fsync(folder: str, count: int) -> None:
    _claim_bare(folder, count, sync=True)


def _claim_tool(state: str, count: int) -> None:
    for _ in range(count):
        aktenzeichen.allocate(Path(state), 2026)


def _run4(target, arg: str) -> float:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=target, args=(arg, PER_PROCESS)) for _ in range(4)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return time.perf_counter() - start


def bench_allocation(base: Path) -> None:
    bare = base / "bare"
    bare.mkdir()
    t_floor = _run4(_claim_bare, str(bare))
    bare_sync = base / "bare-fsync"
    bare_sync.mkdir()
    t_floor_sync = _run4(_claim_bare_fsync, str(bare_sync))
    t_tool = _run4(_claim_tool, str(base / "tool"))
    total = 4 * PER_PROCESS
    claimed = len(os.listdir(base / "tool" / "aktenzeichen" / "2026")) - 1
    print(
        f"Aktenzeichen, 4 Prozesse × {PER_PROCESS}: {total / t_tool:,.0f}/s "
        f"(Boden bare mkdir: {total / t_floor:,.0f}/s, Faktor {t_tool / t_floor:.2f}; "
        f"mkdir + fsync des Ordners: {total / t_floor_sync:,.0f}/s, Faktor {t_tool / t_floor_sync:.2f}); "
        f"vergeben: {claimed}, doppelt: 0 (mkdir)"
    )


def generate(root: Path, count: int) -> None:
    """Write ``count`` Vorgang folders in the documented format, fast (no fsync, bench only)."""
    ablage, _ = init_ablage(root)
    start = datetime(2016, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    statuses = [Status.EINGANG, Status.IN_BEARBEITUNG, Status.WARTET, Status.ERLEDIGT, Status.ARCHIV]
    for i in range(count):
        status = statuses[0 if i % 50 == 0 else (3 if i % 3 else 4)] if i < count - 200 else statuses[i % 3]
        when = start + timedelta(minutes=47 * i)
        az = aktenzeichen.Aktenzeichen(when.year, i + 1)
        folder = ablage.status_dir(status, 2026 if status is Status.ARCHIV else None) / f"{az} Anliegen {i}"
        folder.mkdir(parents=True)
        for sub in SUBDIRS:
            (folder / sub).mkdir()
        v = Vorgang(
            aktenzeichen=str(az),
            betreff=f"Anliegen Nummer {i} zur Straßenreinigung",
            kanal=Kanal.EMAIL,
            status=status,
            eingang=when,
            dringlichkeit=list(Dringlichkeit)[i % 3],
            absender=Absender(f"Bürger {i}", f"b{i}@example.org"),
            nachrichten=[Nachricht(datei="001.eml", richtung="eingang", zeit=when, kanal="email")],
            revision=1,
        )
        (folder / "vorgang.json").write_text(json.dumps(v.to_json(), ensure_ascii=False, indent=2))
        (folder / "verlauf.txt").write_text(f"{when.isoformat()} | bench | Angelegt | \n")


def _floor_read(root: Path) -> None:
    for status_dir in [root / s.folder_name for s in Status if s is not Status.ARCHIV] + [
        root / Status.ARCHIV.folder_name / "2026"
    ]:
        for entry in os.scandir(status_dir):
            with open(os.path.join(entry.path, "vorgang.json"), encoding="utf-8") as fh:
                json.loads(fh.read())


def _time_cmd(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_liste(base: Path, count: int) -> None:
    root = base / f"ablage-{count}"
    generate(root, count)
    env = {**os.environ, "BUERO_TICKET_CACHE": str(base / f"cache-{count}")}
    start = time.perf_counter()
    _floor_read(root)
    t_floor = time.perf_counter() - start
    cmd = [sys.executable, "-m", "buero_ticket", "--ablage", str(root), "liste"]
    t_cold = _time_cmd(cmd, env)
    t_warm = min(_time_cmd(cmd, env) for _ in range(3))
    t_start = min(_time_cmd([sys.executable, "-m", "buero_ticket", "--version"], env) for _ in range(3))
    print(
        f"liste über {count:,} Vorgänge: kalt {t_cold:.2f} s, warm {t_warm:.2f} s "
        f"(Boden: alle Metadaten lesen {t_floor:.2f} s im selben Prozess; Programmstart allein {t_start:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gross", action="store_true", help="auch 100.000 Vorgänge")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        bench_allocation(base)
        for count in [10_000] + ([100_000] if args.gross else []):
            bench_liste(base, count)


if __name__ == "__main__":
    main()
