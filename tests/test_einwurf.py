"""The Einwurf: dropped files, folders and mails become Vorgänge; nothing is lost.

Most tests call :meth:`Einwurf.process` directly (no threads, no waiting). The end-to-end tests run
the real watchdog observers (inotify and polling) with the worker in a thread and wait for results
on a condition with a timeout; an autouse fixture fails any test that leaves a thread running.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from buero_ticket import history, protokoll
from buero_ticket.ablage import Ablage
from buero_ticket.aktenzeichen import Aktenzeichen
from buero_ticket.clock import system_clock
from buero_ticket.config import Config
from buero_ticket.index import Index
from buero_ticket.intake import Incoming, accept
from buero_ticket.intake.beobachter import QuietTracker, Watcher
from buero_ticket.intake.einwurf import ERROR_DIR, WORK_DIR, DropResult, Einwurf
from buero_ticket.intake.mail import MailImporter
from buero_ticket.mail.msgfile import MsgFehler, parse_msg
from buero_ticket.models import Absender, Kanal, Status
from buero_ticket.store import ANLAGEN_DIR, META_NAME, NACHRICHTEN_DIR, Store

from .conftest import CORPUS

MODES = ["inotify", "polling"]
UNKNOWN_AZ = str(Aktenzeichen(system_clock().year, 999))
TIMEOUT = 60.0


# -- fixtures and helpers -----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _no_thread_left_running() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    new = [t for t in threading.enumerate() if t not in before]
    for thread in new:
        thread.join(timeout=10)
    alive = [t.name for t in new if t.is_alive()]
    if alive:
        pytest.fail(f"watcher threads left running: {alive}")


@pytest.fixture
def einwurf(store: Store) -> Einwurf:
    result = Einwurf(store)
    result.prepare()
    return result


@pytest.fixture
def importer(store: Store, einwurf: Einwurf) -> Iterator[MailImporter]:
    index = Index(store)
    index.refresh()
    yield einwurf.importer(index)
    index.close()


def drop(einwurf: Einwurf, rel: str, data: bytes = b"%PDF-1.4 test\n") -> Path:
    path = einwurf.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def vorgaenge(ablage: Ablage) -> dict[str, Path]:
    """Aktenzeichen → folder, over all status folders."""
    return {e.name.split(" ", 1)[0]: Path(e.path) for _s, e in ablage.iter_vorgang_dirs()}


def meta(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / META_NAME).read_text(encoding="utf-8")))


def anlagen(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / ANLAGEN_DIR).iterdir()}


def fehler_files(einwurf: Einwurf) -> list[Path]:
    return sorted(p for p in einwurf.error_dir.rglob("*") if p.is_file() and not p.name.endswith(" - Grund.txt"))


def reason_of(path: Path) -> str:
    return (path.parent / f"{path.stem} - Grund.txt").read_text(encoding="utf-8")


def new_vorgang(store: Store, betreff: str = "Sperrmüll Termin") -> str:
    item = Incoming(kanal=Kanal.TELEFON, betreff=betreff, absender=Absender("Erika Muster"), zeit=system_clock())
    return accept(store, item).vorgang.aktenzeichen


def assert_einwurf_empty(einwurf: Einwurf) -> None:
    assert einwurf.scan() == []
    assert not any(p.is_file() for p in einwurf.work_dir.rglob("*")), "claimed files left behind"


# -- what a drop means --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rel", "kanal"),
    [
        ("Fax/Antrag_Anwohnerparken.pdf", "fax"),
        ("Post/Antrag_Anwohnerparken.pdf", "brief"),
        ("Scan/Antrag_Anwohnerparken.pdf", "scan"),
        ("Antrag_Anwohnerparken.pdf", "scan"),
    ],
)
def test_file_becomes_vorgang_with_channel_from_subfolder(
    einwurf: Einwurf, importer: MailImporter, store: Store, rel: str, kanal: str
) -> None:
    data = os.urandom(5000)
    unit = drop(einwurf, rel, data)

    result = einwurf.process(unit, importer)

    assert result.kind == "neu"
    folder = vorgaenge(store.ablage)[result.aktenzeichen[0]]
    assert meta(folder)["kanal"] == kanal
    assert meta(folder)["betreff"] == "Antrag Anwohnerparken"
    assert anlagen(folder) == {"Antrag_Anwohnerparken.pdf": data}
    assert "Einwurf" in (folder / "verlauf.txt").read_text(encoding="utf-8")
    assert not unit.exists()
    assert_einwurf_empty(einwurf)


def test_default_channel_comes_from_config(store: Store) -> None:
    config = Config(store.ablage.config.path, {**store.ablage.config.values, "einwurf": {"kanal": "brief"}})
    other = Store(Ablage(store.ablage.root, config))
    einwurf = Einwurf(other)
    index = Index(other)
    unit = drop(einwurf, "Brief von Frau Muster.pdf")

    result = einwurf.process(unit, einwurf.importer(index))
    index.close()

    assert meta(vorgaenge(other.ablage)[result.aktenzeichen[0]])["kanal"] == "brief"


def test_folder_drop_becomes_one_vorgang(einwurf: Einwurf, importer: MailImporter, store: Store) -> None:
    drop(einwurf, "Fax/Bauantrag Meier/Seite 1.pdf", b"eins")
    drop(einwurf, "Fax/Bauantrag Meier/Seite 2.pdf", b"zwei")
    drop(einwurf, "Fax/Bauantrag Meier/Pläne/Lageplan.pdf", b"drei")
    drop(einwurf, "Fax/Bauantrag Meier/Thumbs.db", b"system")
    assert einwurf.scan() == [einwurf.root / "Fax" / "Bauantrag Meier"]

    result = einwurf.process(einwurf.root / "Fax" / "Bauantrag Meier", importer)

    assert result.kind == "neu"
    assert list(vorgaenge(store.ablage)) == list(result.aktenzeichen)
    folder = vorgaenge(store.ablage)[result.aktenzeichen[0]]
    assert meta(folder)["betreff"] == "Bauantrag Meier"
    assert meta(folder)["kanal"] == "fax"
    assert anlagen(folder) == {"Seite 1.pdf": b"eins", "Seite 2.pdf": b"zwei", "Pläne - Lageplan.pdf": b"drei"}
    assert_einwurf_empty(einwurf)


def test_aktenzeichen_in_name_or_folder_adds_to_that_vorgang(
    einwurf: Einwurf, importer: MailImporter, store: Store
) -> None:
    az = new_vorgang(store)
    units = [
        drop(einwurf, f"{az} Nachtrag.pdf", b"nachtrag"),
        drop(einwurf, f"{az}/Beleg.jpg", b"beleg"),
        drop(einwurf, f"Post/{az} Müller/Brief.pdf", b"brief"),
    ]
    assert sorted(einwurf.scan()) == sorted(units)

    results = [einwurf.process(u, importer) for u in units]

    assert [r.kind for r in results] == ["folge"] * 3
    assert list(vorgaenge(store.ablage)) == [az]
    folder = vorgaenge(store.ablage)[az]
    assert anlagen(folder) == {f"{az} Nachtrag.pdf": b"nachtrag", "Beleg.jpg": b"beleg", "Brief.pdf": b"brief"}
    added = [e.details for e in history.read_history(folder) if e.aktion == "Nachricht zugeordnet"]
    assert len(added) == 3
    assert f"Einwurf {az} Nachtrag.pdf" in added[0] and f"Einwurf {az}\\Beleg.jpg" in added[1]
    assert [n["kanal"] for n in meta(folder)["nachrichten"][1:]] == ["scan", "scan", "brief"]
    assert einwurf.scan() == []
    assert (einwurf.root / az).is_dir(), "the clerk's Aktenzeichen folder stays for further drops"


def test_mail_in_aktenzeichen_folder_is_added_to_that_vorgang(
    einwurf: Einwurf, importer: MailImporter, store: Store
) -> None:
    az = new_vorgang(store)
    raw = (CORPUS / "cpython" / "msg_04.eml").read_bytes()
    unit = drop(einwurf, f"{az}/Weitergeleitet.eml", raw)

    result = einwurf.process(unit, importer)

    assert result.kind == "mail" and result.aktenzeichen == (az,)  # through the one mail path
    folder = vorgaenge(store.ablage)[az]
    nachricht = meta(folder)["nachrichten"][-1]
    assert nachricht["kanal"] == "email"
    assert (folder / NACHRICHTEN_DIR / nachricht["datei"]).read_bytes() == raw


@pytest.mark.parametrize("case", ["unknown", "typo"])
def test_unknown_or_mistyped_aktenzeichen_goes_to_fehler(
    einwurf: Einwurf, importer: MailImporter, store: Store, case: str
) -> None:
    az = new_vorgang(store)
    typo = f"{az[:-1]}{(int(az[-1]) + 1) % 10}"
    name = f"{UNKNOWN_AZ if case == 'unknown' else typo} Nachtrag.pdf"
    expected = "gibt es nicht" if case == "unknown" else "Prüfziffer"
    unit = drop(einwurf, f"Scan/{name}", b"inhalt")

    result = einwurf.process(unit, importer)

    assert result.kind == "fehler" and expected in result.reason
    assert fehler_files(einwurf) == [einwurf.error_dir / name]
    reason = reason_of(einwurf.error_dir / name)
    assert expected in reason and "Was tun:" in reason and "Scan\\" + name in reason
    assert (einwurf.error_dir / name).read_bytes() == b"inhalt"
    assert len(vorgaenge(store.ablage)) == 1
    assert_einwurf_empty(einwurf)


def test_same_names_in_fehler_never_overwrite(einwurf: Einwurf, importer: MailImporter) -> None:
    for content in (b"erste", b"zweite", b"dritte"):
        einwurf.process(drop(einwurf, f"{UNKNOWN_AZ} Antrag.pdf", content), importer)
    for content in (b"kaputt eins", b"kaputt zwei"):
        einwurf.process(drop(einwurf, "Anfrage.msg", content), importer)

    files = fehler_files(einwurf)
    assert sorted(p.read_bytes() for p in files) == sorted(
        [b"erste", b"zweite", b"dritte", b"kaputt eins", b"kaputt zwei"]
    )
    assert len({p.name for p in files}) == 5
    for path in files:
        assert "Grund:" in reason_of(path)


def test_corrupt_msg_lands_in_fehler_with_reason(einwurf: Einwurf, importer: MailImporter, store: Store) -> None:
    good = (CORPUS / "msgreader" / "msgInMsg.msg").read_bytes()
    cut = good[: len(good) // 3]
    unit = drop(einwurf, "Anfrage Müller.msg", cut)

    result = einwurf.process(unit, importer)

    assert result.kind == "fehler" and result.path is not None
    assert result.path.parent == einwurf.error_dir and result.path.read_bytes() == cut
    reason = reason_of(result.path)
    assert "Grund:" in reason and "Outlook" in reason
    assert vorgaenge(store.ablage) == {}
    assert not any(store.ablage.quarantaene_dir.iterdir()), "stored once, in _Fehler only"
    assert_einwurf_empty(einwurf)


def test_eml_is_imported_like_a_fetched_mail_and_a_second_drop_is_recognised(
    einwurf: Einwurf, importer: MailImporter, store: Store
) -> None:
    raw = (CORPUS / "cpython" / "msg_04.eml").read_bytes()

    first = einwurf.process(drop(einwurf, "Anfrage.eml", raw), importer)
    again = einwurf.process(drop(einwurf, "Anfrage.eml", raw), importer)

    assert first.kind == "mail"
    folder = vorgaenge(store.ablage)[first.aktenzeichen[0]]
    assert meta(folder)["kanal"] == "email"
    assert (folder / NACHRICHTEN_DIR / meta(folder)["nachrichten"][0]["datei"]).read_bytes() == raw
    assert again.kind == "fehler" and "schon gespeichert" in again.reason
    assert fehler_files(einwurf) == [einwurf.error_dir / "Anfrage.eml"]
    assert len(vorgaenge(store.ablage)) == 1


def test_temp_and_system_files_are_ignored(einwurf: Einwurf) -> None:
    names = ["~$Antrag.docx", "Scan.tmp", "Download.part", "Thumbs.db", "desktop.ini", ".DS_Store", ".~bt-x.tmp"]
    for name in names:
        drop(einwurf, name)
        drop(einwurf, f"Fax/{name}")
        assert einwurf.unit_of(einwurf.root / name) is None
    drop(einwurf, f"{ERROR_DIR}/liegt hier.pdf")
    drop(einwurf, f"{WORK_DIR}/abc/in Arbeit.pdf")
    real = drop(einwurf, "Fax/echt.pdf")

    assert einwurf.scan() == [real]


def test_old_claims_of_unknown_instances_go_back_into_the_einwurf(einwurf: Einwurf) -> None:
    left = drop(einwurf, f"{WORK_DIR}/0badf00d/Antrag.pdf", b"halb verarbeitet")  # an older version's claim
    fresh = drop(einwurf, f"{WORK_DIR}/12345678/Neu.pdf", b"gerade in Arbeit")
    hour_ago = time.time() - 3700
    os.utime(left.parent, (hour_ago, hour_ago))

    results = einwurf.recover()

    assert results == []  # nothing failed
    assert (einwurf.root / "Antrag.pdf").read_bytes() == b"halb verarbeitet"  # filed again by the next scan
    assert einwurf.scan() == [einwurf.root / "Antrag.pdf"]
    assert fresh.exists(), "a claim younger than an hour of an unknown instance may belong to a running watcher"


def test_unit_taken_by_another_watcher_is_skipped(einwurf: Einwurf, importer: MailImporter, store: Store) -> None:
    unit = drop(einwurf, "weg.pdf")
    unit.unlink()

    assert einwurf.process(unit, importer).kind == "weg"
    assert vorgaenge(store.ablage) == {}


# -- when a drop is complete (fake clock, no waiting) -------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_quiet_period_waits_until_size_and_mtime_stop_changing(tmp_path: Path) -> None:
    clock = FakeClock()
    tracker = QuietTracker(5.0, close_events=False, clock=clock)
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"a")
    tracker.touch(path)
    assert tracker.ready() == []
    clock.now += 4.9
    assert tracker.ready() == []
    with open(path, "ab") as fh:
        fh.write(b"more")
    clock.now += 0.2
    assert tracker.ready() == [], "a change restarts the quiet period"
    clock.now += 4.9
    assert tracker.ready() == []
    clock.now += 0.2
    assert tracker.ready() == [path]
    path.unlink()
    assert tracker.ready() == [] and len(tracker) == 0


def test_close_after_write_decides_and_quiet_alone_does_not(tmp_path: Path) -> None:
    clock = FakeClock()
    tracker = QuietTracker(1.0, close_events=True, clock=clock, stuck_after=60.0)
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"half")
    tracker.touch(path)
    tracker.modified(path, path)
    assert tracker.ready() == []
    clock.now += 30
    assert tracker.ready() == [], "open for writing: the writer may only be pausing"
    tracker.closed(path, path)
    assert tracker.ready() == [path], "closed after writing: complete at once"
    tracker.modified(path, path)
    clock.now += 61
    assert tracker.ready() == [path], "a lost close event is not waited for forever"


def test_renamed_in_file_and_folder_need_the_quiet_period(tmp_path: Path) -> None:
    clock = FakeClock()
    tracker = QuietTracker(1.0, close_events=True, clock=clock)
    folder = tmp_path / "Ordner"
    folder.mkdir()
    tracker.touch(folder)
    clock.now += 10
    assert tracker.ready() == [] and tracker.waiting() == 0, "an empty folder is never complete"
    (folder / "a.pdf").write_bytes(b"a")
    assert tracker.ready() == []
    clock.now += 1.0
    assert tracker.ready() == [folder]


# -- the real watcher ---------------------------------------------------------------------------
class Lauf:
    """Results of a running watcher, collected under a condition."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.results: list[DropResult] = []
        self.notices: list[str] = []
        self.crash: BaseException | None = None

    def record(self, result: DropResult) -> None:
        with self.cond:
            self.results.append(result)
            self.cond.notify_all()

    def notice(self, text: str) -> None:
        with self.cond:
            self.notices.append(text)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: predicate() or self.crash is not None, timeout):
                pytest.fail(f"timed out after {timeout} s waiting for {what}; results: {self.results[-5:]}")
        assert self.crash is None, f"watcher crashed: {self.crash!r}"


