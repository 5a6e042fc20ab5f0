"""A watcher killed mid-drop: the file is back at the next start, pruefen sees it at once, never a second
Vorgang (issue 10, item 4), and pruefen reports every leftover right away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from buero_ticket.fileio import TEMP_PREFIX
from buero_ticket.intake.einwurf import ERROR_DIR, WORK_DIR, Einwurf, _host_name
from buero_ticket.models import Status
from buero_ticket.store import Store

from .conftest import Result

#: Runs 'beobachten --einmal' and kills itself with SIGKILL at a real point of the filing.
CRASHING_WATCHER = """
import os, signal, sys
from buero_ticket.intake import einwurf
from buero_ticket.cli import main

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] == "vor-dem-vorgang":      # claimed, nothing written yet
    einwurf.ops.accept = die
else:                                     # Vorgang written, the claimed file not yet deleted
    einwurf.Einwurf._release = die
main(["--ablage", sys.argv[1], "beobachten", "--einmal"])
"""

PDF = b"%PDF-1.4 Antrag auf Anwohnerparken\n"


def quick(ablage: Ablage) -> None:
    path = ablage.root / "buero-ticket.toml"
    text = path.read_text(encoding="utf-8").replace("ruhezeit_sekunden = 5", "ruhezeit_sekunden = 0.1")
    path.write_text(text, encoding="utf-8")


def vorgaenge(ablage: Ablage) -> list[Path]:
    return [Path(e.path) for _s, e in ablage.iter_vorgang_dirs()]


def claimed_files(ablage: Ablage) -> list[Path]:
    return [p for p in (ablage.einwurf_dir / WORK_DIR).rglob("*") if p.is_file()]


def pruefen(run, ablage: Ablage, *args: str) -> tuple[Result, list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "pruefen", "--json", *args)
    return res, list(json.loads(res.out)["probleme"])


def crash_watcher(ablage: Ablage, point: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_WATCHER, str(ablage.root), point], capture_output=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()  # the kill landed mid-run


@pytest.mark.parametrize("point", ["vor-dem-vorgang", "nach-dem-vorgang"])
def test_a_killed_watcher_leaves_nothing_hidden_and_nothing_twice(run, ablage: Ablage, point: str) -> None:  # type: ignore[no-untyped-def]
    quick(ablage)
    (ablage.einwurf_dir / "Post").mkdir(parents=True, exist_ok=True)
    (ablage.einwurf_dir / "Post" / "Antrag.pdf").write_bytes(PDF)

    crash_watcher(ablage, point)

    [left] = claimed_files(ablage)  # the file is in the dead watcher's work folder, not in the Einwurf
    assert left.read_bytes() == PDF and not (ablage.einwurf_dir / "Post" / "Antrag.pdf").exists()
    assert len(vorgaenge(ablage)) == (0 if point == "vor-dem-vorgang" else 1)
    res, probleme = pruefen(run, ablage)  # right away, not after an hour
    assert res.code == Exit.PROBLEME
    [problem] = [p for p in probleme if p["art"] == "einwurf_unterbrochen"]
    assert problem["reparierbar"] and problem["pfad"] == str(left) and "unterbrochen" in str(problem["text"])

    again = run("--ablage", str(ablage.root), "beobachten", "--einmal")  # the next start

    assert claimed_files(ablage) == []
    [folder] = vorgaenge(ablage)  # exactly one Vorgang, whatever the crash point
    meta = json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))
    assert meta["kanal"] == "brief"  # filed as dropped: in 'Post'
    assert [(folder / "Anlagen" / a).read_bytes() for n in meta["nachrichten"] for a in n["anlagen"]] == [PDF]
    if point == "vor-dem-vorgang":
        assert again.code == 0 and "Post\\Antrag.pdf: neuer Vorgang" in again.out, again.out + again.err
    else:  # it was stored before the crash: the copy that came back is recognised
        assert again.code == Exit.PROBLEME and "schon in Vorgang" in again.out
        [reason] = (ablage.einwurf_dir / ERROR_DIR).glob("* - Grund.txt")
        assert meta["aktenzeichen"] in reason.read_text(encoding="utf-8")
    res, probleme = pruefen(run, ablage)
    assert res.code == 0 and probleme == [], probleme


def test_pruefen_reparieren_puts_a_dead_watchers_file_back(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    quick(ablage)
    (ablage.einwurf_dir / "Scan.pdf").write_bytes(PDF)
    crash_watcher(ablage, "vor-dem-vorgang")

    res, probleme = pruefen(run, ablage, "--reparieren")

    assert res.code == 0, probleme
    assert (ablage.einwurf_dir / "Scan.pdf").read_bytes() == PDF and claimed_files(ablage) == []
    assert Einwurf(Store(ablage)).scan() == [ablage.einwurf_dir / "Scan.pdf"]  # the next pass files it


def test_a_claim_of_a_running_watcher_is_listed_but_left_alone(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    token = f"{_host_name()}-{os.getppid()}-abc123"  # a process that runs: this test's parent
    unit = ablage.einwurf_dir / WORK_DIR / token / "Fax" / "Seite.pdf"
    unit.parent.mkdir(parents=True)
    unit.write_bytes(PDF)

    res, probleme = pruefen(run, ablage, "--reparieren")

    assert res.code == Exit.PROBLEME
    [problem] = [p for p in probleme if p["art"] == "einwurf_unterbrochen"]
    assert not problem["reparierbar"] and "gerade übernommen" in str(problem["text"])
    assert unit.read_bytes() == PDF and not (ablage.einwurf_dir / "Fax" / "Seite.pdf").exists()


def test_a_file_dragged_back_from_fehler_that_is_stored_is_no_second_vorgang(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    quick(ablage)
    root = str(ablage.root)
    (ablage.einwurf_dir / "Antrag.pdf").write_bytes(PDF)
    assert run("--ablage", root, "beobachten", "--einmal").code == 0
    [folder] = vorgaenge(ablage)
    az = folder.name.split(" ", 1)[0]
    (ablage.einwurf_dir / "Antrag (Kopie).pdf").write_bytes(PDF)  # the same file once more, other name
    (ablage.einwurf_dir / f"{az} Nachtrag.pdf").write_bytes(b"%PDF-1.4 Nachtrag\n")
    res = run("--ablage", root, "beobachten", "--einmal")
    assert res.code == Exit.PROBLEME and f"schon in Vorgang {az}" in res.out
    (ablage.einwurf_dir / f"{az} Nachtrag nochmal.pdf").write_bytes(b"%PDF-1.4 Nachtrag\n")
    res = run("--ablage", root, "beobachten", "--einmal")
    assert res.code == Exit.PROBLEME and f"schon in Vorgang {az}" in res.out
    assert vorgaenge(ablage) == [folder]
    meta = json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))
    assert len(meta["nachrichten"]) == 2  # the first drop and the Nachtrag, each once


def test_pruefen_reports_every_temp_leftover_right_away(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    made = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Test", "--json")
    folder = Path(json.loads(made.out)["ordner"])
    young = [
        folder / f"{TEMP_PREFIX}abc.tmp",  # an interrupted atomic write inside a Vorgang
        ablage.status_dir(Status.EINGANG) / f"{TEMP_PREFIX}neu123.tmp",  # a new Vorgang
        ablage.state_dir / "importiert" / "ab" / f"{TEMP_PREFIX}ledger.tmp",  # the mail ledger
        ablage.root / f"{TEMP_PREFIX}register.tmp",  # the register
    ]
    for path in young:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"halb")
    old = folder / "Anlagen" / f"{TEMP_PREFIX}alt.tmp"
    old.write_bytes(b"alt")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))

    res, probleme = pruefen(run, ablage, "--reparieren")

    reported = {Path(str(p["pfad"])): p for p in probleme if p["art"] == "temp_rest"}
    assert set(reported) == set(young), probleme  # the old one was removed, the young ones are listed
    assert not any(p["reparierbar"] for p in reported.values())
    assert not old.exists() and all(p.exists() for p in young)
    assert res.code == Exit.PROBLEME
