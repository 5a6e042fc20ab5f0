"""``aendern``: correcting a Vorgang through the CLI, checked on vorgang.json, verlauf.txt and the folder."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from buero_ticket.history import read_history
from buero_ticket.operations.aendern import Aenderung, aendern
from buero_ticket.operations.context import Context
from buero_ticket.store import Store


def _neu(run, ablage: Ablage, betreff: str, *extra: str) -> dict:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", betreff, "--json", *extra)
    assert res.code == 0, res.err
    return json.loads(res.out)


def _folder(ablage: Ablage, az: str) -> Path:
    [found] = [Path(e.path) for _s, e in ablage.iter_vorgang_dirs() if e.name.startswith(az)]
    return found


def _meta(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "vorgang.json").read_text(encoding="utf-8"))


def test_aendern_every_field_with_history_and_renamed_folder(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "Sperrmüll", "--von", "Erika Muster", "--telefon", "0731 1")
    az, old_folder = v["aktenzeichen"], Path(v["ordner"])
    res = run(
        "--ablage", str(ablage.root), "aendern", az,
        "--betreff", "Sperrmüll Sofa und Schrank",
        "--name", "Erika Mustermann",
        "--email", "erika@example.de",
        "--telefon", "0731 2",
        "--anschrift", "Erika Mustermann\\nLindenweg 4\\n89073 Ulm",
        "--dringlichkeit", "Hoch",
        "--frist", "15.12.2026",
        "--kategorie", "Sperrmüll",
    )  # fmt: skip
    assert res.code == 0, res.err
    assert not old_folder.exists()
    folder = _folder(ablage, az)
    assert folder.name == f"{az} Sperrmüll Sofa und Schrank"
    meta = _meta(folder)
    assert meta["betreff"] == "Sperrmüll Sofa und Schrank" and meta["kategorie"] == "Sperrmüll"
    assert meta["absender"] == {
        "name": "Erika Mustermann",
        "email": "erika@example.de",
        "telefon": "0731 2",
        "anschrift": "Erika Mustermann\nLindenweg 4\n89073 Ulm",
    }
    assert (meta["dringlichkeit"], meta["frist"], meta["revision"]) == ("hoch", "2026-12-15", 2)
    changes = [e.details for e in read_history(folder) if e.aktion == "Geändert"]
    assert changes == [
        "Betreff: „Sperrmüll“ → „Sperrmüll Sofa und Schrank“",
        "Name: „Erika Muster“ → „Erika Mustermann“",
        "E-Mail: leer → „erika@example.de“",
        "Telefon: „0731 1“ → „0731 2“",
        "Anschrift: leer → „Erika Mustermann, Lindenweg 4, 89073 Ulm“",
        "Dringlichkeit: Normal → Hoch",
        f"Frist: {date.fromisoformat(v['frist']):%d.%m.%Y} → 15.12.2026",
        "Kategorie: leer → „Sperrmüll“",
    ]
    shown = run("--ablage", str(ablage.root), "zeige", az).out
    assert "Kategorie:     Sperrmüll" in shown and "Lindenweg 4" in shown

    same = run("--ablage", str(ablage.root), "aendern", az, "--telefon", "0731 2")
    assert same.code == 0 and "nichts geändert" in same.out
    assert _meta(folder)["revision"] == 2
    none = run("--ablage", str(ablage.root), "aendern", az, "--frist", "keine", "--email", "")
    assert none.code == 0
    assert (_meta(folder)["frist"], _meta(folder)["absender"]["email"]) == (None, "")


def test_aendern_links_both_sides_and_unlinks(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    a = _neu(run, ablage, "Erster")["aktenzeichen"]
    b = _neu(run, ablage, "Zweiter")["aktenzeichen"]
    root = str(ablage.root)
    assert run("--ablage", root, "aendern", a, "--verknuepfen", b).code == 0
    assert _meta(_folder(ablage, a))["verknuepft"] == [b] and _meta(_folder(ablage, b))["verknuepft"] == [a]
    assert read_history(_folder(ablage, b))[-1].details == f"mit Vorgang {a} (dort angegeben)"
    assert run("--ablage", root, "aendern", b, "--loesen", a).code == 0
    assert _meta(_folder(ablage, a))["verknuepft"] == [] and _meta(_folder(ablage, b))["verknuepft"] == []
    assert read_history(_folder(ablage, a))[-1].aktion == "Verknüpfung gelöst"

    selbst = run("--ablage", root, "aendern", a, "--verknuepfen", a)
    assert selbst.code == Exit.BEDIENUNG and "mit sich selbst" in selbst.err
    unbekannt = run("--ablage", root, "aendern", a, "--verknuepfen", "2026-00099")
    assert unbekannt.code == Exit.NICHT_GEFUNDEN and "Meinten Sie" in unbekannt.err
    assert _meta(_folder(ablage, a))["revision"] == 3  # neither refused change wrote anything


def test_aendern_refuses_a_stale_stand_and_bad_input(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    v = _neu(run, ablage, "Konflikt")
    root, az = str(ablage.root), v["aktenzeichen"]
    assert run("--ablage", root, "zuweisen", az, "--an", "A. Erste").code == 0
    late = run("--ablage", root, "aendern", az, "--betreff", "Neu", "--stand", str(v["revision"]))
    assert late.code == Exit.KONFLIKT and "inzwischen" in late.err
    assert _folder(ablage, az).name.endswith(" Konflikt") and _meta(_folder(ablage, az))["betreff"] == "Konflikt"
    for args, text in (
        ((), "nichts zum Ändern"),
        (("--betreff", " "), "Betreff darf nicht leer"),
        (("--email", "kein-at"), "keine E-Mail-Adresse"),
        (("--frist", "irgendwann"), "kein Datum"),
        (("--dringlichkeit", "sofort"), "kein gültiger Wert"),
    ):
        res = run("--ablage", root, "aendern", az, *args)
        assert res.code == Exit.BEDIENUNG and text in res.err, (args, res.err)


def test_aendern_operation_without_the_cli(store: Store) -> None:
    from buero_ticket.models import Absender, Incoming, Kanal
    from buero_ticket.operations.vorgang import create

    ctx = Context.of(Store(store.ablage, user="test"))
    item = Incoming(kanal=Kanal.BRIEF, betreff="Antrag", absender=Absender("A"), zeit=ctx.clock(), text="x")
    v = create(ctx, item)
    result = aendern(ctx, v.aktenzeichen, Aenderung(anschrift=" A\n\n Weg 1 \n1 Ort "))
    assert result.changed and result.vorgang.absender.anschrift == "A\nWeg 1\n1 Ort"
    assert read_history(result.vorgang.ordner)[-1].benutzer == "test"  # type: ignore[arg-type]
