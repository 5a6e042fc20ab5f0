"""Shared fixtures: every test gets its own Ablage and cache; real settings are never touched."""

from __future__ import annotations

import inspect
import io
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage, init_ablage
from buero_ticket.cli import main
from buero_ticket.store import Store
from tests.smtp_sink import SmtpSink

pytest_plugins = ["tests.imap_servers", "tests.smb_share"]

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "mail"


def need_shared(path: Path, what: str) -> Path:
    """``path`` from ../shared, or skip with a German reason (under CI=1: fail, nothing may be left out)."""
    if path.exists():
        return path
    reason = f"{what} fehlt ({path}); er liegt neben dem Repository unter ../shared."
    if os.environ.get("CI"):
        pytest.fail(reason + " In der CI ist das ein Fehler.")
    pytest.skip(reason + " Dieser Test wird übersprungen (frischer Checkout ohne ../shared).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "korpus: braucht den Mail-Korpus in ../shared/corpus/mail")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reads the mail corpus (its name or code says so) gets the marker ``korpus``."""
    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        if "corpus" in (item.name + source).lower():
            item.add_marker(pytest.mark.korpus)


@pytest.fixture(autouse=True)
def _corpus_present(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("korpus"):
        need_shared(CORPUS, "Der Mail-Korpus")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BUERO_TICKET_CACHE", str(tmp_path / "_cache"))
    monkeypatch.setenv("BUERO_TICKET_PROTOKOLL", str(tmp_path / "_protokoll"))  # run logs are local per PC
    monkeypatch.delenv("BUERO_TICKET_ABLAGE", raising=False)
    monkeypatch.setenv("BUERO_TICKET_REGISTER", "sofort")  # tests check the register right after a command
    monkeypatch.delenv("BUERO_TICKET_IMAP_PASSWORT", raising=False)
    monkeypatch.delenv("BUERO_TICKET_SMTP_PASSWORT", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # never the real keyring
    monkeypatch.chdir(tmp_path)
    yield


def _logging_state() -> tuple[object, ...]:
    """Process-wide logging state a command may change only for its own run."""
    package, root = logging.getLogger("buero_ticket"), logging.getLogger()
    return (tuple(package.handlers), package.level, tuple(root.handlers), root.level)


@pytest.fixture(autouse=True)
def _no_leaked_log_handlers() -> Iterator[None]:
    """Fail a test whose code leaves log handlers behind: they leak into the next test (writing into its
    predecessor's Ablage) and pile up in a long-running process. Warning filters: test_global_state.py."""
    before = _logging_state()
    yield
    after = _logging_state()
    assert after == before, f"Log-Handler nach dem Test nicht entfernt: vorher {before!r}, nachher {after!r}"


@pytest.fixture
def ablage(tmp_path: Path) -> Ablage:
    return init_ablage(tmp_path / "Ablage", name="Bürgerbüro Test")[0]


@pytest.fixture
def store(ablage: Ablage) -> Store:
    return Store(ablage)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the real CLI entry point (with its error translator) in process."""

    def _run(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = int(exc.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    return _run


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""
    server = SmtpSink().start()
    try:
        yield server
    finally:
        server.stop()
