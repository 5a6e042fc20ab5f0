"""Benchmark the Excel register against the floor: bare XlsxWriter (constant memory), same rows.

Run on demand (pytest does not collect it)::

    python bench/bench_register.py                    # 10,000 and 100,000 Vorgänge
    python bench/bench_register.py --sizes 2000 --repeat 3

Every measurement runs in its own child process, so peaks do not mix: the child
reports the wall and CPU time of the write (input generation included, on both
sides) and its own peak resident memory (``ru_maxrss``). The ratio uses CPU time,
which other load on the machine disturbs far less than wall time; floor and
register runs alternate, and with ``--repeat`` the fastest run of each counts.

To extend: a *source* turns ``(n, ablage_root)`` into the ``(offen, alle)``
iterables (sorted as the register expects); a *writer* consumes them. Register a
new source in ``SOURCES`` (e.g. one that reads the metadata files of a generated
Ablage) and both writers pay for it alike.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from buero_ticket.models import Absender, Dringlichkeit, Kanal, Nachricht, Status, Vorgang
from buero_ticket.register import COLUMNS, write_register
from buero_ticket.register.cells import to_local_naive

Source = Callable[[int, Path], tuple[Iterable[Vorgang], Iterable[Vorgang]]]
Writer = Callable[[Path, Iterable[Vorgang], Iterable[Vorgang]], None]

START = datetime(2016, 1, 4, 8, 0)
SPAN = timedelta(days=10 * 365)
NOW = START + SPAN
_KANAELE = list(Kanal)
# 30 % open, like a small office with a steady backlog.
_STATUS_BY_DIGIT = (
    (Status.EINGANG, Status.IN_BEARBEITUNG, Status.WARTET) + (Status.ERLEDIGT,) * 5 + (Status.ARCHIV,) * 2
)
_DRINGLICH = list(Dringlichkeit)
_SUBJECTS = (
    "Anfrage Sperrmüllabholung",
    "Ummeldung Wohnsitz – Termin",
    "Beschwerde Straßenbeleuchtung defekt",
    "Rückfrage zum Bescheid vom letzten Monat",
    "Antrag Anwohnerparkausweis",
)


def _mix(i: int, salt: int) -> int:
    """Cheap deterministic pseudo-random number for Vorgang ``i``."""
    return ((i + 1) * 2654435761 + salt * 40503) % 4294967291


def _status(i: int) -> Status:
    return _STATUS_BY_DIGIT[_mix(i, 1) % 10]


def _dringlichkeit(i: int) -> Dringlichkeit:
    return _DRINGLICH[_mix(i, 2) % len(_DRINGLICH)]


def make_vorgang(i: int, n: int, root: Path) -> Vorgang:
    """Vorgang number ``i`` of ``n`` (0 is the oldest); the same every time."""
    status = _status(i)
    eingang = START + SPAN * i / n
    az = f"{eingang.year}-{i:06d}-{i % 10}"
    nachrichten = [
        Nachricht(datei=f"{k:03d}.eml", richtung="eingang", zeit=eingang, kanal="email")
        for k in range(1 + _mix(i, 3) % 4)
    ]
    return Vorgang(
        aktenzeichen=az,
        betreff=f"{_SUBJECTS[_mix(i, 4) % len(_SUBJECTS)]} Nr. {i}",
        kanal=_KANAELE[_mix(i, 5) % len(_KANAELE)],
        status=status,
        eingang=eingang,
        dringlichkeit=_dringlichkeit(i),
        bearbeiter=("Frau Schmidt", "Herr Öztürk", "")[_mix(i, 6) % 3],
        absender=Absender(name=f"Bürger {i}", email=f"buerger{i}@example.org"),
        frist=(eingang + timedelta(days=14)).date() if _mix(i, 7) % 2 else None,
        nachrichten=nachrichten,
        antwort_gesendet=eingang + timedelta(days=2) if _mix(i, 8) % 2 else None,
        geaendert=eingang + timedelta(days=3),
        ordner=root / status.folder_name / f"{az} {_SUBJECTS[_mix(i, 4) % len(_SUBJECTS)][:30]}",
    )


def generated_source(n: int, root: Path) -> tuple[Iterator[Vorgang], Iterator[Vorgang]]:
    """Generated Vorgänge, streamed (nothing is kept): offen by urgency then oldest, alle newest first."""

    def offen() -> Iterator[Vorgang]:
        for rank in sorted(_DRINGLICH, key=lambda d: d.rank):
            for i in range(n):
                if _status(i).is_open and _dringlichkeit(i) is rank:
                    yield make_vorgang(i, n, root)

    def alle() -> Iterator[Vorgang]:
        for i in reversed(range(n)):
            yield make_vorgang(i, n, root)

    return offen(), alle()


def register_writer(target: Path, offen: Iterable[Vorgang], alle: Iterable[Vorgang]) -> None:
    write_register(target, offen, alle, ablage_name="Benchmark", now=NOW)


def floor_writer(target: Path, offen: Iterable[Vorgang], alle: Iterable[Vorgang]) -> None:
    """Bare XlsxWriter in constant-memory mode: the same rows as plain values, no formats, links or checks."""
    wb = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    for name, vorgaenge in (("Offen", offen), ("Alle", alle)):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, [c.header for c in COLUMNS])
        for row, v in enumerate(vorgaenge, 1):
            ws.write_row(row, 0, _plain_row(v))
    wb.close()


def _naive(value: datetime | None) -> datetime | None:
    return to_local_naive(value) if value is not None else None  # Excel has no time zones


def _plain_row(v: Vorgang) -> list[Any]:
    return [
        v.aktenzeichen,
        _naive(v.eingang),
        v.kanal.label,
        v.absender.display() or None,
        v.betreff or None,
        v.status.label,
        v.bearbeiter or None,
        v.dringlichkeit.label,
        v.frist,
        _naive(v.letzte_aktivitaet),
        len(v.nachrichten),
        "ja" if v.antwort_gesendet else "nein",
        _naive(v.antwort_gesendet),
    ]


def _ablage_root(n: int, root: Path) -> Path:
    return root / f"ablage-{n}"


def folders_raw_source(n: int, root: Path) -> tuple[Iterator[Vorgang], Iterator[Vorgang]]:
    """The floor's reading: every metadata file parsed into memory, then sorted (lazy: read on first use)."""
    cache: list[Vorgang] = []

    def load() -> list[Vorgang]:
        if not cache:
            for folder in sorted(_ablage_root(n, root).glob("[1-5] */*")) + sorted(
                _ablage_root(n, root).glob("5 */*/*")
            ):
                meta = folder / "vorgang.json"
                if meta.is_file():
                    v = Vorgang.from_json(json.loads(meta.read_text(encoding="utf-8")))
                    v.ordner = folder
                    cache.append(v)
        return cache

    def offen() -> Iterator[Vorgang]:
        yield from sorted((v for v in load() if v.status.is_open), key=lambda v: (v.dringlichkeit.rank, v.eingang))

    def alle() -> Iterator[Vorgang]:
        yield from sorted(load(), key=lambda v: v.eingang, reverse=True)

    return offen(), alle()


