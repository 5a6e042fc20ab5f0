"""A worker process of the full-text index build (started by :mod:`.aufbau`, not by a person).

Reads jobs (lists of Vorgänge as tuples of strings) from stdin and writes their prepared form to stdout,
one frame each, until stdin ends. It imports only the analysis, never the program that started it.
"""

from __future__ import annotations

import sys

from .aufbau import Auftrag, prepare_all, receive, send


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by a library may end up inside a frame
    seen: set[str] = set()  # the words reported to the main process (see aufbau.prepare)
    while (job := receive(stdin)) is not None:
        assert isinstance(job, list)
        ready = prepare_all([Auftrag(*a) for a in job], seen)
        send(stdout, [(v.blob, v.betreff_tokens, v.inhalt_tokens, v.woerter, v.hinweise) for v in ready])
