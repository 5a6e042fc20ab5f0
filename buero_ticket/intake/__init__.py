"""The one path from every intake channel to a Vorgang.

Phone and counter notes (CLI), imported mails, ``.eml``/mbox files and files
dropped into the Einwurf all become an :class:`~buero_ticket.models.Incoming` and go through
:func:`accept`, which is the operation :func:`buero_ticket.operations.vorgang.accept`
("new Vorgang" or "add to the one it names").
"""

from __future__ import annotations

from ..models import Incoming
from ..operations.context import Context
from ..operations.vorgang import AcceptKind, AcceptResult
from ..operations.vorgang import accept as accept_operation
from ..store import Store

__all__ = ["AcceptKind", "AcceptResult", "Incoming", "accept"]


def accept(store: Store, item: Incoming, ctx: Context | None = None) -> AcceptResult:
    """Store ``item`` (see :func:`buero_ticket.operations.vorgang.accept`)."""
    return accept_operation(ctx or Context.of(store), item)