@contextmanager
def running(store: Store, mode: str, quiet_period: float = 0.2) -> Iterator[tuple[Watcher, Lauf]]:
    lauf = Lauf()
    watcher = Watcher(
        store, polling=(mode == "polling"), quiet_period=quiet_period, on_result=lauf.record, notice=lauf.notice
    )

    def work() -> None:
        try:
            watcher.run()
        except BaseException as exc:
            with lauf.cond:
                lauf.crash = exc
                lauf.cond.notify_all()

    watcher.start()
    worker = threading.Thread(target=work, name="einwurf-worker")
    worker.start()
    try:
        assert watcher.startup_done.wait(TIMEOUT), "watcher did not start"
        yield watcher, lauf
    finally:
        watcher.stop()
        worker.join(timeout=30)
        watcher.close()
    assert lauf.crash is None
    assert not any("Interner Fehler" in n for n in lauf.notices), lauf.notices


@pytest.mark.parametrize("mode", MODES)
def test_slowly_written_file_is_taken_once_and_complete(store: Store, mode: str) -> None:
    chunks = [os.urandom(16 * 1024) for _ in range(40)]
    with running(store, mode, quiet_period=0.3 if mode == "inotify" else 1.0) as (watcher, lauf):
        clock = _jumpable_clock(watcher)
        target = watcher.einwurf.root / "Scan" / "Bauakte.pdf"
        with open(target, "wb") as fh:
            for number, chunk in enumerate(chunks):
                fh.write(chunk)
                fh.flush()
                if mode == "inotify" and number == len(chunks) // 2:
                    for _ in range(2):  # the writer stalls far beyond the quiet period, file still open
                        clock.jump(10 * watcher.quiet_period)
                        clock.wait_for_checks(2)
                elif mode == "polling":
                    threading.Event().wait(0.02)  # the scenario: a steady writer, faster than the quiet period
        lauf.wait_for(lambda: len(lauf.results) >= 1, "the Vorgang")
    assert [r.kind for r in lauf.results] == ["neu"]
    folder = vorgaenge(store.ablage)[lauf.results[0].aktenzeichen[0]]
    assert anlagen(folder) == {"Bauakte.pdf": b"".join(chunks)}
    assert len(vorgaenge(store.ablage)) == 1


