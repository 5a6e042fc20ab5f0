"""The Ablage on a real SMB share, used from two PCs at once (see tests/smb_share.py).

Every command runs as its own process through the real CLI, on the mount of "its" PC with its own
local cache. Concurrency is real (several processes on both mounts); nothing is mocked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from buero_ticket import faults, history
from buero_ticket.pruefstand import PARENT_SETTLE_SECONDS

from .smb_share import Pc
from .test_absturz import FIRST, REPLY

pytestmark = pytest.mark.usefixtures("smb_share")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mail"


def _init(pc: Pc) -> None:
    done = pc.cli("init", str(pc.ablage), "--name", "Bürgerbüro SMB")
    assert done.code == 0, done.err
    config = pc.ablage / "buero-ticket.toml"
    # the polling watcher on the share: short quiet time so the test does not wait long
    text = config.read_text(encoding="utf-8").replace("ruhezeit_sekunden = 5", "ruhezeit_sekunden = 1")
    config.write_bytes(text.encode("utf-8"))


def _neu(pc: Pc, betreff: str, *extra: str) -> str:
    done = pc.cli("neu", "--kanal", "telefon", "--betreff", betreff, "--von", "Erika Muster", *extra, "--json")
    assert done.code == 0, done.err
    return str(json.loads(done.out)["aktenzeichen"])


def _zeige(pc: Pc, az: str) -> dict[str, object]:
    done = pc.cli("zeige", az, "--json")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert isinstance(data, dict)
    return data


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gewartet auf: {what}")
        time.sleep(0.5)


def _parallel(commands: list[tuple[Pc, list[str]]]) -> list[subprocess.CompletedProcess[str]]:
    procs = [pc.start(*args) for pc, args in commands]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_init_and_new_vorgaenge_from_both_pcs_at_once(two_pcs: tuple[Pc, Pc]) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    assert (pc2.ablage / "buero-ticket.toml").is_file()
    assert pc2.cli("init", str(pc2.ablage)).code == 0  # repeating init from the other PC is harmless
    per_process = 4
    commands = [
        (pc, ["neu", "--kanal", "telefon", "--betreff", f"{pc.name} Anruf {p}-{i}", "--json"])
        for pc in (pc1, pc2)
        for p in range(2)
        for i in range(per_process)
    ]
    # two rounds of 8 processes (4 per PC) at once
    results = _parallel(commands[0::2]) + _parallel(commands[1::2])
    assert [r.returncode for r in results] == [0] * len(commands), [r.stderr for r in results if r.returncode]
    made = {json.loads(r.stdout)["aktenzeichen"] for r in results}
    assert len(made) == len(commands)  # one Aktenzeichen each, none twice
    for pc in (pc1, pc2):
        listed = pc.cli("liste", "--alle", "--json")
        assert listed.code == 0, listed.err
        assert {v["aktenzeichen"] for v in json.loads(listed.out)} == made


def test_status_notiz_zuweisen_on_one_vorgang_from_both_pcs_at_once(two_pcs: tuple[Pc, Pc]) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    az = _neu(pc1, "Sperrmüll Termin")
    commands: list[tuple[Pc, list[str]]] = []
    for i in range(3):
        commands += [
            (pc1, ["notiz", az, f"PC1 Notiz {i}"]),
            (pc2, ["notiz", az, f"PC2 Notiz {i}"]),
            (pc1, ["zuweisen", az, "--an", f"Weber {i}"]),
            (pc2, ["status", az, ["in-bearbeitung", "wartet", "in-bearbeitung"][i], "--grund", f"Grund {i}"]),
        ]
    results = _parallel(commands)
    assert [r.returncode for r in results] == [0] * len(commands), [r.stderr for r in results if r.returncode]
    data = _zeige(pc1, az)
    verlauf = data["verlauf"]
    assert isinstance(verlauf, list)
    notes = sorted(e["details"] for e in verlauf if e["aktion"] == "Notiz")
    assert notes == sorted([f"PC1 Notiz {i}" for i in range(3)] + [f"PC2 Notiz {i}" for i in range(3)])
    grounds = [e["details"] for e in verlauf if e["aktion"] == "Statuswechsel"]
    assert all("(Grund" in g for g in grounds) and grounds  # --grund never lost
    assert data["revision"] == len(verlauf)  # every change: one revision, one history line
    assert data["status"] in ("in-bearbeitung", "wartet")
    assert _zeige(pc2, az)["revision"] == data["revision"]


NOTES_WORKER = """
import sys
from pathlib import Path
from buero_ticket.ablage import open_ablage
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
root, az, tag, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = Context.of(Store(open_ablage(root)))
for i in range(count):
    ops.add_note(ctx, az, f"{tag}-{i}")
