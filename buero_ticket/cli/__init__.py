"""Command line: German commands, thin wrappers around the library.

``main`` is the one translator from domain errors to German messages and exit
codes; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from .. import __version__, lokal
from ..ablage import Ablage, find_ablage
from ..errors import Exit, translate
from ..history import current_user
from ..index import Index, cache_dir
from ..operations.context import Context
from ..personen import unknown_login_hint
from ..register import update as register_update
from ..store import Store
from .befehle import LazyGroup
from .klick_deutsch import install as install_german_click
from .terminal import with_safe_output

install_german_click()


class _NeverRaised(click.ClickException):
    """Stands in for click's NoArgsIsHelpError on click versions before 8.2."""


CONTEXT = {"help_option_names": ["-h", "--hilfe", "--help"], "max_content_width": 100}


class App:
    """What a command needs, opened lazily (init and demo need no Ablage)."""

    def __init__(self, ablage_option: str | None) -> None:
        self.ablage_option = ablage_option
        self._ablage: Ablage | None = None
        self._store: Store | None = None
        self._index: Index | None = None
        self._ctx: Context | None = None

    @property
    def ablage(self) -> Ablage:
        if self._ablage is None:
            ablage = find_ablage(self.ablage_option, os.environ, Path.cwd())
            lokal.pruefen(ablage.root)  # no SQLite and no log on the share
            self._ablage = ablage
        return self._ablage

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.ablage)
        return self._store

    @property
    def ctx(self) -> Context:
        """Store, clock, settings and user for the operations (``operations.vorgang.assign(app.ctx, …)``)."""
        if self._ctx is None:
            self._ctx = Context.of(self.store)
        return self._ctx

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.store)
        return self._index

    def sync(self, *, reconcile: bool = True, light: bool = False, named: str = "") -> Index:
        """Refresh the cache from the folders (every command does this).

        A Vorgang moved by hand in Explorer is recorded in its history by the store (``reconcile``);
        read-only commands (``liste``, ``zeige``) only mention it and leave the recording to the next
        command that changes something. ``light``: the command works on one Vorgang (``named``, its
        Aktenzeichen as typed; checked in full): changed status folders are only listed, see ``Index.refresh``.
        """
        names = [named] if named else []
        with _ProgressBar() as progress:
            if reconcile:
                result = self.index.sync(light=light, named=names, progress=progress)
            else:
                result = self.index.refresh(light=light, named=names, progress=progress)
        hint = unknown_login_hint(self.ablage.config, current_user(), cache_dir())
        if hint:
            click.echo(hint, err=True)
        if result.cache_neu_aufgebaut:
            click.echo(
                "Hinweis: Der lokale Zwischenspeicher (Cache) war beschädigt und wurde aus den Vorgangsordnern "
                "neu aufgebaut. Es ist nichts verloren.",
                err=True,
            )
        for vorgang in result.manuell_verschoben:
            click.echo(
                f"Hinweis: Vorgang {vorgang.aktenzeichen} wurde von Hand nach „{vorgang.status.label}“ "
                "verschoben; im Verlauf vermerkt.",
                err=True,
            )
        if not reconcile:
            for found in result.abweichungen:
                click.echo(
                    f"Hinweis: {found.ordner.name} wurde von Hand verschoben (liegt jetzt in „{found.status.label}“); "
                    "das nächste Programm, das etwas ändert, vermerkt es im Verlauf.",
                    err=True,
                )
        return self.index

    def after_change(self, *, interactive: bool = False) -> None:
        """After a saved change: refresh the Excel register once (see register_update).

        The change is saved already, so nothing here may turn the command into a failure (a retry
        would repeat the change): any problem is a warning and the exit code stays 0.
        Only a register written here needs the cache refreshed here; the background writer
        refreshes it itself, and the next command picks up the change anyway.
        """
        try:
            mode = register_update.mode(self.ablage)
            if mode == "aus":
                return
            if interactive and mode == "hintergrund":
                register_update.start_background(self.ablage)
                return
            index = self.sync()
            result = register_update.rewrite(self.ablage, index)
        except Exception as exc:
            warn_saved("Das Register wurde nicht aktualisiert", exc, "buero-ticket register")
            return
        if result is not None and result.is_side_file:
            click.echo(f"Hinweis: {result.message}", err=True)


