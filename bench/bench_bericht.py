"""Report benchmark, run on demand: ``python bench/bench_bericht.py [--gross] [--ordner DIR]``.

At 10,000 (with --gross also 100,000) generated Vorgänge (the generator of bench_foundation: ten years,
~2 % open), warm cache, median of --laeufe runs: ``bericht`` for the last month of the data as text,
json and xlsx, and ``bericht personal``; each beside its floor measured in the same run:
``liste --alle --json`` (streams every Vorgang from the cache once, which any report over all Vorgänge
must do) and the program's start-up (``--hilfe``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from bench_foundation import _median, _time_cmd, generate  # noqa: E402

PERIOD = ["--von", "01.12.2025", "--bis", "31.12.2025"]


def bench(base: Path, count: int, runs: int) -> None:
    root = base / f"ablage-{count}"
    if not (root / "generiert.ok").exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"Erzeuge {count:,} Vorgänge …", flush=True)
        generate(root, count)
    env = dict(os.environ, BUERO_TICKET_CACHE=str(base / f"cache-{count}"), BUERO_TICKET_REGISTER="aus")
    cmd = [sys.executable, "-m", "buero_ticket", "--ablage", str(root)]
    _time_cmd([*cmd, "liste"], env)  # fill the cache
    start = _median([*cmd, "--hilfe"], env, runs)
    floor = _median([*cmd, "liste", "--alle", "--json"], env, runs)
    print(f"\n{count:,} Vorgänge (warmer Cache, Median aus {runs} Läufen)")
    print(f"  Boden: Programmstart (--hilfe)          {start:6.2f} s")
    print(f"  Boden: liste --alle --json              {floor:6.2f} s")
    target = base / "Bericht.xlsx"
    for label, extra in (
        ("bericht (Text)", []),
        ("bericht --format json", ["--format", "json"]),
        ("bericht --format xlsx", ["--format", "xlsx", "--ziel", str(target)]),
        ("bericht --nach woche --format json", ["--nach", "woche", "--format", "json"]),
    ):
        t = _median([*cmd, "bericht", *PERIOD, *extra], env, runs)
        print(f"  {label:<38} {t:6.2f} s  ({t / floor:4.2f} × Boden liste --alle --json)")
    t = _median([*cmd, "bericht", "personal", "--bis", "31.12.2025", "--format", "json"], env, runs)
    print(f"  {'bericht personal':<38} {t:6.2f} s  ({t / floor:4.2f} × Boden liste --alle --json)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gross", action="store_true", help="auch 100.000 Vorgänge")
    parser.add_argument("--ordner", type=Path, help="Ablagen hier behalten (und wiederverwenden)")
    parser.add_argument("--laeufe", type=int, default=3)
    args = parser.parse_args()
    base = args.ordner or Path(tempfile.mkdtemp(prefix="bench-bericht-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        for count in (10_000, 100_000) if args.gross else (10_000,):
            bench(base, count, args.laeufe)
    finally:
        if args.ordner is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