def folders_source(n: int, root: Path, warm: bool = False) -> tuple[Iterator[Vorgang], Iterator[Vorgang]]:
    """What 'buero-ticket register' does: refresh the cache from the folders, then stream.

    Cold: the PC's cache is empty (first run), the refresh reads every metadata file inside the timer.
    Warm: the usual case after an import run or any command; the cache is filled before the timer and
    the timed refresh only checks the folders.
    """
    from buero_ticket.ablage import open_ablage
    from buero_ticket.index import Index
    from buero_ticket.store import Store

    index = Index(Store(open_ablage(_ablage_root(n, root))), root / f"cache-{n}-{time.time_ns()}.sqlite")
    if warm:
        index.refresh()

    def offen() -> Iterator[Vorgang]:
        index.refresh()
        yield from index.offen()

    return offen(), index.alle()


SOURCES: dict[str, Source] = {
    "generated": generated_source,
    "ordner-roh": folders_raw_source,
    "ordner": folders_source,
    "ordner-warm": lambda n, root: folders_source(n, root, warm=True),
}
WRITERS: dict[str, Writer] = {"register": register_writer, "floor": floor_writer}


@dataclass(frozen=True)
class Measurement:
    writer: str
    source: str
    n: int
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the child
    peak_mb: float
    baseline_mb: float  # resident memory of the child before writing (interpreter + imports)
    file_mb: float