class _JumpableClock:
    """Monotonic time plus an offset the test can jump forward; counts the tracker's checks."""

    def __init__(self, tracker: QuietTracker) -> None:
        self.offset = 0.0
        self.checks = 0
        self.cond = threading.Condition()
        self._ready = tracker.ready
        tracker.clock = self
        tracker.ready = self._counted_ready  # type: ignore[method-assign]

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def _counted_ready(self) -> list[Path]:
        found = self._ready()
        with self.cond:
            self.checks += 1
            self.cond.notify_all()
        return found

    def jump(self, seconds: float) -> None:
        self.offset += seconds
        with self.cond:
            self.checks = 0

    def wait_for_checks(self, count: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.checks >= count, TIMEOUT)


def _jumpable_clock(watcher: Watcher) -> _JumpableClock:
    return _JumpableClock(watcher.tracker)


@pytest.mark.parametrize("mode", MODES)
def test_burst_of_500_files_all_become_vorgaenge_none_twice(store: Store, mode: str) -> None:
    contents = {f"Scan {n:03d}.pdf": f"Seite {n}".encode() for n in range(500)}
    with running(store, mode) as (watcher, lauf):
        for name, data in contents.items():
            (watcher.einwurf.root / name).write_bytes(data)
        lauf.wait_for(lambda: len(lauf.results) >= 500, "500 Vorgänge")
        assert_einwurf_empty(watcher.einwurf)
    assert {r.kind for r in lauf.results} == {"neu"}
    folders = vorgaenge(store.ablage)
    assert len(folders) == 500
    stored: dict[str, bytes] = {}
    for folder in folders.values():
        files = anlagen(folder)
        assert len(files) == 1
        stored.update(files)
    assert stored == contents


