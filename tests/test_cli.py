"""CLI tests: run the real entry point and assert on the files it leaves behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import click
import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.cli import cli
from buero_ticket.errors import Exit
from buero_ticket.history import read_history
from buero_ticket.models import Status

REQUIRED_FIELDS = {
    "aktenzeichen",
    "status",
    "kanal",
    "betreff",
    "absender",
    "eingang",
    "dringlichkeit",
    "bearbeiter",
    "ordner",
}


def _neu(run, ablage: Ablage, betreff: str, dringlichkeit: str = "normal") -> dict:  # type: ignore[no-untyped-def]
    res = run(
        "--ablage",
        str(ablage.root),
        "neu",
        "--kanal",
        "telefon",
        "--betreff",
        betreff,
        "--von",
        "Erika Muster",
        "--telefon",
        "0731 12345",
        "--text",
        "Bitte Rückruf",
        "--dringlichkeit",
        dringlichkeit,
        "--json",
    )
    assert res.code == 0, res.err
    return json.loads(res.out)


def test_init_is_idempotent_and_refuses_foreign_folders(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "S" / "Bürgerbüro"
    first = run("init", str(target), "--kuerzel", "bb")
    assert first.code == 0, first.err
    assert (target / "buero-ticket.toml").is_file() and (target / "1 Eingang").is_dir()
    assert 'kuerzel = "BB"' in (target / "buero-ticket.toml").read_text(encoding="utf-8")
    config_before = (target / "buero-ticket.toml").read_bytes()
    shutil.rmtree(target / "3 Wartet")
    again = run("init", str(target))
    assert again.code == 0 and (target / "3 Wartet").is_dir()
    assert (target / "buero-ticket.toml").read_bytes() == config_before
    foreign = tmp_path / "Eigene Dateien"
    foreign.mkdir()
    (foreign / "Urlaubsplan.xlsx").write_bytes(b"x")
    refused = run("init", str(foreign))
    assert refused.code == Exit.ABLAGE and "andere Dateien" in refused.err
    assert sorted(p.name for p in foreign.iterdir()) == ["Urlaubsplan.xlsx"]


def test_missing_share_is_refused_not_created(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    gone = tmp_path / "nicht-verbunden"
    monkeypatch.setenv("BUERO_TICKET_ABLAGE", str(gone))
    res = run("liste")
    assert res.code == Exit.ABLAGE
    assert "nicht erreichbar" in res.err and "Netzlaufwerk" in res.err
    assert not gone.exists()
    none = run("--ablage", str(tmp_path), "liste")
    assert none.code == Exit.ABLAGE and "keine buero-ticket-Ablage" in none.err


def test_neu_liste_zeige_status_zuweisen_notiz(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUERO_TICKET_ABLAGE", str(ablage.root))
    low = _neu(run, ablage, "Laterne defekt", "niedrig")
    high = _neu(run, ablage, "Sperrmüll Termin", "hoch")
    normal = _neu(run, ablage, "Meldebescheinigung")
    assert set(high) >= REQUIRED_FIELDS
    assert Path(high["ordner"]).is_dir() and high["status"] == "eingang"

    listed = json.loads(run("liste", "--json").out)
    assert [v["aktenzeichen"] for v in listed] == [
        high["aktenzeichen"],
        normal["aktenzeichen"],
        low["aktenzeichen"],
    ]
    assert all(set(v) >= REQUIRED_FIELDS for v in listed)

    moved = run("status", high["aktenzeichen"], "in-bearbeitung")
    assert moved.code == 0, moved.err
    folder = ablage.status_dir(Status.IN_BEARBEITUNG) / Path(high["ordner"]).name
    assert folder.is_dir() and not Path(high["ordner"]).exists()

    assert run("zuweisen", high["aktenzeichen"][:10], "--an", "M. Weber").code == 0
    assert run("notiz", high["aktenzeichen"], "Rückruf erledigt, Termin 12.12.").code == 0
    assert run("status", low["aktenzeichen"], "erledigt").code == 0

    detail = json.loads(run("zeige", high["aktenzeichen"], "--json").out)
    assert detail["bearbeiter"] == "M. Weber" and detail["status"] == "in-bearbeitung"
    assert [e["aktion"] for e in detail["verlauf"]] == ["Angelegt", "Statuswechsel", "Zugewiesen", "Notiz"]
    assert detail["verlauf"][-1]["details"] == "Rückruf erledigt, Termin 12.12."
    [msg] = detail["nachrichten"]
    assert Path(msg["datei"]).is_file() and "Bitte Rückruf" in Path(msg["datei"]).read_text(encoding="utf-8")
    assert [e.aktion for e in read_history(folder)][-1] == "Notiz"  # the file, not only the output

    open_now = [v["aktenzeichen"] for v in json.loads(run("liste", "--json").out)]
    assert low["aktenzeichen"] not in open_now
    everything = [v["aktenzeichen"] for v in json.loads(run("liste", "--alle", "--json").out)]
    assert low["aktenzeichen"] in everything
    text = run("zeige", high["aktenzeichen"]).out
    assert "Verlauf (4)" in text and "M. Weber" in text


def test_unknown_and_mistyped_aktenzeichen(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "Test")
    wrong_digit = v["aktenzeichen"][:-1] + str((int(v["aktenzeichen"][-1]) + 1) % 10)
    res = run("--ablage", str(ablage.root), "zeige", wrong_digit)
    assert res.code == Exit.BEDIENUNG and "Prüfziffer" in res.err
    res = run("--ablage", str(ablage.root), "notiz", "2026-00999", "x")
    assert res.code == Exit.NICHT_GEFUNDEN and "gibt es nicht" in res.err and "Was tun" in res.err


def test_manual_move_is_recorded_by_next_command(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "Verschoben")
    src = Path(v["ordner"])
    dst = ablage.status_dir(Status.WARTET) / src.name
    other = _neu(run, ablage, "Anderer Vorgang")
    os.rename(src, dst)
    before = (dst / "vorgang.json").read_bytes(), (dst / "verlauf.txt").read_bytes()
    # Read-only commands show the folder's status and mention the move, but write nothing.
    res = run("--ablage", str(ablage.root), "liste")
    assert "von Hand" in res.err and "Wartet" in res.out
    res = run("--ablage", str(ablage.root), "zeige", v["aktenzeichen"])
    assert res.code == 0 and "von Hand" in res.err
    assert ((dst / "vorgang.json").read_bytes(), (dst / "verlauf.txt").read_bytes()) == before
    # The next command that changes anything (here: on another Vorgang) records it.
    res = run("--ablage", str(ablage.root), "notiz", other["aktenzeichen"], "x")
    assert res.code == 0 and "von Hand" in res.err
    meta = json.loads((dst / "vorgang.json").read_text(encoding="utf-8"))
    assert meta["status"] == "wartet"
    assert read_history(dst)[-1].aktion == "Statuswechsel (manuell verschoben)"


def test_pruefen_clean_then_finds_and_repairs(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    v = _neu(run, ablage, "Prüfling")
    clean = run("--ablage", root, "pruefen")
    assert clean.code == 0 and "keine Probleme" in clean.out
    folder = Path(v["ordner"])
    # duplicate, unreadable metadata, leftover temp dir, unknown folder, manual move
    broken = Path(_neu(run, ablage, "Kaputt")["ordner"])
    dup = ablage.status_dir(Status.ERLEDIGT) / folder.name
    shutil.copytree(folder, dup)
    (broken / "vorgang.json").write_text("{nicht json", encoding="utf-8")
    temp = ablage.status_dir(Status.EINGANG) / ".~bt-0123456789ab.tmp"
    temp.mkdir()
    old = time.time() - 7200
    os.utime(temp, (old, old))
    (ablage.status_dir(Status.EINGANG) / "Neuer Ordner").mkdir()
    res = run("--ablage", root, "pruefen", "--json")
    assert res.code == Exit.PROBLEME
    kinds = {p["art"] for p in json.loads(res.out)["probleme"]}
    assert {
        "doppeltes_aktenzeichen",
        "metadaten_unlesbar",
        "temp_rest",
        "unbekannter_ordner",
        "status_abweichend",
    } <= kinds
    repaired = json.loads(run("--ablage", root, "pruefen", "--reparieren", "--json").out)
    assert {p["art"] for p in repaired["repariert"]} >= {"temp_rest", "status_abweichend"}
    assert not temp.exists()
    assert json.loads((dup / "vorgang.json").read_text(encoding="utf-8"))["status"] == "erledigt"
    left = {p["art"] for p in repaired["probleme"]}
    assert "temp_rest" not in left and "doppeltes_aktenzeichen" in left


def test_invalid_config_lists_every_problem_with_lines(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    cfg = ablage.root / "buero-ticket.toml"
    cfg.write_text(
        '[amt]\nname = 5\nkuerzel = "B-B"\nfarbe = "rot"\n\n[imap]\nverschluesselung = "ssl"\n\n[unsinn]\nx = 1\n',
        encoding="utf-8",
    )
    before = sorted(p.name for p in ablage.root.iterdir())
    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == Exit.KONFIG
    for expected in ("Zeile 2:", "Zeile 3:", "Zeile 4:", "Zeile 7:", "Zeile 9:"):
        assert expected in res.err
    assert sorted(p.name for p in ablage.root.iterdir()) == before
    cfg.write_text('[amt\nname = "x"\n', encoding="utf-8")
    broken = run("--ablage", str(ablage.root), "liste")
    assert broken.code == Exit.KONFIG and "Zeile 1, Spalte" in broken.err


def _make_read_only(folder: Path) -> list[str]:
    """Read-only even for root: the immutable attribute (ext4); chmod for other users."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i wird von diesem Dateisystem nicht unterstützt")
        return ["chattr", "-i", str(folder)]
    os.chmod(folder, 0o555)
    return ["chmod", "755", str(folder)]


