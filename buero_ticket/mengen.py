"""Counted nouns in German: "1 Vorgang", "2 Vorgänge", "1 neuer Vorgang", "0 Probleme"."""

from __future__ import annotations


def anzahl(n: int, singular: str, plural: str) -> str:
    """``anzahl(1, "neuer Vorgang", "neue Vorgänge")`` → ``1 neuer Vorgang``."""
    return f"{n} {singular if n == 1 else plural}"
