"""vorlagen pruefen and the templates 'weiterleiten' fills: the citizen's message must name the Stelle, the
fields the command sets are listed, and a field nobody can give is a problem (through the CLI)."""

from __future__ import annotations

from docx import Document

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit


def _pruefen(run, ablage: Ablage):  # type: ignore[no-untyped-def]
    return run("--ablage", str(ablage.root), "vorlagen", "pruefen")


def test_shipped_templates_list_the_fields_weiterleiten_sets(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    res = _pruefen(run, ablage)
    assert res.code == 0, res.out + res.err
    [intern] = [line for line in res.out.splitlines() if line.startswith("ok     weiterleitung_intern ")]
    assert intern.endswith("; setzt 'buero-ticket weiterleiten' selbst: stelle, anliegen, antwort_bis, "
                           "rueckmeldung_bis, hinweis")  # fmt: skip
    assert "Felder:" not in intern  # nothing the clerk gives with --feld
    citizen = [line for line in res.out.splitlines() if line.startswith("ok     weiterleitung (")]
    assert len(citizen) == 2  # letter and mail
    assert all(line.endswith("Felder: stelle; setzt 'buero-ticket weiterleiten' selbst: stelle") for line in citizen)
    [erinnerung] = [line for line in res.out.splitlines() if "erinnerung_stelle" in line]
    assert "setzt 'buero-ticket erinnern' selbst: stelle, weitergeleitet_am, antwort_bis" in erinnerung


def test_a_citizen_message_without_the_stelle_is_refused(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    (ablage.vorlagen_dir / "Weiterleitung.txt.j2").write_text(
        "Betreff: Ihr Anliegen {{ vorgang.betreff }}\n\nwir haben Ihr Anliegen weitergeleitet.\n", encoding="utf-8"
    )
    doc = Document()
    doc.add_paragraph("{{ anrede }}, Ihr Anliegen {{ vorgang.aktenzeichen }} haben wir weitergeleitet.")
    doc.save(str(ablage.vorlagen_dir / "weiterleitung.docx"))
    res = _pruefen(run, ablage)
    assert res.code == Exit.PROBLEME, res.out
    assert "FEHLER Weiterleitung (E-Mail, eigene Vorlage" in res.out
    assert "FEHLER weiterleitung (Brief, eigene Vorlage" in res.out
    assert res.out.count("{{ stelle }} fehlt: die Nachricht an die Bürgerin / den Bürger muss nennen") == 2
    assert "Was tun" in res.out


def test_a_field_weiterleiten_cannot_give_is_a_problem(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    (ablage.vorlagen_dir / "weiterleitung_intern.txt.j2").write_text(
        "Betreff: Weiterleitung {{ vorgang.betreff }}\n\n{{ stelle }}: {{ anliegen }}\nBitte bis {{ termin }}.\n",
        encoding="utf-8",
    )
    (ablage.vorlagen_dir / "weiterleitung.txt.j2").write_text(
        "Betreff: Weitergeleitet\n\nan {{ stelle }}{% if kontakt is defined %}, {{ kontakt }}{% endif %}\n",
        encoding="utf-8",
    )
    res = _pruefen(run, ablage)
    assert res.code == Exit.PROBLEME, res.out
    assert "FEHLER weiterleitung_intern" in res.out
    assert "die Vorlage braucht auch termin – dafür gibt es dort kein --feld" in res.out
    assert "{% if termin is defined %}" in res.out
    assert "ok     weiterleitung (E-Mail, eigene Vorlage" in res.out  # an optional field is fine
