"""wissen vorschlagen: German synonyms through a shared English translation (wissen/synonyme.py), through the CLI."""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.wissen import synonyme
from tests.wissen_artikel import write_articles

# "Heirat" and "Eheschließung" both translate to "marriage" in the Ding dictionary; no article says "Heirat"
EHE = """---
titel: Eheschließung anmelden
stichwoerter: [Eheschließung, Standesamt]
leika: "99102002000000"
zustaendig: Standesamt
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

## Kurzinfo
Die Eheschließung melden Sie beim Standesamt Ihres Wohnorts an, frühestens sechs Monate vorher.

## Unterlagen
Personalausweis, beglaubigter Ausdruck aus dem Geburtenregister.
"""

URKUNDEN = """---
titel: Urkunden bestellen
stichwoerter: [Urkunde]
leika: "99102003000000"
zustaendig: Bürgerbüro
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

## Kurzinfo
Urkunden aus den Registern bestellen Sie schriftlich oder online.

## Hinweise
Nach einer Namensänderung stellen wir neue Urkunden aus.
"""


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    (ablage.wissen_dir / "Eheschließung anmelden.md").write_text(EHE, encoding="utf-8")
    (ablage.wissen_dir / "Urkunden bestellen.md").write_text(URKUNDEN, encoding="utf-8")
    return ablage


def _suggest(run, ablage: Ablage, text: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", text, "--json")
    assert res.code == 0, res.err
    return list(json.loads(res.out))


def test_a_german_synonym_finds_the_article(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    text = "Guten Tag, wir planen unsere Heirat im Mai. Was brauchen wir dafür?"
    data = _suggest(run, wissen, text)
    assert data[0]["datei"] == "Eheschließung anmelden.md"
    # the reason line names the request's word and the article's word it stands for
    assert "Heirat → Eheschließung" in str(data[0]["grund"])
    shown = run("--ablage", str(wissen.root), "wissen", "vorschlagen", "--text", text).out
    assert "Heirat → Eheschließung" in shown


def test_a_synonym_weighs_less_than_a_word_the_request_has_itself(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    # "Eheschließung" (through "Heirat") is in that article's title, keywords and Kurzinfo; "Namensänderung",
    # the request's own word, only once in the other article's text: at the same weight the synonym would win
    data = _suggest(run, wissen, "Heirat und Namensänderung")
    assert [s["datei"] for s in data[:2]] == ["Urkunden bestellen.md", "Eheschließung anmelden.md"]
    assert float(data[0]["score"]) > float(data[1]["score"])  # type: ignore[arg-type]


def test_the_synonyms_are_read_only_when_suggesting(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    synonyme._daten.cache_clear()
    assert run("--ablage", str(wissen.root), "wissen", "zeige", "Eheschließung anmelden").code == 0
    assert synonyme._daten.cache_info().currsize == 0  # start-up and other commands never read the file
    _suggest(run, wissen, "Heirat")
    assert synonyme._daten.cache_info().currsize == 1
