"""wissen vorschlagen on English requests: their words translated into German (wissen/englisch.py), through the CLI."""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.wissen import englisch
from tests.wissen_artikel import write_articles

GEBURT = """---
titel: Geburtsurkunde
stichwoerter: [Geburtsurkunde, Abstammungsurkunde, internationale Geburtsurkunde]
leika: "99102001000000"
zustaendig: Standesamt
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

## Kurzinfo
Eine Geburtsurkunde stellt das Standesamt des Geburtsorts aus, auch mehrsprachig für Behörden im Ausland.
Sie beantragen sie schriftlich, per E-Mail oder persönlich; wir versenden sie auch ins Ausland.

## Gebühren
12 € je Urkunde, zahlbar per Überweisung.
"""

MELDE = """---
titel: Meldebescheinigung
stichwoerter: [Meldebescheinigung, Wohnsitzbescheinigung]
leika: "99115001000000"
zustaendig: Bürgerbüro
geprueft_am: 2026-01-10
pruefen_bis: 2027-01-10
---

## Kurzinfo
Die Meldebescheinigung bestätigt, wo Sie gemeldet sind. Sie erhalten sie im Bürgerbüro oder online.

## Gebühren
5 €.
"""

ENGLISH = (
    "Hello, I was born in your town but now live in Canada. I need my birth certificate for a visa. "
    "Can you send it to Canada and how do I pay? Best regards, Emily"
)


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    (ablage.wissen_dir / "Geburtsurkunde.md").write_text(GEBURT, encoding="utf-8")
    (ablage.wissen_dir / "Meldebescheinigung.md").write_text(MELDE, encoding="utf-8")
    return ablage


def _suggest(run, ablage: Ablage, text: str, *extra: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", text, *extra, "--json")
    assert res.code == 0, res.err
    return list(json.loads(res.out))


def test_an_english_request_finds_the_german_article(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    data = _suggest(run, wissen, ENGLISH, "--betreff", "Birth certificate")
    assert data[0]["datei"] == "Geburtsurkunde.md"
    assert data[0]["sicher"] is True
    # the reason line names the English words and the article's German word they were translated into
    assert "birth certificate → Geburtsurkunde" in str(data[0]["grund"])
    shown = run("--ablage", str(wissen.root), "wissen", "vorschlagen", "--text", ENGLISH).out
    assert "birth certificate → Geburtsurkunde" in shown


def test_an_english_request_without_an_article_still_gets_kein_passender_artikel(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    text = "Hello, my residence permit expires next month. Where can I extend it? Thanks, Ahmed"
    assert not any(s["sicher"] for s in _suggest(run, wissen, text))
    res = run("--ablage", str(wissen.root), "wissen", "vorschlagen", "--text", text)
    assert "kein passender Artikel" in res.out


def test_a_german_request_is_not_translated(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    # "Pass", "Kind", "bald" are English words too; translated, "pass" would bring in "Ausweis"
    data = _suggest(run, wissen, "Mein Kind braucht einen Pass, wir fliegen bald. Geht das schnell?")
    assert data[0]["datei"] == "Reisepass beantragen.md"
    assert [s["datei"] for s in data] == ["Reisepass beantragen.md"]
    assert not any("→ Ausweis" in str(s["grund"]) for s in data)


def test_german_function_words_that_are_english_keys_too_do_not_make_a_request_english(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    # "was", "will", "also", "nur", "per", "Tag" are entries of the English side of the dictionary as well
    data = _suggest(run, wissen, "Was will man also nur per Tag für den Pass zahlen?")
    assert data[0]["datei"] == "Reisepass beantragen.md"
    assert not any("→ Ausweis" in str(s["grund"]) for s in data)


def test_the_dictionary_is_read_only_when_suggesting(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    englisch.woerterbuch.cache_clear()
    assert run("--ablage", str(wissen.root), "wissen", "zeige", "Geburtsurkunde").code == 0
    assert englisch.woerterbuch.cache_info().currsize == 0  # start-up and other commands never read it
    _suggest(run, wissen, ENGLISH)
    assert englisch.woerterbuch.cache_info().currsize == 1
