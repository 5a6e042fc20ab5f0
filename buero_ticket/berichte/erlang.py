"""Erlang C: waiting probability, service level and the agents needed for a target.

Pure arithmetic over the offered load ``A = λ·AHT`` (Erlang). The waiting probability uses the
numerically stable Erlang B recurrence (B₀ = 1, B_k = A·B_{k−1}/(k + A·B_{k−1}),
P_w = N·B_N/(N − A(1 − B_N))), so no factorials or powers overflow for large N.

The model assumes that nobody hangs up and that calls arrive at random (Poisson); real callers do
hang up, so the agents it asks for are an upper estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: D115: 75 % of calls answered within 30 s.
D115_SERVICE_LEVEL = 0.75
D115_TARGET_SECONDS = 30.0
MAX_OCCUPANCY = 0.85
DEFAULT_SHRINKAGE = 0.3


def offered_load(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """A = λ·AHT in Erlang, λ = calls per second in the interval."""
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    return calls / interval_seconds * aht_seconds


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability B_N by the stable recurrence."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def wait_probability(agents: int, load: float) -> float:
    """P_w: probability that a call has to wait (1.0 when N ≤ A: the queue grows without end)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def service_level(agents: int, load: float, aht_seconds: float, target_seconds: float) -> float:
    """SL(t) = 1 − P_w·e^{−(N−A)t/AHT}: share of calls answered within ``target_seconds``."""
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    return 1.0 - wait_probability(agents, load) * math.exp(-(agents - load) * target_seconds / aht_seconds)


def average_wait(agents: int, load: float, aht_seconds: float) -> float:
    """ASA = P_w·AHT/(N − A) in seconds (infinite when N ≤ A)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return math.inf
    return wait_probability(agents, load) * aht_seconds / (agents - load)


def occupancy(agents: int, load: float) -> float:
    """ρ = A/N."""
    return load / agents if agents else 0.0


def agents_needed(
    load: float,
    aht_seconds: float,
    *,
    target_level: float = D115_SERVICE_LEVEL,
    target_seconds: float = D115_TARGET_SECONDS,
    max_occupancy: float = MAX_OCCUPANCY,
) -> int:
    """The smallest N with N > A, SL(t) ≥ target and occupancy ≤ ``max_occupancy`` (0 without load)."""
    if load <= 0:
        return 0
    n = max(1, math.floor(load) + 1)
    while True:
        if occupancy(n, load) <= max_occupancy and service_level(n, load, aht_seconds, target_seconds) >= target_level:
            return n
        n += 1


def rostered(agents: int, shrinkage: float) -> int:
    """Staff to plan so that ``agents`` are on the phone after breaks, training and absence: ⌈N/(1−s)⌉."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    # round first: 14/0.7 is 20.000000000000004 in binary floating point
    return math.ceil(round(agents / (1 - shrinkage), 9))


@dataclass(frozen=True)
class SlotResult:
    """Erlang C for one interval."""

    calls: float
    load: float
    agents: int
    wait_probability: float
    service_level: float
    average_wait: float
    occupancy: float
    rostered: int


def staff_slot(
    calls: float,
    *,
    interval_seconds: float,
    aht_seconds: float,
    target_level: float = D115_SERVICE_LEVEL,
    target_seconds: float = D115_TARGET_SECONDS,
    max_occupancy: float = MAX_OCCUPANCY,
    shrinkage: float = DEFAULT_SHRINKAGE,
) -> SlotResult:
    """Agents needed for one interval with the figures that go with them."""
    load = offered_load(calls, interval_seconds, aht_seconds)
    n = agents_needed(
        load, aht_seconds, target_level=target_level, target_seconds=target_seconds, max_occupancy=max_occupancy
    )
    return SlotResult(
        calls=calls,
        load=load,
        agents=n,
        wait_probability=wait_probability(n, load) if n else 0.0,
        service_level=service_level(n, load, aht_seconds, target_seconds) if n else 1.0,
        average_wait=average_wait(n, load, aht_seconds) if n else 0.0,
        occupancy=occupancy(n, load),
        rostered=rostered(n, shrinkage),
    )
