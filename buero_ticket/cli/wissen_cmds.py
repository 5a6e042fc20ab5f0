"""Commands on the knowledge base: wissen suche | zeige | vorschlagen | pruefen | neu | luecken | stichwoerter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ..errors import EingabeFehler, Exit
from ..mengen import anzahl
from ..operations import stichwoerter as stichwort_ops
from ..operations import wissen as ops
from ..wissen.vorschlag import KLEINE_BASIS, Vorschlag
from . import App, cli
from .ausgabe import echo_json
from .hilfe import GermanGroup

if TYPE_CHECKING:
    from ..operations.vorgang import Ansicht

KEIN_ARTIKEL = "kein passender Artikel"


def vorschlag_json(v: Vorschlag) -> dict[str, Any]:
    return {
        "datei": v.artikel.datei,
        "titel": v.artikel.titel,
        "score": v.score,
        "sicher": v.sicher,
        "rang": v.rang,
        "grund": v.grund,
        "kurzinfo": v.artikel.kurzinfo,
    }


def echo_vorschlaege(vorschlaege: list[Vorschlag], *, kurzinfo: bool = False, indent: str = "") -> None:
    """The top suggestions, one line each; "kein passender Artikel" when none is sicher."""
    if not any(v.sicher for v in vorschlaege):
        click.echo(f"{indent}{KEIN_ARTIKEL} (keiner der Vorschläge ist sicher genug)")
    for v in vorschlaege:
        mark = "sicher" if v.sicher else "unsicher"
        click.echo(f"{indent}{v.rang}. {v.artikel.titel}  [{v.artikel.datei}]  Score {v.score:.2f} ({mark})")
        click.echo(f"{indent}   {v.grund}")
        if kurzinfo:
            short = " ".join(v.artikel.kurzinfo.split())
            click.echo(f"{indent}   Kurzinfo: {short[:300]}{' …' if len(short) > 300 else ''}")


def echo_keine_artikel(app: App) -> None:
    """No finished article at all: say that, not "kein passender Artikel" (which reads as "not answerable")."""
    click.echo(f"Im Ordner {app.ablage.wissen_dir} liegt noch kein Wissensartikel (Entwürfe zählen nicht).")
    click.echo(
        "Was tun: Artikel als .md-Datei anlegen (Aufbau: README, Abschnitt „Wissen“) oder einen Entwurf aus "
        "einer guten Antwort: 'buero-ticket wissen neu --aus AKTENZEICHEN'."
    )


@cli.group("wissen", cls=GermanGroup)
def wissen() -> None:
    """Wissensdatenbank: Artikel im Ordner Wissen suchen, zeigen, prüfen und vorschlagen.

    \b
    Beispiele:
      buero-ticket wissen suche Reisepass
      buero-ticket wissen vorschlagen 2026-00042
      buero-ticket wissen pruefen
      buero-ticket wissen stichwoerter
    """


@wissen.command("suche")
@click.argument("begriff", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def suche(app: App, begriff: tuple[str, ...], as_json: bool) -> None:
    """Artikel zu einem Suchbegriff finden, die passendsten zuerst.

    \b
    Beispiel:
      buero-ticket wissen suche Anwohnerparkausweis
    """
    basis = ops.wissensbasis(app.ablage)
    found = ops.suche_artikel(basis, " ".join(begriff))
    if as_json:
        echo_json([vorschlag_json(v) for v in found])
        return
    if not basis.docs:
        echo_keine_artikel(app)
        return
    if not found:
        click.echo(f"Kein Artikel passt zu „{' '.join(begriff)}“.")
        click.echo("Was tun: anderes Wort versuchen; 'buero-ticket wissen luecken' zeigt fehlende Artikel.")
        return
    for v in found:
        click.echo(f"{v.rang}. {v.artikel.titel}  [{v.artikel.datei}]  ({v.grund})")


@wissen.command("zeige")
@click.argument("artikel")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def zeige(app: App, artikel: str, as_json: bool) -> None:
    """Einen Artikel zeigen (Dateiname, mit oder ohne .md, oder Titel).

    \b
    Beispiel:
      buero-ticket wissen zeige "Reisepass beantragen"
    """
    a = ops.artikel(app.ablage, artikel, entwurf=True)
    if as_json:
        echo_json({"datei": a.datei, "titel": a.titel, "felder": a.felder, "abschnitte": a.abschnitte})
        return
    click.echo(a.titel)
    click.echo("=" * len(a.titel))
    click.echo(f"Datei:        {app.ablage.wissen_dir / a.datei}")
    for name in ("stichwoerter", "leika", "zustaendig", "geprueft_am", "pruefen_bis"):
        if a.feld(name):
            click.echo(f"{name + ':':<13} {a.feld(name)}")
    for h in a.hinweise:
        click.echo(f"Hinweis (Zeile {h.zeile}): {h.text}")
    for heading, text in a.abschnitte.items():
        click.echo(f"\n{heading}\n{'-' * len(heading)}\n{text}")


@wissen.command("vorschlagen")
@click.argument("aktenzeichen", required=False)
@click.option("--text", default=None, help="Text der Anfrage (statt eines Aktenzeichens).")
@click.option("--betreff", default="", help="Betreff der Anfrage (zusammen mit --text).")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben: Liste mit datei, titel, score, sicher.")
@click.pass_obj
def vorschlagen(app: App, aktenzeichen: str | None, text: str | None, betreff: str, as_json: bool) -> None:
    """Die drei passendsten Artikel zu einem Vorgang oder einem Text vorschlagen.

    Jeder Vorschlag hat einen Score (0–1) und den Grund (passende Wörter). Ist keiner sicher genug,
    steht dort „kein passender Artikel“ – dann die Anfrage an die Fachabteilung geben.

    \b
    Beispiele:
      buero-ticket wissen vorschlagen 2026-00042
      buero-ticket wissen vorschlagen --text "Mein Perso ist abgelaufen" --betreff "Ausweis"
    """
    if (aktenzeichen is None) == (text is None and not betreff):  # a subject alone is a request too
        raise EingabeFehler(
            "Geben Sie entweder ein Aktenzeichen oder --text (und/oder --betreff) an"
            + (" – beim Aktenzeichen gelten Text und Betreff des Vorgangs." if aktenzeichen else "."),
            'Beispiele: buero-ticket wissen vorschlagen 2026-00042, buero-ticket wissen vorschlagen --betreff "Hund '
            'abmelden"',
        )
    basis = ops.wissensbasis(app.ablage)
    if aktenzeichen is not None:
        app.sync()
        vorgang = app.store.get(aktenzeichen)
        result = ops.vorschlaege_fuer(basis, vorgang)
        title = f"Vorschläge für Vorgang {vorgang.aktenzeichen} „{vorgang.betreff}“:"
    else:
        result = ops.vorschlaege(basis, text or "", betreff)
        title = "Vorschläge:"
    if as_json:
        echo_json([vorschlag_json(v) for v in result])
        return
    click.echo(title)
    if not basis.docs:
        echo_keine_artikel(app)
        return
    echo_vorschlaege(result)
    echo_kleine_basis(app, len(basis.docs))


def echo_kleine_basis(app: App, anzahl_artikel: int) -> None:
    """Why so few suggestions are sicher in a tiny knowledge base (``staerke_massstab``)."""
    if 0 < anzahl_artikel < KLEINE_BASIS:
        click.echo(
            f"Hinweis: Im Ordner {app.ablage.wissen_dir} {'liegt' if anzahl_artikel == 1 else 'liegen'} erst "
            f"{anzahl(anzahl_artikel, 'Artikel', 'Artikel')}; "
            f"bei weniger als {KLEINE_BASIS} gilt ein Vorschlag nur bei deutlicher Übereinstimmung als sicher. "
            "Was tun: Artikel für häufige Anliegen ergänzen ('buero-ticket wissen luecken' nennt Kandidaten)."
        )


@wissen.command("pruefen")
@click.pass_obj
def pruefen(app: App) -> None:
    """Alle Artikel prüfen: Prüfdatum, fehlende Felder, LeiKa-Schlüssel, doppelte Titel und Stichwörter.

    Meldet jedes Problem mit Datei und Zeile; Exit-Code 1, wenn es Probleme gibt.

    \b
    Beispiel:
      buero-ticket wissen pruefen
    """
    befunde = ops.pruefen(app.ablage, app.ctx.clock().date())
    count = len(ops.sammlung(app.ablage).artikel)
    if not befunde and not count:
        echo_keine_artikel(app)
        return
    if not befunde:
        click.echo(f"{count} Artikel geprüft: alles in Ordnung.")
        return
    for b in befunde:
        click.echo(f"{app.ablage.wissen_dir / b.datei}" + (f", Zeile {b.zeile}" if b.zeile else "") + f": {b.text}")
    probleme = anzahl(len(befunde), "Problem", "Probleme")
    click.echo(f"\n{count} Artikel geprüft, {probleme}. Was tun: die genannten Dateien bearbeiten.")
    raise click.exceptions.Exit(Exit.PROBLEME)


@wissen.command("neu")
@click.option("--aus", "aus", required=True, metavar="AKTENZEICHEN", help="Vorgang, dessen Antwort Vorlage wird.")
@click.pass_obj
def neu(app: App, aus: str) -> None:
    """Artikel-Entwurf aus der Antwort eines Vorgangs anlegen (in Wissen\\Entwürfe).

    \b
    Beispiel:
      buero-ticket wissen neu --aus 2026-00042
    """
    app.sync()
    entwurf = ops.entwurf_aus(app.store, aus, app.ctx.clock().date())
    click.echo(f"Entwurf angelegt: {entwurf.pfad}")
    if entwurf.ohne_antwort:
        click.echo("Hinweis: Der Vorgang hat noch keine Antwort; tragen Sie sie unter „## Kurzinfo“ ein.")
    click.echo("Was tun: Entwurf prüfen, Felder ergänzen (leika, zustaendig) und nach Wissen verschieben.")


@wissen.command("luecken")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def luecken(app: App, as_json: bool) -> None:
    """Erledigte Vorgänge ohne Wissensartikel, nach ähnlichem Betreff gruppiert: Kandidaten für neue Artikel.

    \b
    Beispiel:
      buero-ticket wissen luecken
    """
    index = app.sync()
    groups = ops.luecken(index.alle())
    if as_json:
        echo_json([{"woerter": g.woerter, "aktenzeichen": [v.aktenzeichen for v in g.vorgaenge]} for g in groups])
        return
    if not groups:
        click.echo("Keine Lücken: jeder erledigte Vorgang wurde mit einem Wissensartikel beantwortet.")
        return
    for g in groups:
        label = f"„{g.woerter[0]}“" if g.woerter else "sonstige"
        click.echo(f"{label}: {anzahl(len(g.vorgaenge), 'Vorgang', 'Vorgänge')} ohne Artikel")
        for v in g.vorgaenge[:10]:
            click.echo(f"   {v.aktenzeichen}  {v.betreff}")
        if len(g.vorgaenge) > 10:
            click.echo(f"   … und {len(g.vorgaenge) - 10} weitere ('--json' nennt alle)")
    click.echo(
        "\nWas tun: für häufige Anliegen einen Artikel schreiben, z. B. als Entwurf aus einer guten Antwort: "
        "'buero-ticket wissen neu --aus AKTENZEICHEN'."
    )


@wissen.command("stichwoerter")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben: Liste mit datei, aktenzeichen, vorschlaege.")
@click.pass_obj
def stichwoerter(app: App, as_json: bool) -> None:
    """Fehlende Stichwörter der Artikel vorschlagen.

    Sucht Vorgänge, die mit einem Wissensartikel beantwortet wurden, den der Vorschlag für ihre Anfrage
    nicht sicher gefunden hat. Je Artikel nennt es die Wörter dieser Anfragen, die im Artikel fehlen,
    die häufigsten zuerst: Kandidaten für „stichwoerter:“ im Kopfteil des Artikels.

    \b
    Beispiel:
      buero-ticket wissen stichwoerter
    """
    index = app.sync()
    bericht = stichwort_ops.stichwort_luecken(ops.wissensbasis(app.ablage), index.alle())
    if as_json:
        echo_json(
            [
                {
                    "datei": g.artikel.datei,
                    "titel": g.artikel.titel,
                    "aktenzeichen": [v.aktenzeichen for v in g.vorgaenge],
                    "vorschlaege": [{"wort": w.wort, "anzahl": w.anzahl} for w in g.vorschlaege],
                }
                for g in bericht.luecken
            ]
        )
        return
    for v in bericht.artikel_fehlt:
        click.echo(
            f"Hinweis: Vorgang {v.aktenzeichen} wurde mit „{v.wissen}“ beantwortet; diesen Artikel gibt es in "
            f"{app.ablage.wissen_dir} nicht mehr (umbenannt oder gelöscht) – er wird übersprungen."
        )
    if not bericht.geprueft:
        click.echo(
            "Noch kein Vorgang wurde mit einem vorhandenen Wissensartikel beantwortet – es gibt nichts zu vergleichen. "
            "Was tun: beim Antworten den Artikel angeben, z. B. 'buero-ticket antworten AKTENZEICHEN antwort "
            "--wissen ARTIKEL'."
        )
        return
    geprueft = anzahl(bericht.geprueft, "Vorgang", "Vorgänge")
    if not bericht.luecken:
        click.echo(
            f"{geprueft} mit Wissensartikel beantwortet; der Vorschlag erkennt den Artikel bei allen sicher. "
            "Keine Stichwörter zu ergänzen."
        )
        return
    for g in bericht.luecken:
        woerter = ", ".join(f"„{w.wort}“ ({w.anzahl})" for w in g.vorschlaege) or "keine fehlenden Wörter gefunden"
        vorgaenge = anzahl(len(g.vorgaenge), "Vorgang", "Vorgänge")
        click.echo(f"{g.artikel.datei}: {vorgaenge} nicht sicher erkannt – Stichwörter ergänzen? {woerter}")
        for v in g.vorgaenge[:5]:
            click.echo(f"   {v.aktenzeichen}  {v.betreff}")
        if len(g.vorgaenge) > 5:
            click.echo(f"   … und {len(g.vorgaenge) - 5} weitere ('--json' nennt alle)")
    # the example: a word several requests share, else a placeholder (a single request's word may be chance)
    haeufig = next(((g, w) for g in bericht.luecken for w in g.vorschlaege if w.anzahl > 1), None)
    beispiel = " (z. B. stichwoerter: [Vorhandenes Stichwort, Neues Wort])"
    if haeufig is not None:
        alt = ", ".join(haeufig[0].artikel.stichwoerter[:2])
        beispiel = f" (z. B. stichwoerter: [{alt + ', ' if alt else ''}{haeufig[1].wort}])"
    click.echo(
        f"\n{geprueft} mit Wissensartikel beantwortet, davon {bericht.sicher_erkannt} sicher erkannt. "
        f"Was tun: die genannten Dateien in {app.ablage.wissen_dir} mit dem Editor öffnen und die passenden Wörter "
        f"im Kopfteil unter „stichwoerter:“ ergänzen{beispiel} – nur Wörter, die das Anliegen bezeichnen, keine Namen "
        "oder Orte. Danach zeigt 'buero-ticket wissen vorschlagen AKTENZEICHEN', ob der Artikel sicher erkannt wird."
    )


# -- in 'zeige': suggestions and similar closed Vorgänge ---------------------------------------------


def zeige_extras_json(ansicht: Ansicht) -> dict[str, Any]:
    """For ``zeige --json``: the recorded article, article suggestions and up to 5 similar closed Vorgänge."""
    v = ansicht.vorgang
    out: dict[str, Any] = {
        "wissen": v.wissen or None,
        "erstkontakt_geloest": v.erstkontakt_geloest,
        "wissen_vorschlaege": [vorschlag_json(s) for s in ansicht.wissen_vorschlaege],
        "aehnliche": [
            {"aktenzeichen": t.aktenzeichen, "betreff": t.betreff, "status": t.status, "score": t.score}
            for t in ansicht.aehnliche
        ],
    }
    _echo_anlagen_hinweise(ansicht)
    if ansicht.aehnliche_spaeter:
        out["aehnliche_hinweis"] = AEHNLICHE_SPAETER
    return out


AEHNLICHE_SPAETER = (
    "Ähnliche erledigte Vorgänge: erst wenn der Suchindex auf diesem PC aufgebaut ist. Was tun: einmal "
    "'buero-ticket suche WORT' aufrufen (zeigt den Fortschritt, bei vielen Vorgängen ein bis zwei Minuten)."
)


def _echo_anlagen_hinweise(ansicht: Ansicht) -> None:
    for text in ansicht.anlagen_hinweise:  # attachments the full-text update could not read
        click.echo(f"Hinweis: {text}", err=True)


def echo_zeige_extras(ansicht: Ansicht) -> None:
    if ansicht.vorgang.wissen:
        click.echo(f"\nBeantwortet mit Wissensartikel: {ansicht.vorgang.wissen}")
    if ansicht.vorgang.erstkontakt_geloest:
        click.echo("Beim ersten Kontakt gelöst (direkt beantwortet).")
    if ansicht.wissen_vorschlaege:
        click.echo("\nWissen – passende Artikel:")
        if not any(v.sicher for v in ansicht.wissen_vorschlaege):
            click.echo(f"   {KEIN_ARTIKEL}")
        for v in ansicht.wissen_vorschlaege:
            mark = "sicher" if v.sicher else "unsicher"
            click.echo(f"   {v.rang}. {v.artikel.titel}  [{v.artikel.datei}]  Score {v.score:.2f} ({mark})")
            click.echo(f"      {v.grund}")
    _echo_anlagen_hinweise(ansicht)
    if ansicht.aehnliche_spaeter:
        click.echo(f"\n{AEHNLICHE_SPAETER}")
    if ansicht.aehnliche:
        click.echo("\nÄhnliche erledigte Vorgänge (was wurde damals geantwortet?):")
        for t in ansicht.aehnliche:
            click.echo(f"   {t.aktenzeichen}  {t.betreff}")
