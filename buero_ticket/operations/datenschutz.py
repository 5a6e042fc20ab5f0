"""Operations of Datenschutz and records management: persons, Art. 15 access, Art. 17 erasure,
Art. 18 restriction, the Art. 12(3) deadline and the archive hand-over (Aussonderung).

Every change to a Vorgang goes through ``store.update``/``store.delete_vorgang``; files outside the
Vorgänge (export, offer lists, the Löschprotokoll, ledger and log clean-up) through ``fileio``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..ablage import Ablage
from ..datenschutz import personen, xdomea
from ..datenschutz.aufbewahrung import aufbewahren_bis, faellige, kategorie_of
from ..datenschutz.auskunft import sammle
from ..datenschutz.fundstellen import FundArt, Fundstelle
from ..datenschutz.loeschen import Loeschplan, plane
from ..datenschutz.personen import Person
from ..datum import plus_months
from ..errors import EingabeFehler, NichtGefunden, translate
from ..fileio import atomic_write_bytes, atomic_write_text, is_temp_name, remove_file
from ..models import HistoryEntry, Vorgang
from ..names import unique_name
from ..settings.aufbewahrung import Aufbewahrung
from .context import Context

DSGVO_KATEGORIE = "dsgvo-anfrage"
PROTOKOLL_DIR = "loeschprotokoll"
AUSSONDERUNG_DIR = "aussonderung"
GELOESCHT_ZEILE = "[Eintrag gelöscht nach Art. 17 DSGVO]"


# --- persons ---------------------------------------------------------------------------------


def personen_finden(vorgaenge: Iterable[Vorgang], suche: str) -> list[Person]:
    """Every person matching ``suche`` (e-mail, phone number or name), with their Vorgänge."""
    return personen.find(vorgaenge, suche)


def eine_person(vorgaenge: Iterable[Vorgang], suche: str) -> Person:
    """The one person ``suche`` names; none or several is the clerk's mistake (a German message)."""
    found = personen.find(vorgaenge, suche)
    if not found:
        raise NichtGefunden(
            f"Zu „{suche}“ gibt es keine Person mit Vorgängen.",
            "Suchen Sie mit der E-Mail-Adresse, der Telefonnummer oder dem Nachnamen.",
        )
    if len(found) > 1:
        names = "; ".join(f"{p.anzeigename} ({', '.join(p.emails or p.telefone) or 'ohne Kontakt'})" for p in found)
        raise EingabeFehler(
            f"„{suche}“ passt auf {len(found)} Personen: {names}.",
            "Geben Sie die E-Mail-Adresse oder Telefonnummer an, um genau eine Person zu wählen.",
        )
    return found[0]


def personen_zusammenfuehren(ctx: Context, a: Person, b: Person) -> str:
    """Join two persons (one citizen, two addresses): a shared link key in every Vorgang of both.

    Returns the link's id; ``personen_trennen`` with it undoes the join."""
    link = f"link:{uuid.uuid4().hex[:8]}"
    others = {id(a): b, id(b): a}
    for person in (a, b):
        other = others[id(person)].anzeigename
        for v in person.vorgaenge:

            def change(vorgang: Vorgang, other: str = other) -> list[HistoryEntry]:
                vorgang.person_alias = [*vorgang.person_alias, link]
                return [ctx.entry("Person zusammengeführt", f"mit {other} (Verknüpfung {link[5:]})")]

            ctx.store.update(v.aktenzeichen, change)
    return link[5:]


def personen_trennen(ctx: Context, vorgaenge: Iterable[Vorgang], link_id: str) -> int:
    """Undo ``personen_zusammenfuehren``: remove the link from every Vorgang that carries it."""
    key = f"link:{link_id.removeprefix('link:')}"
    count = 0
    for v in vorgaenge:
        if key not in v.person_alias:
            continue

        def change(vorgang: Vorgang) -> list[HistoryEntry]:
            vorgang.person_alias = [k for k in vorgang.person_alias if k != key]
            return [ctx.entry("Personen getrennt", f"Verknüpfung {key[5:]} aufgehoben")]

        ctx.store.update(v.aktenzeichen, change)
        count += 1
    if not count:
        raise EingabeFehler(
            f"Eine Verknüpfung {key[5:]} gibt es nicht.",
            "Die Kennung steht im Verlauf der Vorgänge („Person zusammengeführt … (Verknüpfung …)“).",
        )
    return count


# --- Art. 15 access --------------------------------------------------------------------------


@dataclass
class AuskunftErgebnis:
    ordner: Path
    zip: Path
    vorgaenge: list[str]
    fundstellen: int