class _ProgressBar:
    """A progress bar on stderr for a cold start (empty cache on a new PC), shown only when needed."""

    def __init__(
        self, label: str = "Erster Start auf diesem PC: Vorgänge werden in den lokalen Zwischenspeicher gelesen"
    ) -> None:
        self._bar: Any = None
        self._listing = False
        self._label = label

    def __enter__(self) -> _ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if total == 0:  # the folders are still being listed (on a share, 100,000 of them take a while)
            if not self._listing:
                click.echo(
                    "Erster Start auf diesem PC: Die Vorgangsordner in der Ablage werden aufgelistet …", err=True
                )
                self._listing = True
            return
        if self._bar is None:
            self._bar = click.progressbar(
                length=total,
                label=self._label,
                file=sys.stderr,
            )
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def warn_saved(what: str, exc: BaseException, retry: str = "") -> None:
    """A problem after a change was saved: a warning (translated), never an error exit."""
    meldung = translate(exc)
    click.echo(f"Warnung: Ihre Änderung ist gespeichert. {what}: {meldung.text}", err=True)
    then = f" und rufen Sie danach '{retry}' auf" if retry else ""
    click.echo(
        f"Was tun: Beheben Sie die Ursache{then}. Den Befehl selbst nicht wiederholen – die Änderung ist schon "
        "gespeichert.",
        err=True,
    )


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.option(
    "--ablage",
    metavar="ORDNER",
    help="Ablage (Hauptordner auf dem Laufwerk). Sonst Umgebungsvariable BUERO_TICKET_ABLAGE oder der aktuelle Ordner.",
)
@click.option("--debug", is_flag=True, help="Bei Fehlern die technische Fehlermeldung (Traceback) zeigen.")
@click.version_option(
    __version__, "--version", message="buero-ticket %(version)s", help="Programmversion zeigen und beenden."
)
@click.pass_context
def cli(ctx: click.Context, ablage: str | None, debug: bool) -> None:
    """buero-ticket: Vorgänge (Anliegen von Bürgerinnen und Bürgern) auf dem Netzlaufwerk verwalten.

    \b
    Beispiele:
      buero-ticket init "S:\\Bürgerbüro"
      buero-ticket neu --kanal telefon --betreff "Sperrmüll Termin" --von "Erika Muster"
      buero-ticket liste
    """
    ctx.obj = App(ablage)
    ctx.meta["debug"] = debug


_NO_ARGS_IS_HELP: type[click.ClickException] = getattr(click.exceptions, "NoArgsIsHelpError", _NeverRaised)


def usage_hint(exc: click.ClickException, args: list[str]) -> str:
    """What to do after a usage error: the help of the command that was meant."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None and ctx.parent is not None else _command_path(args)
    if path == "buero-ticket":
        return "'buero-ticket --hilfe' zeigt alle Befehle, z. B. 'buero-ticket liste --hilfe' die Bedienung von liste."
    return f"'{path} --hilfe' zeigt die Bedienung mit Beispiel."


def _command_path(args: list[str]) -> str:
    """``buero-ticket mail einlesen`` from the command line (click gives some errors no context)."""
    names, skip = ["buero-ticket"], False
    command: click.Command = cli
    for token in args:
        if skip or token.startswith("-"):
            skip = token == "--ablage"
            continue
        sub = command.get_command(click.Context(command), token) if isinstance(command, click.Group) else None
        if sub is None:
            break
        names.append(token)
        command = sub
    return " ".join(names)


@with_safe_output  # no control or escape sequence from mail data reaches the terminal
def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and translate errors into German messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="buero-ticket", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Abgebrochen.", err=True)
        sys.exit(Exit.PROBLEME)
    except _NO_ARGS_IS_HELP as exc:  # a group called without its sub-command: show its help
        click.echo(exc.format_message(), err=True)
        sys.exit(Exit.BEDIENUNG)
    except click.ClickException as exc:
        click.echo(f"Fehler: {' '.join(exc.format_message().split())}", err=True)  # German: see klick_deutsch
        click.echo(f"Was tun: {usage_hint(exc, args)}", err=True)
        sys.exit(Exit.BEDIENUNG)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Abgebrochen.", err=True)
        sys.exit(Exit.PROBLEME)
    except Exception as exc:  # the one translator: every exception becomes a German message and exit code
        meldung = translate(exc)
        if debug:
            traceback.print_exc()
        for line in meldung.lines():
            click.echo(line, err=True)
        sys.exit(meldung.exit_code)
    sys.exit(code if isinstance(code, int) else Exit.OK)
