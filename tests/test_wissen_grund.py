"""The reason line behind a suggestion names the article's word that matched, and a tiny knowledge base
claims no more confidence than its size supports (through the CLI)."""

from __future__ import annotations

import io
import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit

PARKEN = """---
titel: Bewohnerparkausweis beantragen
stichwoerter: [Bewohnerparken]
---

## Kurzinfo
Wer in einer Bewohnerzone wohnt, bekommt für sein Auto einen Bewohnerparkausweis. Er gilt ein Jahr.

## Gebühren
30 € im Jahr.
"""

SPERRMUELL = """---
titel: Sperrmüll anmelden
stichwoerter: [Sperrmüll, Möbel entsorgen]
---

## Kurzinfo
Sperrmüll holt die Abfallwirtschaft zweimal im Jahr kostenlos ab. Sofa und Schrank am Abend vorher an die Straße.
"""

HUND = """---
titel: Hundesteuer
stichwoerter: [Hund, Hundemarke]
---

## Kurzinfo
Einen Hund melden Sie innerhalb von zwei Wochen an. Sie erhalten eine Hundemarke.
"""

MELDE = """---
titel: Meldebescheinigung
stichwoerter: [Wohnsitz nachweisen]
---

## Kurzinfo
Die Meldebescheinigung bestätigt Ihren Wohnsitz. Sie bekommen sie sofort im Bürgerbüro.
"""


BLAU = """---
titel: Parkausweis für Menschen mit Behinderung
stichwoerter: [blauer Ausweis]
---

## Kurzinfo
Mit dem Merkzeichen aG im Schwerbehindertenausweis bekommen Sie einen blauen Parkausweis für ganz Europa.
"""


def _articles(folder: Path, filler: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("Parken", PARKEN), ("Sperrmüll", SPERRMUELL), ("Hund", HUND), ("Melde", MELDE), ("Blau", BLAU)):
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    for n in range(filler):  # articles of the same length about something else (no word of the requests)
        words = " ".join(f"fachwort{n}x{j}" for j in range(18))
        (folder / f"Merkblatt {n}.md").write_text(
            f"---\ntitel: Merkblatt {n}\nstichwoerter: [Merkblatt{n}]\n---\n\n## Kurzinfo\n{words}.\n", encoding="utf-8"
        )


def _json(run, ablage: Ablage, *args: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "wissen", *args, "--json")
    assert res.code == 0, res.err
    data: list[dict[str, object]] = json.loads(res.out)
    return data


