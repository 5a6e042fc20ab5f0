"""anruf → an Fachabteilung: when forwarding fails after the Vorgang was stored, the message names the Vorgang and
how to forward it later, so nobody records the call twice (through the CLI)."""

from __future__ import annotations

import json

from buero_ticket.ablage import Ablage
from tests.smtp_sink import set_config


def test_a_failed_forward_names_the_stored_vorgang(run, ablage: Ablage) -> None:  # type: ignore[no-untyped-def]
    set_config(ablage.root, {"stellen.bauamt": {"name": "Bauamt", "email": "bauamt@musterstadt.de"}})  # no [smtp]
    root = str(ablage.root)
    res = run("--ablage", root, "anruf", "--anliegen", "Garage ohne Genehmigung", "--ergebnis", "fachabteilung",
              "--stelle", "bauamt")  # fmt: skip
    assert res.code != 0
    [stored] = json.loads(run("--ablage", root, "liste", "--alle", "--json").out)
    az = stored["aktenzeichen"]
    # was only "Der Abschnitt [smtp] … ist unvollständig": the call looked lost and was recorded again
    assert (
        f"Vorgang {az} ist angelegt und steht in der Liste, wurde aber nicht an die Stelle „bauamt“ weitergeleitet:"
        in res.err
    )
    assert "[smtp]" in res.err
    assert f"Danach weiterleiten (nicht neu anlegen): buero-ticket weiterleiten {az} --an bauamt" in res.err
