"""German help pages: click's own headings and help-option text, translated.

Click ships no German catalogue, so the few words it writes itself ("Usage", "Options",
"Commands", "Show this message and exit.") are replaced here; every command and group of the
CLI uses these classes.
"""

from __future__ import annotations

from typing import Any

import click

HEADINGS = {"Options": "Optionen", "Commands": "Befehle", "Arguments": "Argumente"}
HELP_TEXT = "Diese Hilfe zeigen und beenden."


EXTRAS = {"[required]": "[Pflichtangabe]"}
METAVARS = {" INTEGER": " ZAHL", " FLOAT": " ZAHL", " PATH": " PFAD", " FILENAME": " DATEI", " FILE": " DATEI"}


class GermanHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Aufruf: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        translated = []
        for term, text in rows:
            for english, german in EXTRAS.items():
                text = text.replace(english, german)
            for english, german in METAVARS.items():
                term = term.replace(english, german)
            translated.append((term, text))
        super().write_dl(translated, col_max, col_spacing)


class GermanContext(click.Context):
    formatter_class = GermanHelpFormatter


def _german_help_option(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = HELP_TEXT
    return option


class GermanCommand(click.Command):
    context_class = GermanContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _german_help_option(super().get_help_option(ctx))


class GermanGroup(click.Group):
    context_class = GermanContext
    command_class = GermanCommand
    group_class = type  # subgroups are German groups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        kwargs.setdefault("subcommand_metavar", "BEFEHL [ARGUMENTE]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _german_help_option(super().get_help_option(ctx))
