"""Commands for persons, Datenschutz and Aussonderung: person, auskunft, loeschen, loeschprotokoll,
sperren, entsperren, aussondern."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from ..datenschutz.fundstellen import FundArt
from ..datenschutz.loeschen import Loeschplan
from ..datenschutz.personen import Person
from ..datum import parse_datum
from ..errors import EingabeFehler
from ..models import Vorgang
from ..operations import datenschutz as ops
from . import App, cli
from .ausgabe import echo_json
from .hilfe import GermanGroup


class DefaultGroup(GermanGroup):
    """A group whose first argument, if it is no subcommand, goes to ``default_command``."""

    default_command = ""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--hilfe", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


class PersonGroup(DefaultGroup):
    default_command = "suchen"


class AuskunftGroup(DefaultGroup):
    default_command = "erstellen"


def _alle(app: App) -> list[Vorgang]:
    index = app.sync()
    index.gesperrte_zeigen = True  # Datenschutz sees restricted Vorgänge too (access, erasure, retention)
    return list(index.alle())


def _eine_person(app: App, suche: str) -> Person:
    return ops.eine_person(_alle(app), suche)


def _vorgang_zeile(v: Vorgang) -> str:
    gesperrt = "  [gesperrt]" if v.gesperrt else ""
    return f"  {v.aktenzeichen:<16} {v.eingang:%d.%m.%Y}  {v.status.label:<16} {v.betreff}{gesperrt}"


# --- person ----------------------------------------------------------------------------------


@cli.group("person", cls=PersonGroup, invoke_without_command=False)
def person() -> None:
    """Vorgänge einer Person finden, zwei Personen zusammenführen oder wieder trennen.

    \b
    Beispiele:
      buero-ticket person mueller@example.org
      buero-ticket person "0731 12345"
      buero-ticket person Müller
      buero-ticket person zusammenfuehren erika@example.org erika.m@web.de
    """


@person.command("suchen")
@click.argument("suche")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def person_suchen(app: App, suche: str, as_json: bool) -> None:
    """Alle Vorgänge der passenden Person(en), neueste zuerst (SUCHE: E-Mail, Telefon oder Name).

    \b
    Beispiel:
      buero-ticket person suchen "0731 12345"
    """
    found = ops.personen_finden(_alle(app), suche)
    if as_json:
        echo_json(
            [
                {
                    "namen": p.namen,
                    "emails": p.emails,
                    "telefone": p.telefone,
                    "vorgaenge": [
                        {
                            "aktenzeichen": v.aktenzeichen,
                            "betreff": v.betreff,
                            "status": v.status.value,
                            "eingang": v.eingang.isoformat(),
                        }
                        for v in p.vorgaenge
                    ],
                }
                for p in found
            ]
        )
        return
    if not found:
        click.echo(f"Keine Person zu „{suche}“ gefunden. Suchen Sie mit E-Mail-Adresse, Telefonnummer oder Namen.")
        return
    for p in found:
        kontakt = ", ".join(p.emails + p.telefone) or "ohne Kontaktangaben"
        anzahl = len(p.vorgaenge)
        click.echo(f"{p.anzeigename} ({kontakt}): {anzahl} {'Vorgang' if anzahl == 1 else 'Vorgänge'}")
        for v in p.vorgaenge:
            click.echo(_vorgang_zeile(v))


@person.command("zusammenfuehren", short_help="Zwei Personen als eine führen (rückgängig mit 'trennen').")
@click.argument("erste")
@click.argument("zweite")
@click.pass_obj
def person_zusammenfuehren(app: App, erste: str, zweite: str) -> None:
    """Zwei Personen als eine führen (z. B. eine Bürgerin mit zwei E-Mail-Adressen). Rückgängig mit
    'person trennen KENNUNG'.

    \b
    Beispiel:
      buero-ticket person zusammenfuehren erika@privat.de e.muster@arbeit.de
    """
    a, b = _eine_person(app, erste), _eine_person(app, zweite)
    if a.keys & b.keys:
        click.echo(f"„{erste}“ und „{zweite}“ sind bereits dieselbe Person.")
        return
    link = ops.personen_zusammenfuehren(app.ctx, a, b)
    app.after_change(interactive=True)
    n = len(a.vorgaenge) + len(b.vorgaenge)
    click.echo(f"Zusammengeführt: {a.anzeigename} und {b.anzeigename} ({n} Vorgänge), Kennung {link}.")
    click.echo(f"Rückgängig machen: buero-ticket person trennen {link}")


@person.command("trennen")
@click.argument("kennung")
@click.pass_obj
def person_trennen(app: App, kennung: str) -> None:
    """Eine Zusammenführung aufheben (KENNUNG steht im Verlauf und wurde beim Zusammenführen gezeigt).

    \b
    Beispiel:
      buero-ticket person trennen 3f9a1c2e
    """
    count = ops.personen_trennen(app.ctx, _alle(app), kennung)
    app.after_change(interactive=True)
    click.echo(f"Verknüpfung {kennung} in {count} {'Vorgang' if count == 1 else 'Vorgängen'} aufgehoben.")


# --- auskunft --------------------------------------------------------------------------------


@cli.group("auskunft", cls=AuskunftGroup, short_help="Auskunft nach Art. 15 DSGVO: alle Daten einer Person.")
def auskunft() -> None:
    """Auskunft nach Art. 15 DSGVO: alle Daten einer Person als Ordner und ZIP.

    \b
    Beispiele:
      buero-ticket auskunft erika@example.org --ziel "H:\\Datenschutz"
      buero-ticket auskunft verlaengern 2026-00042 --grund "Umfangreiche Akten"
    """


@auskunft.command("erstellen")
@click.argument("person_suche", metavar="PERSON")
@click.option(
    "--ziel", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="ORDNER", help="Zielordner."
)
@click.pass_obj
def auskunft_erstellen(app: App, person_suche: str, ziel: Path) -> None:
    """Alles über PERSON (E-Mail, Telefon oder Name) in einen Ordner und eine ZIP-Datei schreiben.

    \b
    Beispiel:
      buero-ticket auskunft erstellen erika@example.org --ziel "H:\\Datenschutz"
    """
    p = _eine_person(app, person_suche)
    result = ops.auskunft_erteilen(app.ctx, p, ziel)
    app.after_change(interactive=True)
    click.echo(
        f"Auskunft für {p.anzeigename}: {len(result.vorgaenge)} Vorgänge, {result.fundstellen} weitere Fundstellen."
    )
    click.echo(f"Ordner: {result.ordner}")
    click.echo(f"ZIP:    {result.zip}")
    click.echo("Bitte vor der Herausgabe prüfen, ob Angaben Dritter zu schwärzen sind (Übersicht.txt).")


@auskunft.command("verlaengern", short_help="Frist einer DSGVO-Anfrage um zwei Monate verlängern.")
@click.argument("aktenzeichen")
@click.option("--grund", required=True, help="Warum die Frist verlängert wird (wird der Person mitgeteilt).")
@click.pass_obj
def auskunft_verlaengern(app: App, aktenzeichen: str, grund: str) -> None:
    """Frist einer DSGVO-Anfrage um zwei Monate verlängern (Art. 12 Abs. 3 DSGVO).

    \b
    Beispiel:
      buero-ticket auskunft verlaengern 2026-00042 --grund "Umfangreiche Akten"
    """
    v = ops.dsgvo_frist_verlaengern(app.ctx, aktenzeichen, grund)
    app.after_change(interactive=True)
    click.echo(f"Frist von {v.aktenzeichen} verlängert bis {v.frist:%d.%m.%Y}.")
    click.echo("Teilen Sie der Person die Verlängerung und den Grund innerhalb des ersten Monats mit.")


# --- sperren ---------------------------------------------------------------------------------


@cli.command("sperren", short_help="Vorgang einschränken (Art. 18 DSGVO): schreibgeschützt.")
@click.argument("aktenzeichen")
@click.option("--grund", required=True, help="Warum (z. B. „Richtigkeit bestritten, Art. 18 Abs. 1 a“).")
@click.pass_obj
def sperren_cmd(app: App, aktenzeichen: str, grund: str) -> None:
    """Vorgang einschränken (Art. 18 DSGVO): bleibt erhalten, ist aber schreibgeschützt und in Listen,
    Suche und Vorschlägen verborgen; 'zeige' warnt.

    \b
    Beispiel:
      buero-ticket sperren 2026-00042 --grund "Richtigkeit bestritten"
    """
    v = ops.sperren(app.ctx, aktenzeichen, grund)
    app.after_change(interactive=True)
    click.echo(f"Vorgang {v.aktenzeichen} ist gesperrt. Aufheben: buero-ticket entsperren {v.aktenzeichen} --grund …")


@cli.command("entsperren", short_help="Die Sperre eines Vorgangs (Art. 18 DSGVO) aufheben.")
@click.argument("aktenzeichen")
@click.option("--grund", default="", help="Warum die Sperre endet.")
@click.pass_obj
def entsperren_cmd(app: App, aktenzeichen: str, grund: str) -> None:
    """Die Sperre eines Vorgangs (Art. 18 DSGVO) aufheben.

    \b
    Beispiel:
      buero-ticket entsperren 2026-00042 --grund "Richtigkeit geklärt"
    """
    v = ops.entsperren(app.ctx, aktenzeichen, grund)
    app.after_change(interactive=True)
    click.echo(f"Sperre von Vorgang {v.aktenzeichen} aufgehoben.")


# --- loeschen --------------------------------------------------------------------------------


def _plan(app: App, aktenzeichen: str | None, person_suche: str | None) -> Loeschplan:
    if bool(aktenzeichen) == bool(person_suche):
        raise EingabeFehler(
            "Geben Sie entweder ein Aktenzeichen oder --person an.",
            'Beispiel: buero-ticket loeschen 2026-00042 --grund "Antrag nach Art. 17 DSGVO"',
        )
    if person_suche:
        return ops.loeschplan_person(app.ctx, _eine_person(app, person_suche))
    app.sync()
    return ops.loeschplan_vorgang(app.ctx, aktenzeichen or "")


def _zeige_plan(plan: Loeschplan, ausfuehren: bool) -> None:
    verb = "Wird gelöscht" if ausfuehren else "Würde gelöscht"
    for v in plan.vorgaenge:
        click.echo(f"{verb}: Vorgang {v.aktenzeichen} „{v.betreff}“ ({v.status.label})")
    for f in plan.fundstellen:
        what = f"{len(f.zeilen)} Zeile(n) werden geschwärzt" if f.art is FundArt.PROTOKOLL else "Datei"
        click.echo(f"{verb}: {f.art} {f.pfad.name} ({what})")
    for v, grund in plan.verweigert:
        click.echo(f"Nicht gelöscht: Vorgang {v.aktenzeichen} – {grund}")
    if plan.vorgaenge:
        click.echo("\nAußerhalb der Ablage bitte selbst veranlassen:")
        for line in plan.anderswo:
            click.echo(f"  - {line}")


@cli.command("loeschen", short_help="Vorgang oder alle einer Person löschen (Art. 17 DSGVO).")
@click.argument("aktenzeichen", required=False)
@click.option("--person", "person_suche", default=None, metavar="PERSON", help="Alle Vorgänge dieser Person.")
@click.option("--grund", default="", help="Anlass der Löschung (ohne personenbezogene Daten; wird protokolliert).")
@click.option("--ausfuehren", is_flag=True, help="Wirklich löschen. Ohne diese Angabe wird nur gezeigt, was geschähe.")
@click.option("--auch-postfach", is_flag=True, help="Die E-Mails auch im Ordner „Importiert“ des Postfachs löschen.")
@click.pass_obj
def loeschen_cmd(
    app: App, aktenzeichen: str | None, person_suche: str | None, grund: str, ausfuehren: bool, auch_postfach: bool
) -> None:
    """Vorgang oder alle Vorgänge einer Person löschen (Art. 17 DSGVO), samt Kopien in Quarantäne,
    Protokollen und Importverzeichnis. Ohne --ausfuehren nur Probelauf.

    Verweigert, solange die Aufbewahrungsfrist läuft, der Vorgang offen oder gesperrt ist.

    \b
    Beispiele:
      buero-ticket loeschen 2019-00042 --grund "Antrag nach Art. 17 DSGVO"
      buero-ticket loeschen --person erika@example.org --grund "Antrag vom 01.12." --ausfuehren
    """
    plan = _plan(app, aktenzeichen, person_suche)
    if plan.leer:
        _zeige_plan(plan, ausfuehren)
        if plan.verweigert:
            raise EingabeFehler(
                "Es wurde nichts gelöscht: kein Vorgang darf jetzt gelöscht werden (Gründe oben).",
                "Nach Ablauf der Aufbewahrungsfrist erneut ausführen; vorher ggf. sperren (Art. 18).",
            )
        click.echo("Nichts zu löschen.")
        return
    if not ausfuehren:
        _zeige_plan(plan, False)
        click.echo("\nProbelauf: nichts wurde gelöscht. Zum Löschen mit --ausfuehren und --grund wiederholen.")
        return
    result = ops.loeschen(app.ctx, plan, grund, auch_postfach=auch_postfach)
    app.after_change()
    _zeige_plan(plan, True)
    click.echo(
        f"\nGelöscht: {len(result.geloescht)} Vorgänge, {result.dateien} weitere Dateien, "
        f"{result.zeilen} Protokollzeilen geschwärzt. Im Löschprotokoll vermerkt."
    )
    if result.postfach:
        click.echo(result.postfach)


@cli.command("loeschprotokoll")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def loeschprotokoll_cmd(app: App, as_json: bool) -> None:
    """Das Löschprotokoll zeigen: Aktenzeichen, Datum, Anlass, Grund, wer (ohne personenbezogene Daten).

    \b
    Beispiel:
      buero-ticket loeschprotokoll
    """
    entries = ops.loeschprotokoll(app.ablage)
    if as_json:
        echo_json(entries)
        return
    if not entries:
        click.echo("Das Löschprotokoll ist leer.")
        return
    for e in entries:
        click.echo(f"{e.get('geloescht_am', '')[:16]}  {e.get('aktenzeichen', ''):<16} {e.get('anlass', '')}: "
                   f"{e.get('grund', '')} ({e.get('benutzer', '')})")  # fmt: skip


# --- aussondern ------------------------------------------------------------------------------


@cli.group("aussondern", cls=GermanGroup)
def aussondern() -> None:
    """Aufbewahrungsfristen und Anbietung an das Archiv (xdomea 3.0).

    \b
    Beispiel (Ablauf):
      1. buero-ticket aussondern liste
      2. buero-ticket aussondern anbieten --ziel "H:\\Archiv"        (0501-XML und CSV an das Archiv)
      3. buero-ticket aussondern bewertung "H:\\Archiv\\bewertet.csv" (A/V/B des Archivs übernehmen)
      4. buero-ticket aussondern abgeben --ziel "H:\\Archiv"         (A als 0503-Paket, V wird gelöscht)
    """


def _stichtag(app: App, text: str | None) -> date:
    heute = app.ctx.clock().date()
    return parse_datum(text, heute) if text else heute


STICHTAG = click.option("--stichtag", default=None, metavar="DATUM", help="Stichtag (TT.MM.JJJJ), sonst heute.")


@aussondern.command("liste")
@STICHTAG
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def aussondern_liste(app: App, stichtag: str | None, as_json: bool) -> None:
    """Vorgänge, deren Aufbewahrungsfrist abgelaufen ist, nach Kategorie.

    \b
    Beispiel:
      buero-ticket aussondern liste --stichtag 01.01.2027
    """
    tag = _stichtag(app, stichtag)
    groups = ops.aussondern_faellig(app.ctx, _alle(app), tag)
    if as_json:
        out: dict[str, Any] = {
            k: [{"aktenzeichen": f.vorgang.aktenzeichen, "betreff": f.vorgang.betreff,
                 "aufbewahren_bis": str(f.aufbewahren_bis), "bewertung": f.vorgang.archivbewertung}
                for f in fs]
            for k, fs in groups.items()
        }  # fmt: skip
        echo_json(out)
        return
    if not groups:
        click.echo(f"Zum Stichtag {tag:%d.%m.%Y} ist keine Aufbewahrungsfrist abgelaufen.")
        return
    total = 0
    for kategorie, fs in groups.items():
        click.echo(f"{kategorie} ({len(fs)}):")
        for f in fs:
            v = f.vorgang
            bew = f"  Bewertung: {v.archivbewertung}" if v.archivbewertung else ""
            click.echo(f"  {v.aktenzeichen:<16} aufbewahren bis {f.aufbewahren_bis:%d.%m.%Y}  {v.betreff}{bew}")
        total += len(fs)
    click.echo(f"\n{total} {'Vorgang' if total == 1 else 'Vorgänge'} zur Aussonderung fällig.")


@aussondern.command("anbieten")
@click.option(
    "--ziel", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="ORDNER", help="Zielordner."
)
@STICHTAG
@click.pass_obj
def aussondern_anbieten(app: App, ziel: Path, stichtag: str | None) -> None:
    """Anbietungsverzeichnis für das Archiv schreiben (xdomea 0501 als XML und eine CSV zum Ausfüllen).

    \b
    Beispiel:
      buero-ticket aussondern anbieten --ziel "H:\\Archiv"
    """
    result = ops.aussondern_anbieten(app.ctx, _alle(app), _stichtag(app, stichtag), ziel)
    app.after_change(interactive=True)
    click.echo(f"{result.anzahl} Vorgänge dem Archiv angeboten.")
    click.echo(f"XML (xdomea 0501): {result.xml}")
    click.echo(f"CSV für die Bewertung (Spalte Bewertung: A, V oder B): {result.csv}")


@aussondern.command("bewertung")
@click.argument("datei", type=click.Path(dir_okay=False, path_type=Path), metavar="DATEI")
@click.pass_obj
def aussondern_bewertung(app: App, datei: Path) -> None:
    """Die Bewertung des Archivs (CSV mit Spalten Aktenzeichen und Bewertung A/V/B) übernehmen.

    \b
    Beispiel:
      buero-ticket aussondern bewertung "H:\\Archiv\\bewertet.csv"
    """
    app.sync()
    counts = ops.bewertung_uebernehmen(app.ctx, datei)
    app.after_change(interactive=True)
    click.echo(f"Übernommen: {counts['A']} archivieren, {counts['V']} vernichten, {counts['B']} nachbewerten.")
    click.echo("Weiter mit: buero-ticket aussondern abgeben --ziel ORDNER")


@aussondern.command("abgeben")
@click.option(
    "--ziel", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="ORDNER", help="Zielordner."
)
@click.pass_obj
def aussondern_abgeben(app: App, ziel: Path) -> None:
    """A-Vorgänge als Archivpaket (xdomea 0503) schreiben, V-Vorgänge löschen (mit Löschprotokoll).
    Ohne Bewertung des Archivs wird nichts gelöscht.

    \b
    Beispiel:
      buero-ticket aussondern abgeben --ziel "H:\\Archiv"
    """
    result = ops.aussondern_abgeben(app.ctx, _alle(app), ziel)
    app.after_change()
    if not result.archiviert and not result.vernichtet.geloescht:
        click.echo("Keine Vorgänge mit Bewertung A oder V. Erst 'buero-ticket aussondern bewertung DATEI'.")
        return
    if result.paket:
        click.echo(f"Archivpaket (xdomea 0503): {result.paket} ({len(result.archiviert)} Vorgänge)")
        click.echo("Nach der Empfangsbestätigung des Archivs können diese Vorgänge mit 'loeschen' entfernt werden.")
    click.echo(f"Vernichtet: {len(result.vernichtet.geloescht)} Vorgänge (im Löschprotokoll vermerkt).")
