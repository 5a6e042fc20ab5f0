"""Passwords from the OS keyring: ``passwort setzen imap|smtp``, then the mail commands log in with them.

The keyring is real: keyrings.alt's file backend, selected for the child processes through keyring's own
environment variable PYTHON_KEYRING_BACKEND and stored below XDG_DATA_HOME in the test's folder (on the
office PCs the same code talks to the Windows Credential Manager).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from tests.imap_servers import PymapServer
from tests.smtp_sink import SmtpSink, make_certificate, set_config

from .test_abruf import configure, crlf
from .test_intake_mail import make_mail

REPO = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PASSWORT")}
    env.update(
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        XDG_DATA_HOME=str(tmp_path / "profil"),
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
        BUERO_TICKET_REGISTER="aus",
    )
    return env


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buero_ticket", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_imap_password_from_the_keyring(
    ablage: Ablage,
    pymap_server: PymapServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    configure(ablage, pymap_server, monkeypatch)  # [imap] settings; its password variable is left out below
    env, root = _env(tmp_path), str(ablage.root)
    pymap_server.append(crlf(make_mail(subject="Sperrmüll Termin")))

    missing = _cli(env, "--ablage", root, "mail", "abrufen")
    assert missing.returncode == Exit.VERBINDUNG or missing.returncode == Exit.KONFIG, missing.stderr
    assert "buero-ticket passwort setzen imap" in missing.stderr

    stored = _cli(env, "--ablage", root, "passwort", "setzen", "imap", "--stdin", stdin=pymap_server.password + "\n")
    assert stored.returncode == 0, stored.stderr
    assert f"Passwort für {pymap_server.user} (imap) gespeichert" in stored.stdout
    keyring_file = tmp_path / "profil" / "python_keyring" / "keyring_pass.cfg"
    stored_text = keyring_file.read_text(encoding="utf-8")  # section name escaped by keyrings.alt
    assert "[buero_2Dticket_20imap]" in stored_text and f"{pymap_server.user} =" in stored_text
    assert pymap_server.password not in (ablage.root / "buero-ticket.toml").read_text(encoding="utf-8")

    fetched = _cli(env, "--ablage", root, "mail", "abrufen")
    assert fetched.returncode == 0, fetched.stderr
    assert "1 neuer Vorgang" in fetched.stdout
    assert sum(1 for _ in ablage.iter_vorgang_dirs()) == 1

    # the environment variable still goes first (existing set-ups keep working)
    wrong = _cli({**env, "BUERO_TICKET_IMAP_PASSWORT": "falsch"}, "--ablage", root, "mail", "abrufen")
    assert wrong.returncode == Exit.VERBINDUNG and "Anmeldung" in wrong.stderr


def test_smtp_password_from_the_keyring(ablage: Ablage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = SmtpSink(
        mode="starttls", user="bb@musterstadt.example", password="Gehëim-1", cert=make_certificate(tmp_path)
    ).start()
    try:
        set_config(ablage.root, {"amt": {"name": "Bürgerbüro Test"}, "smtp": server.toml()})
        env, root = _env(tmp_path), str(ablage.root)
        new = _cli(env, "--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Rückfrage", "--email", "a@x.de")
        assert new.returncode == 0, new.stderr
        az = new.stdout.split()[1]
        args = ("--ablage", root, "antworten", az, "zwischennachricht", "--feld", "bis=15.12.2026", "--senden")
        assert "passwort setzen smtp" in _cli(env, *args).stderr
        stored = _cli(env, "--ablage", root, "passwort", "setzen", "smtp", "--stdin", stdin="Gehëim-1\n")
        assert stored.returncode == 0, stored.stderr
        sent = _cli(env, *args)
        assert sent.returncode == 0, sent.stderr
        assert server.logins == ["bb@musterstadt.example"] and len(server.take()) == 1
    finally:
        server.stop()


def test_passwort_setzen_needs_a_user_name(ablage: Ablage, tmp_path: Path) -> None:
    res = _cli(_env(tmp_path), "--ablage", str(ablage.root), "passwort", "setzen", "imap", "--stdin", stdin="x\n")
    assert res.returncode == Exit.BEDIENUNG and "kein benutzer eingetragen" in res.stderr
    assert not (tmp_path / "profil").exists()
