"""``frist berechnen`` through the real CLI, with the office calendar from buero-ticket.toml."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from buero_ticket.ablage import Ablage
from buero_ticket.config import CONFIG_NAME


def _settings(ablage: Ablage, extra: str) -> None:
    """Replace the [servicezeiten] section of the fresh Ablage's settings by ``extra``."""
    path = ablage.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("[servicezeiten]\n")
    tail = rest[rest.index("\n[") :] if "\n[" in rest else ""
    path.write_text(head + extra + tail, encoding="utf-8")


def test_d115_example_in_text_and_json(run: Callable[..., Any], ablage: Ablage) -> None:
    result = run("--ablage", str(ablage.root), "frist", "berechnen", "--ab", "04.12.2026 17:00")
    assert result.code == 0, result.err
    assert "Fällig: Mi 09.12.2026 11:00 Uhr" in result.out
    assert "24 Servicestunden ab Fr 04.12.2026 17:00 Uhr, Land BY" in result.out
    result = run("--ablage", str(ablage.root), "frist", "berechnen", "--ab", "04.12.2026 17:00", "--json")
    data = json.loads(result.out)
    assert data["faellig"] == "2026-12-09T11:00:00+01:00"
    assert data["land"] == "BY"


def test_land_option_and_hours(run: Callable[..., Any], ablage: Ablage) -> None:
    # Fronleichnam (Do 04.06.2026) counts in Bayern, not in Berlin
    args = ("--ablage", str(ablage.root), "frist", "berechnen", "--ab", "03.06.2026 12:00", "--json")
    assert json.loads(run(*args).out)["faellig"] == "2026-06-08T16:00:00+02:00"
    assert json.loads(run(*args, "--land", "be").out)["faellig"] == "2026-06-05T16:00:00+02:00"
    forty = json.loads(run(*args, "--land", "BE", "--servicestunden", "40").out)
    assert forty["faellig"] == "2026-06-09T12:00:00+02:00"  # Mi 6, Do 10, Fr 10, Mo 10, Di 4


def test_closing_days_and_service_times_from_settings(run: Callable[..., Any], ablage: Ablage) -> None:
    _settings(ablage, '[servicezeiten]\nland = "SN"\nfreitag = "08:00-12:00"\nschliesstage = ["07.12.2026"]\n')
    result = run("--ablage", str(ablage.root), "frist", "berechnen", "--ab", "04.12.2026 11:00", "--json")
    # Fr 11–12 is 1 h, Mo 07.12. closed, Di 10, Mi 10, Do 3
    assert json.loads(result.out)["faellig"] == "2026-12-10T11:00:00+01:00"


def test_bad_input_is_german(run: Callable[..., Any], ablage: Ablage) -> None:
    result = run("--ablage", str(ablage.root), "frist", "berechnen", "--ab", "gestern abend")
    assert result.code == 2
    assert "kein Zeitpunkt" in result.err and "Was tun:" in result.err
    result = run("--ablage", str(ablage.root), "frist", "berechnen", "--land", "XY")
    assert result.code == 2 and "Bundesland" in result.err


def test_bad_servicezeiten_are_config_errors_with_lines(run: Callable[..., Any], ablage: Ablage) -> None:
    _settings(ablage, '[servicezeiten]\nland = "Bayern"\nmontag = "8 bis 18"\n')
    result = run("--ablage", str(ablage.root), "frist", "berechnen")
    assert result.code == 4
    assert "[servicezeiten] land" in result.err and "[servicezeiten] montag" in result.err
    assert "Zeile" in result.err
