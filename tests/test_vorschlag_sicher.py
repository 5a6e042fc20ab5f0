"""wissen vorschlagen --json: 'sicher' is true exactly for the suggestions at or above the product's threshold,
and the text view says "kein passender Artikel" exactly when none is sicher (through the CLI)."""

from __future__ import annotations

import json

from buero_ticket.ablage import Ablage
from buero_ticket.wissen.vorschlag import Parameter
from tests.wissen_artikel import write_articles

ANFRAGEN = (
    "Pass",
    "Mein Hund ist weggelaufen, haben Sie ihn gefunden?",
    "Wo kann ich parken?",
    "Wie bekomme ich einen Anwohnerparkausweis?",
    "Wann wird die Grundsteuer abgebucht?",
)


def test_sicher_follows_the_threshold_and_the_text_view(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    schwelle = Parameter().schwelle
    seen: set[bool] = set()
    for text in ANFRAGEN:
        res = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", text, "--json")
        assert res.code == 0, res.err
        data = json.loads(res.out)
        for v in data:
            assert isinstance(v["sicher"], bool)
            if abs(v["score"] - schwelle) > 0.006:  # the score is rounded to 2 places, the decision is not
                assert v["sicher"] == (v["score"] >= schwelle), (text, v)
            seen.add(v["sicher"])
        shown = run("--ablage", str(ablage.root), "wissen", "vorschlagen", "--text", text).out
        assert ("kein passender Artikel" in shown) == (not any(v["sicher"] for v in data)), (text, shown)
    assert seen == {True, False}  # both kinds occur, so neither a constant true nor false passes


def test_the_reason_names_each_matched_word_once(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    write_articles(ablage.wissen_dir)
    res = run("--ablage", str(ablage.root), "wissen", "suche", "Parkausweis", "--json")
    assert res.code == 0, res.err
    for v in json.loads(res.out):
        words = v["grund"].removeprefix("passende Wörter: ").split(", ")
        assert len(words) == len(set(words)), v["grund"]  # was "Parkausweis, Parkausweis"