def test_read_only_share_gives_clear_message(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    folder = ablage.status_dir(Status.EINGANG)
    undo = _make_read_only(folder)
    try:
        res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "x")
        assert res.code == Exit.ZUGRIFF, res.err
        assert "Berechtigung" in res.err and "Was tun" in res.err
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run(undo, check=True)


def test_debug_shows_traceback(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = run("--debug", "--ablage", str(tmp_path / "fehlt"), "liste")
    assert res.code == Exit.ABLAGE and "Traceback" in res.err


def test_info_json(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("--ablage", str(ablage.root), "info", "--json").out)
    assert data["version"]
    assert set(data["status_ordner"]) == {s.value for s in Status}
    for key in ("einwurf", "vorlagen", "register", "zustand", "wissen", "quarantaene"):
        assert key in data["ordner"]
    assert Path(data["ordner"]["einwurf"]).is_dir()


def test_demo_builds_browsable_clean_ablage(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = run("demo", str(tmp_path / "demo"))
    assert res.code == 0, res.err
    root = str(tmp_path / "demo")
    statuses = {v["status"] for v in json.loads(run("--ablage", root, "liste", "--alle", "--json").out)}
    assert statuses == {s.value for s in Status}
    assert run("--ablage", root, "pruefen").code == 0


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
    return paths


def test_every_command_has_german_help_with_example(run) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(cli, click.Group)
    paths = _command_paths(cli)
    assert ("mail", "abrufen") in paths and ("vorlagen", "pruefen") in paths
    for path in [(), *paths]:
        res = run(*path, "--hilfe")
        assert res.code == 0, path
        assert "Beispiel" in res.out, f"{path}: --hilfe ohne Beispiel"
        assert "Aufruf:" in res.out and "Optionen:" in res.out, path
        for english in ("Usage:", "Options:", "Commands:", "Show this message", "[required]", "[default"):
            assert english not in res.out, f"{path}: {english!r} in der Hilfe"


def test_stand_refuses_a_change_based_on_an_old_read(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(ablage.root)
    v = _neu(run, ablage, "Zwei Sachbearbeiter")
    read = json.loads(run("--ablage", root, "zeige", v["aktenzeichen"], "--json").out)["revision"]
    assert run("--ablage", root, "zuweisen", v["aktenzeichen"], "--an", "A. Erste", "--stand", str(read)).code == 0
    late = run("--ablage", root, "status", v["aktenzeichen"], "erledigt", "--stand", str(read))
    assert late.code == Exit.KONFLIKT and "inzwischen" in late.err and "Was tun" in late.err
    detail = json.loads(run("--ablage", root, "zeige", v["aktenzeichen"], "--json").out)
    assert detail["status"] == "eingang" and detail["bearbeiter"] == "A. Erste"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["liste", "--gibtsnicht"], "Eine Option '--gibtsnicht' gibt es nicht"),
        (["zeige"], "Es fehlt die Angabe 'AKTENZEICHEN'"),
        (["neu", "--betreff", "x"], "Es fehlt die Option '--kanal'. Erlaubt: email"),
        (["status", "2026-1", "fertig"], "„fertig“ ist kein gültiger Wert"),
        (["gibtsnicht"], "Einen Befehl 'gibtsnicht' gibt es nicht"),
    ],
)
def test_usage_errors_are_german(run, args: list[str], expected: str) -> None:  # type: ignore[no-untyped-def]
    res = run(*args)
    assert res.code == Exit.BEDIENUNG
    assert expected in res.err and "Was tun" in res.err
