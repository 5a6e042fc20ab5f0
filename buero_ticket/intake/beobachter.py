"""The watcher behind ``buero-ticket beobachten``: observers feed a queue, one worker does the work.

Threads: watchdog's emitter threads call :class:`_Enqueue`, which only puts the event into a queue.
Everything else happens in the single worker loop, :meth:`Watcher.run`, in the thread that calls it
(the CLI: the main thread, so Ctrl+C and SIGTERM reach it): deciding when a drop is complete
(:class:`~buero_ticket.intake.einwurf.QuietTracker`), filing it (:class:`~buero_ticket.intake.einwurf.Einwurf`),
refreshing the cache when a Vorgang folder was moved by hand, and calling the after-batch hook. The
Index (SQLite) is created in that thread, as SQLite requires.

Observers: ``[einwurf] abfragen = true`` (the default, right for SMB/CIFS shares where inotify sees
nothing) uses watchdog's ``PollingObserver``; ``false`` uses the native ``Observer`` (inotify on Linux,
with close-after-write events). The Einwurf is watched recursively, the open status folders only
one level deep (a moved Vorgang folder appears or disappears there; the archive is never watched).
A full rescan every minute catches whatever events were lost.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..errors import translate
from ..fileio import is_temp_name
from ..index import Index, RefreshResult
from ..models import Status
from ..store import Store
from .einwurf import DropKind, DropResult, Einwurf, Signature, signature
from .mail import MailImporter

log = logging.getLogger("buero_ticket.einwurf")

EINWURF, STATUS = "einwurf", "status"
RESCAN_S = 60.0
_PASSED_ON = {EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED, EVENT_TYPE_CLOSED, "deleted"}

_Item = tuple[str, FileSystemEvent] | None  # None wakes the worker to stop


class _Enqueue(FileSystemEventHandler):
    """Runs on an observer thread: only enqueues."""

    def __init__(self, events: queue.SimpleQueue[_Item], kind: str) -> None:
        self._events = events
        self._kind = kind

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _PASSED_ON:
            self._events.put((self._kind, event))


def _has_close_events(observer: BaseObserver) -> bool:
    try:
        from watchdog.observers.inotify import InotifyObserver
    except (ImportError, OSError):  # not Linux
        return False
    return isinstance(observer, InotifyObserver)


@dataclass
class _State:
    since: float
    sig: Signature | None = None
    writing: set[Path] = field(default_factory=set)
    closed: bool = False


class QuietTracker:
    """Decides when a dropped unit is complete.

    * Close-after-write (inotify ``IN_CLOSE_WRITE``, only when ``close_events``): a file that was
      written is complete when it is closed, and not before, however long the writer pauses. If the
      close event was lost (queue overflow), it counts as complete after ``stuck_after`` of silence.
    * Otherwise (polling, SMB shares, files renamed in, folders): complete once size and mtime of
      every file stayed the same for ``quiet_period`` seconds, measured on our own clock (a share's
      clock may differ). An empty folder is never complete.
    """

    def __init__(
        self,
        quiet_period: float,
        *,
        close_events: bool,
        clock: Callable[[], float] = time.monotonic,
        stuck_after: float | None = None,
    ) -> None:
        self.quiet_period = quiet_period
        self.close_events = close_events
        self.clock = clock
        self.stuck_after = stuck_after if stuck_after is not None else max(60.0, 10 * quiet_period)
        self._units: dict[Path, _State] = {}

    def __len__(self) -> int:
        return len(self._units)

    def touch(self, unit: Path) -> _State:
        return self._units.setdefault(unit, _State(self.clock()))

    def modified(self, unit: Path, path: Path) -> None:
        state = self.touch(unit)
        if self.close_events:
            state.writing.add(path)
            state.closed = False

    def closed(self, unit: Path, path: Path) -> None:
        state = self.touch(unit)
        state.writing.discard(path)
        state.closed = state.closed or (path == unit and self.close_events)

    def postpone(self, unit: Path) -> None:
        """Look again after another quiet period (the unit could not be taken yet)."""
        self._units[unit] = _State(self.clock())

    def forget(self, unit: Path) -> None:
        self._units.pop(unit, None)

    def waiting(self) -> int:
        """Units with content that are not complete yet (empty folders do not count)."""
        return sum(1 for s in self._units.values() if s.sig is None or s.sig)

    def ready(self) -> list[Path]:
        """Complete units, first seen first; units that vanished are forgotten."""
        now = self.clock()
        found = []
        for unit, state in list(self._units.items()):
            sig = signature(unit)
            if sig is None:
                del self._units[unit]
                continue
            if sig != state.sig:
                state.sig, state.since = sig, now
            if self._complete(state, now - state.since):
                found.append(unit)
        return found

    def _complete(self, state: _State, quiet: float) -> bool:
        if not state.sig:
            return False
        if state.writing:
            return quiet >= self.stuck_after
        return state.closed or quiet >= self.quiet_period


class Watcher:
    """Watch one Ablage's Einwurf. ``start()``, then ``run()`` until ``stop()``; or ``once()``."""

    def __init__(
        self,
        store: Store,
        *,
        polling: bool | None = None,
        quiet_period: float | None = None,
        index: Callable[[], Index] | None = None,
        after_batch: Callable[[], None] | None = None,
        on_result: Callable[[DropResult], None] | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        config = store.ablage.config
        self.store = store
        self.einwurf = Einwurf(store)
        self.polling = config.einwurf.abfragen if polling is None else polling
        self.quiet_period = config.einwurf.ruhezeit_sekunden if quiet_period is None else quiet_period
        self._index_factory = index
        self._after_batch = after_batch
        self._on_result = on_result or (lambda result: None)
        self._notice = notice or (lambda text: None)
        self._events: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._stop = threading.Event()
        self.startup_done = threading.Event()  # set once the startup scan is done (drops before it are in it)
        self._observers: list[BaseObserver] = []
        self.tracker = QuietTracker(self.quiet_period, close_events=False)
        self._tick = min(max(self.quiet_period / 4, 0.05), 0.5)
        self._status_dirty = self._hook_due = False
        self._last_refresh = self._last_hook = self._last_rescan = 0.0

    # -- observers -----------------------------------------------------------------------------
    def start(self) -> None:
        """Create the channel folders and start watching (events queue up until ``run``)."""
        self.einwurf.prepare()
        poll = min(max(self.quiet_period / 2, 0.1), 2.0)
        einwurf_observer = PollingObserver(timeout=poll) if self.polling else Observer()
        einwurf_observer.schedule(_Enqueue(self._events, EINWURF), str(self.einwurf.root), recursive=True)
        status_observer = (
            PollingObserver(timeout=min(max(self.quiet_period, 1.0), 10.0)) if self.polling else Observer()
        )
        for status in (Status.EINGANG, Status.IN_BEARBEITUNG, Status.WARTET, Status.ERLEDIGT):
            folder = self.store.ablage.status_dir(status)
            folder.mkdir(parents=True, exist_ok=True)
            status_observer.schedule(_Enqueue(self._events, STATUS), str(folder), recursive=False)
        self.tracker.close_events = _has_close_events(einwurf_observer)
        self._observers = [einwurf_observer, status_observer]
        for observer in self._observers:
            observer.daemon = True
            observer.start()

    def close(self) -> None:
        """Stop the observers and wait for all their threads."""
        for observer in self._observers:
            emitters = list(observer.emitters)
            observer.stop()
            observer.join(timeout=10)
            for emitter in emitters:
                emitter.join(timeout=10)
        self._observers = []

    def stop(self) -> None:
        """Ask the worker to stop after the unit in hand. Safe from signal handlers and other threads."""
        self._stop.set()
        self._events.put(None)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
        self.close()

    # -- the worker ----------------------------------------------------------------------------
    def run(self) -> None:
        """The worker loop, until :meth:`stop`. Call :meth:`start` first."""
        self._loop(until=lambda: False)

    def once(self, max_wait: float | None = None) -> None:
        """One pass without observers (scheduled task): file what is complete, then return.

        Waits up to ``max_wait`` seconds (default: a minute, at least six quiet periods) for drops
        still being written; what is still changing then is left for the next run.
        """
        self.einwurf.prepare()
        deadline = time.monotonic() + (max_wait if max_wait is not None else max(60.0, 6 * self.quiet_period))
        self._loop(until=lambda: not self.tracker.waiting() or time.monotonic() > deadline)
        if self.tracker.waiting():
            self._notice(
                f"{self.tracker.waiting()} Einwürfe werden noch geschrieben; sie werden beim nächsten Lauf übernommen."
            )

    def _loop(self, until: Callable[[], bool]) -> None:
        own_index = self._index_factory is None
        index = Index(self.store) if self._index_factory is None else self._index_factory()
        try:
            if own_index:  # a given index is the caller's to refresh (the CLI has just synced)
                self._report_moves(index.sync())
            importer = self.einwurf.importer(index)
            self._rescan()
            self.startup_done.set()
            while not self._stop.is_set():
                self._wait_for_events(self._tick)
                try:
                    self._work(importer)
                    self._housekeeping(index)
                except Exception as exc:  # the watcher keeps running, unless the Ablage or the disk fails
                    if not translate(exc).einzeln:
                        raise  # the file went back into the Einwurf; the command ends with exit 3/7
                    log.exception("Fehler im Beobachter")
                    self._notice("Interner Fehler im Beobachter (Details im Protokoll); er läuft weiter.")
                if until():
                    break
            self._call_hook()
        finally:
            self.einwurf.close()
            if own_index:
                index.close()

    def _wait_for_events(self, timeout: float) -> None:
        try:
            item = self._events.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            if item is not None:
                self._handle(*item)
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return

    def _handle(self, kind: str, event: FileSystemEvent) -> None:
        paths = [event.src_path] + ([event.dest_path] if event.event_type == EVENT_TYPE_MOVED else [])
        for raw in paths:
            path = Path(os.fsdecode(raw))
            if kind == STATUS:
                self._status_dirty = self._status_dirty or not is_temp_name(path.name)
                continue
            moved_in = event.is_directory and event.event_type in (EVENT_TYPE_CREATED, EVENT_TYPE_MOVED)
            if moved_in and self.einwurf.is_container(path):  # a container arrived at once: look inside
                for unit in self.einwurf.scan(path):
                    self.tracker.touch(unit)
            self._track(event, path)

    def _track(self, event: FileSystemEvent, path: Path) -> None:
        unit_info = self.einwurf.unit_of(path)
        if unit_info is None:
            return
        if event.event_type == EVENT_TYPE_MODIFIED and not event.is_directory:
            self.tracker.modified(unit_info.path, path)
        elif event.event_type == EVENT_TYPE_CLOSED:
            self.tracker.closed(unit_info.path, path)
        else:
            self.tracker.touch(unit_info.path)

    def _work(self, importer: MailImporter) -> None:
        """File complete units, oldest first; give events and hooks a turn after a quiet period."""
        started = time.monotonic()
        for unit in self.tracker.ready():
            if self._stop.is_set():
                return
            self.tracker.forget(unit)
            result = self.einwurf.process(unit, importer)
            if result.kind is DropKind.WARTET:
                self.tracker.postpone(unit)
            elif result.kind != "weg":
                self._hook_due = True
                self._on_result(result)
            if time.monotonic() - started > max(self.quiet_period, 1.0):
                return

    def _housekeeping(self, index: Index) -> None:
        now = time.monotonic()
        if self._status_dirty and now - self._last_refresh >= self.quiet_period:
            self._status_dirty, self._last_refresh = False, now
            self._report_moves(index.sync())
        if self._hook_due and now - self._last_hook >= self.quiet_period:
            self._call_hook()
        if now - self._last_rescan >= RESCAN_S:
            self._rescan()

    def _rescan(self) -> None:
        """Everything in the Einwurf (drops while we were not running, lost events) and stale claims."""
        self._last_rescan = time.monotonic()
        for result in self.einwurf.recover():
            self._hook_due = True
            self._on_result(result)
        for unit in self.einwurf.scan():
            self.tracker.touch(unit)

    def _call_hook(self) -> None:
        if not self._hook_due:
            return
        self._hook_due, self._last_hook = False, time.monotonic()
        if self._after_batch is not None:
            try:
                self._after_batch()
            except Exception:
                log.exception("Aktualisierung nach dem Einwurf fehlgeschlagen")
                self._notice("Register/Übersicht konnte nicht aktualisiert werden (Details im Protokoll).")

    def _report_moves(self, result: RefreshResult) -> None:
        for vorgang in result.manuell_verschoben:
            self._notice(
                f"Hinweis: Vorgang {vorgang.aktenzeichen} wurde von Hand nach „{vorgang.status.label}“ "
                "verschoben; im Verlauf vermerkt."
            )