def test_every_corpus_msg_is_imported_or_in_fehler_and_the_watcher_survives(store: Store) -> None:
    sources = sorted(CORPUS.glob("msgreader/*.msg"))
    assert len(sources) >= 20
    with running(store, "polling") as (watcher, lauf):
        for source in sources:
            shutil.copyfile(source, watcher.einwurf.root / source.name)
        lauf.wait_for(lambda: len(lauf.results) >= len(sources), "every .msg")
        einwurf = watcher.einwurf
    stored = {
        n["sha256"]: (folder, n) for folder in vorgaenge(store.ablage).values() for n in meta(folder)["nachrichten"]
    }
    in_fehler = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in fehler_files(einwurf)}
    imported = 0
    for source in sources:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if digest in stored:
            imported += 1
            _assert_imported(source, *stored[digest])
        else:
            assert digest in in_fehler, f"{source.name} neither imported nor in _Fehler"
            assert "Grund:" in reason_of(in_fehler[digest])
    assert imported >= 20
    assert_einwurf_empty(einwurf)


def _assert_imported(source: Path, folder: Path, nachricht: dict[str, Any]) -> None:
    assert (folder / NACHRICHTEN_DIR / nachricht["datei"]).read_bytes() == source.read_bytes()
    try:
        parsed = parse_msg(source.read_bytes())
    except MsgFehler:  # pragma: no cover - imported, so it parsed
        pytest.fail(f"{source.name} imported although unreadable")
    first_line = next((line.strip() for line in parsed.body_text.splitlines() if line.strip()), "")
    if first_line:
        text = (folder / NACHRICHTEN_DIR / nachricht["text_datei"]).read_text(encoding="utf-8")
        assert first_line in text, source.name
    files = sorted((folder / ANLAGEN_DIR / name).read_bytes() for name in nachricht["anlagen"])
    assert files == sorted(a.content for a in parsed.attachments), source.name


