"""Einwurf watcher benchmarks, run on demand: ``python bench/bench_einwurf.py [--ruhezeit 0.5]``.

1. Latency from a drop (the writer closed the file) to the finished Vorgang, median and p90 over 50
   files dropped one after another, with inotify and with polling; floor: the bare watchdog event
   for the same drop (inotify ``closed``; polling: first event, same poll interval).
2. Files per second for a burst of 1,000 small files dropped at once, both modes; floors: a bare copy
   of 1,000 files into 1,000 new folders (without and with fsync), and ``accept()`` alone (the
   Vorgang writing the watcher calls, without any watching).

Polling latency is dominated by the quiet period (``[einwurf] ruhezeit_sekunden``, 5 s by default);
the benchmark uses a short one so the run stays short. Every figure is printed next to its floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watchdog.events import FileSystemEvent, FileSystemEventHandler  # noqa: E402
from watchdog.observers import Observer  # noqa: E402
from watchdog.observers.polling import PollingObserver  # noqa: E402

from buero_ticket.ablage import init_ablage  # noqa: E402
from buero_ticket.clock import system_clock  # noqa: E402
from buero_ticket.intake import Incoming, accept  # noqa: E402
from buero_ticket.intake.beobachter import Watcher  # noqa: E402
from buero_ticket.intake.einwurf import DropResult  # noqa: E402
from buero_ticket.models import Absender, Kanal  # noqa: E402
from buero_ticket.store import Store  # noqa: E402

LATENCY_FILES = 50
BURST_FILES = 1000
PAYLOAD = b"%PDF-1.4\n" + b"x" * 2000


def _drop(path: Path) -> float:
    """Write a small file and return the moment it was complete (closed)."""
    with open(path, "wb") as fh:
        fh.write(PAYLOAD)
    return time.perf_counter()


def _percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"median {statistics.median(ms):8.1f} ms   p90 {p90:8.1f} ms"


class _Signal(FileSystemEventHandler):
    def __init__(self, wanted: Callable[[FileSystemEvent], bool]) -> None:
        self.wanted = wanted
        self.seen = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self.wanted(event):
            self.seen.set()


def floor_event_latency(folder: Path, polling: bool, interval: float) -> list[float]:
    """Bare watchdog: drop → the event that says the file is there (inotify: closed)."""
    folder.mkdir(parents=True)
    kind = "created" if polling else "closed"
    handler = _Signal(lambda e: e.event_type == kind)
    observer = PollingObserver(timeout=interval) if polling else Observer()
    observer.schedule(handler, str(folder), recursive=True)
    observer.start()
    times = []
    try:
        for n in range(LATENCY_FILES):
            handler.seen.clear()
            start = _drop(folder / f"f{n}.pdf")
            if not handler.seen.wait(30):
                raise RuntimeError("no event")
            times.append(time.perf_counter() - start)
    finally:
        observer.stop()
        observer.join()
    return times


class _Run:
    """A running watcher on a fresh Ablage, counting results."""

    def __init__(self, base: Path, polling: bool, quiet_period: float) -> None:
        self.ablage = init_ablage(base / "Ablage")[0]
        self.count = 0
        self.cond = threading.Condition()
        self.watcher = Watcher(Store(self.ablage), polling=polling, quiet_period=quiet_period, on_result=self._result)
        self.thread = threading.Thread(target=self.watcher.run, name="einwurf-worker")

    def _result(self, result: DropResult) -> None:
        if result.kind != "neu":
            raise RuntimeError(f"unexpected result {result}")
        with self.cond:
            self.count += 1
            self.cond.notify_all()

    def wait_for(self, count: int, timeout: float = 600) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.count >= count, timeout):
                raise RuntimeError(f"only {self.count} of {count} Vorgänge")

    def __enter__(self) -> _Run:
        self.watcher.start()
        self.thread.start()
        self.watcher.startup_done.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop()
        self.thread.join()
        self.watcher.close()


def tool_latency(base: Path, polling: bool, quiet_period: float) -> list[float]:
    times = []
    with _Run(base, polling, quiet_period) as run:
        for n in range(LATENCY_FILES):
            start = _drop(run.ablage.einwurf_dir / "Scan" / f"Scan {n:03d}.pdf")
            run.wait_for(n + 1)
            times.append(time.perf_counter() - start)
    return times


def tool_burst(base: Path, polling: bool, quiet_period: float) -> float:
    with _Run(base, polling, quiet_period) as run:
        start = time.perf_counter()
        for n in range(BURST_FILES):
            _drop(run.ablage.einwurf_dir / f"Scan {n:04d}.pdf")
        run.wait_for(BURST_FILES)
        return BURST_FILES / (time.perf_counter() - start)


def floor_copy(base: Path, fsync: bool) -> float:
    source = base / "quelle"
    source.mkdir(parents=True)
    for n in range(BURST_FILES):
        (source / f"Scan {n:04d}.pdf").write_bytes(PAYLOAD)
    target = base / "ziel"
    target.mkdir()
    start = time.perf_counter()
    for n in range(BURST_FILES):
        folder = target / f"{n:05d}"
        folder.mkdir()
        shutil.copyfile(source / f"Scan {n:04d}.pdf", folder / "Scan.pdf")
        if fsync:
            fd = os.open(folder / "Scan.pdf", os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
    return BURST_FILES / (time.perf_counter() - start)


def floor_accept(base: Path) -> float:
    store = Store(init_ablage(base / "Ablage")[0])
    start = time.perf_counter()
    for n in range(BURST_FILES):
        item = Incoming(
            kanal=Kanal.SCAN,
            betreff=f"Scan {n:04d}",
            absender=Absender(),
            zeit=system_clock(),
            text="Datei über den Einwurf eingegangen.",
            anlagen=[(f"Scan {n:04d}.pdf", PAYLOAD)],
        )
        accept(store, item)
    return BURST_FILES / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ruhezeit", type=float, default=0.5, help="quiet period for polling (default 0.5 s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.environ["BUERO_TICKET_CACHE"] = str(base / "cache")
        poll = min(max(args.ruhezeit / 2, 0.1), 2.0)  # the interval Watcher uses
        print(f"Latency drop → Vorgang, {LATENCY_FILES} files one after another (ruhezeit {args.ruhezeit} s):")
        print(f"  inotify  floor (closed event)  {_percentiles(floor_event_latency(base / 'f1', False, poll))}")
        print(f"  inotify  beobachten            {_percentiles(tool_latency(base / 't1', False, args.ruhezeit))}")
        bare = floor_event_latency(base / "f2", True, poll)
        print(f"  polling  floor (first event)   {_percentiles(bare)}")
        print(f"  polling  floor + quiet period  {_percentiles([t + args.ruhezeit for t in bare])}")
        print(f"  polling  beobachten            {_percentiles(tool_latency(base / 't2', True, args.ruhezeit))}")
        print(f"Burst of {BURST_FILES} small files:")
        print(f"  floor: copy into new folders       {floor_copy(base / 'c1', False):8.0f} files/s")
        print(f"  floor: copy into new folders+fsync {floor_copy(base / 'c2', True):8.0f} files/s")
        print(f"  floor: accept() alone, no watching {floor_accept(base / 'a1'):8.0f} files/s")
        print(f"  beobachten, inotify                {tool_burst(base / 'b1', False, args.ruhezeit):8.0f} files/s")
        print(f"  beobachten, polling                {tool_burst(base / 'b2', True, args.ruhezeit):8.0f} files/s")


if __name__ == "__main__":
    main()
