"""wissen stichwoerter: Vorgänge answered with an article the suggester was not sure of, and the words to add."""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage
from tests.test_wissen import _cli
from tests.wissen_artikel import write_articles


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    return ablage


def _direkt(run, ablage: Ablage, betreff: str, text: str, artikel: str) -> str:  # type: ignore[no-untyped-def]
    res = _cli(
        run, ablage, "neu", "--kanal", "telefon", "--betreff", betreff, "--text", text,
        "--direkt-beantwortet", "--wissen", artikel, "--json",
    )  # fmt: skip
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


def _fundsachen(run, ablage: Ablage) -> list[str]:  # type: ignore[no-untyped-def]
    """Two requests about a lost ring, answered with the Fundbüro article, which has neither word."""
    return [
        _direkt(
            run, ablage, "Ehering verloren", "Beim Stadtfest ist mein Ehering weg. Wurde er abgegeben?", "Fundbüro"
        ),
        _direkt(run, ablage, "Ehering", "Herr Özdemir: Ehering seit dem Stadtfest verschwunden.", "Fundbüro"),
    ]


def test_proposes_the_request_words_the_article_lacks(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    azs = _fundsachen(run, wissen)
    vorher = json.loads(_cli(run, wissen, "wissen", "vorschlagen", azs[0], "--json").out)
    assert not any(v["sicher"] and v["datei"] == "Fundbüro.md" for v in vorher)  # the premise: not recognised sicher
    res = _cli(run, wissen, "wissen", "stichwoerter")
    assert res.code == 0, res.err
    assert "Fundbüro.md: 2 Vorgänge nicht sicher erkannt – Stichwörter ergänzen? „Ehering“ (2), „Stadtfest“ (2)" in (
        res.out
    )
    for az in azs:
        assert az in res.out
    assert "verloren" not in res.out.split("\n")[0]  # the article has "Verlorene": not proposed
    assert "„stichwoerter:“ ergänzen (z. B. stichwoerter: [Ehering])" in res.out  # what to do next
    assert str(wissen.wissen_dir) in res.out


def test_a_vorgang_whose_article_was_suggested_sicher_is_not_listed(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    az = _direkt(run, wissen, "Pass", "Brauche schnell einen Reisepass, Expresspass möglich?", "Reisepass beantragen")
    vorher = json.loads(_cli(run, wissen, "wissen", "vorschlagen", az, "--json").out)
    assert any(v["sicher"] and v["datei"] == "Reisepass beantragen.md" for v in vorher)  # the premise
    res = _cli(run, wissen, "wissen", "stichwoerter")
    assert res.code == 0, res.err
    assert az not in res.out
    assert "1 Vorgang mit Wissensartikel beantwortet; der Vorschlag erkennt den Artikel bei allen sicher." in res.out
    assert json.loads(_cli(run, wissen, "wissen", "stichwoerter", "--json").out) == []


def test_json_lists_file_aktenzeichen_and_counted_words(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    azs = _fundsachen(run, wissen)
    sicher = _direkt(
        run, wissen, "Pass", "Brauche schnell einen Reisepass, Expresspass möglich?", "Reisepass beantragen"
    )
    res = _cli(run, wissen, "wissen", "stichwoerter", "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert [g["datei"] for g in data] == ["Fundbüro.md"]
    assert sorted(data[0]["aktenzeichen"]) == sorted(azs)
    assert sicher not in data[0]["aktenzeichen"]
    vorschlaege = data[0]["vorschlaege"]
    assert vorschlaege[:2] == [{"wort": "Ehering", "anzahl": 2}, {"wort": "Stadtfest", "anzahl": 2}]
    assert all(v["anzahl"] == 1 for v in vorschlaege[2:])
    woerter = {v["wort"].casefold() for v in vorschlaege}
    assert not woerter & {"mein", "ist", "seit", "dem", "wurde", "er"}  # no stopwords
    assert "verloren" not in woerter  # the article has the word ("Verlorene")
    assert "özdemir" not in woerter  # a name after "Herr"
    assert "verschwunden" in woerter  # a word of the text, not only of the subject


def test_without_any_answered_vorgang_it_says_what_to_do(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    _cli(run, wissen, "neu", "--kanal", "telefon", "--betreff", "Frage ohne Artikel")
    res = _cli(run, wissen, "wissen", "stichwoerter")
    assert res.code == 0, res.err
    assert "Noch kein Vorgang wurde mit einem vorhandenen Wissensartikel beantwortet" in res.out
    assert "--wissen ARTIKEL" in res.out


def test_an_answering_article_that_was_deleted_is_named_and_skipped(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    azs = _fundsachen(run, wissen)
    (wissen.wissen_dir / "Fundbüro.md").unlink()
    res = _cli(run, wissen, "wissen", "stichwoerter")
    assert res.code == 0, res.err
    for az in azs:
        assert f"Vorgang {az} wurde mit „Fundbüro" in res.out
    assert "nicht mehr (umbenannt oder gelöscht) – er wird übersprungen" in res.out
    assert "Fundbüro.md:" not in res.out
    assert json.loads(_cli(run, wissen, "wissen", "stichwoerter", "--json").out) == []
