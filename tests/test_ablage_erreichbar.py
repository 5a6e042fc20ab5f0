"""Opening the Ablage rides out a share that answers "not there" for a moment (an SMB client under load),
and still says "nicht erreichbar" when it stays away."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from buero_ticket.ablage import init_ablage, open_ablage
from buero_ticket.errors import AblageFehler


def test_an_ablage_that_is_back_within_a_moment_opens(tmp_path: Path) -> None:
    ready = tmp_path / "bereit"
    init_ablage(ready)
    root = tmp_path / "Ablage"
    timer = threading.Timer(0.3, lambda: ready.rename(root))  # the share answers again after 0.3 s
    timer.start()
    try:
        assert open_ablage(root).root == root
    finally:
        timer.join()


def test_an_ablage_that_stays_away_is_not_reachable(tmp_path: Path) -> None:
    with pytest.raises(AblageFehler, match="nicht erreichbar"):
        open_ablage(tmp_path / "fehlt")