"""


def test_800_notes_from_two_processes_on_each_of_two_pcs(two_pcs: tuple[Pc, Pc]) -> None:
    """The cross-PC lock: 2 processes per mount × 2 mounts × 200 notes on one Vorgang, none lost."""
    pc1, pc2 = two_pcs
    _init(pc1)
    az = _neu(pc1, "Viele Notizen")
    count = 200
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", NOTES_WORKER, str(pc.ablage), az, f"{pc.name}.{p}", str(count)],
            env=dict(pc.env),
            stderr=subprocess.PIPE,
            text=True,
        )
        for pc in (pc1, pc2)
        for p in range(2)
    ]
    errors = [proc.communicate(timeout=1200)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], errors
    folder = next((pc2.ablage / "1 Eingang").iterdir())
    lines = history.read_history(folder)
    notes = [e.details for e in lines if e.aktion == "Notiz"]
    expected = [f"{pc.name}.{p}-{i}" for pc in (pc1, pc2) for p in range(2) for i in range(count)]
    assert len(notes) == 800 and sorted(notes) == sorted(expected)
    for tag in {n.rsplit("-", 1)[0] for n in notes}:  # each writer's notes in its own order
        mine = [int(n.rsplit("-", 1)[1]) for n in notes if n.startswith(tag + "-")]
        assert mine == sorted(mine)
    meta = json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))
    assert meta["revision"] == 1 + 800  # exact: no lost and no doubled update
    assert not list((pc1.ablage / ".buero-ticket" / "sperren").glob("*.lock"))  # every lock released


def test_manual_move_on_one_pc_is_noticed_on_the_other(two_pcs: tuple[Pc, Pc]) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    az = _neu(pc1, "Verschoben")
    assert pc2.cli("liste", "--json").code == 0  # PC2's cache knows it in "Eingang"
    [folder] = list((pc1.ablage / "1 Eingang").iterdir())
    folder.rename(pc1.ablage / "4 Erledigt" / folder.name)  # dragged in Explorer on PC1
    listed = pc2.cli("liste", "--alle", "--json")
    assert listed.code == 0, listed.err
    [row] = json.loads(listed.out)
    assert row["status"] == "erledigt"  # the folder is the status
    assert pc2.cli("notiz", az, "Rückruf erledigt").code == 0  # the next change on PC2 records the move
    data = _zeige(pc2, az)
    assert data["status"] == "erledigt"
    verlauf = data["verlauf"]
    assert isinstance(verlauf, list)
    assert [e["aktion"] for e in verlauf[-2:]] == ["Statuswechsel (manuell verschoben)", "Notiz"]


def test_status_change_while_a_file_in_the_vorgang_is_open(two_pcs: tuple[Pc, Pc]) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    az = _neu(pc1, "Offene Datei", "--text", "Bitte Rückruf")
    [folder] = list((pc1.ablage / "1 Eingang").iterdir())
    [note] = list((folder / "Nachrichten").iterdir())
    with open(note, "rb"):  # e.g. the note open in an editor on PC1
        refused = pc1.cli("status", az, "erledigt", "--grund", "fertig")
        assert refused.code == 7, refused.err
        assert "geöffnet – bitte schließen" in refused.err and "Was tun" in refused.err
        assert "Interner Fehler" not in refused.err
        still = _zeige(pc2, az)
        assert still["status"] == "eingang" and still["revision"] == 1  # nothing half done
        assert folder.is_dir()
    done = pc1.cli("status", az, "erledigt", "--grund", "fertig")
    assert done.code == 0, done.err
    after = _zeige(pc2, az)
    assert after["status"] == "erledigt" and after["revision"] == 2
    verlauf = after["verlauf"]
    assert isinstance(verlauf, list) and verlauf[-1]["details"] == "Eingang → Erledigt (fertig)"


def test_note_while_the_metadata_is_open_on_the_other_pc(two_pcs: tuple[Pc, Pc]) -> None:
    """Replacing a file that another PC holds open fails on SMB; the note is refused in German, not lost silently."""
    pc1, pc2 = two_pcs
    _init(pc1)
    az = _neu(pc1, "Metadaten offen")
    [folder] = list((pc2.ablage / "1 Eingang").iterdir())
    with open(folder / "vorgang.json", "rb"):  # a backup or virus scanner on PC2 reads it
        refused = pc1.cli("notiz", az, "wartet nicht")
    if refused.code != 0:  # the share refused the replace for the whole retry time
        assert refused.code == 7 and "vorgang.json ist in Word/Excel geöffnet – bitte schließen" in refused.err
        assert _zeige(pc1, az)["revision"] == 1
    done = pc1.cli("notiz", az, "nach dem Schließen")
    assert done.code == 0, done.err
    notes = [e["details"] for e in _zeige(pc2, az)["verlauf"] if e["aktion"] == "Notiz"]  # type: ignore[union-attr]
    assert notes[-1] == "nach dem Schließen"
    assert not [p for p in folder.iterdir() if p.name.startswith(".~bt-")]  # no temp file left behind


def test_mail_einlesen_register_pruefen_and_brief_on_the_share(two_pcs: tuple[Pc, Pc], tmp_path: Path) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    mail = tmp_path / "anfrage.eml"
    mail.write_bytes(
        b"From: Erika Muster <erika@example.org>\r\nTo: buergerbuero@example.org\r\n"
        b"Subject: Frage zum Anwohnerparken\r\nMessage-ID: <smb-1@example.org>\r\n"
        b"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nWie beantrage ich einen Ausweis?\r\n"
    )
    first = pc1.cli("mail", "einlesen", str(mail))
    assert first.code == 0, first.err
    assert "1 neue" in first.out
    again = pc2.cli("mail", "einlesen", str(mail))  # the same mail on the other PC: not twice
    assert again.code == 0 and "bereits importiert" in again.out, again.out
    [row] = pc2.cli("liste", "--json").json()  # type: ignore[misc]
    az = row["aktenzeichen"]
    reply = tmp_path / "antwort.eml"
    reply.write_bytes(
        b"From: Erika Muster <erika@example.org>\r\nTo: buergerbuero@example.org\r\n"
        b"Subject: Re: Frage zum Anwohnerparken\r\nMessage-ID: <smb-2@example.org>\r\n"
        b"In-Reply-To: <smb-1@example.org>\r\nDate: Mon, 23 Nov 2026 11:00:00 +0100\r\n\r\nNoch eine Frage.\r\n"
    )
    assert pc2.cli("mail", "einlesen", str(reply)).code == 0
    data = _zeige(pc1, az)
    assert len(data["nachrichten"]) == 2  # type: ignore[arg-type]
    letter = pc2.cli("brief", az, "rueckfrage", "--feld", "unterlagen=Personalausweis", "--ohne-anschrift")
    assert letter.code == 0, letter.err
    [docx] = list((Path(str(data["ordner"]).replace(str(pc1.ablage), str(pc2.ablage))) / "Ausgang").glob("*.docx"))
    assert "Personalausweis" in "\n".join(p.text for p in Document(str(docx)).paragraphs)
    written = pc1.cli("register")
    assert written.code == 0, written.err
    wb = openpyxl.load_workbook(pc2.ablage / "Vorgangsregister.xlsx", read_only=True)
    assert az in [c for row in wb["Offen"].iter_rows(values_only=True) for c in row]
    wb.close()
    assert pc2.cli("liste").code == 0  # brings PC2's cache up to date (pruefen compares it)
    checked = pc2.cli("pruefen")
    assert checked.code == 0, checked.out + checked.err


def test_einwurf_once_and_polling_watcher_across_pcs(two_pcs: tuple[Pc, Pc]) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    (pc2.ablage / "0 Einwurf" / "Antrag Müller.pdf").write_bytes(b"%PDF-1.4 Antrag")
    once = pc1.cli("beobachten", "--einmal")
    assert once.code == 0, once.out + once.err
    assert "1 neue" in once.out
    assert not (pc2.ablage / "0 Einwurf" / "Antrag Müller.pdf").exists()
    watcher = pc1.start("beobachten")
    try:
        _wait_for(lambda: (pc1.ablage / "0 Einwurf" / "Fax").is_dir(), "der Beobachter läuft")
        (pc2.ablage / "0 Einwurf" / "Fax" / "Fax Schmidt.pdf").write_bytes(b"%PDF-1.4 Fax")
        _wait_for(
            lambda: any("Fax Schmidt" in p.name for p in (pc2.ablage / "1 Eingang").iterdir()),
            "der Vorgang aus dem Fax erscheint",
        )
    finally:
        watcher.send_signal(2)  # Ctrl+C: finish the file in hand, then stop
        _out, err = watcher.communicate(timeout=120)
    assert watcher.returncode == 0, err
    listed = pc2.cli("liste", "--json").json()
    assert isinstance(listed, list) and {v["kanal"] for v in listed} == {"scan", "fax"}
    assert not list((pc2.ablage / "0 Einwurf").rglob("*.pdf"))


def test_names_on_the_share_are_unique_without_case_and_never_reserved(two_pcs: tuple[Pc, Pc], tmp_path: Path) -> None:
    pc1, pc2 = two_pcs
    _init(pc1)
    boundary = "b0"
    parts = []
    for name in ("Akte.txt", "AKTE.txt", "CON.txt", "nul", "a?b.pdf", "Ende. ", "com1.tar.gz"):
        parts.append(
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="{name}"\r\n\r\n{name}\r\n'
        )
    mail = tmp_path / "anhang.eml"
    mail.write_bytes(
        (
            "From: a@example.org\r\nSubject: Anhänge\r\nMessage-ID: <names@example.org>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nsiehe Anhang\r\n" + "".join(parts) + f"--{boundary}--\r\n"
        ).encode()
    )
    assert pc1.cli("mail", "einlesen", str(mail)).code == 0
    [folder] = list((pc2.ablage / "1 Eingang").iterdir())
    names = sorted(p.name for p in (folder / "Anlagen").iterdir())
    assert len(names) == 7 and len({n.casefold() for n in names}) == 7
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
    for name in names:
        assert name.split(".")[0].strip().upper() not in reserved, name
        assert not name.endswith((".", " ")) and "?" not in name and "~" not in name, name
    contents = sorted((folder / "Anlagen" / n).read_bytes() for n in names)
    assert len(set(contents)) == 7  # no attachment overwrote another


def test_quick_pruefen_on_one_pc_sees_a_crash_on_the_other(two_pcs: tuple[Pc, Pc], tmp_path: Path) -> None:
    """PC1's quick pruefen takes a settled Vorgang from its record (no round trip per Vorgang); PC2 is
    killed (kill -9) while it files a reply into that Vorgang, before the commit: the change signal the
    store leaves first (Vorgang folder touched, status folder announced) makes PC1 look again."""
    pc1, pc2 = two_pcs
    _init(pc1)
    first, reply = tmp_path / "erste.eml", tmp_path / "antwort.eml"
    first.write_bytes(FIRST)
    reply.write_bytes(REPLY)
    assert pc1.cli("mail", "einlesen", str(first)).code == 0
    when = time.time_ns() - int((PARENT_SETTLE_SECONDS + 120) * 1e9)  # minutes of quiet, as in an office
    for folder in [p for p in (pc1.ablage / "1 Eingang").rglob("*") if p.is_dir()] + [pc1.ablage / "1 Eingang"]:
        os.utime(folder, ns=(when, when))
    assert pc1.cli("liste").code == 0
    for _ in range(2):  # records, then from the record
        checked = pc1.cli("pruefen", "--json")
        assert checked.code == 0 and checked.json()["probleme"] == [], checked.out  # type: ignore[index]
    mark = tmp_path / "marke.txt"
    killed = pc2.cli(
        "mail", "einlesen", str(reply), env={faults.ENV: "nachricht-angekuendigt", faults.ENV_MARK: str(mark)}
    )
    assert killed.code == -signal.SIGKILL and mark.read_text(encoding="utf-8") == "nachricht-angekuendigt"
    found = pc1.cli("pruefen", "--json")
    assert found.code == 1
    assert [p["art"] for p in found.json()["probleme"]] == ["nachricht_unterbrochen"]  # type: ignore[index]
