"""Operations on the knowledge base (``Wissen``): suggest, look up, check, draft, find gaps.

Each is a plain function: it takes the Ablage or the store (and today's date where it matters) and
returns a result for the CLI to print. Reading articles never changes them; a draft is written as a
new file next to them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..ablage import Ablage
from ..errors import EingabeFehler, NichtGefunden
from ..fileio import atomic_write_bytes
from ..models import HistoryEntry, Status, Vorgang
from ..names import safe_name, unique_name
from ..store import Store, message_text
from ..suche.analyse import fold, terms
from ..wissen.artikel import ENTWURF_ORDNER, FIELDS, Artikel, Sammlung, ist_entwurf, lade
from ..wissen.vorschlag import Vorschlag, Wissensbasis
from .context import Context

LEIKA_RE = re.compile(r"^\d{14}$")
DRAFT_DIR = ENTWURF_ORDNER
REVIEW_DAYS = 30


def sammlung(ablage: Ablage) -> Sammlung:
    return lade(ablage.wissen_dir)


def wissensbasis(ablage: Ablage) -> Wissensbasis:
    """The articles that answer requests: everything in Wissen but the drafts."""
    return Wissensbasis(sammlung(ablage).ohne_entwuerfe())


def artikel(ablage: Ablage, name: str, basis: Wissensbasis | None = None, *, entwurf: bool = False) -> Artikel:
    """The article a clerk named (file, file name without .md, or title), else NichtGefunden.

    A draft (folder Entwürfe) only with ``entwurf`` (to show it); to answer with one is refused.
    """
    alle = sammlung(ablage) if basis is None else basis.sammlung
    found = alle.ohne_entwuerfe().finde(name)
    if found is not None:
        return found
    if basis is not None:  # a basis holds no drafts: read the folder for the message
        alle = sammlung(ablage)
    draft = alle.nur_entwuerfe().finde(name)
    if draft is not None and entwurf:
        return draft
    if draft is not None:
        raise EingabeFehler(
            f"„{draft.datei}“ ist ein Entwurf (Ordner {DRAFT_DIR}) und wird für keine Antwort verwendet.",
            f"Entwurf vervollständigen (Kurzinfo, leika, zustaendig; 'buero-ticket wissen pruefen'), dann die Datei "
            f"aus {ablage.wissen_dir / DRAFT_DIR} nach {ablage.wissen_dir} verschieben.",
        )
    wanted = " ".join(name.split()).casefold().removesuffix(".md")
    several = [
        a.datei
        for a in alle.ohne_entwuerfe().artikel
        if wanted in (a.titel.casefold(), a.datei.rsplit("/", 1)[-1].casefold().removesuffix(".md"))
    ]
    if len(several) > 1:  # not missing: the name fits two articles in different folders
        raise EingabeFehler(
            f"„{name}“ passt auf mehrere Wissensartikel: {', '.join(several)}.",
            f"Geben Sie die Datei mit ihrem Ordner an, z. B. „{several[-1]}“. 'buero-ticket wissen pruefen' nennt "
            "doppelte Titel.",
        )
    for rel, grund in alle.unlesbar:  # the file is there, but no article could be read from it
        if wanted.replace("\\", "/") in (
            rel.casefold().removesuffix(".md"),
            rel.rsplit("/", 1)[-1].casefold().removesuffix(".md"),
        ):
            raise EingabeFehler(
                f"Die Datei {ablage.wissen_dir / rel} ist nicht lesbar: {grund}.",
                "Danach prüft 'buero-ticket wissen pruefen' alle Artikel.",
            )
    close = [a.datei for a in alle.artikel if name.lower() in a.datei.lower() or name.lower() in a.titel.lower()]
    if not close and terms(name):  # a typo ("Hundesteur"), another word for it: what the search finds
        gesucht = basis if basis is not None else Wissensbasis(alle.ohne_entwuerfe())
        close = [v.artikel.datei for v in gesucht.vorschlagen(name)]
    hinweis = "'buero-ticket wissen suche BEGRIFF' findet Artikel."
    if close:
        hinweis = "Meinten Sie: " + ", ".join(close[:3]) + "? " + hinweis
    raise NichtGefunden(f"Einen Wissensartikel „{name}“ gibt es in {ablage.wissen_dir} nicht.", hinweis)


def request_text(vorgang: Vorgang) -> str:
    """The request's own words: the incoming messages' text files (without their head lines)."""
    assert vorgang.ordner is not None
    parts = [message_text(vorgang.ordner, n) for n in vorgang.nachrichten if n.richtung == "eingang"]
    return "\n".join(p for p in parts if p)


def vorschlaege(basis: Wissensbasis, text: str, betreff: str = "") -> list[Vorschlag]:
    return basis.vorschlagen(text, betreff)


def vorschlaege_fuer(basis: Wissensbasis, vorgang: Vorgang) -> list[Vorschlag]:
    return basis.vorschlagen(request_text(vorgang), vorgang.betreff)


def suche_artikel(basis: Wissensbasis, begriff: str, anzahl: int = 10) -> list[Vorschlag]:
    """Articles for a search term, best first (the same ranking as the suggestions).

    A word with "*" ("Schwerbehind*") is a prefix, as in ``suche``: only articles with a word that
    begins so are found (the ranking alone would also find them through a compound part of an
    expanded word: "Par*" → "Parkausweis" → "Personalausweis").
    """
    if _ZU_KURZ.search(begriff):
        raise EingabeFehler(
            f"„{begriff.strip()}“: vor dem * stehen zu wenige Buchstaben – so passt fast jedes Wort.",
            "Mindestens zwei Buchstaben vor das * schreiben, z. B. Schwerbehind*.",
        )
    if not terms(begriff):
        raise EingabeFehler("Der Suchbegriff enthält keine Wörter.", "Geben Sie ein Wort ein, z. B. Reisepass.")
    text, mit_praefix, erweitert = _praefixe(basis, begriff)
    if mit_praefix is None:
        return basis.vorschlagen(text, anzahl=anzahl)
    ranked = basis.vorschlagen(text, anzahl=len(basis.sammlung.artikel))
    out = [v for v in ranked if v.artikel.datei in mit_praefix][:anzahl]
    for rang, v in enumerate(out, start=1):
        v.rang = rang
        # an expanded word counts as itself, not through its compound parts ("Parkausweis → Personalausweis")
        v.treffer = [t for t in v.treffer if t.split(" → ")[0] not in erweitert or " → " not in t]
    return out


_PRAEFIX = re.compile(r"(\w{2,})\*")
_ZU_KURZ = re.compile(r"(?<!\w)\w?\*")


def _praefixe(basis: Wissensbasis, begriff: str) -> tuple[str, set[str] | None, set[str]]:
    """ "Schwerbehind*" → the articles' words that begin so, as written there (as 'suche' does for Vorgänge),
    the articles that have a word for every prefix (None: no prefix in ``begriff``), and those words.

    The reason line then names them ("passende Wörter: Schwerbehindertenausweis, Schwerbehinderte").
    """
    wanted = {fold(m.group(1)) for m in _PRAEFIX.finditer(begriff)}
    if not wanted:
        return begriff, None, set()
    found: dict[str, dict[str, str]] = {p: {} for p in wanted}
    articles: set[str] = set()
    for a in basis.sammlung.artikel:
        has: set[str] = set()
        for token in re.findall(r"\w+", " ".join((a.titel, *a.stichwoerter, a.text))):
            folded = fold(token)
            for prefix in wanted:
                if folded.startswith(prefix):
                    has.add(prefix)
                    if len(found[prefix]) < 30:
                        found[prefix].setdefault(folded, token)
        if has == wanted:
            articles.add(a.datei)
    text = _PRAEFIX.sub(lambda m: " ".join(found[fold(m.group(1))].values()) or m.group(1), begriff)
    return text, articles, {w for words in found.values() for w in words.values()}


# -- pruefen ---------------------------------------------------------------------------------------


@dataclass
class Befund:
    datei: str  # relative to Wissen/
    zeile: int  # 0: the whole file
    text: str

    def __str__(self) -> str:
        return f"{self.datei}" + (f", Zeile {self.zeile}" if self.zeile else "") + f": {self.text}"


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def pruefen(ablage: Ablage, heute: date) -> list[Befund]:
    """Every problem of the articles: review due, missing fields, bad LeiKa key, duplicates, unreadable files."""
    alle = sammlung(ablage)
    befunde = [Befund(rel, 0, f"Datei nicht lesbar: {grund}.") for rel, grund in alle.unlesbar]
    titles: dict[str, list[Artikel]] = defaultdict(list)
    keywords: dict[str, list[Artikel]] = defaultdict(list)
    for a in alle.artikel:
        befunde += [Befund(a.datei, h.zeile, h.text) for h in a.hinweise]
        line = a.feldzeilen.get
        if a.felder or not a.hinweise:
            for name in FIELDS:
                if not a.feld(name).strip():
                    befunde.append(Befund(a.datei, line(name, 1), f"Feld „{name}“ fehlt oder ist leer."))
        leika = a.feld("leika").strip()
        if leika and not LEIKA_RE.match(leika):
            befunde.append(Befund(a.datei, line("leika", 1), f"LeiKa-Schlüssel „{leika}“ hat nicht 14 Ziffern."))
        elif leika and not leika.startswith("99"):
            befunde.append(Befund(a.datei, line("leika", 1), f"LeiKa-Schlüssel „{leika}“ beginnt nicht mit 99."))
        for name in ("geprueft_am", "pruefen_bis"):
            value = a.feld(name).strip()
            if value and _date(value) is None:
                befunde.append(Befund(a.datei, line(name, 1), f"„{name}: {value}“ ist kein Datum (JJJJ-MM-TT)."))
        due = _date(a.feld("pruefen_bis"))
        if due is not None and due < heute:
            befunde.append(Befund(a.datei, line("pruefen_bis", 1), f"Prüfung überfällig seit {due:%d.%m.%Y}."))
        elif due is not None and (due - heute).days <= REVIEW_DAYS:
            befunde.append(Befund(a.datei, line("pruefen_bis", 1), f"Prüfung fällig am {due:%d.%m.%Y}."))
        titles[a.titel.strip().lower()].append(a)
        for word in dict.fromkeys(w.strip().lower() for w in a.stichwoerter if w.strip()):
            keywords[word].append(a)
    for group in titles.values():
        for a, others in _doppelt(group):
            befunde.append(
                Befund(a.datei, a.feldzeilen.get("titel", 1), f"Titel „{a.titel.strip()}“ auch in: {others}")
            )
    for word, group in keywords.items():
        for a, others in _doppelt(group):
            shown = next((w.strip() for w in a.stichwoerter if w.strip().lower() == word), word)  # as written there
            zeile = a.feldzeilen.get("stichwoerter", 1)
            befunde.append(Befund(a.datei, zeile, f"Stichwort „{shown}“ auch in: {others}"))
    return sorted(befunde, key=lambda b: (b.datei, b.zeile))


def _doppelt(group: list[Artikel]) -> Iterable[tuple[Artikel, str]]:
    """Each article of a group sharing a title or keyword, with the others' files.

    An article shares it only with drafts (a draft from 'wissen neu --aus' has the Vorgang's subject as
    title): the draft is told, the finished article is fine as it is.
    """
    if len(group) < 2:
        return
    for a in group:
        others = [o for o in group if o is not a]
        if not ist_entwurf(a) and all(ist_entwurf(o) for o in others):
            continue
        yield a, ", ".join(o.datei for o in others)


# -- neu --aus AZ -----------------------------------------------------------------------------------


def answer_text(vorgang: Vorgang) -> str:
    """The last outgoing message's text (the answer the office gave), else ""."""
    assert vorgang.ordner is not None
    for n in reversed(vorgang.nachrichten):
        if n.richtung == "ausgang" and (text := message_text(vorgang.ordner, n)):
            return text
    return ""


