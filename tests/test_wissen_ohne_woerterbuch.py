"""The package without the GPL dictionary file: suggestions work as before, only untranslated.

The program's code is EUPL-1.2; ``englisch_deutsch.tsv.gz`` is GPL-2.0-or-later data read as a separate
file. Whoever removes it (an office or a distributor that wants EUPL-only content) loses the English
translation and nothing else.
"""

from __future__ import annotations

import json

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.wissen import englisch
from tests.test_wissen_englisch import ENGLISH, GEBURT
from tests.wissen_artikel import write_articles


@pytest.fixture
def wissen(ablage: Ablage) -> Ablage:
    write_articles(ablage.wissen_dir)
    (ablage.wissen_dir / "Geburtsurkunde.md").write_text(GEBURT, encoding="utf-8")
    return ablage


@pytest.fixture
def ohne_woerterbuch(monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(englisch, "DATEI", tmp_path / "entfernt" / "englisch_deutsch.tsv.gz")
    englisch.woerterbuch.cache_clear()
    yield
    englisch.woerterbuch.cache_clear()


def test_without_the_dictionary_english_requests_are_only_untranslated(  # type: ignore[no-untyped-def]
    run,
    wissen: Ablage,
    ohne_woerterbuch,
) -> None:
    res = run("--ablage", str(wissen.root), "wissen", "vorschlagen", "--text", ENGLISH, "--json")
    assert res.code == 0, res.err
    assert "Geburtsurkunde.md" not in [v["datei"] for v in json.loads(res.out)]
    german = run(
        "--ablage", str(wissen.root), "wissen", "vorschlagen", "--text", "Ich brauche eine Geburtsurkunde.", "--json"
    )
    assert german.code == 0, german.err
    assert json.loads(german.out)[0]["datei"] == "Geburtsurkunde.md"