@pytest.mark.parametrize("mode", MODES)
def test_manual_move_is_recorded_while_the_watcher_runs(store: Store, mode: str) -> None:
    az = new_vorgang(store)
    with running(store, mode) as (_beobachter, lauf):
        folder = vorgaenge(store.ablage)[az]
        os.rename(folder, store.ablage.status_dir(Status.WARTET) / folder.name)
        lauf.wait_for(lambda: any(az in n for n in lauf.notices), "the manual move")
    moved = vorgaenge(store.ablage)[az]
    assert meta(moved)["status"] == "wartet"
    assert "Statuswechsel (manuell verschoben) | Eingang → Wartet" in (moved / "verlauf.txt").read_text(
        encoding="utf-8"
    )


def test_watcher_leaves_temp_files_alone(store: Store) -> None:
    with running(store, "inotify") as (watcher, lauf):
        root = watcher.einwurf.root
        for name in ("~$Antrag.docx", "Scan.tmp", "Thumbs.db", "Download.part"):
            (root / name).write_bytes(b"temp")
        (root / "echt.pdf").write_bytes(b"echt")
        lauf.wait_for(lambda: len(lauf.results) >= 1, "the real file")
    assert [r.display for r in lauf.results] == ["echt.pdf"]
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == sorted(
        ["~$Antrag.docx", "Scan.tmp", "Thumbs.db", "Download.part"]
    )
    assert len(vorgaenge(store.ablage)) == 1


