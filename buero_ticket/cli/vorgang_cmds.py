"""Commands on Vorgänge: neu, liste, zeige, status, zuweisen, notiz."""

from __future__ import annotations

from datetime import datetime

import click

from ..errors import EingabeFehler
from ..mengen import anzahl
from ..models import Absender, Dringlichkeit, Incoming, Kanal, Status, Vorgang
from ..operations import fristen
from ..operations import vorgang as ops
from ..ortszeit import office_zone
from ..personen import person_named, resolve
from . import App, cli, stichworte
from .ausgabe import (
    echo_detail,
    echo_json,
    echo_json_list,
    echo_table,
    stored_json,
    vorgang_detail_json,
    vorgang_json,
)

STATUS_CHOICE = stichworte.STATUS
KANAL_CHOICE = stichworte.KANAL
DRINGLICHKEIT_CHOICE = stichworte.DRINGLICHKEIT
STAND_OPTION = click.option(
    "--stand",
    type=int,
    default=None,
    metavar="REVISION",
    help="Nur ändern, wenn der Vorgang noch diesen Stand hat (Feld revision aus 'zeige --json').",
)


@cli.command("neu")
@click.option("--kanal", type=KANAL_CHOICE, required=True, help="Wie kam das Anliegen herein?")
@click.option("--betreff", required=True, help='Kurzer Betreff, z. B. "Sperrmüll Termin".')
@click.option("--von", "von", default="", help="Name der Bürgerin / des Bürgers.")
@click.option("--email", default="", help="E-Mail-Adresse für Antworten.")
@click.option("--telefon", default="", help="Telefonnummer für Rückrufe.")
@click.option("--anschrift", default="", help="Postanschrift.")
@click.option("--text", default="", help="Das Anliegen in eigenen Worten (Gesprächsnotiz).")
@click.option("--dringlichkeit", type=DRINGLICHKEIT_CHOICE, default="normal", help="Ohne Angabe: normal.")
@click.option("--bearbeiter", default="", help="Gleich jemandem zuweisen.")
@click.option(
    "--kategorie",
    default="",
    help='Kategorie, z. B. "Auskunft" oder "DSGVO-Anfrage" (bestimmt Frist und Aufbewahrung).',
)
@click.option(
    "--direkt-beantwortet", "direkt", is_flag=True, help="Beim ersten Kontakt beantwortet: gleich „Erledigt“."
)
@click.option("--wissen", "wissen", default=None, metavar="ARTIKEL", help="Mit diesem Wissensartikel beantwortet.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@click.pass_obj
def neu(
    app: App,
    kanal: str,
    betreff: str,
    von: str,
    email: str,
    telefon: str,
    anschrift: str,
    text: str,
    dringlichkeit: str,
    bearbeiter: str,
    kategorie: str,
    direkt: bool,
    wissen: str | None,
    as_json: bool,
) -> None:
    """Neuen Vorgang anlegen (Telefon, Schalter, Brief …).

    Mit --direkt-beantwortet (und --wissen ARTIKEL) ist das Anliegen beim ersten Kontakt gelöst:
    der Vorgang kommt gleich nach „Erledigt“.

    \b
    Beispiel:
      buero-ticket neu --kanal telefon --betreff "Sperrmüll Termin" --von "Erika Muster" \\
                       --telefon "0731 12345" --text "Bittet um Termin" --dringlichkeit hoch
    """
    app.sync(light=True)
    item = Incoming(
        kanal=Kanal(kanal),
        betreff=betreff,
        absender=Absender(von, email, telefon, anschrift),
        zeit=app.ctx.clock(),
        text=text,
        dringlichkeit=Dringlichkeit(dringlichkeit),
        bearbeiter=resolve(app.ctx.settings, bearbeiter),
        herkunft="erfasst mit 'buero-ticket neu'",
        kategorie=kategorie,
    )
    if direkt or wissen:
        if not direkt:
            raise EingabeFehler(
                "--wissen gibt es bei 'neu' nur zusammen mit --direkt-beantwortet.",
                "Für einen offenen Vorgang den Artikel später mit 'buero-ticket antworten … --wissen ARTIKEL' "
                "verwenden.",
            )
        from ..operations.erstkontakt import direkt_beantwortet  # answering at first contact (issue 14)

        vorgang = direkt_beantwortet(app.ctx, item, wissen)
    else:
        vorgang = ops.create(app.ctx, item)
    app.after_change(interactive=True)
    if as_json:
        echo_json(vorgang_json(vorgang))
    else:
        click.echo(f"Vorgang {vorgang.aktenzeichen} angelegt: {vorgang.ordner}")


@cli.command("liste")
@click.option("--alle", is_flag=True, help="Auch erledigte und archivierte Vorgänge zeigen.")
@click.option("--status", "status", type=STATUS_CHOICE, help="Nur Vorgänge mit diesem Status.")
@click.option("--bearbeiter", default=None, help="Nur Vorgänge dieser Person.")
@click.option("--faellig", is_flag=True, help="Nur was heute fällig oder überfällig ist (Frist, Wiedervorlage …).")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben (Felder siehe README).")
@click.pass_obj
def liste(app: App, alle: bool, status: str | None, bearbeiter: str | None, faellig: bool, as_json: bool) -> None:
    """Offene Vorgänge zeigen: dringendste zuerst, dann älteste zuerst.

    \b
    Beispiele:
      buero-ticket liste
      buero-ticket liste --alle --json
      buero-ticket liste --status wartet --bearbeiter MW
      buero-ticket liste --faellig
    """
    index = app.sync(reconcile=False)
    jetzt = app.ctx.clock()
    if as_json and (alle or status) and not faellig:  # 100,000 rows: straight from the cache, no models
        stored = index.worklist_stored()
        if status is not None:
            stored = (r for r in stored if r.status.value == status)
        if bearbeiter is not None:
            wanted_stored = _bearbeiter_key(app, bearbeiter)
            stored = (r for r in stored if str(r.data.get("bearbeiter") or "").casefold() == wanted_stored)
        echo_json_list(stored_json(r) for r in stored)
        return
    offen = list(index.offen())  # few (~2 %): also the rows of the usual list
    rows = index.worklist() if (alle or status) else fristen.arbeitsliste(offen, jetzt.date())
    wanted = None if bearbeiter is None else _bearbeiter_key(app, bearbeiter)
    selected = (
        v
        for v in rows
        if (status is None or v.status.value == status)
        and (wanted is None or v.bearbeiter.casefold() == wanted)
        and (not faellig or fristen.ist_faellig(v, jetzt))
    )
    if as_json:
        echo_json_list(vorgang_json(v) for v in selected)
        return
    zone = office_zone(app.ctx.settings)
    # The column "Weiterl. bis" only when a listed Vorgang has an open forwarding deadline: only open ones
    # can, and they are few (the cache's open list), so the check never reads the archive.
    spalte = any(
        fristen.naechste_weiterleitungsfrist(v) is not None
        and (status is None or v.status.value == status)
        and (wanted is None or v.bearbeiter.casefold() == wanted)
        for v in offen
    )
    if faellig:  # under each row: what is due, e.g. "Rückmeldung an Bürger (Bauamt): überfällig seit …"
        details = lambda v: _faellig_zeilen(v, jetzt)  # noqa: E731
        count = echo_table(selected, jetzt, zone=zone, details=details, weiterleitung_spalte=spalte)
    else:
        count = echo_table(selected, jetzt, zone=zone, weiterleitung_spalte=spalte)
    if faellig:
        click.echo("\n" + anzahl(count, "Vorgang", "Vorgänge") + " fällig oder überfällig")
    else:
        click.echo("\n" + anzahl(count, "Vorgang", "Vorgänge") + ("" if alle or status else " offen"))


def _bearbeiter_key(app: App, bearbeiter: str) -> str:
    """What ``liste --bearbeiter`` compares with: the person's name from [benutzer] (or as typed), casefolded."""
    person = person_named(app.ctx.settings, bearbeiter)
    return " ".join((person.name if person else bearbeiter).split()).casefold()


def _faellig_zeilen(v: Vorgang, jetzt: datetime) -> list[str]:
    return [("ÜBERFÄLLIG: " if f.ueberfaellig else "fällig: ") + f.text for f in fristen.faelligkeiten(v, jetzt)]


@cli.command("zeige")
@click.argument("aktenzeichen")
@click.option("--voll", is_flag=True, help="Den ganzen Text jeder Nachricht zeigen (sonst die ersten Zeilen).")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben, mit Nachrichten und Verlauf.")
@click.pass_obj
def zeige(app: App, aktenzeichen: str, voll: bool, as_json: bool) -> None:
    """Einen Vorgang zeigen: Angaben, Anschrift, Nachrichten (Text), Dateien und den ganzen Verlauf.

    \b
    Beispiel:
      buero-ticket zeige 2026-00042
      buero-ticket zeige 2026-00042 --voll
    """
    index = app.sync(reconcile=False, light=True, named=aktenzeichen)
    ansicht = ops.ansehen(app.ctx, index, aktenzeichen, angaben=not as_json)
    from .wissen_cmds import echo_zeige_extras, zeige_extras_json  # Wissen and similar Vorgänge (issue 14)

    if as_json:
        echo_json({**vorgang_detail_json(ansicht.vorgang, ansicht.verlauf), **zeige_extras_json(ansicht)})
        return
    extra = [("Aufbewahrung", ansicht.aufbewahrung or "")]
    weitere = ansicht.weitere_vorgaenge
    if weitere:
        extra.append(("Person", f"weitere Vorgänge dieser Person: {weitere} ('buero-ticket person …')"))
    zone = office_zone(app.ctx.settings)
    echo_detail(ansicht.vorgang, ansicht.verlauf, extra, voll=voll, jetzt=ansicht.jetzt, zone=zone)
    echo_zeige_extras(ansicht)


@cli.command("status")
@click.argument("aktenzeichen")
@click.argument("neuer_status", metavar="STATUS", nargs=-1, required=True, callback=stichworte.joined(STATUS_CHOICE))
@click.option("--grund", default="", help="Begründung für den Verlauf.")
@STAND_OPTION
@click.pass_obj
def status_cmd(app: App, aktenzeichen: str, neuer_status: str, grund: str, stand: int | None) -> None:
    """Status ändern: verschiebt den Ordner und schreibt den Verlauf.

    STATUS ist eingang, in-bearbeitung, wartet, erledigt oder archiv
    (Groß-/Kleinschreibung egal, auch „In Bearbeitung“).

    \b
    Beispiel:
      buero-ticket status 2026-00042 in-bearbeitung
      buero-ticket status 2026-00042 Erledigt
    """
    app.sync(light=True, named=aktenzeichen)
    vorgang = ops.set_status(app.ctx, aktenzeichen, Status(neuer_status), grund=grund, stand=stand).vorgang
    app.after_change(interactive=True)
    click.echo(f"Vorgang {vorgang.aktenzeichen} ist jetzt „{vorgang.status.label}“: {vorgang.ordner}")


@cli.command("zuweisen")
@click.argument("aktenzeichen")
@click.option(
    "--an", "an", required=True, help='Kürzel oder Name der Person aus [benutzer] (z. B. MW; "" für niemand).'
)
@STAND_OPTION
@click.pass_obj
def zuweisen(app: App, aktenzeichen: str, an: str, stand: int | None) -> None:
    """Vorgang einer Person zuweisen.

    Groß-/Kleinschreibung ist egal; mit einer Liste [benutzer] in buero-ticket.toml gilt nur,
    wer dort steht (ein Tippfehler ergibt keine neue Person).

    \b
    Beispiel:
      buero-ticket zuweisen 2026-00042 --an MW
      buero-ticket zuweisen 2026-00042 --an "maria weber"
    """
    app.sync(light=True, named=aktenzeichen)
    vorgang = ops.assign(app.ctx, aktenzeichen, resolve(app.ctx.settings, an), stand=stand).vorgang
    app.after_change(interactive=True)
    click.echo(f"Vorgang {vorgang.aktenzeichen} ist {vorgang.bearbeiter or 'niemandem'} zugewiesen.")


@cli.command("notiz")
@click.argument("aktenzeichen")
@click.argument("text")
@click.option(
    "--rueckmeldung",
    is_flag=True,
    help="Die Notiz hält eine Rückmeldung an die Bürgerin / den Bürger fest (z. B. Anruf nach Weiterleitung).",
)
@click.pass_obj
def notiz(app: App, aktenzeichen: str, text: str, rueckmeldung: bool) -> None:
    """Notiz in den Verlauf eines Vorgangs schreiben.

    \b
    Beispiele:
      buero-ticket notiz 2026-00042 "Rückruf erledigt, Termin 12.12."
      buero-ticket notiz 2026-00042 "Bürgerin angerufen: Bauamt prüft bis Freitag" --rueckmeldung
    """
    app.sync(light=True, named=aktenzeichen)
    if rueckmeldung:
        from ..operations.weiterleiten import rueckmeldung_notiz

        vorgang = rueckmeldung_notiz(app.ctx, aktenzeichen, text)
    else:
        vorgang = ops.add_note(app.ctx, aktenzeichen, text).vorgang
    app.after_change(interactive=True)
    click.echo(f"Notiz zu Vorgang {vorgang.aktenzeichen} gespeichert.")
