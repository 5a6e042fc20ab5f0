"""``mail abrufen`` end to end against real IMAP servers (pymap in process, Dovecot)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from buero_ticket import protokoll
from buero_ticket.ablage import Ablage, open_ablage
from buero_ticket.errors import Exit
from buero_ticket.index import Index
from buero_ticket.intake import abruf as abruf_mod
from buero_ticket.intake import mail as mail_mod
from buero_ticket.store import Store
from tests.imap_servers import DovecotServer, ImapAccount, PymapServer

from .test_intake_mail import make_mail

WAIT_S = 60.0


def configure(
    ablage: Ablage,
    account: ImapAccount,
    monkeypatch: pytest.MonkeyPatch,
    mode: str = "keine",
    port: int | None = None,
    cafile: str = "",
) -> None:
    cfg = ablage.root / "buero-ticket.toml"
    text = cfg.read_text(encoding="utf-8") + (
        f'\n[imap]\nserver = "{account.host}"\nport = {port or account.port}\nbenutzer = "{account.user}"\n'
        f'verschluesselung = "{mode}"\nca_datei = "{cafile}"\n'
    )
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.setenv("BUERO_TICKET_IMAP_PASSWORT", account.password)


def fill_inbox(ablage: Ablage, account: ImapAccount, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Point the Ablage at ``account`` and put ``count`` new mails into its inbox."""
    configure(ablage, account, monkeypatch)
    for i in range(count):
        account.append(crlf(make_mail(subject=f"Anliegen {i}")))


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def vorgang_count(ablage: Ablage) -> int:
    return sum(1 for _ in ablage.iter_vorgang_dirs())


