"""Personen, Auskunft (Art. 15), Löschen (Art. 17), Sperren (Art. 18), Aufbewahrung und Aussonderung (xdomea),
tested through the CLI on the files produced."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from buero_ticket import history, protokoll
from buero_ticket.ablage import Ablage
from buero_ticket.datenschutz import personen, xdomea
from buero_ticket.datenschutz.aufbewahrung import aufbewahren_bis, faellige
from buero_ticket.errors import Exit
from buero_ticket.models import Absender, HistoryEntry, Incoming, Kanal, Status, Vorgang
from buero_ticket.operations.datenschutz import dsgvo_frist
from buero_ticket.settings.aufbewahrung import Aufbewahrung
from buero_ticket.store import Store

Run = Callable[..., Any]
PLANTED_MAIL = "erika.planted@example.org"
PLANTED_NAME = "Erika Plantage"
OTHER_MAIL = "otto.anders@example.net"
OTHER_NAME = "Otto Anders"


def _cli(run: Run, ablage: Ablage, *args: str) -> Any:
    return run("--ablage", str(ablage.root), *args)


def _old_vorgang(
    store: Store,
    *,
    betreff: str,
    eingang: datetime,
    erledigt: datetime | None,
    kategorie: str = "",
    absender: Absender | None = None,
    status: Status = Status.ERLEDIGT,
    text: str = "Anliegen",
) -> Vorgang:
    """A Vorgang from an earlier year, made through the store (the test's fixture data)."""
    absender = absender or Absender("Hans Beispiel", "hans@example.com")
    v = store.create(Incoming(kanal=Kanal.EMAIL, betreff=betreff, absender=absender, zeit=eingang, text=text))
    if status is not Status.EINGANG:
        store.set_status(v.aktenzeichen, status)

    return store.update(v.aktenzeichen, lambda vorgang: _set(vorgang, erledigt=erledigt, kategorie=kategorie))


def _set(v: Vorgang, **fields: object) -> list[HistoryEntry]:
    for name, value in fields.items():
        setattr(v, name, value)
    return [HistoryEntry(datetime.now().astimezone(), "test", "Testdaten", ", ".join(fields))]


def _aktionen(ablage: Ablage, az: str) -> list[str]:
    folder = Store(ablage).get(az).ordner
    assert folder is not None
    return [e.aktion for e in history.read_history(folder)]


def _neu_az(run: Run, ablage: Ablage, betreff: str, von: str) -> str:
    res = _cli(run, ablage, "neu", "--kanal", "telefon", "--betreff", betreff, "--von", von, "--json")
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


# --- Personen --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0731 12345", "+49 731 12345", "0731/12345", "+49 (0)731-12345", "0049 731 12345"])
def test_german_phone_formats_are_one_number(typed: str) -> None:
    assert personen.norm_telefon(typed) == "+4973112345"


def test_names_and_addresses_normalised() -> None:
    key = personen.norm_name("Müller, Hans")
    assert key == personen.norm_name("hans mueller") == personen.norm_name("Herr Hans Müller")
    assert personen.norm_anschrift("Hauptstraße 1\n89073 Ulm") == personen.norm_anschrift("Hauptstr. 1, 89073 Ulm")
    assert personen.norm_email(" <Erika@Example.ORG> ") == "erika@example.org"


def test_person_lists_all_vorgaenge_newest_first_and_zeige_counts_them(run: Run, ablage: Ablage) -> None:
    for betreff, kontakt in [
        ("Sperrmüll", ["--telefon", "0731 12345"]),
        ("Parkausweis", ["--telefon", "+49 731 12345", "--email", "Erika@Example.org"]),
        ("Hundesteuer", ["--email", "erika@example.org"]),
    ]:
        res = _cli(run, ablage, "neu", "--kanal", "telefon", "--betreff", betreff, "--von", "Erika Muster", *kontakt)
        assert res.code == 0, res.err
    res = _cli(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Lärm", "--von", "Otto", "--telefon", "0731 999")
    assert res.code == 0
    res = _cli(run, ablage, "person", "0731/12345", "--json")
    assert res.code == 0, res.err
    (p,) = json.loads(res.out)
    assert [v["betreff"] for v in p["vorgaenge"]] == ["Hundesteuer", "Parkausweis", "Sperrmüll"]
    text = _cli(run, ablage, "person", "muster")
    assert "3 Vorgänge" in text.out and "Lärm" not in text.out
    shown = _cli(run, ablage, "zeige", p["vorgaenge"][0]["aktenzeichen"])
    assert "weitere Vorgänge dieser Person: 2" in shown.out


def test_merge_two_addresses_and_undo(run: Run, ablage: Ablage) -> None:
    _cli(run, ablage, "neu", "--kanal", "email", "--betreff", "A", "--von", "Erika M", "--email", "erika@privat.de")
    _cli(
        run, ablage, "neu", "--kanal", "email", "--betreff", "B", "--von", "E. Muster", "--email", "e.muster@arbeit.de"
    )
    res = _cli(run, ablage, "person", "zusammenfuehren", "erika@privat.de", "e.muster@arbeit.de")
    assert res.code == 0, res.err
    kennung = res.out.split("person trennen ")[1].split()[0]
    (p,) = json.loads(_cli(run, ablage, "person", "erika@privat.de", "--json").out)
    assert {v["betreff"] for v in p["vorgaenge"]} == {"A", "B"}
    assert "Person zusammengeführt" in _aktionen(ablage, "2026-00001")
    assert _cli(run, ablage, "person", "trennen", kennung).code == 0
    (p,) = json.loads(_cli(run, ablage, "person", "erika@privat.de", "--json").out)
    assert [v["betreff"] for v in p["vorgaenge"]] == ["A"]


# --- Auskunft and Löschen: a planted person in every place -------------------------------------


def _mail(sender: str, name: str, subject: str, body: str, extra: str = "") -> bytes:
    return (
        f"From: {name} <{sender}>\r\nTo: buergerbuero@stadt.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash((sender, subject)))}@example.org>\r\nDate: Mon, 02 Mar 2020 10:00:00 +0100\r\n"
        f"{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _plant(run: Run, ablage: Ablage, tmp_path: Path) -> tuple[list[str], list[str]]:
    """Two Vorgänge of the planted person (one by mail import, old and closed), one of another person,
    an automatic mail from the planted person in quarantine, log lines. Returns (planted AZ, other AZ)."""
    planted = _plant_2020(run, ablage, tmp_path)
    for az in [*planted, "2020-00002"]:  # closed in 2020: the retention period has ended
        Store(ablage).update(az, lambda v: [*_set(v, erledigt=datetime(2020, 3, 9, 12).astimezone())])
    # log lines as a delivery run writes them into this PC's run log (the logs name senders there)
    log = protokoll.log_file("mail")
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"2020-03-02 10:00:01 root WARNING Zustellung an {PLANTED_MAIL} verzögert\n")
        fh.write(f"2020-03-02 10:00:02 root INFO Abruf beendet: 3 Mails von {OTHER_MAIL} u. a.\n")
    assert any(PLANTED_MAIL in p.read_text(errors="replace") for p in ablage.quarantaene_dir.rglob("*.eml"))
    return planted, ["2020-00002"]


def _plant_2020(run: Run, ablage: Ablage, tmp_path: Path) -> list[str]:
    mails = tmp_path / "mails"
    mails.mkdir()
    (mails / "anfrage.eml").write_bytes(_mail(PLANTED_MAIL, PLANTED_NAME, "Wohnsitz ummelden", "Ich bin umgezogen."))
    (mails / "andere.eml").write_bytes(_mail(OTHER_MAIL, OTHER_NAME, "Baumfällung", "Darf ich fällen?"))
    auto = _mail(PLANTED_MAIL, PLANTED_NAME, "Abwesenheitsnotiz", "Bin im Urlaub.", "Auto-Submitted: auto-replied\r\n")
    (mails / "auto.eml").write_bytes(auto)
    for name in ("anfrage.eml", "andere.eml", "auto.eml"):
        res = _cli(run, ablage, "mail", "einlesen", str(mails / name))
        assert res.code == 0, res.err
    res = _cli(
        run, ablage, "neu", "--kanal", "telefon", "--betreff", "Rückruf Meldebescheinigung",
        "--von", PLANTED_NAME, "--email", PLANTED_MAIL, "--telefon", "0731 4711", "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    planted = ["2020-00001", json.loads(res.out)["aktenzeichen"]]  # the mail's date gives 2020
    for az in [*planted, "2020-00002"]:
        assert _cli(run, ablage, "status", az, "erledigt").code == 0
    return planted


def _files_containing(root: Path, needle: str) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        texts = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                texts += [zf.read(n) for n in zf.namelist()]
        if any(needle.encode() in t or needle.encode("utf-16-le") in t for t in texts):
            hits.append(path)
    return hits


def test_auskunft_contains_the_person_from_every_place_and_nobody_else(
    run: Run, ablage: Ablage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted, other = _plant(run, ablage, tmp_path)
    ziel = tmp_path / "Auskunft"
    res = _cli(run, ablage, "auskunft", PLANTED_MAIL, "--ziel", str(ziel))
    assert res.code == 0, res.err
    (folder,) = [p for p in ziel.iterdir() if p.is_dir()]
    (zip_path,) = list(ziel.glob("*.zip"))
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for az in planted:
        full = Store(ablage).get(az).aktenzeichen
        assert f"Vorgänge/{full}/vorgang.json" in names and f"Vorgänge/{full}/verlauf.txt" in names
        assert any(n.startswith(f"Vorgänge/{full}/Nachrichten/") for n in names)
    assert any(n.startswith("Quarantäne/") for n in names), names  # the automatic mail
    assert any(n.startswith("Protokoll/") for n in names), names  # the import log lines
    assert any(n.startswith("Importverzeichnis/") for n in names), names  # the ledger entries
    uebersicht = (folder / "Übersicht.txt").read_text(encoding="utf-8")
    assert "Art. 15 DSGVO" in uebersicht and "Zweck" in uebersicht and "Aufbewahrung" in uebersicht
    assert "Empfänger" in uebersicht
    assert not _files_containing(folder, OTHER_MAIL) and not _files_containing(folder, OTHER_NAME)
    with zipfile.ZipFile(zip_path) as zf:
        assert len([n for n in zf.namelist() if not n.endswith("/")]) == len(names)
    for az in planted:
        assert "Auskunft nach Art. 15 DSGVO" in _aktionen(ablage, az)
    assert not any(a.startswith("Auskunft") for a in _aktionen(ablage, other[0]))


def test_loeschen_removes_every_copy_and_keeps_a_protokoll_without_personal_data(
    run: Run, ablage: Ablage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted, other = _plant(run, ablage, tmp_path)
    cache = Path(os.environ["BUERO_TICKET_CACHE"])
    assert _files_containing(ablage.root, PLANTED_MAIL)
    dry = _cli(run, ablage, "loeschen", "--person", PLANTED_MAIL, "--grund", "Antrag nach Art. 17")
    assert dry.code == 0, dry.err
    assert "Probelauf" in dry.out and "Würde gelöscht: Vorgang" in dry.out
    assert len(list(Store(ablage).ablage.iter_vorgang_dirs())) == 3  # nothing happened
    res = _cli(run, ablage, "loeschen", "--person", PLANTED_MAIL, "--grund", "Antrag nach Art. 17", "--ausfuehren")
    assert res.code == 0, res.err
    assert "Gelöscht: 2 Vorgänge" in res.out
    for needle in (PLANTED_MAIL, PLANTED_NAME, "0731 4711"):
        assert not _files_containing(ablage.root, needle), needle
        assert not _files_containing(cache, needle), needle
        assert not _files_containing(protokoll.log_dir(), needle), needle
    assert _files_containing(ablage.root, OTHER_MAIL)  # the other person is untouched
    assert Store(ablage).get(other[0]).absender.email == OTHER_MAIL
    eintraege = json.loads(_cli(run, ablage, "loeschprotokoll", "--json").out)
    assert sorted(e["aktenzeichen"][:10] for e in eintraege) == sorted(a[:10] for a in planted)
    assert all(e["grund"] == "Antrag nach Art. 17" and e["benutzer"] for e in eintraege)
    missing = _cli(run, ablage, "zeige", planted[0])
    assert missing.code == Exit.NICHT_GEFUNDEN


def test_loeschen_refuses_while_retention_runs_or_open(run: Run, ablage: Ablage) -> None:
    az = _neu_az(run, ablage, "Frage", "Ina")
    res = _cli(run, ablage, "loeschen", az, "--grund", "x", "--ausfuehren")
    assert res.code == Exit.BEDIENUNG and "noch offen" in res.out
    _cli(run, ablage, "status", az, "erledigt")
    res = _cli(run, ablage, "loeschen", az, "--grund", "x", "--ausfuehren")
    assert res.code == Exit.BEDIENUNG
    assert f"Aufbewahrungsfrist läuft bis 31.12.{date.today().year + 5}" in res.out
    assert Path(str(Store(ablage).get(az).ordner)).is_dir()


def test_interrupted_erasure_is_reported_and_finished_by_pruefen(run: Run, ablage: Ablage, store: Store) -> None:
    v = _old_vorgang(store, betreff="Alt", eingang=datetime(2015, 1, 5, 9), erledigt=datetime(2015, 2, 1, 9))
    # the state a crash between rename and removal leaves: the folder sits in the trash
    leftover = store.deleted_dir / ".~bt-crash"
    assert v.ordner is not None
    leftover.parent.mkdir(parents=True)
    os.rename(v.ordner, leftover)
    res = _cli(run, ablage, "pruefen")
    assert res.code == Exit.PROBLEME and "abgebrochenen Löschung" in res.out + res.err
    assert _cli(run, ablage, "pruefen", "--reparieren").code in (Exit.OK, Exit.PROBLEME)
    assert not leftover.exists()
    assert _cli(run, ablage, "pruefen").code == Exit.OK


# --- Sperren ---------------------------------------------------------------------------------


def test_sperren_hides_and_protects_and_zeige_warns(run: Run, ablage: Ablage) -> None:
    az = _neu_az(run, ablage, "Streit", "Kai")
    _cli(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Andere Sache", "--von", "Lea")
    assert _cli(run, ablage, "sperren", az, "--grund", "Richtigkeit bestritten").code == 0
    assert az not in _cli(run, ablage, "liste").out
    assert az not in _cli(run, ablage, "liste", "--alle", "--json").out
    note = _cli(run, ablage, "notiz", az, "Neue Notiz")
    assert note.code == Exit.ZUGRIFF and "gesperrt" in note.err
    shown = _cli(run, ablage, "zeige", az)
    assert shown.code == 0 and "gesperrt" in (shown.out + shown.err).lower()
    hits = _cli(run, ablage, "suche", "Streit", "--json")
    assert hits.code == 0 and az not in hits.out
    assert _cli(run, ablage, "entsperren", az, "--grund", "geklärt").code == 0
    assert az in _cli(run, ablage, "suche", "Streit", "--json").out
    assert az in _cli(run, ablage, "liste").out
    assert _cli(run, ablage, "notiz", az, "Neue Notiz").code == 0


# --- Aufbewahrung and Aussonderung -----------------------------------------------------------

# (betreff, eingang year, erledigt year or None, kategorie) and whether it is due at 01.01.2026
SPAN = [
    ("Auskunft 2022", 2022, 2022, "Auskunft", True),  # 2 years: kept until 31.12.2024
    ("Auskunft 2024", 2024, 2024, "Auskunft", False),  # until 31.12.2026
    ("Beschwerde 2020", 2019, 2020, "Beschwerde", True),  # 5 years: until 31.12.2025
    ("Beschwerde 2021", 2021, 2021, "Beschwerde", False),  # until 31.12.2026
    ("Ohne Kategorie 2019", 2018, 2019, "", True),  # standard 5 years: until 31.12.2024
    ("Anliegen 2023 spät", 2023, 2023, "Anliegen", False),
    ("Offen seit 2018", 2018, None, "Auskunft", False),  # open: the period has not started
]


def _span(store: Store) -> dict[str, Vorgang]:
    made = {}
    for betreff, year_in, year_done, kategorie, _due in SPAN:
        made[betreff] = _old_vorgang(
            store,
            betreff=betreff,
            eingang=datetime(year_in, 3, 1, 9),
            erledigt=datetime(year_done, 11, 30, 15) if year_done else None,
            kategorie=kategorie,
            status=Status.ARCHIV if year_done else Status.IN_BEARBEITUNG,
        )
    return made


def test_retention_list_matches_the_hand_checked_one(run: Run, ablage: Ablage, store: Store) -> None:
    made = _span(store)
    settings = Aufbewahrung()
    assert aufbewahren_bis(made["Auskunft 2022"], settings) == date(2024, 12, 31)
    assert aufbewahren_bis(made["Offen seit 2018"], settings) is None
    due = {v.betreff for vs in faellige(made.values(), settings, date(2026, 1, 1)).values() for v in vs}
    assert due == {b for b, *_rest, d in SPAN if d}
    res = _cli(run, ablage, "aussondern", "liste", "--stichtag", "01.01.2026", "--json")
    assert res.code == 0, res.err
    groups = json.loads(res.out)
    assert {k: [v["betreff"] for v in vs] for k, vs in groups.items()} == {
        "(ohne Kategorie)": ["Ohne Kategorie 2019"],
        "Auskunft": ["Auskunft 2022"],
        "Beschwerde": ["Beschwerde 2020"],
    }


def test_aussonderung_offer_decision_and_handover(run: Run, ablage: Ablage, store: Store, tmp_path: Path) -> None:
    made = _span(store)
    ziel = tmp_path / "Archiv"
    res = _cli(run, ablage, "aussondern", "anbieten", "--ziel", str(ziel), "--stichtag", "01.01.2026")
    assert res.code == 0, res.err
    (xml_path,) = list(ziel.glob("*_Aussonderung.Anbieteverzeichnis.0501.xml"))
    xdomea.validate(xml_path.read_bytes())
    from lxml import etree

    ns = {"x": xdomea.NS}
    doc = etree.parse(str(xml_path))
    kennzeichen = sorted(doc.xpath("//x:Vorgang/x:AllgemeineMetadaten/x:Kennzeichen/text()", namespaces=ns))
    due = sorted(made[b].aktenzeichen for b, *_r, d in SPAN if d)
    assert kennzeichen == due
    assert doc.xpath("//x:Vorgang/x:Laufzeit/x:Beginn/text()", namespaces=ns)
    (csv_path,) = list(ziel.glob("*.csv"))
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert sorted(r["Aktenzeichen"] for r in rows) == due
    # the archive decides: archive the complaint, destroy the rest
    for r in rows:
        r["Bewertung"] = "A" if r["Betreff"] == "Beschwerde 2020" else "V"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    bewertet = tmp_path / "bewertet.csv"
    bewertet.write_text(out.getvalue(), encoding="utf-8-sig")
    res = _cli(run, ablage, "aussondern", "bewertung", str(bewertet))
    assert res.code == 0, res.err
    assert "1 archivieren, 2 vernichten" in res.out
    res = _cli(run, ablage, "aussondern", "abgeben", "--ziel", str(ziel))
    assert res.code == 0, res.err
    (paket,) = list(ziel.glob("*_Aussonderung.Aussonderung.0503.zip"))
    with zipfile.ZipFile(paket) as zf:
        (xml_name,) = [n for n in zf.namelist() if n.endswith(".0503.xml")]
        data = zf.read(xml_name)
        xdomea.validate(data)
        tree = etree.fromstring(data)
        assert tree.xpath("//x:Kennzeichen/text()", namespaces=ns)[0] == made["Beschwerde 2020"].aktenzeichen
        members = set(zf.namelist())
        for fname in tree.xpath("//x:Primaerdokument/x:Dateiname/text()", namespaces=ns):
            assert fname in members
        assert any(n.endswith("_vorgang.json") for n in members)
    assert Store(ablage).get(made["Beschwerde 2020"].aktenzeichen).archivbewertung == "A"
    for betreff in ("Auskunft 2022", "Ohne Kategorie 2019"):
        assert _cli(run, ablage, "zeige", made[betreff].aktenzeichen).code == Exit.NICHT_GEFUNDEN
    eintraege = json.loads(_cli(run, ablage, "loeschprotokoll", "--json").out)
    assert sorted(e["aktenzeichen"] for e in eintraege) == sorted(
        made[b].aktenzeichen for b in ("Auskunft 2022", "Ohne Kategorie 2019")
    )
    assert all(e["anlass"] == "Aussonderung (Bewertung V)" for e in eintraege)


def test_abgeben_without_decision_deletes_nothing(run: Run, ablage: Ablage, store: Store, tmp_path: Path) -> None:
    _span(store)
    res = _cli(run, ablage, "aussondern", "abgeben", "--ziel", str(tmp_path / "A"))
    assert res.code == 0 and "Keine Vorgänge mit Bewertung" in res.out
    assert len(list(store.ablage.iter_vorgang_dirs())) == len(SPAN)


def test_bewertung_with_invalid_codes_is_refused_whole(run: Run, ablage: Ablage, store: Store, tmp_path: Path) -> None:
    made = _span(store)
    path = tmp_path / "b.csv"
    path.write_text(
        f"Aktenzeichen;Bewertung\n{made['Auskunft 2022'].aktenzeichen};A\n{made['Beschwerde 2020'].aktenzeichen};X\n",
        encoding="utf-8",
    )
    res = _cli(run, ablage, "aussondern", "bewertung", str(path))
    assert res.code == Exit.BEDIENUNG and "Zeile 3" in res.err
    assert Store(ablage).get(made["Auskunft 2022"].aktenzeichen).archivbewertung == ""


# --- Art. 12(3) deadline ---------------------------------------------------------------------


def test_dsgvo_deadline_one_month_and_extension(run: Run, ablage: Ablage, store: Store) -> None:
    assert dsgvo_frist(date(2026, 1, 31)) == date(2026, 2, 28)
    assert dsgvo_frist(date(2026, 3, 15)) == date(2026, 4, 15)
    v = _old_vorgang(
        store, betreff="Auskunftsersuchen", eingang=datetime(2026, 3, 15, 9), erledigt=None,
        kategorie="DSGVO-Anfrage", status=Status.IN_BEARBEITUNG,
    )  # fmt: skip
    res = _cli(run, ablage, "auskunft", "verlaengern", v.aktenzeichen, "--grund", "Umfangreiche Unterlagen")
    assert res.code == 0, res.err
    assert Store(ablage).get(v.aktenzeichen).frist == date(2026, 6, 15)
    again = _cli(run, ablage, "auskunft", "verlaengern", v.aktenzeichen, "--grund", "noch mehr")
    assert again.code == Exit.BEDIENUNG and "drei Monate" in again.err


def test_register_shows_retention_and_hides_restricted(run: Run, ablage: Ablage, store: Store) -> None:
    made = _span(store)
    restricted = made["Beschwerde 2021"].aktenzeichen
    assert _cli(run, ablage, "sperren", restricted, "--grund", "Widerspruch").code == 0
    assert _cli(run, ablage, "register").code == 0
    import openpyxl

    rows: dict[str, dict[str, object]] = {}
    paths = [ablage.root / "Vorgangsregister.xlsx", *ablage.root.rglob("Vorgangsregister*20*.xlsx")]
    for path in paths:
        wb = openpyxl.load_workbook(path, read_only=True)
        if "Alle" not in wb.sheetnames:
            continue
        it = wb["Alle"].iter_rows(values_only=True)
        header = next(r for r in it if r and "Aktenzeichen" in r)
        for r in it:
            if r and r[0]:
                rows[str(r[0])] = dict(zip(header, r, strict=False))
    ausk = rows[made["Auskunft 2022"].aktenzeichen]
    bis = ausk["Aufbewahren bis"]
    assert bis is not None and getattr(bis, "year", None) == 2024, ausk
    assert ausk["Kategorie"] == "Auskunft"
    assert rows[made["Offen seit 2018"].aktenzeichen]["Aufbewahren bis"] in (None, "")
    assert restricted not in rows


def test_dsgvo_anfrage_gets_one_month_on_neu_and_on_aendern(run: Run, ablage: Ablage) -> None:
    res = _cli(
        run, ablage, "neu", "--kanal", "email", "--betreff", "Auskunft über meine Daten", "--von", "Ina",
        "--kategorie", "DSGVO-Anfrage", "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    v = Store(ablage).get(json.loads(res.out)["aktenzeichen"])
    assert v.kategorie == "DSGVO-Anfrage"
    due = dsgvo_frist(v.eingang.date())
    assert v.frist is not None and due <= v.frist <= date.fromordinal(due.toordinal() + 3)  # next service day
    az = _neu_az(run, ablage, "Frage zu meinen Daten", "Kai")
    assert _cli(run, ablage, "aendern", az, "--kategorie", "dsgvo-anfrage").code == 0
    w = Store(ablage).get(az)
    assert w.frist == dsgvo_frist(w.eingang.date())
    assert any("Art. 12 Abs. 3" in e.details for e in history.read_history(Path(str(w.ordner))))


def test_loeschen_auch_postfach_removes_only_that_mail_from_importiert(
    run: Run, ablage: Ablage, pymap_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_abruf import configure, crlf
    from tests.test_intake_mail import make_mail

    configure(ablage, pymap_server, monkeypatch)
    pymap_server.append(crlf(make_mail(subject="Meldebescheinigung", sender=f"{PLANTED_NAME} <{PLANTED_MAIL}>")))
    pymap_server.append(crlf(make_mail(subject="Baumfällung", sender=f"{OTHER_NAME} <{OTHER_MAIL}>")))
    assert _cli(run, ablage, "mail", "abrufen").code == 0
    assert len(pymap_server.uids("Importiert")) == 2
    (p,) = json.loads(_cli(run, ablage, "person", PLANTED_MAIL, "--json").out)
    az = p["vorgaenge"][0]["aktenzeichen"]
    assert _cli(run, ablage, "status", az, "erledigt").code == 0
    Store(ablage).update(az, lambda v: _set(v, erledigt=datetime(2019, 5, 1, 12).astimezone()))
    res = _cli(run, ablage, "loeschen", az, "--grund", "Antrag", "--ausfuehren", "--auch-postfach")
    assert res.code == 0, res.err
    assert "Postfach: 1 E-Mail(s)" in res.out
    (left,) = pymap_server.uids("Importiert")
    assert OTHER_MAIL.encode() in pymap_server.raw(left, "Importiert")
