"""A mail that was sent is never reported as a failure to repeat: 'sent but not filed' has the exit code
of its cause (never 2, Bedienfehler), and a missing 'answered' mark after filing is a warning with exit 0."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.antwort import versand
from buero_ticket.errors import Exit
from buero_ticket.store import Store
from tests.smtp_sink import SmtpSink, set_config

from .test_antwort import AMT, CITIZEN, import_mail, meta
from .test_antwort import folder_of as _folder_of
from .test_intake_mail import make_mail


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "/ablage/1 Eingang")


def test_sent_but_not_filed_is_exit_7_with_the_rescue_copy_never_exit_2(
    run,  # type: ignore[no-untyped-def]
    ablage: Ablage,
    sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "lokal"))  # the rescue copy's local temp folder
    (tmp_path / "lokal").mkdir()
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml()})
    az = import_mail(ablage, make_mail(subject="Frage", sender=CITIZEN))
    monkeypatch.setattr(Store, "add_message", _full)  # the disk fills up between sending and filing
    res = run("--ablage", str(ablage.root), "antworten", az, "zwischennachricht", "--feld", "bis=1.12.", "--senden")
    assert res.code == Exit.ZUGRIFF, res.err
    assert "GESENDET" in res.err and "Das Laufwerk ist voll" in res.err and "NICHT erneut senden" in res.err
    assert len(sink.take()) == 1
    rescue = Path(tempfile.gettempdir()) / "buero-ticket-nicht-abgelegt"
    assert any(p.name.startswith(az) for p in rescue.iterdir())


def test_a_missing_answered_mark_after_sending_and_filing_is_a_warning(
    run,  # type: ignore[no-untyped-def]
    ablage: Ablage,
    sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml()})
    az = import_mail(ablage, make_mail(subject="Frage", sender=CITIZEN))
    monkeypatch.setattr(versand, "mark_answered", _full)
    res = run("--ablage", str(ablage.root), "antworten", az, "zwischennachricht", "--feld", "bis=1.12.", "--senden")
    assert res.code == 0, res.err
    assert "Warnung: Die Mail ist gesendet und abgelegt" in res.err and "NICHT wiederholen" in res.err
    assert len(sink.take()) == 1
    assert meta(_folder_of(ablage, az))["nachrichten"][-1]["richtung"] == "ausgang"
