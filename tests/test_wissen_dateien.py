"""An article saved by Word in its own format instead of "Nur Text" is named as unreadable, with what to do, and
takes no part in suggestions or search (through the CLI, with a real Word document)."""

from __future__ import annotations

import docx

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from tests.wissen_artikel import write_articles


def test_a_word_document_named_md_is_no_article(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    document = docx.Document()
    document.add_paragraph("---\ntitel: Wohngeld\n---\n## Kurzinfo\nWohngeld beantragen Sie beim Sozialamt.")
    document.save(str(ablage.wissen_dir / "Wohngeld.md"))  # "Speichern unter" as Word document, named .md
    root = str(ablage.root)

    checked = run("--ablage", root, "wissen", "pruefen")
    assert checked.code == Exit.PROBLEME
    [line] = [x for x in checked.out.splitlines() if "Wohngeld.md" in x]
    assert line == (
        f"{ablage.wissen_dir / 'Wohngeld.md'}: Datei nicht lesbar: keine Textdatei, sondern ein Word-Dokument (.docx) "
        "oder eine andere gepackte Datei – in Word oder im Editor öffnen und mit „Speichern unter → Nur Text "
        "(*.txt)“ (Codierung UTF-8) wieder als .md speichern."
    )  # was "Kein Kopfteil …: der Dateiname gilt als Titel" and an article of binary garbage

    # the zip's own names ("word/document.xml") found the garbage "article"
    assert "Wohngeld" not in run("--ablage", root, "wissen", "suche", "document", "xml").out

    shown = run("--ablage", root, "wissen", "zeige", "Wohngeld")
    assert shown.code == Exit.BEDIENUNG
    assert f"Die Datei {ablage.wissen_dir / 'Wohngeld.md'} ist nicht lesbar: keine Textdatei" in shown.err
    assert "'buero-ticket wissen pruefen'" in shown.err
