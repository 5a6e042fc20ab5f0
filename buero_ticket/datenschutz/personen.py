"""Who a Vorgang belongs to: normalised contact keys and the grouping of Vorgänge into persons.

A person is not stored anywhere of its own: it is the set of Vorgänge that share a contact key
(e-mail address, phone number, or name together with the address), plus the links a clerk made
with ``person zusammenfuehren`` (recorded in the Vorgänge themselves, field ``person_alias``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Vorgang

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, other diacritics dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w@.+-]+", " ", text).split())


def norm_email(text: str) -> str:
    text = text.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.casefold() if "@" in text else ""


def norm_telefon(text: str, land: str = "49") -> str:
    """German and international formats as one number: ``0731 12345``, ``+49 731 12345``,
    ``0731/12345``, ``+49 (0)731-12345`` and ``0049 731 12345`` all give ``+4973112345``."""
    text = text.strip().replace("(0)", "")
    plus = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if len(digits) < 5:
        return ""
    if plus:
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return f"+{land}{digits[1:]}"
    return digits  # a local number without area code: kept as typed


def norm_name(text: str) -> str:
    """``Müller, Hans`` and ``hans mueller`` give the same key (tokens folded and sorted)."""
    tokens = [t for t in re.split(r"[\s,;]+", fold(text)) if t and t not in _TITLES]
    return " ".join(sorted(tokens))


_TITLES = frozenset({"herr", "frau", "dr.", "dr", "prof.", "prof", "familie"})


def norm_anschrift(text: str) -> str:
    """The address's first line and postcode, folded (``Hauptstr. 1`` = ``Hauptstraße 1``)."""
    lines = [fold(line) for line in text.replace("\r", "").split("\n") if line.strip()]
    if not lines:
        return ""
    joined = " ".join(lines)
    joined = re.sub(r"strasse\b|str\.", "str", joined)
    postcode = re.search(r"\b\d{5}\b", joined)
    street = re.search(r"[a-z][a-z .-]*str\w*\s*\d+\w?", joined)
    parts = [street.group(0).replace(" ", "") if street else "", postcode.group(0) if postcode else ""]
    return "|".join(parts) if any(parts) else joined


def keys_of(vorgang: Vorgang) -> set[str]:
    """The contact keys of a Vorgang's citizen (and of each incoming message's sender address)."""
    a = vorgang.absender
    keys = set()
    if mail := norm_email(a.email):
        keys.add("mail:" + mail)
    if tel := norm_telefon(a.telefon):
        keys.add("tel:" + tel)
    name, adr = norm_name(a.name), norm_anschrift(a.anschrift)
    if name and adr:
        keys.add(f"name:{name}|{adr}")
    keys.update(getattr(vorgang, "person_alias", []) or [])
    return keys


def keys_of_query(text: str) -> set[str]:
    """Keys a clerk's search text can match exactly (an address or a number)."""
    keys = set()
    if mail := norm_email(text):
        keys.add("mail:" + mail)
    if re.fullmatch(r"[\d\s+/()-]{5,}", text.strip()) and (tel := norm_telefon(text)):
        keys.add("tel:" + tel)
    return keys


@dataclass
class Person:
    """One citizen: the union of Vorgänge that share a key."""

    keys: set[str] = field(default_factory=set)
    vorgaenge: list[Vorgang] = field(default_factory=list)

    @property
    def namen(self) -> list[str]:
        return sorted({v.absender.name for v in self.vorgaenge if v.absender.name})

    @property
    def emails(self) -> list[str]:
        return sorted({norm_email(v.absender.email) for v in self.vorgaenge if norm_email(v.absender.email)})

    @property
    def telefone(self) -> list[str]:
        return sorted({v.absender.telefon for v in self.vorgaenge if v.absender.telefon})

    @property
    def anzeigename(self) -> str:
        return (self.namen or self.emails or self.telefone or ["(unbekannt)"])[0]

    def suchbegriffe(self) -> list[str]:
        """What identifies this person in free text (logs, quarantine files): addresses, names, numbers."""
        words = set(self.emails) | {n for n in self.namen if len(n) >= 4}
        words |= {v.absender.telefon.strip() for v in self.vorgaenge if len(v.absender.telefon.strip()) >= 5}
        return sorted(words)


def group(vorgaenge: Iterable[Vorgang]) -> list[Person]:
    """All persons: Vorgänge joined whenever they share a key (union-find over keys)."""
    parent: dict[str, str] = {}

    def root(k: str) -> str:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    items = []
    for v in vorgaenge:
        keys = keys_of(v) or {"az:" + v.aktenzeichen}
        items.append((v, keys))
        first, *rest = sorted(keys)
        for k in rest:
            parent[root(k)] = root(first)
    persons: dict[str, Person] = {}
    for v, keys in items:
        p = persons.setdefault(root(min(keys)), Person())
        p.keys |= keys
        p.vorgaenge.append(v)
    for p in persons.values():
        p.vorgaenge.sort(key=lambda v: v.eingang, reverse=True)
    return list(persons.values())


def matches(person: Person, query: str) -> bool:
    """A clerk's search: an exact address/number, or every word of the query in a name."""
    exact = keys_of_query(query)
    if exact:
        return bool(exact & person.keys)
    words = fold(query).split()
    if not words:
        return False
    haystack = [fold(n) for n in person.namen] + person.emails
    return any(all(w in h for w in words) for h in haystack)


def find(vorgaenge: Iterable[Vorgang], query: str) -> list[Person]:
    return [p for p in group(vorgaenge) if matches(p, query)]


def person_of(vorgaenge: Iterable[Vorgang], aktenzeichen: str) -> Person | None:
    for p in group(vorgaenge):
        if any(v.aktenzeichen == aktenzeichen for v in p.vorgaenge):
            return p
    return None
