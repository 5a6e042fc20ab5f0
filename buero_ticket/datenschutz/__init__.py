"""Datenschutz and records management: persons, Art. 15 access, erasure, restriction, retention and the
archive offer (xdomea). The changes to Vorgänge are operations (``operations/datenschutz.py``); the files
inside a Vorgang are written and removed by the store only."""
