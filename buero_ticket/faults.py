"""Named crash points at the real write points, for the ``kill -9`` tests.

``BUERO_TICKET_TESTFEHLER=<point>`` (or ``<point>@<n>``: the n-th time) makes the process write the
point's name to the file named by ``BUERO_TICKET_TESTFEHLER_MARKE`` and then kill itself with SIGKILL
when it reaches that point — exactly what a power cut or ``kill -9`` there would leave behind. The
tests assert from the mark file that the kill landed where they meant it. Never set in production;
without the variable a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "BUERO_TICKET_TESTFEHLER"
ENV_MARK = "BUERO_TICKET_TESTFEHLER_MARKE"
_counts: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    wanted, _, nth = spec.partition("@")
    if wanted != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] != int(nth or 1):
        return
    mark = os.environ.get(ENV_MARK)
    if mark:
        with open(mark, "w", encoding="utf-8") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