@dataclass
class Entwurf:
    pfad: Path
    datei: str  # relative to Wissen/
    ohne_antwort: bool


def entwurf_aus(store: Store, az: str, heute: date) -> Entwurf:
    """A draft article from a Vorgang (subject as title, its answer as Kurzinfo) in ``Wissen/Entwürfe``."""
    vorgang = store.get(az)
    antwort = answer_text(vorgang)
    titel = vorgang.betreff.strip() or f"Anliegen {vorgang.aktenzeichen}"
    stich = ", ".join(dict.fromkeys(w for w in re.findall(r"\w{4,}", titel)))
    body = antwort or "(Noch keine Antwort im Vorgang – bitte die Antwort hier eintragen.)"
    text = (
        "---\n"
        f"titel: {titel}\n"
        f"stichwoerter: [{stich}]\n"
        'leika: ""\n'
        "zustaendig: \n"
        f"geprueft_am: {heute.isoformat()}\n"
        f"pruefen_bis: {heute.replace(year=heute.year + 1) if not (heute.month == 2 and heute.day == 29) else heute}\n"
        f"quelle: {vorgang.aktenzeichen}\n"
        "---\n\n"
        f"# {titel}\n\n"
        f"## Kurzinfo\n{body}\n\n"
        "## Unterlagen\n\n## Gebühren\n\n## Rechtsgrundlage\n"
    )
    folder = store.ablage.wissen_dir / DRAFT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # unique without regard to case: on the share "Grabpflege.md" and "GRABPFLEGE.md" are one file
    name = safe_name(titel[:80], fallback=vorgang.aktenzeichen)
    path = folder / unique_name(folder, f"{name}.md")
    atomic_write_bytes(path, text.replace("\n", "\r\n").encode("utf-8"), overwrite=False)  # CRLF for Notepad
    return Entwurf(path, path.relative_to(store.ablage.wissen_dir).as_posix(), not antwort)


