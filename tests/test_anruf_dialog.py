"""anruf/schalter for a new colleague and for scripts: an empty request is explained, input that ends early
and a wrong article number say what to do, and nothing is created then (through the CLI)."""

from __future__ import annotations

import io

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit
from tests.wissen_artikel import write_articles


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    return ablage


def _vorgaenge(ablage: Ablage) -> list[str]:
    return sorted(p.name for status in ablage.root.glob("[1-5] *") for p in status.iterdir())


def test_an_empty_request_is_explained_and_asked_again(run, wissen: Ablage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n\nSperrmüll abholen lassen\nr\n"))
    res = run("--ablage", str(wissen.root), "schalter")
    assert res.code == 0, res.err
    assert "Name und Kontakt kann man mit Enter überspringen, das Anliegen nicht." in res.out
    assert res.out.count("Worum geht es?") == 2
    assert "Ohne Anliegen lässt sich kein Vorgang anlegen: bitte in ein, zwei Sätzen eintippen" in res.out
    assert len(_vorgaenge(wissen)) == 1


@pytest.mark.parametrize(
    ("optionen", "eingabe"),
    [
        (["--ergebnis", "direkt"], ""),  # a script that forgot --anliegen, no terminal
        (["--von", "Erika Muster"], "\nPerso abgelaufen\n"),  # the input ends at the choice
    ],
)
def test_input_that_ends_early_tells_scripts_what_to_give(run, wissen: Ablage, monkeypatch: pytest.MonkeyPatch,
                                                          optionen: list[str], eingabe: str) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(eingabe))
    res = run("--ablage", str(wissen.root), "anruf", *optionen)
    assert res.code == Exit.BEDIENUNG, res.out + res.err
    assert "Die Eingabe endete, bevor alle Fragen beantwortet waren; es wurde kein Vorgang angelegt." in res.err
    assert 'buero-ticket anruf --anliegen "' in res.err and "--ergebnis" in res.err
    assert _vorgaenge(wissen) == []


def test_a_wrong_suggestion_number_or_article_creates_nothing(run, wissen: Ablage) -> None:  # type: ignore[no-untyped-def]
    root = str(wissen.root)
    res = run("--ablage", root, "anruf", "--anliegen", "Ich brauche einen Reisepass", "--ergebnis", "direkt",
              "--artikel", "7")  # fmt: skip
    assert res.code == Exit.NICHT_GEFUNDEN, res.err
    assert "Einen Vorschlag Nummer 7 gibt es nicht" in res.err and "es wurde kein Vorgang angelegt" in res.err
    assert "--artikel 1" in res.err  # what to type instead
    neu = run("--ablage", root, "neu", "--kanal", "telefon", "--betreff", "Pass", "--direkt-beantwortet",
              "--wissen", "Personalausweis")  # fmt: skip
    assert neu.code == Exit.NICHT_GEFUNDEN
    assert "„Personalausweis“ gibt es" in neu.err and "Es wurde kein Vorgang angelegt." in neu.err
    assert _vorgaenge(wissen) == []
