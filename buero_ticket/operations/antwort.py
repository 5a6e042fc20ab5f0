"""Operations that write answers into a Vorgang: a letter, an e-mail reply, the acknowledgement of receipt.

The rendering and sending live in :mod:`buero_ticket.antwort`; these functions are the named entry points
that the CLI and the mail import call.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import Vorgang
from .context import Context

if TYPE_CHECKING:
    from ..antwort.bestaetigung import Pauses
    from ..antwort.brief import LetterResult
    from ..antwort.versand import SendResult
    from ..mail.parse import ParsedMail


def file_letter(
    ctx: Context,
    az: str,
    vorlage: str,
    fields: Mapping[str, str],
    *,
    pdf: bool,
    ohne_anschrift: bool = False,
    env: Mapping[str, str] = os.environ,
) -> LetterResult:
    """A Word letter (and PDF) from template ``vorlage`` into the Vorgang's ``Ausgang`` folder."""
    from ..antwort.brief import write_letter  # docxtpl: loaded only when needed

    return write_letter(ctx.store, az, vorlage, fields, pdf=pdf, ohne_anschrift=ohne_anschrift, env=env)


def send_reply(
    ctx: Context,
    az: str,
    vorlage: str,
    fields: Mapping[str, str],
    *,
    senden: bool,
    anlagen: Sequence[Path] = (),
    env: Mapping[str, str] = os.environ,
) -> SendResult:
    """An e-mail reply from a template: filed as a draft, or sent and filed (see antwort.versand)."""
    from ..antwort.versand import answer

    return answer(ctx.store, az, vorlage, fields, senden=senden, anlagen=anlagen, env=env)


def acknowledge(
    ctx: Context,
    vorgang: Vorgang,
    parsed: ParsedMail,
    env: Mapping[str, str] = os.environ,
    *,
    pauses: Pauses | None = None,
) -> None:
    """The acknowledgement of receipt for a new Vorgang from a mail; never raises (see antwort.bestaetigung)."""
    from ..antwort.bestaetigung import acknowledge as send_acknowledgement

    send_acknowledgement(ctx.store, vorgang, parsed, env, pauses=pauses)