# -- the command --------------------------------------------------------------------------------
def _quick_config(ablage: Ablage, polling: bool = True) -> None:
    path = ablage.root / "buero-ticket.toml"
    text = path.read_text(encoding="utf-8").replace("ruhezeit_sekunden = 5", "ruhezeit_sekunden = 0.1")
    path.write_text(text.replace("abfragen = true", f"abfragen = {str(polling).lower()}"), encoding="utf-8")


def test_einmal_files_what_was_dropped_and_reports_failures(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _quick_config(ablage)
    (ablage.einwurf_dir / "Antrag.pdf").write_bytes(b"antrag")

    ok = run("--ablage", str(ablage.root), "beobachten", "--einmal")
    (ablage.einwurf_dir / "kaputt.msg").write_bytes(b"kein outlook")
    filters = list(warnings.filters)  # after the first run: libraries imported by it may add theirs once
    bad = run("--ablage", str(ablage.root), "beobachten", "--einmal")
    assert warnings.filters == filters, "the command changed the process's warning filters for good"

    assert ok.code == 0, ok.err
    assert "Antrag.pdf: neuer Vorgang" in ok.out and "1 neuer Vorgang" in ok.out
    assert bad.code == 1
    assert "kaputt.msg: nicht übernommen" in bad.out and "_Fehler" in bad.err
    assert len(vorgaenge(ablage)) == 1
    assert (ablage.einwurf_dir / "Fax").is_dir() and (ablage.einwurf_dir / "Post").is_dir()
    assert list(protokoll.log_dir().glob("einwurf-*.log"))  # local per PC, never on the share
    assert not list(ablage.log_dir.glob("*.log"))
    assert ablage.register_path.exists(), "the register is rewritten after the run"


def test_help_is_german_with_example(run) -> None:  # type: ignore[no-untyped-def]
    result = run("beobachten", "--hilfe")
    assert result.code == 0
    assert "Beispiel:" in result.out and "--einmal" in result.out and "_Fehler" in result.out


def test_sigterm_finishes_and_stops_the_running_command(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _quick_config(ablage, polling=False)
    (ablage.einwurf_dir / "Antrag.pdf").write_bytes(b"antrag")
    done = threading.Event()

    def stop_when_filed() -> None:
        deadline = time.monotonic() + TIMEOUT
        while not vorgaenge(ablage) and time.monotonic() < deadline:
            done.wait(0.05)  # polls the folders; the bound is the deadline
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=stop_when_filed, name="sigterm-sender")
    killer.start()
    result = run("--ablage", str(ablage.root), "beobachten")
    killer.join()

    assert result.code == 0, result.err
    assert "Antrag.pdf: neuer Vorgang" in result.out and "Beendet." in result.out
    assert len(vorgaenge(ablage)) == 1
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_mail_in_unknown_aktenzeichen_folder_goes_to_fehler(
    einwurf: Einwurf, importer: MailImporter, store: Store
) -> None:
    raw = (CORPUS / "cpython" / "msg_04.eml").read_bytes()
    unit = drop(einwurf, f"{Aktenzeichen(2026, 9999)}/Weitergeleitet.eml", raw)

    result = einwurf.process(unit, importer)

    assert result.kind == "fehler" and "gibt es nicht" in result.reason
    assert vorgaenge(store.ablage) == {}
    stored = [p for p in einwurf.error_dir.rglob("*.eml")]
    assert [p.read_bytes() for p in stored] == [raw]
    assert list(einwurf.error_dir.rglob("* - Grund.txt"))
