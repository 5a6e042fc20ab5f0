"""Templates: ``vorlagen kopieren`` puts the shipped ones where an office can edit them; ``vorlagen pruefen``
checks every template against an example Vorgang."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..ablage import Ablage
from ..antwort import vorlagen
from ..fileio import atomic_write_bytes
from .context import Context

if TYPE_CHECKING:
    from ..antwort.pruefen import Report


def pruefen(ctx: Context) -> Report:
    """Every template (shipped and own) rendered with an example Vorgang, dated by the clock: its problems."""
    from ..antwort.pruefen import check_all  # docxtpl and jinja2: loaded only when needed

    return check_all(ctx.store.ablage, ctx.clock().date())


@dataclass
class CopyResult:
    target: Path
    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already there (the office's own version stays)


def copy_templates(ablage: Ablage) -> CopyResult:
    """Copy every shipped template into the Ablage's ``Vorlagen`` folder; never overwrite one.

    A file that exists under the same name (compared as Windows does, ignoring case) is kept: it is the
    office's own version (letterhead, signature) and wins over the shipped one anyway.
    """
    target = ablage.vorlagen_dir
    target.mkdir(parents=True, exist_ok=True)
    result = CopyResult(target)
    present = {p.name.casefold() for p in target.iterdir()}
    for source in sorted(vorlagen.shipped_dir().iterdir()):
        if vorlagen.split_name(source.name) is None:
            continue
        if source.name.casefold() in present:
            result.kept.append(source.name)
            continue
        try:
            atomic_write_bytes(target / source.name, source.read_bytes(), overwrite=False)
        except FileExistsError:  # someone saved one of that name just now: theirs stays
            result.kept.append(source.name)
            continue
        result.copied.append(source.name)
    return result
