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
    from ..wissen.artikel import Artikel


def file_letter(
    ctx: Context,
    az: str,
    vorlage: str,
    fields: Mapping[str, str],
    *,
    pdf: bool,
    ohne_anschrift: bool = False,
    wissen: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> LetterResult:
    """A Word letter (and PDF) from template ``vorlage`` into the Vorgang's ``Ausgang`` folder.

    ``wissen``: a knowledge-base article whose answer goes into the field ``text``; recorded in the Vorgang."""
    from ..antwort.brief import write_letter  # docxtpl: loaded only when needed

    artikel, fields = _with_article(ctx, fields, wissen)
    result = write_letter(ctx.store, az, vorlage, fields, pdf=pdf, ohne_anschrift=ohne_anschrift, env=env)
    if artikel is not None:
        _record_article(ctx, result.aktenzeichen, artikel, "Brief")
    return result


def send_reply(
    ctx: Context,
    az: str,
    vorlage: str,
    fields: Mapping[str, str],
    *,
    senden: bool,
    anlagen: Sequence[Path] = (),
    wissen: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> SendResult:
    """An e-mail reply from a template: filed as a draft, or sent and filed (see antwort.versand).

    ``wissen``: a knowledge-base article whose answer goes into the field ``text``; recorded in the Vorgang."""
    from ..antwort.versand import answer

    artikel, fields = _with_article(ctx, fields, wissen)
    result = answer(ctx.store, az, vorlage, fields, senden=senden, anlagen=anlagen, env=env)
    if artikel is not None:
        _record_article(ctx, az, artikel, "E-Mail gesendet" if result.sent else "E-Mail-Entwurf")
    return result


def _with_article(ctx: Context, fields: Mapping[str, str], name: str | None) -> tuple[Artikel | None, dict[str, str]]:
    """The article ``name`` (looked up before anything is written) and the fields with its answer sections
    in ``text`` (after a given text)."""
    if not name:
        return None, dict(fields)
    from . import wissen as wissen_ops

    artikel = wissen_ops.artikel(ctx.store.ablage, name)
    given = fields.get("text", "").strip()
    return artikel, {**fields, "text": (given + "\n\n" if given else "") + artikel.antwort()}


def _record_article(ctx: Context, az: str, artikel: Artikel, wie: str) -> None:
    from . import wissen as wissen_ops

    wissen_ops.record_article(ctx, az, artikel, wie)


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
