"""suche: an Aktenzeichen and an e-mail address are found exactly, never by their parts (issue 14)."""

from __future__ import annotations

import json

from buero_ticket.ablage import Ablage


def _neu(run, ablage: Ablage, *args: str) -> str:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "email", *args, "--json")
    assert res.code == 0, res.err
    return str(json.loads(res.out)["aktenzeichen"])


def _found(run, ablage: Ablage, begriff: str) -> list[str]:  # type: ignore[no-untyped-def]
    res = run("--ablage", str(ablage.root), "suche", begriff, "--json")
    assert res.code == 0, res.err
    return [t["aktenzeichen"] for t in json.loads(res.out)]


def test_aktenzeichen_and_email_match_exactly_not_by_their_parts(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    gemeint = _neu(run, ablage, "--betreff", "Ummeldung", "--von", "Ayşe Kaya", "--email", "ayse@example.org")
    nummer, _, pruef = gemeint.rpartition("-")  # e.g. 2026-00001 and 8
    jahr, lfd = nummer.split("-")
    # every part of both is in this Vorgang's text, but neither the Aktenzeichen nor the address
    andere = _neu(
        run, ablage, "--betreff", f"Rechnung {lfd}", "--von", "Ayse Yilmaz", "--email", "yilmaz@example.org",
        "--text", f"Kundennummer {lfd} aus {jahr}, Haus {pruef}; Ayse schreibt über example.org",
    )  # fmt: skip
    assert _found(run, ablage, gemeint) == [gemeint]
    assert _found(run, ablage, nummer) == [gemeint]  # without the check digit
    assert _found(run, ablage, "ayse@example.org") == [gemeint]
    assert _found(run, ablage, "AYSE@example.org") == [gemeint]  # an address has no case
    assert _found(run, ablage, "yilmaz@example.org") == [andere]


def test_strasse_and_strasse_find_each_other_both_ways(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    mit_sz = _neu(run, ablage, "--betreff", "Laterne", "--text", "Defekt in der Lindenstraße")
    mit_ss = _neu(run, ablage, "--betreff", "Schlagloch", "--text", "Loch in der Bahnhofstrasse")
    assert sorted(_found(run, ablage, "Straße")) == sorted([mit_sz, mit_ss])
    assert sorted(_found(run, ablage, "strasse")) == sorted([mit_sz, mit_ss])
    assert _found(run, ablage, "Bahnhofstraße") == [mit_ss]
    assert _found(run, ablage, "LINDENSTRASSE") == [mit_sz]
