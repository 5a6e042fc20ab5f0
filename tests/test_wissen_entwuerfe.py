"""Drafts from 'wissen neu --aus' (Wissen/Entwürfe) are no answers yet: never suggested, searched or inserted
into a reply – but shown and checked (through the CLI)."""

from __future__ import annotations

import json

import openpyxl

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from tests.wissen_artikel import write_articles


def _cli(run, ablage: Ablage, *args: str):  # type: ignore[no-untyped-def]
    return run("--ablage", str(ablage.root), *args)


def test_a_draft_is_never_offered_as_an_answer(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    res = _cli(run, ablage, "neu", "--kanal", "email", "--betreff", "Grabpflege Friedhof", "--email",
               "a@example.org", "--text", "Wer macht die Grabpflege auf dem Friedhof?", "--json")  # fmt: skip
    az = json.loads(res.out)["aktenzeichen"]
    assert _cli(run, ablage, "wissen", "neu", "--aus", az).code == 0  # Entwürfe/Grabpflege Friedhof.md
    draft = "Entwürfe/Grabpflege Friedhof.md"
    for args in (["wissen", "vorschlagen", az], ["wissen", "vorschlagen", "--text", "Grabpflege Friedhof"],
                 ["wissen", "suche", "Grabpflege"]):  # fmt: skip
        shown = _cli(run, ablage, *args, "--json")
        assert shown.code == 0, shown.err
        assert draft not in [v["datei"] for v in json.loads(shown.out)], args
    zeige = json.loads(_cli(run, ablage, "zeige", az, "--json").out)
    assert draft not in [v["datei"] for v in zeige["wissen_vorschlaege"]]
    anruf = _cli(run, ablage, "anruf", "--anliegen", "Grabpflege Friedhof", "--ergebnis", "direkt", "--artikel", "1")
    assert anruf.code == Exit.NICHT_GEFUNDEN  # the draft would be suggestion 1; there is none
    assert "Einen Vorschlag Nummer 1 gibt es nicht (das Wissen hat keinen Vorschlag" in anruf.err
    assert _cli(run, ablage, "register").code == 0
    rows = list(openpyxl.load_workbook(ablage.root / "Vorgangsregister.xlsx")["Offen"].iter_rows(values_only=True))
    column = rows[0].index("Wissen")
    assert [r[column] for r in rows[1:] if r[0] == az] == ["kein passender Artikel"]

    refused = _cli(run, ablage, "antworten", az, "antwort", "--wissen", draft)
    assert refused.code == Exit.BEDIENUNG
    assert f"„{draft}“ ist ein Entwurf" in refused.err and "verschieben" in refused.err
    assert json.loads(_cli(run, ablage, "zeige", az, "--json").out)["wissen"] in (None, "")  # nothing recorded
    shown = _cli(run, ablage, "wissen", "zeige", draft)
    assert shown.code == 0 and shown.out.startswith("Grabpflege Friedhof\n")  # still shown ...
    assert "Grabpflege Friedhof.md, Zeile 4: Feld „leika“ fehlt" in _cli(run, ablage, "wissen", "pruefen").out


def test_a_draft_with_the_title_of_an_article_leaves_the_article_usable(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    (ablage.wissen_dir / "Entwürfe").mkdir()
    (ablage.wissen_dir / "Entwürfe" / "Hund neu.md").write_text(
        "---\ntitel: Hund anmelden\n---\n## Kurzinfo\nNEUE FASSUNG, noch ungeprüft\n", encoding="utf-8"
    )
    res = _cli(run, ablage, "neu", "--kanal", "email", "--betreff", "Hund", "--email", "a@example.org", "--json")
    az = json.loads(res.out)["aktenzeichen"]
    done = _cli(run, ablage, "antworten", az, "antwort", "--wissen", "Hund anmelden")  # the title, file Hund.md
    assert done.code == 0, done.err  # the title was ambiguous with the draft: "gibt es nicht"
    assert json.loads(_cli(run, ablage, "zeige", az, "--json").out)["wissen"] == "Hund.md"


def test_a_draft_like_an_article_is_told_the_article_is_fine(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    az = json.loads(_cli(run, ablage, "neu", "--kanal", "telefon", "--betreff", "Reisepass beantragen", "--json").out)
    assert _cli(run, ablage, "wissen", "neu", "--aus", az["aktenzeichen"]).code == 0
    res = _cli(run, ablage, "wissen", "pruefen")
    assert res.code == Exit.PROBLEME
    lines = res.out.splitlines()
    draft = str(ablage.wissen_dir / "Entwürfe" / "Reisepass beantragen.md")
    assert f"{draft}, Zeile 2: Titel „Reisepass beantragen“ auch in: Reisepass beantragen.md" in lines
    assert f"{draft}, Zeile 3: Stichwort „Reisepass“ auch in: Reisepass beantragen.md" in lines
    # the finished article was reported too ("Titel „reisepass beantragen“ auch in: Entwürfe/…"), as if it had to change
    article = str(ablage.wissen_dir / "Reisepass beantragen.md")
    assert not [x for x in lines if x.startswith(article)], res.out
