"""The markers after a Vorgang's subject, the same in `liste` and in the register."""

from __future__ import annotations

from datetime import date

from .models import Vorgang


def merker(v: Vorgang, heute: date) -> str:
    """Markers after the subject: new message, Wiedervorlage due, at a Stelle."""
    marks = []
    if v.neue_nachricht is not None:
        marks.append("[neue Nachricht]")
    if v.status.is_open and v.wiedervorlage is not None and v.wiedervorlage <= heute:
        grund = f": {v.wiedervorlage_grund}" if v.wiedervorlage_grund else ""
        marks.append(f"[Wiedervorlage {v.wiedervorlage:%d.%m.}{grund}]")
    if v.bei_stelle:
        marks.append("[bei " + ", ".join(v.bei_stelle) + "]")
    return " ".join(marks)