def test_abrufen_imports_moves_and_summarises(
    run,
    ablage: Ablage,
    pymap_server: PymapServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    first = crlf(make_mail(subject="Sperrmüll Termin"))
    pymap_server.append(first, flags=[r"\Seen"])  # read in Outlook already: must still be imported
    mid = mail_mod.parse_mail(first).message_id
    pymap_server.append(crlf(make_mail(subject="Re: Sperrmüll Termin", in_reply_to=f"<{mid}>")))
    pymap_server.append(
        crlf(make_mail(subject="Abwesend", in_reply_to=f"<{mid}>", headers={"Auto-Submitted": "auto-replied"}))
    )
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == 0, res.err
    assert "1 neuer Vorgang, 1 Antwort zugeordnet, 1 automatische Mail " in res.out
    assert "0 Fehler" in res.out
    assert pymap_server.uids("INBOX") == []
    assert len(pymap_server.uids("Importiert")) == 3
    [folder] = [Path(e.path) for _s, e in ablage.iter_vorgang_dirs()]
    stored = sorted((folder / "Nachrichten").glob("*.eml"))
    assert stored[0].read_bytes() == first  # byte for byte
    assert len(stored) == 3
    assert list(protokoll.log_dir().glob("mail-*.log"))  # local per PC, never on the share
    assert not list(ablage.log_dir.glob("*.log"))
    again = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert again.code == 0 and "0 neue Vorgänge" in again.out


def test_failing_mail_is_quarantined_and_the_rest_goes_on(
    run,
    ablage: Ablage,
    pymap_server: PymapServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    pymap_server.append(crlf(make_mail(subject="Vorher")))
    pymap_server.append(crlf(make_mail(subject="GIFTIG")))
    pymap_server.append(crlf(make_mail(subject="Nachher")))
    real_parse = mail_mod.parse_mail

    def parser_with_bug(raw: bytes):  # type: ignore[no-untyped-def]
        if b"GIFTIG" in raw:
            raise RuntimeError("Parserfehler (simuliert)")
        return real_parse(raw)

    monkeypatch.setattr(mail_mod, "parse_mail", parser_with_bug)
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == Exit.PROBLEME
    assert "2 neue Vorgänge" in res.out and "1 Fehler" in res.out and "Quarantäne" in res.err
    assert len(pymap_server.uids("Quarantäne")) == 1 and len(pymap_server.uids("Importiert")) == 2
    reasons = list(ablage.quarantaene_dir.glob("* - Grund.txt"))
    assert len(reasons) == 1 and "Parserfehler" in reasons[0].read_text(encoding="utf-8")
    assert b"GIFTIG" in next(ablage.quarantaene_dir.glob("*.eml")).read_bytes()


def test_connection_drop_mid_run_loses_nothing(
    run,
    ablage: Ablage,
    pymap_server: PymapServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_inbox(ablage, pymap_server, monkeypatch, 5)
    real_import = mail_mod.MailImporter.import_raw
    calls = []

    def import_then_drop(self, raw, source, uid_key="", note=""):  # type: ignore[no-untyped-def]
        result = real_import(self, raw, source, uid_key, note)
        calls.append(1)
        if len(calls) == 3:
            pymap_server.drop_connections()  # the Vorgang is written, the mail not yet moved
        return result

    monkeypatch.setattr(mail_mod.MailImporter, "import_raw", import_then_drop)
    connections_before = pymap_server.accepted
    first = run("--ablage", str(ablage.root), "mail", "abrufen")
    # Reads reconnect by themselves; a broken MOVE ends the run with exit code 8. Either is fine,
    # as long as nothing is lost or doubled afterwards.
    assert first.code in (0, Exit.VERBINDUNG), first.out + first.err
    assert pymap_server.accepted >= connections_before + 2, "the connection was not really dropped"
    monkeypatch.setattr(mail_mod.MailImporter, "import_raw", real_import)
    second = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert second.code == 0, second.err
    assert vorgang_count(ablage) == 5
    assert pymap_server.uids("INBOX") == [] and len(pymap_server.uids("Importiert")) == 5


def _spawn(ablage: Ablage, password: str) -> subprocess.Popen[str]:
    env = {**os.environ, "BUERO_TICKET_IMAP_PASSWORT": password, "PYTHONPATH": str(Path(__file__).parents[1])}
    return subprocess.Popen(
        [sys.executable, "-m", "buero_ticket", "--ablage", str(ablage.root), "mail", "abrufen"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_killed_run_and_two_runs_at_once(
    ablage: Ablage, dovecot_server: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(ablage, dovecot_server, monkeypatch)
    total = 40
    for i in range(total):
        dovecot_server.append(crlf(make_mail(subject=f"Anliegen {i}", sender=f"b{i}@example.org")))
    victim = _spawn(ablage, dovecot_server.password)
    deadline = time.monotonic() + WAIT_S
    while vorgang_count(ablage) < 3 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)  # between writing Vorgänge and moving mails, as in a power cut
    victim.wait(WAIT_S)
    left = len(dovecot_server.uids("INBOX"))
    pair = [_spawn(ablage, dovecot_server.password) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in pair]
    assert [p.returncode for p in pair] == [0, 0], outputs
    assert dovecot_server.uids("INBOX") == []
    assert vorgang_count(ablage) == total, f"{left} left after kill; {outputs}"
    subjects = sorted(Store(ablage).load(Path(e.path)).betreff for _s, e in ablage.iter_vorgang_dirs())
    assert subjects == sorted(f"Anliegen {i}" for i in range(total))


@pytest.mark.parametrize("mode", ["keine", "starttls", "imaps"])
def test_abrufen_over_each_encryption(
    run,
    ablage: Ablage,
    dovecot_server: DovecotServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    port = dovecot_server.imaps_port if mode == "imaps" else dovecot_server.port
    configure(ablage, dovecot_server, monkeypatch, mode=mode, port=port, cafile=dovecot_server.cafile)
    dovecot_server.append(crlf(make_mail(subject=f"Über {mode}")))
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == 0, res.err
    assert "1 neuer Vorgang" in res.out


def test_imaps_without_trusted_certificate_is_refused(
    run,
    ablage: Ablage,
    dovecot_server: DovecotServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(ablage, dovecot_server, monkeypatch, mode="imaps", port=dovecot_server.imaps_port)
    dovecot_server.append(crlf(make_mail()))
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == Exit.VERBINDUNG and "Zertifikat" in res.err
    assert vorgang_count(ablage) == 0 and len(dovecot_server.uids("INBOX")) == 1


def test_dauerbetrieb_wakes_up_and_survives_drops(
    ablage: Ablage, pymap_server: PymapServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    store = Store(open_ablage(ablage.root))  # with the [imap] section just written
    stop = threading.Event()
    rounds: list[int] = []

    def work() -> None:  # the cache's SQLite connection belongs to the thread that uses it
        abruf_mod.fetch_mail(
            store,
            Index(store),
            continuous=True,
            idle_s=1.0,
            on_round=lambda c: rounds.append(c.neu),
            stop=stop.is_set,
        )

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        pymap_server.append(crlf(make_mail(subject="Erste")))
        _wait(lambda: vorgang_count(ablage) == 1)
        pymap_server.drop_connections()  # a lost IDLE must not lose the next mail
        pymap_server.append(crlf(make_mail(subject="Zweite")))
        _wait(lambda: vorgang_count(ablage) == 2)
    finally:
        stop.set()
        worker.join(WAIT_S)
    assert not worker.is_alive()
    assert pymap_server.uids("INBOX") == []


def _wait(condition) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def test_connection_lost_at_the_move_means_next_run_finishes(
    run,
    ablage: Ablage,
    pymap_server: PymapServer,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from buero_ticket.mail import imap as imap_mod

    fill_inbox(ablage, pymap_server, monkeypatch, 3)
    real_move = imap_mod.ImapPostfach.move

    def drop_then_move(self, uid, folder):  # type: ignore[no-untyped-def]
        pymap_server.drop_connections()  # the Vorgänge are written; the server goes away now
        return real_move(self, uid, folder)

    monkeypatch.setattr(imap_mod.ImapPostfach, "move", drop_then_move)
    first = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert first.code == Exit.VERBINDUNG and "Was tun" in first.err
    assert vorgang_count(ablage) == 3 and len(pymap_server.uids("INBOX")) == 3  # stored, not yet moved
    monkeypatch.setattr(imap_mod.ImapPostfach, "move", real_move)
    second = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert second.code == 0 and "3 bereits importiert" in second.out
    assert vorgang_count(ablage) == 3 and pymap_server.uids("INBOX") == []
