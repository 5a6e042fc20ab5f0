"""SQLite never on the share: a cache or log folder set inside the Ablage is refused before anything is
read or written (through the CLI)."""

from __future__ import annotations

import pytest

from buero_ticket.ablage import Ablage
from buero_ticket.errors import Exit


@pytest.mark.parametrize(("variable", "unterordner"), [("BUERO_TICKET_CACHE", ".cache"),
                                                       ("BUERO_TICKET_PROTOKOLL", "Protokolle")])  # fmt: skip
def test_cache_or_logs_inside_the_ablage_are_refused(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch,
                                                     variable: str, unterordner: str) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    inside = ablage.root / unterordner
    monkeypatch.setenv(variable, str(inside).upper() if variable.endswith("CACHE") else str(inside))
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll")
    assert res.code == Exit.KONFIG, res.out + res.err
    assert f"{variable} zeigt in die Ablage" in res.err and "nie auf dem Netzlaufwerk" in res.err
    assert "Was tun" in res.err
    assert not inside.exists() and not list((ablage.root / "1 Eingang").iterdir())  # nothing written


def test_a_local_cache_beside_the_ablage_is_fine(run, ablage: Ablage, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BUERO_TICKET_CACHE", str(ablage.root.parent / f"{ablage.root.name}-cache"))  # same prefix
    res = run("--ablage", str(ablage.root), "liste")
    assert res.code == 0, res.err
