"""Commands ``anruf`` and ``schalter``: a request at first contact, answered directly if possible.

Interactive for a new colleague (every prompt says what to type), or entirely with options for
scripts and tests: ``--anliegen`` and ``--ergebnis`` given means no question is asked.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import EingabeFehler
from ..models import Kanal
from ..operations import erstkontakt
from ..wissen.artikel import Artikel
from ..wissen.vorschlag import Vorschlag
from . import App, cli
from .ausgabe import echo_json, vorgang_json
from .wissen_cmds import KEIN_ARTIKEL, echo_keine_artikel, echo_kleine_basis

ERGEBNISSE = ("direkt", "rueckruf", "fachabteilung")


def _show(app: App, vorschlaege: list[Vorschlag], artikel: int) -> None:
    click.echo("")
    if not artikel:
        echo_keine_artikel(app)
        return
    if not any(v.sicher for v in vorschlaege):
        click.echo(f"Wissen: {KEIN_ARTIKEL} – vermutlich nicht direkt zu beantworten.")
    if not vorschlaege:
        return
    click.echo("Passende Artikel aus dem Wissen:")
    for v in vorschlaege:
        short = " ".join(v.artikel.kurzinfo.split())
        mark = "sicher" if v.sicher else "unsicher"
        click.echo(f"  [{v.rang}] {v.artikel.titel} ({mark}) – {v.grund}")  # why: judge an unsure one
        click.echo(f"      {short[:400]}{' …' if len(short) > 400 else ''}")
    if not any(v.sicher for v in vorschlaege):
        echo_kleine_basis(app, artikel)  # why nothing is sure in a base of a few articles


def _frage(text: str, befehl: str) -> str:
    """One question of the dialogue. Input that ends before the questions do (a script without a terminal)
    is told how to give everything as options; Strg+C at a terminal still just stops."""
    try:
        return str(click.prompt(text, default="", show_default=False))
    except click.Abort:
        if sys.stdin.isatty():
            raise
        raise EingabeFehler(
            "Die Eingabe endete, bevor alle Fragen beantwortet waren; es wurde kein Vorgang angelegt.",
            f'Ohne Fragen (für Skripte) --anliegen "…" und --ergebnis direkt, rueckruf oder fachabteilung angeben, '
            f'z. B. buero-ticket {befehl} --anliegen "Perso abgelaufen, was tun?" --ergebnis rueckruf',
        ) from None


def _ask_choice(vorschlaege: list[Vorschlag], stellen: dict[str, Any], befehl: str) -> tuple[str, Artikel | None]:
    numbers = [str(v.rang) for v in vorschlaege]
    lines = ["", "Wie geht es weiter? Tippen Sie:"]
    if numbers:
        lines.append(f"  {', '.join(numbers)}  = direkt beantwortet mit diesem Artikel")
    lines += ["  d  = direkt beantwortet, ohne Artikel", "  r  = Rückruf nötig / in die Liste"]
    allowed = [*numbers, "d", "r"]
    if stellen:
        lines.append("  f  = an Fachabteilung weitergeben")
        allowed.append("f")
    click.echo("\n".join(lines))
    while True:
        answer = _frage("Ihre Wahl", befehl).strip().lower()
        if answer in numbers:
            return "direkt", vorschlaege[int(answer) - 1].artikel
        if answer == "d":
            return "direkt", None
        if answer == "r":
            return "rueckruf", None
        if answer == "f" and "f" in allowed:
            return "fachabteilung", None
        click.echo(f"Bitte eines davon tippen: {', '.join(allowed)}")


def _run(
    app: App,
    kanal: Kanal,
    von: str | None,
    kontakt: str | None,
    anliegen: str | None,
    betreff: str | None,
    ergebnis: str | None,
    artikel_name: str | None,
    stelle: str,
    as_json: bool,
) -> None:
    interactive = anliegen is None or ergebnis is None
    befehl = "anruf" if kanal is Kanal.TELEFON else "schalter"
    wer = "Anrufer" if kanal is Kanal.TELEFON else "Bürger"
    if interactive:
        click.echo(
            f"Neues Anliegen ({kanal.label}). Name und Kontakt kann man mit Enter überspringen, das Anliegen nicht."
        )
    if von is None:
        von = _frage(f"Name der {wer}in / des {wer}s (Enter: ohne Namen)", befehl) if interactive else ""
    if kontakt is None:
        kontakt = _frage("Telefon oder E-Mail für Rückfragen (Enter: keine)", befehl) if interactive else ""
    while not (anliegen or "").strip():
        if not interactive:
            raise EingabeFehler("Das Anliegen fehlt.", 'Geben Sie --anliegen "…" an (ein, zwei Sätze).')
        if anliegen is not None:  # asked and left empty
            click.echo(
                "Ohne Anliegen lässt sich kein Vorgang anlegen: bitte in ein, zwei Sätzen eintippen (Strg+C bricht ab)."
            )
        anliegen = _frage("Worum geht es? Das Anliegen in ein, zwei Sätzen", befehl)
    assert anliegen is not None
    nachschlag = erstkontakt.nachschlagen(app.ctx, anliegen, betreff or "")
    vorschlaege = nachschlag.vorschlaege
    artikel: Artikel | None = None
    if interactive:
        _show(app, vorschlaege, len(nachschlag.basis.docs))
        if ergebnis is None:
            ergebnis, artikel = _ask_choice(vorschlaege, erstkontakt.stellen(app.ctx), befehl)
            if ergebnis == "fachabteilung" and not stelle:
                stelle = _ask_stelle(erstkontakt.stellen(app.ctx), befehl)
    if artikel_name:
        artikel = erstkontakt.artikel_waehlen(app.ctx, artikel_name, nachschlag)
    if ergebnis == "fachabteilung" and not erstkontakt.stellen(app.ctx):
        raise EingabeFehler(
            "„an Fachabteilung“ geht erst, wenn in buero-ticket.toml Stellen eingetragen sind ([stellen.KURZNAME]).",
            "Wählen Sie --ergebnis rueckruf (der Vorgang kommt in die Liste) oder tragen Sie die Stellen ein.",
        )
    if ergebnis == "fachabteilung" and not stelle:
        raise EingabeFehler(
            "Für „an Fachabteilung“ fehlt die Stelle.", "Geben Sie --stelle KURZNAME an ('buero-ticket stellen')."
        )
    item = erstkontakt.anliegen(app.ctx, kanal, anliegen, von=von or "", kontakt=kontakt or "", betreff=betreff or "")
    app.sync()
    assert ergebnis is not None
    vorgang = erstkontakt.erfassen(app.ctx, item, erstkontakt.Ausgang(ergebnis), artikel, stelle)
    app.after_change(interactive=True)
    if as_json:
        data: dict[str, Any] = {
            **vorgang_json(vorgang),
            "erstkontakt_geloest": vorgang.erstkontakt_geloest,
            "wissen": vorgang.wissen or None,
        }
        echo_json(data)
        return
    if vorgang.erstkontakt_geloest:
        mit = f" mit „{artikel.titel}“" if artikel else ""
        click.echo(f"Vorgang {vorgang.aktenzeichen} direkt beantwortet{mit} und erledigt: {vorgang.ordner}")
    else:
        click.echo(f"Vorgang {vorgang.aktenzeichen} angelegt, steht in der Liste: {vorgang.ordner}")
        click.echo("Was tun: zurückrufen; 'buero-ticket zeige " + vorgang.aktenzeichen + "' zeigt alles dazu.")


def _ask_stelle(stellen: dict[str, Any], befehl: str) -> str:
    listing = ", ".join(f"{key} ({s.name})" for key, s in stellen.items())
    click.echo(f"Stellen: {listing}")
    while True:
        answer = _frage("An welche Stelle? Kurzname eintippen", befehl).strip().lower()
        if answer in stellen:
            return answer
        click.echo(f"Bitte einen dieser Kurznamen tippen: {', '.join(stellen)}")


def _options(func: Any) -> Any:
    for option in reversed(
        [
            click.option("--von", default=None, help="Name der Bürgerin / des Bürgers."),
            click.option("--kontakt", default=None, help="Telefonnummer oder E-Mail-Adresse für Rückfragen."),
            click.option("--anliegen", default=None, help="Das Anliegen in ein, zwei Sätzen."),
            click.option("--betreff", default=None, help="Betreff (ohne Angabe: der erste Satz des Anliegens)."),
            click.option(
                "--ergebnis",
                type=click.Choice(ERGEBNISSE, case_sensitive=False),
                default=None,
                help="direkt (beantwortet), rueckruf (in die Liste) oder fachabteilung (mit --stelle).",
            ),
            click.option(
                "--artikel",
                "artikel_name",
                default=None,
                metavar="ARTIKEL",
                help="Artikel, mit dem beantwortet wurde: Nummer 1–3 der Vorschläge, Dateiname oder Titel.",
            ),
            click.option("--stelle", default="", help="Fachabteilung (bei --ergebnis fachabteilung)."),
            click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben."),
        ]
    ):
        func = option(func)
    return func


@cli.command("anruf")
@_options
@click.pass_obj
def anruf(app: App, **kw: Any) -> None:
    """Anruf aufnehmen: Anliegen erfassen, Antwort im Wissen nachsehen, direkt beantworten oder in die Liste.

    Ohne Optionen fragt das Programm Schritt für Schritt und zeigt die drei passendsten Artikel mit
    Kurzinfo. Direkt beantwortet: der Vorgang ist sofort „Erledigt“ (beim ersten Kontakt gelöst).

    \b
    Beispiele:
      buero-ticket anruf
      buero-ticket anruf --von "Erika Muster" --kontakt "0123 456789" \\
                         --anliegen "Perso abgelaufen, was tun?" --ergebnis direkt --artikel 1
    """
    _run(app, Kanal.TELEFON, **kw)


@cli.command("schalter")
@_options
@click.pass_obj
def schalter(app: App, **kw: Any) -> None:
    """Anliegen am Schalter aufnehmen (wie 'anruf', Kanal persönlich).

    \b
    Beispiele:
      buero-ticket schalter
      buero-ticket schalter --anliegen "Fundsache abgeben: Geldbörse" --ergebnis direkt --artikel Fundbüro
    """
    _run(app, Kanal.PERSOENLICH, **kw)
