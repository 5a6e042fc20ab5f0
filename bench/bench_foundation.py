"""Foundation benchmarks, run on demand: ``python bench/bench_foundation.py [--gross]``.

1. Aktenzeichen allocation with 4 processes, against the floor of a bare ``os.mkdir`` claim loop
   (no hint file, no check digit) in 4 processes on the same disk.
2. At 10,000 (and with --gross 100,000) generated Vorgänge (~2 % open): ``liste`` cold (empty cache)
   against reading every metadata file; warm ``liste``, ``liste --alle --json`` and every command on one
   Vorgang (zeige, notiz, zuweisen, status, neu, brief; median of --laeufe runs) against the program's
   start-up (``--hilfe``) measured in the same run; the register after one change. ``--ordner DIR``
   keeps the generated Ablagen (100,000 folders take minutes to write) for the next run.

Every figure is printed next to its floor measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from buero_ticket import aktenzeichen  # noqa: E402
from buero_ticket.ablage import Ablage, init_ablage  # noqa: E402
from buero_ticket.models import Absender, Dringlichkeit, Kanal, Nachricht, Status, Vorgang  # noqa: E402
from buero_ticket.store import SUBDIRS  # noqa: E402

PER_PROCESS = 2000
TARGET = 0.3  # seconds for a command on one Vorgang (issue 12), on this 2-core machine


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
    """Write ``count`` Vorgang folders in the documented format, fast (no fsync, bench only).

    Like an office after some years: about 2 % open (the newest ones), the rest done; the last
    months' done ones in "4 Erledigt", older ones in "5 Archiv/<year of Eingang>".
    """
    ablage, _ = init_ablage(root)
    start = datetime(2016, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    step = timedelta(days=10 * 365) / count
    open_from = count - count // 50
    erledigt_from = count - count // 10
    for i in range(count):
        if i >= open_from:
            status = (Status.EINGANG, Status.IN_BEARBEITUNG, Status.WARTET)[i % 3]
        elif i >= erledigt_from:
            status = Status.ERLEDIGT
        else:
            status = Status.ARCHIV
        when = start + step * i
        az = aktenzeichen.Aktenzeichen(when.year, i + 1)
        folder = ablage.status_dir(status, when.year if status is Status.ARCHIV else None) / f"{az} Anliegen {i}"
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
            absender=Absender(f"Bürger {i}", f"b{i}@example.org", anschrift=f"Hauptstraße {i % 200}\n89073 Ulm"),
            nachrichten=[Nachricht(datei="001.eml", richtung="eingang", zeit=when, kanal="email")],
            erledigt=when + timedelta(days=3) if not status.is_open else None,
            revision=1,
        )
        (folder / "vorgang.json").write_text(json.dumps(v.to_json(), ensure_ascii=False, indent=2))
        (folder / "verlauf.txt").write_text(f"{when.isoformat()} | bench | Angelegt | \n")
        mail = f"From: b{i}@example.org\r\nSubject: Anliegen {i}\r\n\r\nBitte um Rückruf.\r\n"
        (folder / "Nachrichten" / "001.eml").write_bytes(mail.encode("utf-8"))  # the file the metadata names
    (root / "generiert.ok").write_text(str(count))


def _floor_read(root: Path) -> None:
    for _status, entry in Ablage(root, None).iter_vorgang_dirs():  # type: ignore[arg-type]
        with open(os.path.join(entry.path, "vorgang.json"), encoding="utf-8") as fh:
            json.loads(fh.read())


def _time_cmd(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _first_line(args: list[str], env: dict[str, str]) -> float:
    """Seconds until the first line of output arrives (a streamed output starts long before it ends)."""
    start = time.perf_counter()
    with subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        proc.stdout.readline()
        first = time.perf_counter() - start
        proc.stdout.read()
    return first


def _mark(absolute: bool, relative: bool | None) -> str:
    """ok / which of the two targets (≤ 0.3 s, ≤ 2× start-up in this run) is met / ZU LANGSAM."""
    if relative is None or absolute == relative:
        return "ok" if absolute else "ZU LANGSAM"
    return "ok absolut, über 2× Programmstart" if absolute else "ok relativ (≤ 2× Programmstart; Maschine ausgelastet?)"


def _load() -> str:
    return "Last " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min, 2 Kerne)"


def _median(args: list[str], env: dict[str, str], runs: int) -> float:
    return statistics.median(_time_cmd(args, env) for _ in range(runs))


def _some_az(root: Path, status: Status) -> str:
    folder = root / status.folder_name
    for entry in os.scandir(folder):
        if entry.is_dir():
            return entry.name.split(" ", 1)[0]
    raise SystemExit(f"kein Vorgang in {folder}")


def bench_commands(base: Path, count: int, runs: int) -> None:
    """Every command on one Vorgang, liste and the register at ``count`` Vorgänge, beside their floors."""
    root = base / f"ablage-{count}"
    if not (root / "generiert.ok").exists():
        shutil.rmtree(root, ignore_errors=True)
        t0 = time.perf_counter()
        generate(root, count)
        print(f"({count:,} Vorgänge erzeugt in {time.perf_counter() - t0:.0f} s)")
    cache = base / f"cache-{count}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "BUERO_TICKET_CACHE": str(cache), "BUERO_TICKET_REGISTER": "aus"}
    # An installed program runs from compiled bytecode (pip compiles on install); without it every start
    # would compile all modules again. The first run below writes the bytecode.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bt = [sys.executable, "-m", "buero_ticket", "--ablage", str(root)]
    _time_cmd([*bt, "--hilfe"], env)
    start = time.perf_counter()
    _floor_read(root)
    t_read = time.perf_counter() - start
    t_cold = _time_cmd([*bt, "liste"], env)
    t_hilfe = _median([*bt, "--hilfe"], env, runs)
    floor = 2 * t_hilfe
    print(
        f"{count:,} Vorgänge; Boden: Programmstart ('--hilfe') {t_hilfe:.2f} s; Ziel je Befehl ≤ {TARGET:.2f} s "
        f"und ≤ 2× Programmstart = {floor:.2f} s; {_load()}"
    )
    print(f"  liste kalt (leerer Cache)        {t_cold:6.2f} s   (Boden: alle Metadaten lesen {t_read:.2f} s)")
    offen = _some_az(root, Status.EINGANG)
    archiv = next(e.name for e in os.scandir(root / Status.ARCHIV.folder_name / "2017")).split(" ", 1)[0]
    figures = [
        ("liste", [*bt, "liste"], 0.5),
        ("liste --alle --json", [*bt, "liste", "--alle", "--json"], 3.0),
        ("zeige (offen)", [*bt, "zeige", offen], TARGET),
        ("zeige (archiviert 2017)", [*bt, "zeige", archiv], TARGET),
        ("notiz", [*bt, "notiz", offen, "Bench-Notiz"], TARGET),
        ("zuweisen", [*bt, "zuweisen", offen, "--an", "Bench"], TARGET),
        ("status", [*bt, "status", offen, "in-bearbeitung"], TARGET),
        ("neu", [*bt, "neu", "--kanal", "telefon", "--betreff", "Bench neu", "--von", "Erika Muster"], TARGET),
        ("brief", [*bt, "brief", offen, "antwort", "--feld", "text=Bench"], TARGET),
    ]
    for label, args, target in figures:
        if label == "status":  # alternate, so every run really moves the folder
            t = statistics.median(
                _time_cmd([*args[:-1], ("in-bearbeitung", "eingang")[k % 2]], env) for k in range(runs)
            )
        else:
            t = _median(args, env, runs)
        mark = _mark(t <= target, t <= floor if target == TARGET else None)
        print(f"  {label:<32} {t:6.2f} s   (Ziel ≤ {target:.2f} s; {t / t_hilfe:4.1f}× Programmstart) {mark}")
        if label == "liste --alle --json":
            first = _first_line(args, env)
            print(f"  {'  davon bis zur ersten Zeile':<32} {first:6.2f} s   (gestreamt: beginnt sofort)")
    _time_cmd([*bt, "status", offen, "eingang"], env)
    reg_env = {**env, "BUERO_TICKET_REGISTER": "sofort"}
    t_reg_cold = _time_cmd([*bt, "register"], reg_env)
    _time_cmd([*bt, "notiz", offen, "vor dem Register"], env)
    t_reg = _time_cmd([*bt, "register"], reg_env)
    _time_cmd([*bt, "notiz", archiv, "vor dem Register"], env)
    t_reg_old = _time_cmd([*bt, "register"], reg_env)
    print(f"  register, erstes Mal             {t_reg_cold:6.2f} s")
    print(f"  register nach 1 Änderung (offen) {t_reg:6.2f} s   (Ziel ≤ 3.00 s; Programmstart {t_hilfe:.2f} s)")
    print(f"  register nach 1 Änderung (2017)  {t_reg_old:6.2f} s   (Ziel ≤ 3.00 s)")
    print(f"  ({_load()})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gross", action="store_true", help="auch 100.000 Vorgänge")
    parser.add_argument("--nur-befehle", action="store_true", help="ohne die Aktenzeichen-Vergabe")
    parser.add_argument("--ordner", type=Path, help="erzeugte Ablagen hier behalten und wiederverwenden")
    parser.add_argument("--laeufe", type=int, default=5, help="Läufe je Befehl (der Median zählt)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.ordner or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        if not args.nur_befehle:
            bench_allocation(Path(tmp))
        for count in [10_000] + ([100_000] if args.gross else []):
            bench_commands(base, count, args.laeufe)


if __name__ == "__main__":
    main()
