"""The register's column "Wissen" on the sheet "Offen": the article to answer with, or none.

Registered with :func:`buero_ticket.register.columns.add_column` when the register's columns are
imported. The articles are read once per process and again only when a file in ``Wissen`` changed.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..ablage import WISSEN_DIR
from ..models import Vorgang
from ..register.columns import SHEET_OPEN, Column, add_column
from .artikel import iter_files, lade
from .vorschlag import Wissensbasis

HEADER = "Wissen"
_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], Wissensbasis]] = {}


def _basis(folder: Path) -> Wissensbasis | None:
    try:
        signature = tuple((rel, *_stat(path)) for rel, path in iter_files(folder))
    except OSError:
        return None
    cached = _CACHE.get(folder)
    if cached is not None and cached[0] == signature:
        return cached[1]
    basis = Wissensbasis(lade(folder).ohne_entwuerfe())  # a draft is no answer yet
    _CACHE[folder] = (signature, basis)
    return basis


def _stat(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def value(v: Vorgang) -> str | None:
    """The article used, else the confident suggestion with its score, else "kein passender Artikel"."""
    if v.beschaedigt or v.ordner is None:
        return None
    basis = _basis(v.ordner.parent.parent / WISSEN_DIR)  # open Vorgänge lie directly in their status folder
    if v.wissen:
        return f"verwendet: {v.wissen.rsplit('/', 1)[-1].removesuffix('.md')}"
    if basis is None or not basis.docs:
        return ""
    from ..operations.wissen import request_text

    sure = [s for s in basis.vorschlagen(request_text(v), v.betreff, anzahl=1) if s.sicher]
    if not sure:
        return "kein passender Artikel"
    return f"{sure[0].artikel.titel} ({sure[0].score:.2f})"


add_column(
    Column(
        HEADER,
        26,
        "Vorgeschlagener Wissensartikel (mit Sicherheit 0–1) oder „kein passender Artikel“; "
        "„verwendet“, wenn schon mit einem Artikel beantwortet.",
        value,
        "wrap",
        sheets=(SHEET_OPEN,),
    ),
    after="Antwort am",  # last: the columns before keep their places
)
