"""The operations layer: every change to a Vorgang is a named operation here.

cli → operations → store → files. Each operation is a plain function that takes the store, the clock and the
typed settings and returns a result; commands, the intake pipeline and the demo call the same operations.
One module per area (e.g. ``vorgang.py``, ``fristen.py``, ``wissen.py``).
"""
