"""The Excel register: an overview of all Vorgänge, rebuilt from the folders (a view, never read back).

- ``columns``: the columns of the list sheets, one entry each (add a column there).
- ``cells``: safe, formatted cells (no formulas from outside text, German date formats, links).
- ``stats``: the "Statistik" sheet (figures from ``buero_ticket.berichte``) and its two chart sheets.
- ``workbook``: writing a register (XlsxWriter, A4 printing) and a closed year's workbook.
- ``publish``: putting a written workbook in place, or beside it when the old one is open in Excel.
- ``update``: when and what to rewrite (once per run, only the workbooks whose Vorgänge changed).

Importing this package is cheap; XlsxWriter is loaded only when a workbook is written.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "write_register": "workbook",
    "write_year_register": "workbook",
    "REGISTER_NAME": "workbook",
    "RegisterResult": "publish",
    "RegisterLockedError": "publish",
    "side_file_for": "publish",
    "COLUMNS": "columns",
    "Column": "columns",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