# -- luecken ------------------------------------------------------------------------------------------


@dataclass
class Luecke:
    woerter: list[str]  # the shared subject words of the group
    vorgaenge: list[Vorgang] = field(default_factory=list)


def luecken(vorgaenge: Iterable[Vorgang]) -> list[Luecke]:
    """Closed Vorgänge answered without an article, grouped by their subject's content words."""
    closed = [v for v in vorgaenge if v.status in (Status.ERLEDIGT, Status.ARCHIV) and not v.wissen]
    by_term: dict[str, list[Vorgang]] = defaultdict(list)
    for v in closed:
        for t in dict.fromkeys(terms(v.betreff)):
            if len(t) >= 3 and not t.isdigit():
                by_term[t].append(v)
    groups: list[Luecke] = []
    used: set[str] = set()
    for term, members in sorted(by_term.items(), key=lambda x: (-len(x[1]), x[0])):
        fresh = [v for v in members if v.aktenzeichen not in used]
        if not fresh:
            continue
        used.update(v.aktenzeichen for v in fresh)
        shown = next((w for w in re.findall(r"\w+", fresh[0].betreff) if terms(w) == [term]), term)
        groups.append(Luecke([shown], fresh))
    rest = [v for v in closed if v.aktenzeichen not in used]
    if rest:
        groups.append(Luecke([], rest))
    return groups


# -- recording which article answered a Vorgang ------------------------------------------------------


def record_article(ctx: Context, az: str, artikel: Artikel, wie: str) -> Vorgang:
    """Vorgang ``az`` was answered with ``artikel`` (field ``wissen`` and a history line)."""

    def change(v: Vorgang) -> list[HistoryEntry]:
        v.wissen = artikel.datei
        return [ctx.entry("Wissensartikel", f"{wie} mit Artikel „{artikel.titel}“ ({artikel.datei})")]

    return ctx.store.update(az, change)