def test_the_reason_names_the_article_word_a_compound_part_matched(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    found = {v["titel"]: v["grund"] for v in _json(run, ablage, "suche", "Parkausweis")}
    assert found == {
        "Parkausweis für Menschen mit Behinderung": "passende Wörter: Parkausweis",
        "Bewohnerparkausweis beantragen": "passende Wörter: Parkausweis → Bewohnerparkausweis",  # was "Parkausweis"
    }
    line = run("--ablage", str(ablage.root), "wissen", "suche", "Parkausweis").out
    assert "(passende Wörter: Parkausweis → Bewohnerparkausweis)" in line
    # the request's compound matched through its part, a typo, and a word the article has itself
    res = _json(run, ablage, "vorschlagen", "--text", "Können Sie mein Sofa abholen?", "--betreff", "Sperrmül")
    assert res[0]["grund"] == "passende Wörter: Sperrmül → Sperrmüll, Sofa", res[0]
    gebuehr = _json(run, ablage, "vorschlagen", "--text", "Ich habe Widerspruch gegen den Gebührenbescheid.")
    assert "Gebührenbescheid → Gebühren" in str(gebuehr[0]["grund"]), gebuehr


def test_the_reason_shows_a_word_the_article_has_without_arrow(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    res = _json(run, ablage, "vorschlagen", "--text", "Wie melde ich meinen Hund an? Bekomme ich eine Hundemarke?")
    assert res[0]["titel"] == "Hundesteuer"
    shown = str(res[0]["grund"]).removeprefix("passende Wörter: ").split(", ")
    assert {"Hund", "Hundemarke", "melde"} <= set(shown), shown  # inflected forms are the same word: no arrow


def test_a_tiny_base_is_less_sure_than_the_same_articles_among_more(run, tmp_path: Path, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    from buero_ticket.ablage import init_ablage

    groesser = init_ablage(tmp_path / "Groesser", name="Bürgerbüro Test")[0]
    _articles(groesser.wissen_dir, filler=8)
    for text in ("Wo kann ich hier parken?", "Brauche einen Nachweis für den Wohnsitz"):
        klein = _json(run, ablage, "vorschlagen", "--text", text)[0]
        mehr = _json(run, groesser, "vorschlagen", "--text", text)[0]
        assert klein["datei"] == mehr["datei"]
        # one everyday word shared with one of 5 articles is no proof; among 13 the same word is rarer
        assert float(str(klein["score"])) < float(str(mehr["score"])) - 0.05, (text, klein, mehr)
    shown = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", "Wo kann ich hier parken?").out
    assert f"Hinweis: Im Ordner {ablage.wissen_dir} liegen erst 5 Artikel; bei weniger als 8" in shown
    assert "Hinweis" not in run("--ablage", str(groesser.root), "wissen", "vorschlagen", "--text", "parken").out
    for name in ("Parken", "Sperrmüll", "Melde", "Blau"):
        (ablage.wissen_dir / f"{name}.md").unlink()
    one = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", "Hund").out
    assert f"Hinweis: Im Ordner {ablage.wissen_dir} liegt erst 1 Artikel; bei weniger" in one  # not "liegen"


def test_the_anruf_dialogue_shows_why_each_article_is_suggested(
    run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    monkeypatch.setattr("sys.stdin", io.StringIO("Erika Muster\n\nWo bekomme ich den Parkausweis?\nr\n"))
    res = run("--ablage", str(ablage.root), "anruf")
    assert res.code == 0, res.err
    # each suggestion with the words that made it: the clerk can judge it before answering with it
    [line] = [x for x in res.out.splitlines() if "] Bewohnerparkausweis beantragen (" in x]
    assert line.endswith("sicher) – passende Wörter: Parkausweis → Bewohnerparkausweis"), line


def test_wissen_suche_takes_a_prefix_as_suche_does(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    found = _json(run, ablage, "suche", "Schwerbehind*")  # found nothing: the star was no word
    assert [(v["titel"], v["grund"]) for v in found] == [
        ("Parkausweis für Menschen mit Behinderung", "passende Wörter: Schwerbehindertenausweis")
    ]
    assert (
        "1. Parkausweis für Menschen mit Behinderung"
        in run("--ablage", str(ablage.root), "wissen", "suche", "park*").out
    )


def test_neu_and_liste_json_say_which_article_answered_at_first_contact(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    root = str(ablage.root)
    neu = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Hund weg", "--direkt-beantwortet",
              "--wissen", "Hundesteuer", "--json")  # fmt: skip
    assert neu.code == 0, neu.err
    made = json.loads(neu.out)
    assert (made["wissen"], made["erstkontakt_geloest"]) == ("Hund.md", True)  # neither was in neu --json
    offen = json.loads(run("--ablage", root, "neu", "--kanal", "email", "--betreff", "Frage", "--json").out)
    assert (offen["wissen"], offen["erstkontakt_geloest"]) == (None, None)
    for args in (("liste", "--alle", "--json"), ("liste", "--status", "erledigt", "--json")):  # cache rows, models
        listed = {v["aktenzeichen"]: v for v in json.loads(run("--ablage", root, *args).out)}
        assert (listed[made["aktenzeichen"]]["wissen"], listed[made["aktenzeichen"]]["erstkontakt_geloest"]) == (
            "Hund.md",
            True,
        ), args


def test_vorschlagen_takes_a_subject_alone_and_refuses_one_beside_an_aktenzeichen(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    root = str(ablage.root)
    [top, *_] = _json(run, ablage, "vorschlagen", "--betreff", "Hundemarke verloren")  # was: "… oder --text an"
    assert top["titel"] == "Hundesteuer"
    az = json.loads(run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Sperrmüll", "--json").out)
    res = run("--ablage", root, "wissen", "vorschlagen", az["aktenzeichen"], "--betreff", "Hund")
    assert res.code == Exit.BEDIENUNG, res.out  # the subject was silently ignored
    assert "beim Aktenzeichen gelten Text und Betreff des Vorgangs" in res.err


def test_a_mistyped_article_name_is_answered_with_the_likely_ones(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    res = run("--ablage", str(ablage.root), "wissen", "zeige", "Hundesteur")
    assert res.code == Exit.NICHT_GEFUNDEN
    assert "Was tun: Meinten Sie: Hund.md?" in res.err  # was only "'buero-ticket wissen suche BEGRIFF' findet Artikel."
    antwort = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "x", "--direkt-beantwortet",
                  "--wissen", "Sperrmuell anmelden")  # fmt: skip
    assert "Meinten Sie: Sperrmüll.md?" in antwort.err, antwort.err


def test_zeige_shows_why_each_article_is_suggested(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    root = str(ablage.root)
    az = json.loads(run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Sperrmül abholen", "--json").out)
    out = run("--ablage", root, "zeige", az["aktenzeichen"]).out
    lines = out.splitlines()
    at = next(i for i, x in enumerate(lines) if x.strip().startswith("1. Sperrmüll anmelden  [Sperrmüll.md]"))
    assert lines[at + 1].strip() == "passende Wörter: Sperrmül → Sperrmüll", out  # zeige had no reason line


def test_the_anruf_dialogue_says_why_nothing_is_sure_in_a_tiny_base(
    run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    monkeypatch.setattr("sys.stdin", io.StringIO("Erika\n\nWo kann ich hier parken?\nr\n"))
    res = run("--ablage", str(ablage.root), "anruf")
    assert res.code == 0, res.err
    assert "Wissen: kein passender Artikel" in res.out
    # the dialogue said "vermutlich nicht direkt zu beantworten" and nothing about the base's size
    assert f"Hinweis: Im Ordner {ablage.wissen_dir} liegen erst 5 Artikel; bei weniger als 8" in res.out


def test_a_reply_with_an_article_has_no_kurzinfo_heading(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    _articles(ablage.wissen_dir)
    root = str(ablage.root)
    az = json.loads(
        run("--ablage", root, "neu", "--kanal", "email", "--betreff", "Hund", "--email", "e@example.org", "--json").out
    )["aktenzeichen"]
    assert run("--ablage", root, "antworten", az, "antwort", "--wissen", "Hundesteuer").code == 0
    [eml] = ablage.root.glob(f"*/{az}*/Nachrichten/*.eml")
    body = BytesParser(policy=policy.default).parsebytes(eml.read_bytes()).get_body(("plain",))
    assert body is not None
    lines = body.get_content().splitlines()
    assert "Einen Hund melden Sie innerhalb von zwei Wochen an. Sie erhalten eine Hundemarke." in lines
    assert "Kurzinfo" not in lines  # the office's section name stood above the answer in the mail to the citizen
