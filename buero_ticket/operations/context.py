"""What every operation needs: the store, the clock, the typed settings and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock
from ..models import HistoryEntry
from ..settings import Settings
from ..store import Store


@dataclass(frozen=True)
class Context:
    """Passed as the first argument to every operation (``operations.vorgang.assign(ctx, …)``).

    The clock and the acting user are the store's: the lines the store writes itself ("Angelegt", a
    message) and the lines of an operation (``entry``) carry the same time source and the same name.
    """

    store: Store
    settings: Settings

    @classmethod
    def of(cls, store: Store) -> Context:
        """The context for ``store`` (with its clock and user; ``Store(…, clock=…, user=…)`` sets them)."""
        return cls(store, store.ablage.config)

    @property
    def clock(self) -> Clock:
        return self.store.clock

    @property
    def user(self) -> str:
        return self.store.user

    def entry(self, aktion: str, details: str = "") -> HistoryEntry:
        """A history line stamped with this context's clock and user."""
        return HistoryEntry(self.clock(), self.user, aktion, details)
