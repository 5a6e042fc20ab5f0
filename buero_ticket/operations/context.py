"""What every operation needs: the store, the clock, the typed settings and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..clock import Clock
from ..history import current_user
from ..models import HistoryEntry
from ..settings import Settings
from ..store import Store


@dataclass(frozen=True)
class Context:
    """Passed as the first argument to every operation (``operations.vorgang.assign(ctx, …)``)."""

    store: Store
    clock: Clock
    settings: Settings
    user: str = field(default_factory=current_user)

    @classmethod
    def of(cls, store: Store, *, clock: Clock | None = None, user: str | None = None) -> Context:
        """The context for ``store``: its clock (or ``clock``), its Ablage's settings, the logged-in user."""
        return cls(store, clock or store.clock, store.ablage.config, user or store.user)

    def entry(self, aktion: str, details: str = "") -> HistoryEntry:
        """A history line stamped with this context's clock and user."""
        return HistoryEntry(self.clock(), self.user, aktion, details)
