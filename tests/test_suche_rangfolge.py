"""suche ranks as the issue asks: the Betreff weighs more than the text, and on equal scores the newest
Vorgang comes first (through the CLI)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from buero_ticket.ablage import Ablage
from buero_ticket.models import Absender, Incoming, Kanal
from buero_ticket.store import Store


def _suche(run, ablage: Ablage, begriff: str) -> list[str]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "suche", begriff, "--json")
    assert res.code == 0, res.err
    return [t["aktenzeichen"] for t in json.loads(res.out)]


def _neu(store: Store, betreff: str, text: str, zeit: datetime) -> str:
    item = Incoming(betreff=betreff, kanal=Kanal.TELEFON, absender=Absender(name="X"), zeit=zeit, text=text)
    return store.create(item).aktenzeichen


def test_betreff_counts_more_than_the_text(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    store = Store(ablage)
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for i in range(6):  # other Vorgänge, so the word is rare (BM25 gives a word in every Vorgang no weight)
        _neu(store, f"Sperrmüll {i}", "Couch abholen", t0 + timedelta(minutes=i))
    im_betreff = _neu(store, "Hundesteuer", "Bitte das Formular schicken", t0 + timedelta(hours=1))
    im_text = _neu(store, "Frage zu Abgaben", "Wie hoch ist die Hundesteuer? Die Hundesteuer für zwei Hunde, "
                   "und wann kommt der Hundesteuer Bescheid?", t0 + timedelta(hours=2))  # fmt: skip
    assert _suche(run, ablage, "Hundesteuer") == [im_betreff, im_text]  # the newer one mentions it three times


def test_equal_scores_newest_first(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    store = Store(ablage)
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for i in range(6):
        _neu(store, f"Sperrmüll {i}", "Couch abholen", t0 + timedelta(minutes=i))
    by_day = {day: _neu(store, "Laterne defekt", "Lindenweg 4", t0 + timedelta(days=day)) for day in (2, 9, 5)}
    assert _suche(run, ablage, "Laterne") == [by_day[9], by_day[5], by_day[2]]
