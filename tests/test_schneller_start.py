"""Start-up and the big outputs stay fast at 100,000 Vorgänge (issue 12 item 5), checked by structure, not by time.

- A command imports only its own module (``cli/befehle.py``); the table of commands is complete.
- Everyday commands never load the slow libraries (holidays, python-stdnum, XlsxWriter, python-docx …).
- ``liste --alle --json`` streams straight from the cache without models: field for field the same output.
- The check digit and the Bundesländer written out for speed agree with the libraries they replace.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
import pytest

from buero_ticket import aktenzeichen
from buero_ticket.ablage import Ablage
from buero_ticket.cli import befehle, cli
from buero_ticket.cli.ausgabe import stored_json, vorgang_json
from buero_ticket.index import Index
from buero_ticket.models import Absender, Dringlichkeit, Kanal, Nachricht, Status, Vorgang, Weiterleitung
from buero_ticket.servicezeit import LAENDER
from buero_ticket.store import SUBDIRS, Store

REPO = Path(__file__).resolve().parents[1]
#: Libraries that take longer to import than a whole everyday command may take.
SLOW = ("holidays", "stdnum", "xlsxwriter", "openpyxl", "docx", "docxtpl", "lxml", "imaplib", "ssl")


def test_command_table_names_every_command() -> None:
    befehle.load_all()
    assert set(cli.commands) == set(befehle.MODULES)
    for name, module in befehle.MODULES.items():
        assert cli.commands[name].callback is not None
        assert cli.commands[name].callback.__module__ == f"buero_ticket.cli.{module}", name


def _modules_after(args: list[str], tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter has loaded after running the CLI with ``args``."""
    listing = tmp_path / "module.txt"
    script = (
        "import sys\n"
        "from buero_ticket.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"open({str(listing)!r}, 'w').write(' '.join(sorted(sys.modules)))\n"
    )
    env = {"PYTHONPATH": str(REPO), "BUERO_TICKET_CACHE": str(tmp_path / "_cache"), "BUERO_TICKET_REGISTER": "aus"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    names = listing.read_text().split()
    return {name.split(".")[0] for name in names} | set(names)


def test_everyday_commands_import_only_what_they_need(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(tmp_path / "Ablage")
    assert run("init", root).code == 0
    res = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Sperrmüll", "--von", "Erika", "--json")
    az = json.loads(res.out)["aktenzeichen"]
    for args in (["liste"], ["zeige", az], ["notiz", az, "Rückruf"], ["zuweisen", az, "--an", "MW"]):
        loaded = _modules_after(["--ablage", root, *args], tmp_path)
        assert not loaded & set(SLOW), (args, sorted(loaded & set(SLOW)))
        assert "buero_ticket.cli.mail_cmds" not in loaded and "buero_ticket.intake" not in loaded, args


def test_check_digit_agrees_with_python_stdnum() -> None:
    from stdnum.iso7064 import mod_11_10

    for number in [*range(0, 2000), *range(99_000, 100_500), 9_999_999]:
        for jahr in (1999, 2026, 2031):
            digits = f"{jahr:04d}{number:05d}"
            assert aktenzeichen.check_digit(digits) == mod_11_10.calc_check_digit(digits), digits


def test_bundeslaender_as_the_holidays_package_names_them() -> None:
    import holidays

    assert set(LAENDER) == {code for code in holidays.DE.subdivisions if len(code) == 2}


def _write(ablage: Ablage, vorgang: Vorgang, text: str | None = None) -> None:
    year = vorgang.eingang.year if vorgang.status is Status.ARCHIV else None
    folder = ablage.status_dir(vorgang.status, year) / f"{vorgang.aktenzeichen} {vorgang.betreff}"
    folder.mkdir(parents=True)
    for sub in SUBDIRS:
        (folder / sub).mkdir()
    (folder / "vorgang.json").write_text(text or json.dumps(vorgang.to_json(), ensure_ascii=False), "utf-8")


def _vorgaenge() -> list[Vorgang]:
    tz = timezone(timedelta(hours=1))
    t0 = datetime(2024, 3, 1, 9, 30, tzinfo=tz)
    weiter = [
        Weiterleitung("bauamt", "Bauamt", "email", t0, t0 + timedelta(days=1), t0 + timedelta(days=2), "b@x.de"),
        Weiterleitung(
            "kasse", "Stadtkasse", "ablage", t0, t0, t0, ziel_status_seit=t0, antwort=t0 + timedelta(hours=3)
        ),
    ]
    out = []
    for i, status in enumerate([*Status, Status.EINGANG, Status.ARCHIV]):
        az = str(aktenzeichen.Aktenzeichen(2024, i + 1))
        out.append(
            Vorgang(
                aktenzeichen=az,
                betreff=f"Anliegen „{i}“ – Straße",
                kanal=list(Kanal)[i % len(Kanal)],
                status=status,
                eingang=t0 + timedelta(days=i),
                dringlichkeit=list(Dringlichkeit)[i % 3],
                bearbeiter="Maria Weber" if i % 2 else "",
                absender=Absender(telefon="0731 1") if i == 1 else Absender(f"Bürger {i}", f"b{i}@example.org"),
                frist=date(2024, 4, i + 1) if i % 2 else None,
                verknuepft=["2023-00001-5"] if i == 2 else [],
                nachrichten=[Nachricht(datei="001.eml", richtung="eingang", zeit=t0, kanal="email")] * (i % 3),
                antwort_gesendet=t0 + timedelta(days=2) if i == 3 else None,
                geaendert=t0 + timedelta(days=5) if i % 2 else None,
                erledigt=t0 + timedelta(days=6) if not status.is_open else None,
                kategorie="Auskunft" if i == 4 else "",
                gesperrt="Art. 18" if i == 6 else "",
                revision=i,
                wiedervorlage=date(2024, 3, 20) if i == 2 else None,
                wiedervorlage_grund="Unterlagen" if i == 2 else "",
                neue_nachricht=t0 if i == 0 else None,
                weiterleitungen=weiter if i in (0, 5) else [],
            )
        )
    return out


def test_liste_json_from_the_cache_equals_the_models(ablage: Ablage, run) -> None:  # type: ignore[no-untyped-def]
    vorgaenge = _vorgaenge()
    for v in vorgaenge[:-1]:
        _write(ablage, v)
    last = vorgaenge[-1].to_json()  # written by hand: other time notation, no optional fields
    last["eingang"] = "2024-03-09T09:30:00.000000+01:00"
    for key in ("dringlichkeit", "bearbeiter", "revision", "geaendert", "weiterleitungen", "absender"):
        last.pop(key)
    _write(ablage, vorgaenge[-1], json.dumps(last, indent=2))
    broken = ablage.status_dir(Status.EINGANG) / "2024-00099-3 kaputt"  # damaged: shown, not hidden
    broken.mkdir()

    index = Index(Store(ablage))
    index.refresh()
    expected = [vorgang_json(v) for v in index.worklist()]
    assert len(expected) == len(vorgaenge) + 1 - 1  # the restricted one is left out, the damaged one shown
    assert [stored_json(row) for row in index.worklist_stored()] == expected
    res = run("--ablage", str(ablage.root), "liste", "--alle", "--json")
    assert res.code == 0, res.err
    assert json.loads(res.out) == expected
    res = run("--ablage", str(ablage.root), "liste", "--status", "archiv", "--bearbeiter", "maria weber", "--json")
    assert json.loads(res.out) == [
        v for v in expected if v["status"] == "archiv" and v["bearbeiter"].casefold() == "maria weber"
    ]
    index.gesperrte_zeigen = True
    assert [stored_json(row) for row in index.worklist_stored()] == [vorgang_json(v) for v in index.worklist()]


@pytest.mark.parametrize("args", [["--hilfe"], ["liste", "--hilfe"], ["mail", "--hilfe"]])
def test_help_still_lists_every_command(run, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    res = run(*args)
    assert res.code == 0
    if args == ["--hilfe"]:
        for name in befehle.MODULES:
            assert f"  {name} " in res.out or f"  {name}\n" in res.out, name


def test_unknown_command_is_a_german_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    res = run("listee")
    assert res.code == 2
    assert "Was tun:" in res.err
    assert isinstance(cli, click.Group)


def test_rows_of_a_vanished_year_folder_are_dropped(ablage: Ablage) -> None:
    """The refresh finds the status folders its rows lie in by a skip along an index, not a scan of all rows."""
    import shutil

    vorgaenge = [v for v in _vorgaenge() if v.status is Status.ARCHIV]
    for v in vorgaenge:
        _write(ablage, v)
    index = Index(Store(ablage))
    index.gesperrte_zeigen = True
    index.refresh()
    assert {v.aktenzeichen for v in index.alle()} == {v.aktenzeichen for v in vorgaenge}
    shutil.rmtree(ablage.status_dir(Status.ARCHIV, 2024))  # e.g. handed to the archive by hand
    index.refresh()
    assert list(index.alle()) == []
    assert index.db.execute("SELECT count(*) FROM schluessel").fetchone()[0] == 0


def test_cold_start_says_it_lists_the_folders_first(run, ablage: Ablage, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On a new PC listing 100,000 folders on the share takes a while too: said before the progress bar."""
    from buero_ticket import index as index_module

    for v in _vorgaenge()[:4]:
        _write(ablage, v)
    monkeypatch.setattr(index_module, "PROGRESS_FROM", 2)  # as with thousands of Vorgänge on a new PC
    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == 0, res.err
    listing = res.err.find("Erster Start auf diesem PC: Die Vorgangsordner in der Ablage werden aufgelistet")
    reading = res.err.find("Vorgänge werden in den lokalen Zwischenspeicher gelesen")
    assert 0 <= listing < reading, res.err
    assert res.err.count("werden aufgelistet") == 1
    res = run("--ablage", str(ablage.root), "liste")  # warm: nothing of it
    assert "Erster Start" not in res.err
