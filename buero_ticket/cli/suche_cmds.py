"""The command ``suche``: full-text search over every Vorgang, archive included."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click

from ..datum import parse_vergangen
from ..models import Status
from ..operations import suche as ops
from ..personen import person_named
from ..suche.analyse import terms
from . import App, _ProgressBar, cli, stichworte
from .ausgabe import echo_json


@cli.command("suche")
@click.argument("begriffe", nargs=-1, required=True)
@click.option(
    "--status",
    "status",
    multiple=True,
    type=stichworte.STATUS,
    help="Nur diesen Status (mehrfach möglich).",
)
@click.option("--kanal", type=stichworte.KANAL, default=None, help="Nur dieser Kanal.")
@click.option("--bearbeiter", default=None, help="Nur Vorgänge dieser Person.")
@click.option(
    "--von", "von", default=None, metavar="DATUM", help="Eingang ab diesem Tag (z. B. 01.03.2026, 01.03., gestern, -7)."
)
@click.option("--bis", "bis", default=None, metavar="DATUM", help="Eingang bis einschließlich diesem Tag.")
@click.option("--anzahl", type=int, default=20, show_default=True, help="Höchstens so viele Treffer.")
@click.option("--json", "as_json", is_flag=True, help="Als JSON: aktenzeichen, betreff, status, score, ausschnitt.")
@click.pass_obj
def suche(
    app: App,
    begriffe: tuple[str, ...],
    status: tuple[str, ...],
    kanal: str | None,
    bearbeiter: str | None,
    von: str | None,
    bis: str | None,
    anzahl: int,
    as_json: bool,
) -> None:
    """Alle Vorgänge durchsuchen, auch das Archiv: Betreff, Absender, Nachrichten, Notizen, Word-/PDF-Anlagen.

    Groß/klein, Umlaute (Buergeramt = Bürgeramt), ß/ss und Wortformen (Antrag findet Anträge) sind egal;
    ein Wort findet auch längere Wörter, die darauf enden (Parkausweis findet Anwohnerparkausweis).
    Wort* sucht nach dem Wortanfang, "in Anführungszeichen" nach der genauen Wortfolge; Aktenzeichen
    und E-Mail-Adressen werden genau gesucht. Mehrere Begriffe: alle müssen vorkommen.

    \b
    Beispiele:
      buero-ticket suche Parkausweis
      buero-ticket suche "Schwerbehind*" --status erledigt --status archiv
      buero-ticket suche Oezdemir --von 01.01.2026 --json
    """
    today = app.ctx.clock().date()
    tz = app.ctx.clock().tzinfo
    filter = ops.Filter(
        status=list(status),
        kanal=kanal,
        bearbeiter=_person(app, bearbeiter) if bearbeiter else None,
        von=datetime.combine(parse_vergangen(von, today), time(), tz) if von else None,
        bis=datetime.combine(parse_vergangen(bis, today) + timedelta(days=1), time(), tz) if bis else None,
    )
    index = app.sync(reconcile=False)
    with _ProgressBar("Der Suchindex auf diesem PC wird aufgebaut: Vorgänge werden gelesen") as progress:
        vt = ops.volltext(index, progress)
    treffer = ops.suche(vt, " ".join(begriffe), filter, anzahl)
    gefiltert = _filter_text(status, kanal, bearbeiter, von, bis)
    ohne_filter = len(ops.suche(vt, " ".join(begriffe), ops.Filter(), anzahl)) if gefiltert and not treffer else 0
    vt.close()
    for hinweis in vt.hinweise:
        click.echo(f"Hinweis: {ops.hinweis_text(index, hinweis)}", err=True)
    if as_json:
        echo_json(
            [
                {
                    "aktenzeichen": t.aktenzeichen,
                    "betreff": t.betreff,
                    "status": t.status,
                    "kanal": t.kanal,
                    "bearbeiter": t.bearbeiter,
                    "eingang": t.eingang.isoformat(),
                    "score": t.score,
                    "ausschnitt": t.ausschnitt,
                    "ordner": str(t.ordner),
                }
                for t in treffer
            ]
        )
        return
    if not treffer and ohne_filter:  # the words are there: the filters left nothing
        mehr = f"{ohne_filter}{'+' if ohne_filter == anzahl else ''}"
        click.echo(
            f"Keine Vorgänge gefunden für: {' '.join(begriffe)} mit {gefiltert}; ohne diese Angaben: {mehr} Treffer."
        )
        click.echo("Was tun: die Angaben weglassen oder ändern.")
        return
    if not treffer and not terms(" ".join(begriffe)):
        click.echo(f"„{' '.join(begriffe)}“ sind nur Füllwörter (wie der, die, und), nach denen nicht gesucht wird.")
        click.echo("Was tun: ein Wort mit Inhalt angeben, z. B. buero-ticket suche Sperrmüll.")
        return
    if not treffer:
        click.echo(f"Keine Vorgänge gefunden für: {' '.join(begriffe)}" + (f" mit {gefiltert}" if gefiltert else ""))
        click.echo("Was tun: weniger oder andere Begriffe versuchen, Wortanfang mit * (z. B. Schwerbehind*).")
        return
    for t in treffer:
        click.echo(f"{t.aktenzeichen}  {t.eingang:%d.%m.%Y}  {Status(t.status).label:<14} {t.betreff}")
        click.echo(f"    {t.ausschnitt}")
    click.echo(
        f"\n{len(treffer)} Treffer" + (" (es gibt vielleicht mehr: --anzahl erhöhen)" if len(treffer) == anzahl else "")
    )


def _filter_text(
    status: tuple[str, ...], kanal: str | None, bearbeiter: str | None, von: str | None, bis: str | None
) -> str:
    """The filters as typed ("--kanal fax, --von 01.03.2026"), "" without any."""
    parts = [f"--status {s}" for s in status]
    parts += [
        f"--{name} {value}"
        for name, value in (("kanal", kanal), ("bearbeiter", bearbeiter), ("von", von), ("bis", bis))
        if value
    ]
    return ", ".join(parts)


def _person(app: App, bearbeiter: str) -> str:
    """The Bearbeiter as stored, as 'liste --bearbeiter' takes it: name, Kürzel or login from [benutzer]."""
    person = person_named(app.ctx.settings, bearbeiter)
    return person.name if person else " ".join(bearbeiter.split())
