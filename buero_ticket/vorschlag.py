"""“Meinten Sie …?”: close matches for what a clerk typed (Aktenzeichen, names)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_CORE = re.compile(r"(\d{4})-(\d{1,7})")


def _core(az: str) -> str:
    """Year and number without Kürzel and check digit: ``BB-2026-00042-7`` → ``202600042``."""
    match = _CORE.search(az)
    return f"{match[1]}{int(match[2]):05d}" if match else az


def _swaps(digits: str) -> set[str]:
    """Every string from ``digits`` with two of its digits swapped (Zahlendreher)."""
    found = set()
    for i in range(len(digits)):
        for j in range(i + 1, len(digits)):
            if digits[i] != digits[j]:
                chars = list(digits)
                chars[i], chars[j] = chars[j], chars[i]
                found.add("".join(chars))
    return found


def similar_aktenzeichen(wanted: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Known Aktenzeichen close to ``wanted``: two digits swapped first, then by similarity."""
    known = list(dict.fromkeys(known))
    swaps = _swaps(_core(wanted))
    first = [az for az in known if _core(az) in swaps]
    rest = [az for az in known if az not in first]
    by_core = {_core(az): az for az in rest}
    close = difflib.get_close_matches(_core(wanted), list(by_core), n=n, cutoff=0.75)
    return (first + [by_core[c] for c in close])[:n]


def similar_names(wanted: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Names close to ``wanted`` (case-insensitive), e.g. for ``zuweisen --an``."""
    by_key = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(wanted.casefold(), list(by_key), n=n, cutoff=0.6)
    return [by_key[c] for c in close]
