"""The jinja2 sandbox for templates, bounded in what it may reach, compute, write and how long it may take.

Templates are written by office staff; a slip (a macro that calls itself, a huge ``range``, a
``{% include %}`` of a path) must end as a German message naming the template and line, never as
a crash or a hang of ``mail abrufen``. The bounds:

* **No other files:** the environment's loader refuses every name, so ``include``, ``import``,
  ``from … import`` and ``extends`` end as :class:`EinbindenVerboten`.
* **Arithmetic:** ``**`` and ``*`` are intercepted (which also stops jinja from folding them at
  compile time): a power whose result would exceed :data:`MAX_INT_BITS` bits, and a text or list
  repeated beyond :data:`MAX_OUTPUT_CHARS`, are refused. ``range`` is capped by jinja's sandbox
  (100,000 numbers).
* **Output:** at most :data:`MAX_OUTPUT_CHARS` characters (checked while the text is produced).
* **Time:** :func:`time_bound` gives a render :data:`MAX_RENDER_S` seconds. Every call in the
  template checks the deadline; a loop that calls nothing is stopped by a watchdog timer that raises
  :class:`ZuLange` in the rendering thread (``PyThreadState_SetAsyncExc``; Python loops see it at
  the next bytecode, and the sandbox keeps single C operations small, see above).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from jinja2 import BaseLoader, Environment, Template
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import BueroTicketError

MAX_RENDER_S = 10.0
MAX_OUTPUT_CHARS = 2_000_000
MAX_INT_BITS = 100_000


class EinbindenVerboten(BueroTicketError):
    """``include``/``import``/``extends``: templates must not read other files."""

    beschreibung = "Die Vorlage will eine andere Datei einbinden; das dürfen Vorlagen nicht."


class Grenze(BueroTicketError):
    """A computation or the output exceeds the sandbox's bounds (German text)."""

    beschreibung = "Die Vorlage rechnet oder schreibt mehr, als eine Vorlage darf."


class ZuLange(BueroTicketError):
    """The render ran out of time (raised by the deadline check or the watchdog)."""

    beschreibung = "Die Vorlage braucht zu lange."


class _NoFiles(BaseLoader):
    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        raise EinbindenVerboten(
            f"Vorlagen dürfen keine anderen Dateien einbinden ({{% include %}}, {{% import %}}, {{% extends %}}): "
            f"„{template}“"
        )


class Sandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with the bounds of this module."""

    intercepted_binops = frozenset({"**", "*"})

    def __init__(self, **options: Any) -> None:
        super().__init__(loader=_NoFiles(), **options)
        self.deadline = time.monotonic() + limit_s()

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > __self.deadline:
            raise ZuLange()
        return super().call(__context, __obj, *args, **kwargs)


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_power(base: Any, exponent: Any) -> None:
    ints = isinstance(base, int) and isinstance(exponent, int)
    if ints and abs(base) > 1 and exponent > 0 and exponent * _bits(base) > MAX_INT_BITS:
        raise Grenze(f"Rechnung zu groß: {base} hoch {_short(exponent)} (Potenz)")


def _check_product(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_OUTPUT_CHARS:
            raise Grenze(f"Text oder Liste zu oft wiederholt ({_short(times)}-mal)")
    if isinstance(left, int) and isinstance(right, int) and _bits(left) + _bits(right) > MAX_INT_BITS:
        raise Grenze("Rechnung zu groß (Multiplikation)")


def _short(number: int) -> str:
    text = str(number) if _bits(number) < 200 else "…"
    return text if len(text) <= 20 else text[:17] + "…"


def render_bounded(template: Template, context: dict[str, Any]) -> str:
    """``template`` rendered, at most :data:`MAX_OUTPUT_CHARS` characters (checked while it is produced)."""
    return join_bounded(template.generate(context))


def join_bounded(chunks: Iterable[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise Grenze(f"Die Vorlage erzeugt zu viel Text (mehr als {MAX_OUTPUT_CHARS:,} Zeichen)".replace(",", "."))
        out.append(chunk)
    return "".join(out)


def limit_s() -> float:
    """The time a render may take (read at each render, so a test can shorten it)."""
    return MAX_RENDER_S


@contextmanager
def time_bound(seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`ZuLange` in this thread if the block runs longer than ``seconds`` (default :func:`limit_s`)."""
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if state["done"]:
                return
            state["fired"] = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(ZuLange))

    # A little later than the sandbox's own deadline, which (checked at every call) names the line exactly.
    timer = threading.Timer((seconds if seconds is not None else limit_s()) * 1.2 + 0.5, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
        timer.cancel()
        if state["fired"]:  # not yet delivered: withdraw it, it must not hit unrelated code later
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
