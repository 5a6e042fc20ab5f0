"""buero_ticket.mail.imap against real servers: in-process pymap and a throwaway Dovecot."""

from __future__ import annotations

import base64
import hashlib
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from buero_ticket.mail.imap import (
    PASSWORD_ENV,
    ImapConfig,
    ImapFehler,
    ImapPostfach,
    ImapUidvalidityGeaendert,
    ImapVerbindungsfehler,
    read_password,
)
from tests.imap_servers import DovecotServer, ImapAccount, PymapServer

WAIT_S = 20.0  # upper bound for things that should happen at once; never a sleep


def mail(subject: str, body: bytes = b"Sehr geehrte Damen und Herren,\r\nbitte um R\xc3\xbcckruf.\r\n") -> bytes:
    """A CRLF message with traps for re-encoding: folded header, trailing blanks, 8-bit bytes."""
    return (
        b"From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>\r\n"
        b"To: buergerbuero@example.de\r\n"
        b"Subject: " + subject.encode("ascii") + b"\r\n"
        b"X-Langer-Kopf: erster Teil\r\n\t zweiter Teil mit Leerzeichen am Ende   \r\n"
        b"Message-ID: <" + subject.encode("ascii").replace(b" ", b".") + b"@example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n" + body + b"Gr\xfc\xdfe\r\n \r\n-- \r\nohne Zeilenende am Schluss"
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def config_for(account: ImapAccount, **changes: object) -> ImapConfig:
    cfg = ImapConfig(server=account.host, port=account.port, benutzer=account.user, verschluesselung="keine")
    return replace(cfg, **changes)  # type: ignore[arg-type]


def subscribed(account: ImapAccount) -> set[str]:
    with account.client() as mb:
        return {f.name for f in mb.folder.list(subscribed_only=True)}


@pytest.fixture(params=["pymap", "dovecot"])
def account(request: pytest.FixtureRequest) -> ImapAccount:
    """Each generic test runs against both servers, over plain IMAP."""
    fixture = "pymap_server" if request.param == "pymap" else "dovecot_server"
    server: ImapAccount = request.getfixturevalue(fixture)
    return server


@pytest.fixture
def postfach(account: ImapAccount) -> Iterator[ImapPostfach]:
    with ImapPostfach(config_for(account), account.password) as box:
        yield box


# --- both servers ------------------------------------------------------------------------------


def test_fetch_raw_is_byte_identical_and_does_not_set_seen(account: ImapAccount, postfach: ImapPostfach) -> None:
    scan = base64.encodebytes(hashlib.sha512(b"Scan").digest() * 4000).replace(b"\n", b"\r\n")  # ~350 KB
    messages = [mail("Antrag 1"), mail("Antrag 2", b"Anbei der Scan.\r\n" + scan), mail("Antrag 3", b"")]
    sent = {account.append(raw): raw for raw in messages}

    assert postfach.list_uids() == sorted(sent)
    for uid, raw in sent.items():
        assert sha(postfach.fetch_raw(uid)) == sha(raw)
        assert "\\Seen" not in account.flags(uid)
    assert postfach.sizes([*sent, 999_999]) == {uid: len(raw) for uid, raw in sent.items()}


def test_folders_are_created_and_subscribed_with_umlaut_names(account: ImapAccount, postfach: ImapPostfach) -> None:
    with account.client() as mb:
        raw_list = mb.client.list()[1]

    assert {"Importiert", "Quarantäne"} <= subscribed(account)
    assert any(b"Quarant&AOQ-ne" in line for line in raw_list if isinstance(line, bytes))  # modified UTF-7


def test_quarantine_moves_into_umlaut_folder(account: ImapAccount, postfach: ImapPostfach) -> None:
    uid = account.append(mail("kaputt"))

    postfach.quarantine(uid)

    assert postfach.list_uids() == []
    [moved] = account.uids("Quarantäne")
    assert account.raw(moved, "Quarantäne") == mail("kaputt")


@pytest.mark.parametrize(
    "disabled",
    [(), ("MOVE",), ("MOVE", "UIDPLUS")],
    ids=["uid-move", "copy-uid-expunge", "copy-plain-expunge"],
)
def test_move_keeps_other_deleted_messages(account: ImapAccount, disabled: tuple[str, ...]) -> None:
    other = account.append(mail("von Kollegin geloescht"), flags=["\\Deleted"])
    uid = account.append(mail("Antrag"))

    with ImapPostfach(config_for(account), account.password, disabled_capabilities=disabled) as box:
        assert ("MOVE" in box.capabilities) == (not disabled)  # MOVE is read after login
        box.move(uid, "Importiert")

    assert [account.raw(u, "Importiert") for u in account.uids("Importiert")] == [mail("Antrag")]
    assert "\\Deleted" in account.flags(other)
    if disabled == ("MOVE", "UIDPLUS"):  # a plain EXPUNGE would take `other` along: left flagged
        assert account.uids() == [other, uid]
        assert "\\Deleted" in account.flags(uid)
    else:
        assert account.uids() == [other]


def test_plain_expunge_fallback_expunges_when_no_other_message_is_deleted(account: ImapAccount) -> None:
    keep, uid = account.append(mail("bleibt")), account.append(mail("Antrag"))

    with ImapPostfach(config_for(account), account.password, disabled_capabilities={"MOVE", "UIDPLUS"}) as box:
        box.move(uid, "Importiert")
        assert box.list_uids() == [keep]


def wait_while_appending(box: ImapPostfach, account: ImapAccount) -> list[int]:
    """Run box.wait_for_change (long timeout) in a thread and append until it returns.

    Appending repeatedly needs no knowledge of when IDLE started; the join timeouts only
    bound a broken implementation, they are not part of the assertion.
    """
    waiter = threading.Thread(target=box.wait_for_change, args=(10 * WAIT_S,))
    waiter.start()
    waiter.join(0.5)  # nothing has changed yet: a wait that returns at once is broken (polling in a busy loop)
    assert waiter.is_alive(), "wait_for_change kehrte zurück, obwohl sich im Postfach nichts geändert hat"
    appended: list[int] = []
    while waiter.is_alive() and len(appended) < 40:
        appended.append(account.append(mail(f"neu {len(appended)}")))
        waiter.join(WAIT_S / 40)
    waiter.join(WAIT_S)
    assert not waiter.is_alive()
    return appended


def test_wait_for_change_returns_after_append_from_second_connection(
    account: ImapAccount, postfach: ImapPostfach
) -> None:
    assert "IDLE" in postfach.capabilities

    appended = wait_while_appending(postfach, account)

    assert postfach.list_uids() == appended


def test_wait_for_change_returns_on_timeout(postfach: ImapPostfach) -> None:
    postfach.wait_for_change(0.2)

    assert postfach.list_uids() == []


def test_wait_for_change_without_idle_support_returns(account: ImapAccount) -> None:
    with ImapPostfach(config_for(account), account.password, disabled_capabilities={"IDLE"}) as box:
        box.wait_for_change(0.05)

        assert box.list_uids() == []


def test_append_returns_uid_and_flags(account: ImapAccount, postfach: ImapPostfach) -> None:
    uid = postfach.append("Importiert", mail("Kopie"), ["\\Seen"])

    assert uid is not None
    assert account.uids("Importiert") == [uid]
    assert "\\Seen" in account.flags(uid, "Importiert")


def test_uidvalidity_is_stable_across_reconnect(postfach: ImapPostfach) -> None:
    before = postfach.uidvalidity()
    postfach.reconnect()

    assert postfach.uidvalidity() == before > 0


# --- pymap only --------------------------------------------------------------------------------


def test_idle_keeps_the_connection_on_timeout_and_on_change(pymap_server: PymapServer) -> None:
    with ImapPostfach(config_for(pymap_server), pymap_server.password) as box:
        box.wait_for_change(0.1)
        appended = wait_while_appending(box, pymap_server)

        assert box.list_uids() == appended
        assert pymap_server.accepted == 1 + len(appended)  # no reconnect: IDLE ended cleanly


def recreate_inbox_behind_the_back_of(box: ImapPostfach, server: PymapServer) -> int:
    """Delete and re-create the inbox "Eingang" (new UIDVALIDITY), add a mail, drop connections."""
    with server.client() as mb:
        mb.folder.delete("Eingang")
        mb.folder.create("Eingang")
    uid = server.append(mail("neu"), "Eingang")
    server.drop_connections()
    return uid


@pytest.fixture
def eingang_box(pymap_server: PymapServer) -> Iterator[ImapPostfach]:
    with pymap_server.client() as mb:
        mb.folder.create("Eingang")
    with ImapPostfach(config_for(pymap_server, ordner_eingang="Eingang"), pymap_server.password) as box:
        yield box


def test_new_uidvalidity_stops_a_read_that_reconnects(eingang_box: ImapPostfach, pymap_server: PymapServer) -> None:
    before = eingang_box.uidvalidity()
    uid = recreate_inbox_behind_the_back_of(eingang_box, pymap_server)

    with pytest.raises(ImapUidvalidityGeaendert, match="neu angelegt"):
        eingang_box.fetch_raw(uid)  # a UID from before the reconnect must not be used
    assert eingang_box.uidvalidity() != before
    assert eingang_box.list_uids() == [uid]


def test_new_uidvalidity_is_reported_after_a_failed_move(eingang_box: ImapPostfach, pymap_server: PymapServer) -> None:
    uid = recreate_inbox_behind_the_back_of(eingang_box, pymap_server)

    with pytest.raises(ImapVerbindungsfehler) as info:
        eingang_box.move(uid, "Importiert")
    assert not isinstance(info.value, ImapUidvalidityGeaendert)
    with pytest.raises(ImapUidvalidityGeaendert):
        eingang_box.fetch_raw(uid)  # reconnects on its first attempt: the retry must not hide it
    assert pymap_server.uids("Eingang") == [uid]


def test_reads_reconnect_after_server_drops_connection(pymap_server: PymapServer) -> None:
    uid = pymap_server.append(mail("Antrag"))
    with ImapPostfach(config_for(pymap_server), pymap_server.password) as box:
        pymap_server.drop_connections()
        assert box.list_uids() == [uid]
        pymap_server.drop_connections()
        assert box.fetch_raw(uid) == mail("Antrag")
        pymap_server.drop_connections()
        assert box.sizes([uid]) == {uid: len(mail("Antrag"))}


def test_move_after_dropped_connection_reports_and_next_call_reconnects(pymap_server: PymapServer) -> None:
    uid = pymap_server.append(mail("Antrag"))
    with ImapPostfach(config_for(pymap_server), pymap_server.password) as box:
        pymap_server.drop_connections()
        with pytest.raises(ImapVerbindungsfehler, match=r"Verbindung .* abgebrochen"):
            box.move(uid, "Importiert")
        box.move(uid, "Importiert")

        assert box.list_uids() == []


def test_wait_for_change_survives_dropped_connection(pymap_server: PymapServer) -> None:
    with ImapPostfach(config_for(pymap_server), pymap_server.password) as box:
        waiter = threading.Thread(target=box.wait_for_change, args=(10 * WAIT_S,))
        waiter.start()
        while waiter.is_alive():  # drop until the waiter (idling or not yet) has noticed
            pymap_server.drop_connections()
            waiter.join(WAIT_S / 40)
        uid = pymap_server.append(mail("nach dem Abbruch"))

        assert box.list_uids() == [uid]


def test_fetch_raw_of_vanished_uid_says_so(pymap_server: PymapServer) -> None:
    box = ImapPostfach(config_for(pymap_server), pymap_server.password)
    with box, pytest.raises(ImapFehler, match="UID 4711 ist nicht mehr im Ordner „INBOX“"):
        box.fetch_raw(4711)


def test_wrong_password_is_a_clear_error(pymap_server: PymapServer) -> None:
    with pytest.raises(ImapFehler, match=r"Benutzer oder Passwort falsch.*BUERO_TICKET_IMAP_PASSWORT") as info:
        ImapPostfach(config_for(pymap_server), "falsch").connect()

    assert not isinstance(info.value, ImapVerbindungsfehler)


def test_non_ascii_password_logs_in(pymap_server: PymapServer) -> None:
    pymap_server.add_user("joerg", "Bürger-Päßwort")

    with ImapPostfach(config_for(pymap_server, benutzer="joerg"), "Bürger-Päßwort") as box:
        assert box.list_uids() == []


def test_unreachable_server_is_a_connection_error(pymap_server: PymapServer) -> None:
    port = pymap_server.port
    pymap_server.stop()

    with pytest.raises(ImapVerbindungsfehler, match="nicht erreichbar"):
        ImapPostfach(config_for(pymap_server, port=port), "egal").connect()


# --- Dovecot only: TLS and passwords -----------------------------------------------------------


def dovecot_config(server: DovecotServer, verschluesselung: str, **changes: object) -> ImapConfig:
    port = server.imaps_port if verschluesselung == "imaps" else server.imap_port
    return config_for(server, verschluesselung=verschluesselung, port=port, **changes)


@pytest.mark.parametrize("verschluesselung", ["keine", "starttls", "imaps"])
def test_dovecot_logins_with_verified_tls(dovecot_server: DovecotServer, verschluesselung: str) -> None:
    uid = dovecot_server.append(mail("TLS"))
    cfg = dovecot_config(dovecot_server, verschluesselung, ca_datei=dovecot_server.cafile)

    with ImapPostfach(cfg, dovecot_server.password) as box:
        assert box.fetch_raw(uid) == mail("TLS")
        box.move(uid, "Importiert")
        box.wait_for_change(0.05)
        appended = wait_while_appending(box, dovecot_server)  # IDLE over TLS

        assert box.list_uids() == appended
    assert dovecot_server.uids("Importiert") != []


@pytest.mark.parametrize("verschluesselung", ["starttls", "imaps"])
def test_dovecot_tls_without_ca_file_is_refused(dovecot_server: DovecotServer, verschluesselung: str) -> None:
    cfg = dovecot_config(dovecot_server, verschluesselung)

    with pytest.raises(ImapFehler, match=r"TLS-Zertifikat .* wurde abgelehnt .*ca_datei") as info:
        ImapPostfach(cfg, dovecot_server.password).connect()

    assert not isinstance(info.value, ImapVerbindungsfehler)


def test_dovecot_imaps_on_plain_port_names_the_setting(dovecot_server: DovecotServer) -> None:
    cfg = config_for(dovecot_server, verschluesselung="imaps", ca_datei=dovecot_server.cafile)

    with pytest.raises(ImapFehler, match="Passt verschluesselung zum Port"):
        ImapPostfach(cfg, dovecot_server.password).connect()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX-Dateirechte")
def test_dovecot_password_from_private_file(dovecot_server: DovecotServer, tmp_path: Path) -> None:
    secret = tmp_path / "imap-passwort.txt"
    secret.write_text(dovecot_server.password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    cfg = dovecot_config(dovecot_server, "imaps", ca_datei=dovecot_server.cafile, passwort_datei=str(secret))

    with ImapPostfach(cfg, read_password(cfg, {})) as box:
        assert box.list_uids() == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX-Dateirechte")
def test_dovecot_password_file_readable_by_others_is_refused(dovecot_server: DovecotServer, tmp_path: Path) -> None:
    secret = tmp_path / "imap-passwort.txt"
    secret.write_text(dovecot_server.password, encoding="utf-8")
    secret.chmod(0o644)
    cfg = dovecot_config(dovecot_server, "imaps", passwort_datei=str(secret))

    with pytest.raises(ImapFehler, match=r"auch für Gruppe oder andere zugänglich.*chmod 600"):
        read_password(cfg, {PASSWORD_ENV: dovecot_server.password})


def test_dovecot_password_from_command(dovecot_server: DovecotServer) -> None:
    command = f"{sys.executable} -c \"print('{dovecot_server.password}')\""
    cfg = dovecot_config(dovecot_server, "starttls", ca_datei=dovecot_server.cafile, passwort_befehl=command)

    with ImapPostfach(cfg, read_password(cfg, {})) as box:
        assert box.list_uids() == []


# --- passwords and settings without a server ---------------------------------------------------


def test_password_from_environment() -> None:
    cfg = ImapConfig(server="mail.example.de", benutzer="bb")

    assert read_password(cfg, {PASSWORD_ENV: "geheim"}) == "geheim"
    with pytest.raises(ImapFehler, match=f"Kein IMAP-Passwort.*{PASSWORD_ENV}"):
        read_password(cfg, {})


def test_failing_password_command_is_an_error() -> None:
    command = f"{sys.executable} -c \"import sys; sys.exit('Tresor gesperrt')\""
    cfg = ImapConfig(server="mail.example.de", benutzer="bb", passwort_befehl=command)

    with pytest.raises(ImapFehler, match="Fehlercode 1: Tresor gesperrt"):
        read_password(cfg, {})


def test_missing_password_command_is_an_error() -> None:
    cfg = ImapConfig(server="mail.example.de", benutzer="bb", passwort_befehl="/nicht/vorhanden --x")

    with pytest.raises(ImapFehler, match=r"passwort_befehl \(/nicht/vorhanden\) konnte nicht ausgeführt"):
        read_password(cfg, {})


def test_config_lists_every_problem() -> None:
    with pytest.raises(ImapFehler) as info:
        ImapConfig(
            server="",
            benutzer="bb",
            verschluesselung="ssl",  # type: ignore[arg-type]
            port=70000,
            passwort_datei="a",
            passwort_befehl="b",
            ordner_importiert="INBOX",
        )

    text = str(info.value)
    for expected in ["server fehlt", "„ssl“", "port 70000", "nur eine", "drei verschiedene Ordner"]:
        assert expected in text


@pytest.mark.parametrize(("verschluesselung", "port"), [("imaps", 993), ("starttls", 143), ("keine", 143)])
def test_default_ports(verschluesselung: str, port: int) -> None:
    for unset in (None, 0):
        cfg = ImapConfig(server="s", benutzer="b", verschluesselung=verschluesselung, port=unset)  # type: ignore[arg-type]
        assert cfg.resolved_port == port
