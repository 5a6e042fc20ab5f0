"""A title or file name that fits two articles (subfolders) is named as ambiguous, not as missing."""

from __future__ import annotations

import json

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from tests.wissen_artikel import write_articles


def test_a_title_of_two_articles_is_ambiguous_not_missing(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    (ablage.wissen_dir / "Ordnungsamt").mkdir()
    (ablage.wissen_dir / "Ordnungsamt" / "Hund.md").write_text(
        "---\ntitel: Hund anmelden\n---\n## Kurzinfo\nKampfhunde meldet das Ordnungsamt an.\n", encoding="utf-8"
    )
    root = str(ablage.root)
    shown = run("--ablage", root, "wissen", "zeige", "Hund anmelden")
    assert shown.code == Exit.BEDIENUNG, shown.out + shown.err
    assert "„Hund anmelden“ passt auf mehrere Wissensartikel: Hund.md, Ordnungsamt/Hund.md." in shown.err
    assert "gibt es" not in shown.err and "Ordner" in shown.err
    assert run("--ablage", root, "wissen", "zeige", "Hund").code == 0  # the path Hund.md itself is unique
    res = run("--ablage", root, "neu", "--kanal", "email", "--betreff", "Hund", "--email", "a@example.org", "--json")
    az = json.loads(res.out)["aktenzeichen"]
    refused = run("--ablage", root, "antworten", az, "antwort", "--wissen", "hund anmelden")
    assert refused.code == Exit.BEDIENUNG and "passt auf mehrere Wissensartikel" in refused.err
    done = run("--ablage", root, "antworten", az, "antwort", "--wissen", "Ordnungsamt/Hund.md")
    assert done.code == 0, done.err
