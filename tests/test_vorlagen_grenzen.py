"""Broken or hostile templates end as a German message with template and line, bounded in time and size
(issue 10, item 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from buero_ticket.ablage import Ablage, open_ablage
from buero_ticket.antwort import sandbox
from buero_ticket.errors import Exit
from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter
from buero_ticket.store import Store
from tests.smtp_sink import SmtpSink, set_config

from .test_intake_mail import make_mail

AMT = {"name": "Bürgerbüro Musterstadt", "email": "buergerbuero@musterstadt.example"}

#: name → (template body from line 3 on, words the message must contain)
BROKEN = {
    "include": ('{% include "/etc/passwd" %}', "keine anderen Dateien einbinden"),
    "import": ('{% import "makros.j2" as m %}{{ m.x() }}', "keine anderen Dateien einbinden"),
    "from_import": ('{% from "makros.j2" import x %}', "keine anderen Dateien einbinden"),
    "extends": ('{% extends "../../buero-ticket.toml" %}', "keine anderen Dateien einbinden"),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "ruft sich endlos selbst auf"),
    "range": ("{% for i in range(10**9) %}{{ i }}{% endfor %}", "range mit mehr als 100.000 Zahlen"),
    "power": ("{{ 9**(9**9) }}", "Rechnung zu groß"),
    "repeat": ('{{ "x" * 10**9 }}', "zu oft wiederholt"),
    "output": ("{% for i in range(10**5) %}{% for j in range(100) %}xxxxxxxxxx{% endfor %}{% endfor %}",
               "zu viel Text"),
    "busy": ("{% for i in range(10**5) %}{% for j in range(10**5) %}{% set x = j %}{% endfor %}{% endfor %}",
             "zu lange"),
    # no call inside the loops: only the watchdog can stop this one
    "busy_without_calls": ("{% set l = [0] * 100000 %}{% for i in l %}{% for j in l %}{% set x = j %}{% endfor %}"
                           "{% endfor %}", "zu lange"),
}  # fmt: skip


@pytest.fixture(autouse=True)
def _short_time_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "MAX_RENDER_S", 1.0)  # the bound itself is what is tested, not its size


def write_email_template(ablage: Ablage, name: str, body: str) -> Path:
    path = ablage.vorlagen_dir / f"{name}.txt.j2"
    path.write_text(f"Betreff: Test\n\n{body}\nMit freundlichen Grüßen\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_vorlagen_pruefen_names_template_and_line_and_never_crashes(run, ablage: Ablage, case: str) -> None:  # type: ignore[no-untyped-def]
    body, words = BROKEN[case]
    path = write_email_template(ablage, "kaputt", body)
    res = run("--ablage", str(ablage.root), "vorlagen", "pruefen")
    assert res.code == Exit.PROBLEME, res.out + res.err
    [line] = [ln for ln in res.out.splitlines() if ln.strip().startswith("- ") and str(path) in ln]
    assert words in line, line
    if case not in ("output", "busy_without_calls"):  # noticed outside the template's own code
        assert "(Zeile 3)" in line, line
    assert "Interner Fehler" not in res.out + res.err
    assert "FEHLER kaputt" in res.out and "ok     antwort" in res.out  # the others are still checked


@pytest.mark.parametrize("case", ["include", "recursion", "range", "power", "busy"])
def test_brief_and_antworten_refuse_with_a_german_message(run, ablage: Ablage, case: str) -> None:  # type: ignore[no-untyped-def]
    body, words = BROKEN[case]
    write_email_template(ablage, "kaputt", body)
    doc = Document()
    doc.add_paragraph("Sehr geehrte Damen und Herren,")
    doc.add_paragraph(body)
    doc.save(str(ablage.vorlagen_dir / "kaputt.docx"))
    set_config(ablage.root, {"amt": AMT})
    made = run(
        "--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "T", "--email", "m@example.org",
        "--anschrift", "Hauptstraße 5\n89073 Ulm", "--json",
    )  # fmt: skip
    az = json.loads(made.out)["aktenzeichen"]
    for command in ("brief", "antworten"):
        res = run("--ablage", str(ablage.root), command, az, "kaputt")
        assert res.code == Exit.PROBLEME, (command, res.out, res.err)
        assert words in res.err and "kaputt" in res.err and "Interner Fehler" not in res.err, res.err


@pytest.mark.parametrize("case", ["power", "busy", "recursion", "include"])
def test_a_broken_acknowledgement_template_never_stops_the_mail_import(
    ablage: Ablage, sink: SmtpSink, case: str
) -> None:
    body, words = BROKEN[case]
    (ablage.vorlagen_dir / "eingangsbestaetigung.txt.j2").write_text(
        f"Betreff: Eingangsbestätigung\n\n{body}\n", encoding="utf-8"
    )
    set_config(ablage.root, {"amt": AMT, "smtp": {**sink.toml(), "eingangsbestaetigung": True}})
    store = Store(open_ablage(ablage.root))
    index = Index(store)
    index.refresh()
    importer = MailImporter(store, index)
    first = importer.import_raw(make_mail(subject="Erste"), "Postfach")
    second = importer.import_raw(make_mail(subject="Zweite", sender="erika@example.org"), "Postfach")
    assert first.kind == second.kind == "neu" and sink.received == []
    history = (store.find(first.aktenzeichen) / "verlauf.txt").read_text(encoding="utf-8")
    assert "Eingangsbestätigung nicht gesendet" in history and words in history and "Zeile 3" in history