def auskunft_erteilen(ctx: Context, person: Person, ziel: Path) -> AuskunftErgebnis:
    """Write the export folder and ZIP to ``ziel``; a history line in each Vorgang concerned."""
    ablage = ctx.store.ablage
    now = ctx.clock()
    paket = sammle(ablage, person, aufbewahrung(ctx), ctx.settings.amt.name, now)
    ziel.mkdir(parents=True, exist_ok=True)
    folder = ziel / unique_name(ziel, paket.titel)
    for rel, data in paket.dateien.items():
        target = folder / Path(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
    zip_path = ziel / unique_name(ziel, f"{folder.name}.zip")
    atomic_write_bytes(zip_path, paket.zip_bytes(), overwrite=False)
    for v in paket.vorgaenge:
        ctx.store.update(
            v.aktenzeichen,
            lambda vorgang: [ctx.entry("Auskunft nach Art. 15 DSGVO", f"Kopie erstellt: {zip_path.name}")],
            gesperrt_ok=True,
        )
    return AuskunftErgebnis(folder, zip_path, [v.aktenzeichen for v in paket.vorgaenge], len(paket.fundstellen))


def dsgvo_frist(eingang: date) -> date:
    """Art. 12(3) DSGVO: one month after receipt (same day of the next month, or its last day)."""
    return plus_months(eingang, 1)


def dsgvo_frist_verlaengern(ctx: Context, az: str, grund: str) -> Vorgang:
    """Art. 12(3): extend by two months, with a reason (the person must be told within the first month)."""
    if not grund.strip():
        raise EingabeFehler("Eine Verlängerung braucht einen Grund.", "Geben Sie --grund TEXT an.")

    def change(vorgang: Vorgang) -> list[HistoryEntry]:
        if kategorie_of(vorgang).casefold() != DSGVO_KATEGORIE:
            raise EingabeFehler(
                f"Vorgang {vorgang.aktenzeichen} ist keine DSGVO-Anfrage (Kategorie „{kategorie_of(vorgang)}“).",
                f"Kategorie setzen: 'buero-ticket aendern {vorgang.aktenzeichen} --kategorie DSGVO-Anfrage'.",
            )
        grenze = plus_months(vorgang.eingang.date(), 3)
        basis = dsgvo_frist(vorgang.eingang.date())
        alt = vorgang.frist if vorgang.frist and vorgang.frist > basis else basis
        neu = min(plus_months(basis, 2), grenze)
        if neu <= alt:
            raise EingabeFehler(
                f"Die Frist von {vorgang.aktenzeichen} ist bereits bis {alt:%d.%m.%Y} verlängert "
                "(höchstens drei Monate nach Eingang, Art. 12 Abs. 3 DSGVO).",
                "",
            )
        vorgang.frist = neu
        return [ctx.entry("Frist verlängert (Art. 12 Abs. 3 DSGVO)", f"{alt:%d.%m.%Y} → {neu:%d.%m.%Y}: {grund}")]

    return ctx.store.update(az, change)


# --- Art. 18 restriction ---------------------------------------------------------------------


def sperren(ctx: Context, az: str, grund: str) -> Vorgang:
    if not grund.strip():
        raise EingabeFehler("Eine Sperre braucht einen Grund.", "Geben Sie --grund TEXT an.")

    def change(vorgang: Vorgang) -> list[HistoryEntry]:
        if vorgang.gesperrt:
            return []
        vorgang.gesperrt = grund.strip()
        return [ctx.entry("Gesperrt (Art. 18 DSGVO)", grund.strip())]

    return ctx.store.update(az, change)


def entsperren(ctx: Context, az: str, grund: str) -> Vorgang:
    def change(vorgang: Vorgang) -> list[HistoryEntry]:
        if not vorgang.gesperrt:
            return []
        vorgang.gesperrt = ""
        return [ctx.entry("Sperre aufgehoben", grund.strip() or "ohne Angabe")]

    return ctx.store.update(az, change, gesperrt_ok=True)


# --- Art. 17 erasure -------------------------------------------------------------------------


def loeschplan_vorgang(ctx: Context, az: str) -> Loeschplan:
    """What erasing Vorgang ``az`` would delete (its mails found by Message-ID), or why it may not."""
    v = ctx.store.get(az)
    return _plane(ctx, [v], _message_ids([v]))


def loeschplan_person(ctx: Context, person: Person) -> Loeschplan:
    """What erasing every Vorgang of ``person`` would delete, found by what identifies the person."""
    return _plane(ctx, person.vorgaenge, person.suchbegriffe())


def _plane(ctx: Context, vorgaenge: list[Vorgang], begriffe: list[str], *, pruefe_frist: bool = True) -> Loeschplan:
    heute = ctx.clock().date()
    return plane(ctx.store.ablage, vorgaenge, begriffe, aufbewahrung(ctx), heute, pruefe_frist=pruefe_frist)


def _message_ids(vorgaenge: Iterable[Vorgang]) -> list[str]:
    return [n.message_id for v in vorgaenge for n in v.nachrichten if n.message_id]


@dataclass
class Loeschergebnis:
    geloescht: list[str] = field(default_factory=list)
    dateien: int = 0  # quarantine copies and ledger entries removed
    zeilen: int = 0  # log lines blanked
    protokoll: list[Path] = field(default_factory=list)
    postfach: str = ""  # with auch_postfach: what happened in the mailbox (German), "" otherwise


def loeschen(
    ctx: Context, plan: Loeschplan, grund: str, *, anlass: str = "Art. 17 DSGVO", auch_postfach: bool = False
) -> Loeschergebnis:
    """Carry out an erasure plan; a Löschprotokoll entry (no personal data) per Vorgang.

    ``auch_postfach``: then the mails in the mailbox's folder „Importiert“ too; a failure there is a
    note in the result (the Ablage part is done and must not be reported as failed)."""
    if not grund.strip():
        raise EingabeFehler("Eine Löschung braucht einen Grund.", "Geben Sie --grund TEXT an.")
    result = Loeschergebnis()
    store = ctx.store
    store.purge_deleted()
    for v in plan.vorgaenge:
        store.delete_vorgang(v.aktenzeichen)
        result.geloescht.append(v.aktenzeichen)
        result.protokoll.append(_protokolliere(store.ablage, v, grund, anlass, ctx))
    for f in plan.fundstellen:
        if f.art is FundArt.PROTOKOLL:
            result.zeilen += _schwaerze(f)
        elif remove_file(f.pfad):
            result.dateien += 1
    if auch_postfach:
        result.postfach = _postfach_loeschen(ctx, plan)
    return result


def _postfach_loeschen(ctx: Context, plan: Loeschplan) -> str:
    ids = _message_ids(plan.vorgaenge)
    if not ids:
        return "Postfach: keine E-Mails mit Message-ID in diesen Vorgängen."
    from ..mail.postfach_loeschen import delete_by_message_id

    try:
        count = delete_by_message_id(ctx.store.ablage, ids)
    except Exception as exc:  # the Ablage part is done and must not be reported as failed
        return f"Hinweis: Im Postfach wurde nichts gelöscht ({translate(exc).text}). Bitte dort von Hand löschen."
    return f"Postfach: {count} E-Mail(s) im Ordner „Importiert“ gelöscht."


def _schwaerze(f: Fundstelle) -> int:
    """Blank the matching lines of a log file (the file stays: other lines are still needed)."""
    try:
        lines = f.pfad.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    except FileNotFoundError:
        return 0
    hits = set(f.zeilen)
    count = 0
    out = []
    for line in lines:
        if line.rstrip("\r\n") in hits:
            stamp = line[:19] if line[:4].isdigit() else ""
            out.append(f"{stamp} {GELOESCHT_ZEILE}\n".lstrip())
            count += 1
        else:
            out.append(line)
    atomic_write_text(f.pfad, "".join(out))
    return count


def protokoll_dir(ablage: Ablage) -> Path:
    return ablage.state_dir / PROTOKOLL_DIR


def _protokolliere(ablage: Ablage, v: Vorgang, grund: str, anlass: str, ctx: Context) -> Path:
    """One small file per erasure (exclusive create: safe with several PCs, no append on the share)."""
    now = ctx.clock()
    folder = protokoll_dir(ablage) / str(now.year)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {
        "aktenzeichen": v.aktenzeichen,
        "geloescht_am": now.isoformat(),
        "anlass": anlass,
        "grund": grund.strip(),
        "benutzer": ctx.user,
        "kategorie": kategorie_of(v),
        "eingang": v.eingang.date().isoformat(),
        "erledigt": v.erledigt.date().isoformat() if v.erledigt else "",
    }
    target = folder / unique_name(folder, f"{now:%Y-%m-%d %H%M%S} {v.aktenzeichen}.json")
    atomic_write_text(target, json.dumps(entry, ensure_ascii=False, indent=1) + "\n", overwrite=False)
    return target


def loeschprotokoll(ablage: Ablage) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    base = protokoll_dir(ablage)
    if not base.is_dir():
        return entries
    for path in sorted(base.rglob("*.json")):
        if is_temp_name(path.name):
            continue
        try:
            entries.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return entries


# --- Aussonderung ----------------------------------------------------------------------------


def aufbewahrung(ctx: Context) -> Aufbewahrung:
    return ctx.settings.section(Aufbewahrung)


@dataclass(frozen=True)
class Faellig:
    """A Vorgang whose retention period has ended by the Stichtag."""

    vorgang: Vorgang
    aufbewahren_bis: date | None


def aussondern_faellig(ctx: Context, vorgaenge: Iterable[Vorgang], stichtag: date) -> dict[str, list[Faellig]]:
    """The Vorgänge due for the Aussonderung by ``stichtag``, by Kategorie."""
    settings = aufbewahrung(ctx)
    groups = faellige(vorgaenge, settings, stichtag)
    return {k: [Faellig(v, aufbewahren_bis(v, settings)) for v in vs] for k, vs in groups.items()}


def _absender(ctx: Context) -> xdomea.Absender:
    return xdomea.Absender(ctx.settings.amt.name, ctx.settings.kuerzel)


@dataclass
class Angebot:
    xml: Path
    csv: Path
    anzahl: int


def aussondern_anbieten(ctx: Context, vorgaenge: Iterable[Vorgang], stichtag: date, ziel: Path) -> Angebot:
    """Offer list (xdomea 0501 + CSV) of every Vorgang whose retention period has ended."""
    groups = faellige(vorgaenge, aufbewahrung(ctx), stichtag)
    items = [(v, kategorie) for kategorie, vs in groups.items() for v in vs if not v.gesperrt]
    if not items:
        raise EingabeFehler(
            f"Zum Stichtag {stichtag:%d.%m.%Y} ist keine Aufbewahrungsfrist abgelaufen.",
            "'buero-ticket aussondern liste' zeigt, was wann fällig wird.",
        )
    now = ctx.clock()
    name, xml = xdomea.anbieteverzeichnis(items, _absender(ctx), now)
    ziel.mkdir(parents=True, exist_ok=True)
    xml_path = ziel / name
    atomic_write_bytes(xml_path, xml, overwrite=False)
    csv_path = ziel / unique_name(ziel, f"Anbietungsverzeichnis {now:%Y-%m-%d}.csv")
    atomic_write_bytes(csv_path, xdomea.anbieteliste_csv(items), overwrite=False)
    for v, _k in items:
        ctx.store.update(
            v.aktenzeichen, lambda vorgang: [ctx.entry("Dem Archiv angeboten", f"Anbietungsverzeichnis {name}")]
        )
    return Angebot(xml_path, csv_path, len(items))


def bewertung_uebernehmen(ctx: Context, datei: Path) -> dict[str, int]:
    """Record the archive's decision (A/V/B, from the annotated CSV ``datei``) in each Vorgang; unknown
    Aktenzeichen are refused first. Returns how many of each."""
    bewertung = xdomea.lies_bewertung(datei)
    store = ctx.store
    counts = {"A": 0, "V": 0, "B": 0}
    for az in bewertung:
        store.find(az)  # every Aktenzeichen must exist before anything is written
    for az, code in bewertung.items():

        def change(vorgang: Vorgang, code: str = code) -> list[HistoryEntry]:
            if vorgang.archivbewertung == code:
                return []
            vorgang.archivbewertung = code
            return [ctx.entry("Bewertung des Archivs", f"{code} = {xdomea.BEWERTUNGEN[code]}")]

        ctx.store.update(az, change)
        counts[code] += 1
    return counts


@dataclass
class Abgabe:
    paket: Path | None
    archiviert: list[str]
    vernichtet: Loeschergebnis


def aussondern_abgeben(ctx: Context, vorgaenge: Iterable[Vorgang], ziel: Path) -> Abgabe:
    """Hand the A-Vorgänge to the archive (xdomea 0503 ZIP) and destroy the V-Vorgänge through the erasure.

    Only Vorgänge with a recorded decision are touched; B (assess further) stays."""
    alle = list(vorgaenge)
    archiv = [v for v in alle if v.archivbewertung == "A"]
    vernichten = [v for v in alle if v.archivbewertung == "V"]
    paket_path = None
    if archiv:
        from ..datenschutz.auskunft import _vorgang_files

        items = []
        for v in archiv:
            assert v.ordner is not None
            files = [xdomea.Datei(rel, path.read_bytes()) for rel, path in _vorgang_files(v.ordner)]
            items.append((v, kategorie_of(v), files))
        name, data = xdomea.aussonderungspaket(items, _absender(ctx), ctx.clock())
        ziel.mkdir(parents=True, exist_ok=True)
        paket_path = ziel / name
        atomic_write_bytes(paket_path, data, overwrite=False)
        for v in archiv:
            ctx.store.update(v.aktenzeichen, lambda vorgang: [ctx.entry("An das Archiv abgegeben", name)])
    result = Loeschergebnis()
    if vernichten:
        grund = "Vernichtung nach Bewertung des Archivs (V)"
        plan = _plane(ctx, vernichten, _message_ids(vernichten), pruefe_frist=False)  # the archive decided
        result = loeschen(ctx, plan, grund, anlass="Aussonderung (Bewertung V)")
    return Abgabe(paket_path, [v.aktenzeichen for v in archiv], result)
