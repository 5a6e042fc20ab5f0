"""Erlang C golden cases from ../shared/docs/domain.md §3 (copied here; checked to 4 decimals)."""

from __future__ import annotations

import pytest

from buero_ticket.berichte import erlang

# (calls, interval s, AHT s, N, t s, A, P_w, SL, ASA s, rho)
GOLDEN = [
    (100, 1800, 180, 14, 20, 10.0, 0.174132, 0.888350, 7.836, 0.7143),
    (1000, 3600, 120, 40, 20, 33.333333, 0.190737, 0.937211, 3.433, 0.8333),
    (360, 1800, 240, 55, 15, 48.0, 0.238701, 0.845883, 8.184, 0.8727),
    (60, 1800, 180, 8, 30, 6.0, 0.356981, 0.744212, 32.128, 0.75),
    (60, 1800, 180, 9, 30, 6.0, 0.195981, 0.881132, 11.759, 0.6667),
    (20, 1800, 240, 4, 30, 2.666667, 0.378418, 0.679676, 68.115, 0.6667),
    (20, 1800, 240, 5, 30, 2.666667, 0.161635, 0.879256, 16.625, 0.5333),
    (10, 1800, 240, 2, 30, 1.333333, 0.533333, 0.509310, 192.0, 0.6667),
    (10, 1800, 240, 3, 30, 1.333333, 0.180791, 0.853209, 26.034, 0.4444),
]


@pytest.mark.parametrize(("calls", "interval", "aht", "n", "t", "a", "pw", "sl", "asa", "rho"), GOLDEN)
def test_golden_figures(
    calls: int, interval: int, aht: int, n: int, t: int, a: float, pw: float, sl: float, asa: float, rho: float
) -> None:
    load = erlang.offered_load(calls, interval, aht)
    assert load == pytest.approx(a, abs=5e-5)
    assert erlang.wait_probability(n, load) == pytest.approx(pw, abs=5e-5)
    assert erlang.service_level(n, load, aht, t) == pytest.approx(sl, abs=5e-5)
    assert erlang.average_wait(n, load, aht) == pytest.approx(asa, abs=5e-4)
    assert erlang.occupancy(n, load) == pytest.approx(rho, abs=5e-5)


@pytest.mark.parametrize(
    ("calls", "interval", "aht", "target", "t", "agents", "roster"),
    [
        (100, 1800, 180, 0.80, 20, 14, 20),  # N=13 gives SL 0.795595 < 0.80
        (1000, 3600, 120, 0.80, 20, 40, 58),  # occupancy binds: N=39 would be 0.8547
        (60, 1800, 180, 0.75, 30, 9, 13),  # D115 75/30 boundary
        (20, 1800, 240, 0.75, 30, 5, 8),
        (10, 1800, 240, 0.75, 30, 3, 5),  # small office
    ],
)
def test_agents_needed_and_roster(
    calls: int, interval: int, aht: int, target: float, t: int, agents: int, roster: int
) -> None:
    result = erlang.staff_slot(calls, interval_seconds=interval, aht_seconds=aht, target_level=target, target_seconds=t)
    assert result.agents == agents
    assert result.occupancy <= erlang.MAX_OCCUPANCY
    assert result.rostered == roster


def test_large_load_is_stable() -> None:
    """The recurrence needs no factorials: 2,000 Erlang would overflow A**N/N!."""
    n = erlang.agents_needed(2000.0, 180)
    assert 2000 < n < 2400
    assert 0 < erlang.wait_probability(n, 2000.0) < 1


def test_no_load_needs_nobody() -> None:
    result = erlang.staff_slot(0, interval_seconds=1800, aht_seconds=240)
    assert (result.agents, result.rostered, result.service_level) == (0, 0, 1.0)
