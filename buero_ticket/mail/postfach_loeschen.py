"""Erasure in the mailbox: the imported copies of a deleted Vorgang's mails (folder "Importiert")."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from ..ablage import Ablage
from ..intake.abruf import imap_config
from .imap import ImapPostfach, read_password


def delete_by_message_id(ablage: Ablage, message_ids: Iterable[str], env: Mapping[str, str] = os.environ) -> int:
    cfg = imap_config(ablage.config)
    with ImapPostfach(cfg, read_password(cfg, env)) as box:
        return box.delete_by_message_id(cfg.ordner_importiert, message_ids)
