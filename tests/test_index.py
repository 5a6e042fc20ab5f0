"""The cache and the scan: order of the worklist, Vorgänge in odd places, damaged ones, a broken cache."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import openpyxl

from buero_ticket import history
from buero_ticket.ablage import Ablage
from buero_ticket.index import BESCHAEDIGT, Index, cache_file
from buero_ticket.intake import Incoming, accept
from buero_ticket.intake.mail import MailImporter
from buero_ticket.models import Absender, Dringlichkeit, Kanal, Status, Vorgang
from buero_ticket.store import META_NAME, Store

T0 = datetime(2026, 3, 2, 9, 0).astimezone()


def _new(store: Store, betreff: str, *, hours: int = 0, dringlichkeit: str = "normal", email: str = "") -> Vorgang:
    item = Incoming(
        kanal=Kanal.EMAIL if email else Kanal.TELEFON,
        betreff=betreff,
        absender=Absender("Erika Muster", email),
        zeit=T0 + timedelta(hours=hours),
        text="Bitte Rückruf",
        dringlichkeit=Dringlichkeit(dringlichkeit),
    )
    return accept(store, item).vorgang


def _liste(run, ablage: Ablage, *args: str) -> list[dict]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "liste", "--json", *args)
    assert res.code == 0, res.err
    return list(json.loads(res.out))


def _register_column(ablage: Ablage, sheet: str, col: int = 0) -> list[str]:
    wb = openpyxl.load_workbook(ablage.register_path, read_only=True)
    try:
        return [str(r[col]) for r in wb[sheet].iter_rows(min_row=2, values_only=True) if r[0]]
    finally:
        wb.close()


# --- the worklist order, as the cache delivers it ------------------------------------------------


def test_offen_is_most_urgent_first_then_oldest_first(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    # Created in an order that is neither the expected one nor its reverse.
    made = {
        "normal, 2. Tag": _new(store, "b", hours=24),
        "hoch, 3. Tag": _new(store, "c", hours=48, dringlichkeit="hoch"),
        "normal, 1. Tag": _new(store, "a", hours=0),
        "niedrig, 1. Tag": _new(store, "d", hours=1, dringlichkeit="niedrig"),
        "hoch, 1. Tag": _new(store, "e", hours=2, dringlichkeit="hoch"),
        "erledigt": _new(store, "f", hours=3, dringlichkeit="hoch"),
    }
    store.set_status(made["erledigt"].aktenzeichen, Status.ERLEDIGT)
    expected = [
        made[k].aktenzeichen
        for k in ("hoch, 1. Tag", "hoch, 3. Tag", "normal, 1. Tag", "normal, 2. Tag", "niedrig, 1. Tag")
    ]
    index = Index(store)
    index.refresh()
    assert [v.aktenzeichen for v in index.offen()] == expected
    assert [v["aktenzeichen"] for v in _liste(run, store.ablage)] == expected
    run("--ablage", str(store.ablage.root), "register")
    assert _register_column(store.ablage, "Offen") == expected
    # "Alle": newest first
    newest_first = [made[k].aktenzeichen for k in ("hoch, 3. Tag", "normal, 2. Tag", "erledigt", "hoch, 1. Tag")]
    assert _register_column(store.ablage, "Alle")[:4] == newest_first


# --- issue 10 item 7: a Vorgang folder anywhere under a status folder -------------------------------


def test_vorgang_dragged_straight_into_archiv_is_found_and_put_in_place(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    ablage = store.ablage
    v = _new(store, "Ins Archiv gezogen")
    other = _new(store, "Ein anderer")
    run("--ablage", str(ablage.root), "liste")  # the cache knows it in "1 Eingang"
    dropped = ablage.status_dir(Status.ARCHIV) / v.ordner.name  # type: ignore[union-attr]
    os.rename(v.ordner, dropped)  # type: ignore[arg-type]

    shown = {x["aktenzeichen"]: x for x in _liste(run, ablage, "--alle")}
    assert shown[v.aktenzeichen]["status"] == "archiv" and shown[v.aktenzeichen]["ordner"] == str(dropped)
    res = run("--ablage", str(ablage.root), "zeige", v.aktenzeichen)
    assert res.code == 0 and str(dropped) in res.out
    res = run("--ablage", str(ablage.root), "pruefen", "--json")
    arten = {(p["art"], p["pfad"]) for p in json.loads(res.out)["probleme"]}
    assert ("falscher_ort", str(dropped)) in arten

    res = run("--ablage", str(ablage.root), "notiz", other.aktenzeichen, "irgendeine Änderung")
    assert res.code == 0, res.err
    year_dir = ablage.status_dir(Status.ARCHIV, datetime.now().year)
    placed = year_dir / dropped.name
    assert placed.is_dir() and not dropped.exists()
    meta = json.loads((placed / META_NAME).read_text(encoding="utf-8"))
    assert meta["status"] == "archiv"
    last = history.read_history(placed)[-1]
    assert "richtigen Platz" in last.aktion and "5 Archiv" in last.details
    assert run("--ablage", str(ablage.root), "pruefen").code == 0


def test_vorgang_in_a_wrong_year_folder_or_one_level_too_deep_is_found(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    ablage = store.ablage
    in_old = _new(store, "Im Ordner alt")
    too_deep = _new(store, "Eine Ebene zu tief")
    inside = _new(store, "Im anderen Vorgang")
    host = _new(store, "Gastgeber")
    old_dir = ablage.status_dir(Status.ARCHIV) / "2025 alt"
    old_dir.mkdir(parents=True)
    os.rename(in_old.ordner, old_dir / in_old.ordner.name)  # type: ignore[arg-type,union-attr]
    new_folder = ablage.status_dir(Status.WARTET) / "Neuer Ordner"
    new_folder.mkdir()
    os.rename(too_deep.ordner, new_folder / too_deep.ordner.name)  # type: ignore[arg-type,union-attr]
    os.rename(inside.ordner, host.ordner / inside.ordner.name)  # type: ignore[arg-type,operator,union-attr]

    shown = {x["aktenzeichen"]: x["status"] for x in _liste(run, ablage, "--alle")}
    assert shown[in_old.aktenzeichen] == "archiv" and shown[too_deep.aktenzeichen] == "wartet"
    assert run("--ablage", str(ablage.root), "zeige", too_deep.aktenzeichen).code == 0
    res = run("--ablage", str(ablage.root), "pruefen", "--json")
    misplaced = {
        Path(p["pfad"]).name.split(" ")[0] for p in json.loads(res.out)["probleme"] if p["art"] == "falscher_ort"
    }
    assert misplaced == {in_old.aktenzeichen, too_deep.aktenzeichen, inside.aktenzeichen}

    run("--ablage", str(ablage.root), "pruefen", "--reparieren")
    left = json.loads(run("--ablage", str(ablage.root), "pruefen", "--json").out)["probleme"]
    assert {(p["art"], p["pfad"]) for p in left} == {  # the emptied folders are for a person to remove
        ("unbekannter_ordner", str(old_dir)),
        ("unbekannter_ordner", str(new_folder)),
    }
    assert (ablage.status_dir(Status.WARTET) / too_deep.ordner.name).is_dir()  # type: ignore[union-attr]
    assert (ablage.status_dir(Status.EINGANG) / inside.ordner.name).is_dir()  # type: ignore[union-attr]
    assert (ablage.status_dir(Status.ARCHIV, datetime.now().year) / in_old.ordner.name).is_dir()  # type: ignore[union-attr]
    for v in (in_old, too_deep, inside):
        assert "richtigen Platz" in history.read_history(store.find(v.aktenzeichen))[-1].aktion
    assert {x["aktenzeichen"] for x in _liste(run, ablage, "--alle")} == {
        v.aktenzeichen for v in (in_old, too_deep, inside, host)
    }


# --- issue 10 item 8: damaged Vorgänge stay visible ------------------------------------------------


def test_unreadable_metadata_shows_as_damaged_row(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    ablage = store.ablage
    good = _new(store, "Intakt")
    bad = _new(store, "Kaputt")
    run("--ablage", str(ablage.root), "liste")
    (bad.ordner / META_NAME).write_text('{"format_version": 1, "aktenz', encoding="utf-8")  # type: ignore[operator]

    rows = {x["aktenzeichen"]: x for x in _liste(run, ablage)}
    assert set(rows) == {good.aktenzeichen, bad.aktenzeichen}
    assert rows[bad.aktenzeichen]["betreff"].startswith(BESCHAEDIGT)
    res = run("--ablage", str(ablage.root), "liste")
    assert BESCHAEDIGT in res.out and "2 Vorgänge offen" in res.out
    run("--ablage", str(ablage.root), "register")
    offen = dict(zip(_register_column(ablage, "Offen"), _register_column(ablage, "Offen", 4), strict=True))
    assert offen[bad.aktenzeichen].startswith(BESCHAEDIGT) and offen[good.aktenzeichen] == "Intakt"


def test_wrong_check_digit_folder_shows_as_damaged_row(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    ablage = store.ablage
    v = _new(store, "Umbenannt")
    name = v.ordner.name  # type: ignore[union-attr]
    az, rest = name.split(" ", 1)
    wrong = az[:-1] + str((int(az[-1]) + 1) % 10)
    os.rename(v.ordner, v.ordner.with_name(f"{wrong} {rest}"))  # type: ignore[arg-type,union-attr]

    rows = {x["aktenzeichen"]: x for x in _liste(run, ablage)}
    assert list(rows) == [v.aktenzeichen]
    assert rows[v.aktenzeichen]["betreff"].startswith(BESCHAEDIGT)
    assert "Prüfziffer" in rows[v.aktenzeichen]["betreff"]
    res = run("--ablage", str(ablage.root), "zeige", v.aktenzeichen)
    assert res.code != 0 and "beschädigt" in res.err and wrong in res.err


def _reply(az: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Erika Muster <erika@example.org>"
    msg["To"] = "buergerbuero@example.org"
    msg["Subject"] = f"Re: Ihre Anfrage [{az}]"
    msg["Message-ID"] = "<antwort-1@example.org>"
    msg["Date"] = "Mon, 02 Mar 2026 10:00:00 +0100"
    msg.set_content("Hier die fehlenden Unterlagen.")
    return msg.as_bytes()


def test_reply_to_a_damaged_vorgang_never_becomes_a_new_one(store: Store) -> None:
    v = _new(store, "Anfrage", email="erika@example.org")
    (v.ordner / META_NAME).write_text("kaputt", encoding="utf-8")  # type: ignore[operator]
    index = Index(store)
    index.sync()
    before = {e.name for _s, e in store.ablage.iter_vorgang_dirs()}

    result = MailImporter(store, index).import_raw(_reply(v.aktenzeichen), "test")

    assert result.kind == "quarantaene" and v.aktenzeichen in result.reason and "beschädigt" in result.reason
    assert result.path is not None and result.path.exists()
    assert {e.name for _s, e in store.ablage.iter_vorgang_dirs()} == before


# --- issue 10 item 11: a corrupted cache is rebuilt --------------------------------------------------


def test_corrupted_cache_is_rebuilt_and_said_once(run, store: Store) -> None:  # type: ignore[no-untyped-def]
    ablage = store.ablage
    made = [_new(store, f"Vorgang {i}", hours=i) for i in range(30)]
    assert len(_liste(run, ablage)) == 30
    path = cache_file(ablage)
    data = bytearray(path.read_bytes())
    data[200:] = b"\xff" * (len(data) - 200)  # the header stays, every page after it is garbage
    path.write_bytes(bytes(data))
    with sqlite3.connect(path) as db:  # really broken for SQLite
        try:
            db.execute("SELECT count(*) FROM vorgang").fetchall()
            raise AssertionError("the cache should be unreadable now")
        except sqlite3.DatabaseError:
            pass

    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == 0, res.err
    assert res.err.count("Zwischenspeicher") == 1 and "neu aufgebaut" in res.err
    assert "30 Vorgänge offen" in res.out
    res = run("--ablage", str(ablage.root), "zeige", made[3].aktenzeichen)
    assert res.code == 0 and "Zwischenspeicher" not in res.err


def test_cache_broken_between_refresh_and_query_is_rebuilt(store: Store) -> None:
    made = [_new(store, f"Vorgang {i}", hours=i) for i in range(5)]
    index = Index(store)
    index.refresh()
    index.db.execute("DROP TABLE vorgang")  # any SQLite error on use, not only at opening
    assert sorted(v.aktenzeichen for v in index.alle()) == sorted(v.aktenzeichen for v in made)
    assert index.rebuilt


def test_reply_by_message_id_to_a_vorgang_damaged_later_is_quarantined(store: Store) -> None:
    index = Index(store)
    index.sync()
    first = EmailMessage()
    first["From"] = "Erika Muster <erika@example.org>"
    first["To"] = "buergerbuero@example.org"
    first["Subject"] = "Frage zum Bescheid"
    first["Message-ID"] = "<frage-1@example.org>"
    first["Date"] = "Mon, 02 Mar 2026 09:00:00 +0100"
    first.set_content("Ich habe eine Frage.")
    made = MailImporter(store, index).import_raw(first.as_bytes(), "test")
    assert made.kind == "neu"
    index.sync()  # the cache knows the message now
    (store.find(made.aktenzeichen) / META_NAME).write_text("kaputt", encoding="utf-8")
    index.sync()
    before = {e.name for _s, e in store.ablage.iter_vorgang_dirs()}

    reply = EmailMessage()
    reply["From"] = "Erika Muster <erika@example.org>"
    reply["To"] = "buergerbuero@example.org"
    reply["Subject"] = "Re: Frage zum Bescheid"  # no Aktenzeichen: only In-Reply-To names the Vorgang
    reply["Message-ID"] = "<antwort-2@example.org>"
    reply["In-Reply-To"] = "<frage-1@example.org>"
    reply["Date"] = "Mon, 02 Mar 2026 11:00:00 +0100"
    reply.set_content("Noch eine Frage.")
    result = MailImporter(store, index).import_raw(reply.as_bytes(), "test")

    assert result.kind == "quarantaene", result
    assert {e.name for _s, e in store.ablage.iter_vorgang_dirs()} == before


def test_cold_start_says_what_it_does(run, store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from buero_ticket import index as index_module

    for i in range(3):
        _new(store, f"Vorgang {i}", hours=i)
    monkeypatch.setattr(index_module, "PROGRESS_FROM", 2)  # as with thousands of Vorgänge on a new PC
    res = run("--ablage", str(store.ablage.root), "liste")
    assert res.code == 0 and "3 Vorgänge offen" in res.out
    assert "Erster Start auf diesem PC: Vorgänge werden in den lokalen Zwischenspeicher gelesen" in res.err
    res = run("--ablage", str(store.ablage.root), "liste")  # warm: no progress bar
    assert "Erster Start" not in res.err


def test_a_second_command_waits_for_the_one_making_the_cache_and_keeps_its_tables(ablage: Ablage) -> None:
    """Two commands started at once after an update of the program: the second must not drop the tables
    the first has just renewed and is filling.

    A raw connection plays the first command: it holds the write lock while it renews the old cache's
    tables (the program's own schema) and writes a row. The second, a real ``Index``, is opened meanwhile in a
    thread; it may only go on once the first has committed, and must then find its row.
    """
    import threading
    import time

    from buero_ticket.index import _SCHEMA, CACHE_VERSION

    def schema(db: sqlite3.Connection) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)

    path = cache_file(ablage)
    path.parent.mkdir(parents=True, exist_ok=True)
    older = sqlite3.connect(path)  # the cache of the program's previous version
    older.execute(f"PRAGMA user_version = {CACHE_VERSION - 1}")
    schema(older)
    older.commit()
    older.close()
    first = sqlite3.connect(path, timeout=30)  # renews it, as Index does
    first.execute("BEGIN IMMEDIATE")
    for table in ("vorgang", "schluessel", "behaelter"):
        first.execute(f"DROP TABLE {table}")
    first.execute(f"PRAGMA user_version = {CACHE_VERSION}")
    schema(first)
    first.execute("INSERT INTO behaelter VALUES ('1 Neu', 1, '[]')")
    seen: list[tuple[list[tuple[str]], bool]] = []

    def open_second() -> None:
        index = Index(Store(ablage))
        seen.append((index.db.execute("SELECT relpath FROM behaelter").fetchall(), index.rebuilt))
        index.close()

    second = threading.Thread(target=open_second)
    second.start()
    time.sleep(0.5)  # the second command reads the cache while the first still writes it (ordering, not timing)
    first.commit()
    first.close()
    second.join()
    assert seen == [([("1 Neu",)], False)]
