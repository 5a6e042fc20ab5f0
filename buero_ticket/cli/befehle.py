"""Which module holds which command, so a command imports only what it needs.

Starting ``buero-ticket zeige`` must not load the mail import, the reports or XlsxWriter. The top-level
group looks a command up in :data:`MODULES` and imports just that module (which registers its commands
on the group). The help page and any name not in the table import every command module, so a command
missing here is slower to start but never hidden; a test keeps the table complete.
"""

from __future__ import annotations

from importlib import import_module

import click

from .hilfe import GermanGroup

#: command name -> module in buero_ticket.cli that defines it
MODULES = {
    "init": "ablage_cmds",
    "info": "ablage_cmds",
    "pruefen": "ablage_cmds",
    "demo": "ablage_cmds",
    "aendern": "aendern_cmds",
    "anruf": "anruf_cmds",
    "schalter": "anruf_cmds",
    "brief": "antwort_cmds",
    "antworten": "antwort_cmds",
    "vorlagen": "antwort_cmds",
    "bericht": "bericht_cmds",
    "person": "datenschutz_cmds",
    "auskunft": "datenschutz_cmds",
    "sperren": "datenschutz_cmds",
    "entsperren": "datenschutz_cmds",
    "loeschen": "datenschutz_cmds",
    "loeschprotokoll": "datenschutz_cmds",
    "aussondern": "datenschutz_cmds",
    "beobachten": "einwurf_cmds",
    "erinnern": "erinnern_cmds",
    "frist": "fristen_cmds",
    "wiedervorlage": "fristen_cmds",
    "mail": "mail_cmds",
    "passwort": "passwort_cmds",
    "register": "register_cmds",
    "suche": "suche_cmds",
    "neu": "vorgang_cmds",
    "liste": "vorgang_cmds",
    "zeige": "vorgang_cmds",
    "status": "vorgang_cmds",
    "zuweisen": "vorgang_cmds",
    "notiz": "vorgang_cmds",
    "stellen": "weiterleiten_cmds",
    "weiterleiten": "weiterleiten_cmds",
    "zurueck": "weiterleiten_cmds",
    "wissen": "wissen_cmds",
}
#: every command module (the help page lists the commands of all of them)
ALL_MODULES = tuple(sorted(set(MODULES.values())))


def load(module: str) -> None:
    import_module(f"{__package__}.{module}")


def load_all() -> None:
    for module in ALL_MODULES:
        load(module)


class LazyGroup(GermanGroup):
    """The top-level group: imports a command's module when the command is first asked for."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = MODULES.get(cmd_name)
            if module is not None:
                load(module)
            if cmd_name not in self.commands:
                load_all()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_all()
        return super().list_commands(ctx)