def run_child(writer: str, source: str, n: int, workdir: Path) -> Measurement:
    """Measure one case in a fresh interpreter (``--child``) and parse its JSON report."""
    cmd = [sys.executable, __file__, "--child", writer, source, str(n), str(workdir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return Measurement(**json.loads(out.splitlines()[-1]))


def child_main(writer: str, source: str, n: int, workdir: Path) -> None:
    baseline = _maxrss_mb()
    target = workdir / f"{writer}-{source}-{n}.xlsx"
    offen, alle = SOURCES[source](n, workdir)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    WRITERS[writer](target, offen, alle)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    m = Measurement(writer, source, n, seconds, cpu, _maxrss_mb(), baseline, target.stat().st_size / 2**20)
    target.unlink()
    print(json.dumps(m.__dict__))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--source", default="generated", choices=sorted(SOURCES))
    parser.add_argument("--warm", action="store_true", help="with --ordner: the PC's cache is already filled")
    parser.add_argument(
        "--ordner", action="store_true",
        help="full rebuild from generated Vorgang folders (cold cache) against reading the same "
        "metadata files plus bare XlsxWriter",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest counts")
    parser.add_argument("--child", nargs=4, metavar=("WRITER", "SOURCE", "N", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        writer, source, n, workdir = args.child
        child_main(writer, source, int(n), Path(workdir))
        return
    print(
        f"{'n':>8} {'floor s':>8} {'reg s':>8} {'floor cpu':>9} {'reg cpu':>8} {'ratio':>6} "
        f"{'floor MB':>9} {'reg MB':>7} {'base MB':>8} {'file MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        for n in args.sizes:
            if args.ordner:
                _generate_tree(n, Path(tmp))
            source = "ordner-warm" if args.ordner and args.warm else args.source
            floor, reg = _best_pair(source, n, Path(tmp), args.repeat, args.ordner)
            print(
                f"{n:>8} {floor.seconds:>8.2f} {reg.seconds:>8.2f} {floor.cpu_seconds:>9.2f} "
                f"{reg.cpu_seconds:>8.2f} {reg.cpu_seconds / floor.cpu_seconds:>6.2f} {floor.peak_mb:>9.1f} "
                f"{reg.peak_mb:>7.1f} {reg.baseline_mb:>8.1f} {reg.file_mb:>8.1f}",
                flush=True,
            )


def _generate_tree(n: int, workdir: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_foundation import generate

    generate(_ablage_root(n, workdir), n)


def _best_pair(
    source: str, n: int, workdir: Path, repeat: int, folders: bool = False
) -> tuple[Measurement, Measurement]:
    """Alternate floor and register runs; the fastest (CPU time) of each counts."""
    runs: dict[str, list[Measurement]] = {"floor": [], "register": []}
    register_source = source if source.startswith("ordner") else "ordner"
    sources = {"floor": "ordner-roh", "register": register_source} if folders else {"floor": source, "register": source}
    for _ in range(repeat):
        for writer, results in runs.items():
            results.append(run_child(writer, sources[writer], n, workdir))
    floor, reg = (min(results, key=lambda m: m.cpu_seconds) for results in runs.values())
    return floor, reg


if __name__ == "__main__":
    main()
