"""Terminal output that mail data cannot take over.

Sender names, subjects and file names come from outside. Printed as they are, an
escape sequence in a sender name (``ESC ] 0 ; … BEL`` sets the window title, OSC 8
makes links, CSI sequences move the cursor or clear the screen) or a bidi control
(U+202E shows ``rechnung‮fdp.exe`` as ``rechnungexe.pdf``) would act on the clerk's
terminal. :func:`terminal_text` is the one function that removes them, and
:func:`safe_output` applies it to everything the command line writes to stdout and
stderr while a command runs (``click.echo``, progress bars, warnings), so no
single ``echo`` can forget it.

Kept: line feed, tab and carriage return (progress bars redraw their line with it).
Removed: every other C0 control (ESC, BEL, backspace …), DEL, the C1 controls
U+0080–U+009F (U+009B is a one-character CSI on some terminals) and all Unicode
format characters (category Cf: bidi controls, zero-width characters).
"""

from __future__ import annotations

import functools
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TextIO, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_KEEP = {"\n", "\t", "\r"}
_REMOVE = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in _KEEP}


def _is_unsafe(ch: str) -> bool:
    return ch in _REMOVE or (ch >= "\u00ad" and unicodedata.category(ch) == "Cf")


# Everything but printable ASCII and the kept controls: only these runs are looked at character by character
# (``liste --alle --json`` writes megabytes through here).
_SUSPECT_RUN = re.compile(r"[^\x20-\x7e\n\t\r]+")


def _clean_run(match: re.Match[str]) -> str:
    run = match.group()
    if run.isprintable():  # umlauts and other letters: no control, no format character
        return run
    return "".join(ch for ch in run if not _is_unsafe(ch))


def terminal_text(text: str) -> str:
    """``text`` without control characters, escape sequences' introducers and format characters."""
    if text.isascii() and text.isprintable():
        return text
    if text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return text  # umlauts, typographic quotes …: every control and format character is non-printable
    return _SUSPECT_RUN.sub(_clean_run, text)


class _SafeStream(io.TextIOBase):
    """A text stream that passes everything through :func:`terminal_text` to the stream it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    def write(self, text: str) -> int:
        self.inner.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    def writable(self) -> bool:
        return True


@contextmanager
def safe_output() -> Iterator[None]:
    """While the block runs, stdout and stderr only ever receive :func:`terminal_text`."""
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(old_out), _SafeStream(old_err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = old_out, old_err


def with_safe_output(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for the entry point: the whole command runs inside :func:`safe_output`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with safe_output():
            return func(*args, **kwargs)

    return wrapper
