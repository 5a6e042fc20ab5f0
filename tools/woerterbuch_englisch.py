"""Regenerate buero_ticket/wissen/englisch_deutsch.tsv.gz (and deutsch_synonyme.tsv.gz) from the Ding dictionary.

Source: Debian package ``trans-de-en`` (Ding, Frank Richter, TU Chemnitz, GPL-2+), file
/usr/share/trans/de-en; whether a word is also German comes from Debian's ``wngerman``
(/usr/share/dict/ngerman).

    apt-get install trans-de-en wngerman
    python tools/woerterbuch_englisch.py [--ding /usr/share/trans/de-en] [--deutsch /usr/share/dict/ngerman]

One line per English word or two-word phrase, sorted (the product looks lines up by bisection):
``english<TAB>flag<TAB>German1;German2;…`` with flag ``e`` (not a German word: it counts when telling whether
a request is English), ``d`` (also a German word, e.g. "die", "rat", "was": it does not count) or ``f`` (an
English function word such as "the", "for": one of its translations is a German stopword; stored without
translations, it only counts for the language; "was", "will" are ``d`` with none). Left out: entries of
specialist fields (the dictionary's own subject labels below), translations of more than two words, and an
English key with more than 6 translations keeps the first 6 (those where it is the first English alternative
of an entry first: the common sense); a two-word phrase keeps only its one-word German translations ("birth
certificate" → "Geburtsurkunde"), at most 3, since its words are translated one by one anyway.

The second file, ``deutsch_synonyme.tsv.gz``, holds German words that share an English translation (German →
English → German: "Heirat" → "marriage" → "Eheschließung"): one line per German word stem
``stem<TAB>Synonym1;Synonym2;…``, sorted. Only single German words tagged as a noun ({m}, {f}, {n}, {pl}) or a
verb ({vt}, {vi}, {vr}) of 4 letters or more and no stopword, linked through a single English word that has at
most ``MAX_PIVOT`` such German translations (an ambiguous English word such as "get" or "set" links unrelated
senses); a synonym has the same class (noun or verb) and another stem; at most ``MAX_SYNONYMS`` per stem (one
word per stem), those linked through the most English words first.
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

from buero_ticket.suche.analyse import STOPWORDS, fold, stem, words

TARGET = Path(__file__).resolve().parents[1] / "buero_ticket" / "wissen" / "englisch_deutsch.tsv.gz"
SYNONYM_TARGET = TARGET.with_name("deutsch_synonyme.tsv.gz")
# The dictionary's labels of specialist fields: a citizen writing to a town hall does not mean these senses.
SPECIALIST = frozenset(
    [
        "ornith.",
        "techn.",
        "med.",
        "chem.",
        "bot.",
        "zool.",
        "geogr.",
        "comp.",
        "electr.",
        "mil.",
        "constr.",
        "min.",
        "anat.",
        "textil.",
        "mus.",
        "phys.",
        "agr.",
        "math.",
        "geol.",
        "biol.",
        "ling.",
        "naut.",
        "mach.",
        "aviat.",
        "telco.",
        "psych.",
        "biochem.",
        "phil.",
        "pharm.",
        "arch.",
        "meteo.",
        "astron.",
        "print",
    ]
)
_LABEL = re.compile(r"\[([^\]]*)\]")
_ANNOTATION = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>|(?:^|\s)/[^/\s][^/]*/")  # "/cert./" too
MAX_KEY_WORDS = 2
MAX_TARGET_WORDS = 2
MAX_TRANSLATIONS = 6
MAX_PHRASE_TRANSLATIONS = 3
MAX_PIVOT = 8  # an English word with more German noun/verb translations links no synonyms
MAX_SYNONYMS = 3
_NOUN = frozenset(["m", "f", "n", "pl"])
_VERB = frozenset(["vt", "vi", "vr"])
_TAG = re.compile(r"\{([^}]*)\}")


def clean(text: str) -> str:
    return " ".join(_ANNOTATION.sub(" ", text).split())


def parse(ding: Path) -> dict[str, list[str]]:
    """English (folded words, space-separated) → German translations as written (case, umlauts).

    The translations of an English word come first from the entries where it is the first English
    alternative ("Termin; Verabredung :: appointment; date" before "Arbeitsstelle … :: job; position;
    appointment"), then in the dictionary's order.
    """
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    order = 0
    with ding.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = line.rstrip("\n").split(" :: ", 1)
            german_parts, english_parts = german.split(" | "), english.split(" | ")
            if len(german_parts) != len(english_parts):
                continue
            for de, en in zip(german_parts, english_parts, strict=True):
                if any(label in SPECIALIST for label in _LABEL.findall(de + en)):
                    continue
                targets = [clean(a) for a in de.split(";")]
                targets = [t for t in targets if t and len(t.split()) <= MAX_TARGET_WORDS and not t.startswith("-")]
                for position, alternative in enumerate(en.split(";")):
                    key_words = words(clean(alternative))
                    if key_words[:1] == ["to"]:
                        key_words = key_words[1:]  # "to register" → "register"
                    if not key_words or len(key_words) > MAX_KEY_WORDS:
                        continue
                    for target in targets:
                        order += 1
                        ranked.setdefault(" ".join(key_words), []).append((min(position, 1), order, target))
    out: dict[str, list[str]] = {}
    for key, found in ranked.items():
        out[key] = list(dict.fromkeys(target for _, _, target in sorted(found)))
    return out


def lines(dictionary: dict[str, list[str]], german: set[str]) -> list[str]:
    function = {k for k, targets in dictionary.items() if any(fold(t) in STOPWORDS for t in targets)}
    out = []
    for key, targets in dictionary.items():
        if key in function:  # "the", "for": no translation, but it tells the language (unless German too)
            out.append(f"{key}\t{'d' if key in german else 'f'}\t")
            continue
        if " " in key:  # a phrase only for what its words don't give: a German one-word compound
            targets = [t for t in targets if " " not in t and "/" not in t][:MAX_PHRASE_TRANSLATIONS]
            if any(w in function for w in key.split()):
                continue  # "i receive", "in english": its words are looked up one by one
        if not targets:
            continue
        flag = "d" if " " not in key and key in german else "e"
        out.append(f"{key}\t{flag}\t{';'.join(targets[:MAX_TRANSLATIONS])}")
    return sorted(out)


def word_class(text: str) -> str:
    """Noun "n", verb "v" or "" from the dictionary's tags ("{m}", "{vt}") in ``text``."""
    found = set()
    for tag in _TAG.findall(text):
        for label in re.split(r"[;,\s]+", tag):
            found |= {"n"} if label in _NOUN else {"v"} if label in _VERB else set()
    return found.pop() if len(found) == 1 else ""


def synonyms(ding: Path) -> dict[str, list[str]]:
    """German word stem → German words sharing a single English translation (see the docstring)."""
    pivots: dict[str, dict[str, tuple[str, str]]] = {}  # English word → {stem: (German word, class)}
    with ding.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = line.rstrip("\n").split(" :: ", 1)
            german_parts, english_parts = german.split(" | "), english.split(" | ")
            if len(german_parts) != len(english_parts):
                continue
            for de, en in zip(german_parts, english_parts, strict=True):
                if any(label in SPECIALIST for label in _LABEL.findall(de + en)):
                    continue
                part_class = word_class(de)
                found = []
                for alternative in de.split(";"):
                    kind = word_class(alternative) or part_class
                    word = clean(alternative)
                    folded = fold(word)
                    if not kind or " " in word or not folded.isalpha() or len(folded) < 4 or folded in STOPWORDS:
                        continue
                    found.append((stem(folded), word, kind))
                if not found:
                    continue
                for alternative in en.split(";"):
                    key_words = words(clean(alternative))
                    if key_words[:1] == ["to"]:
                        key_words = key_words[1:]
                    if len(key_words) == 1:
                        for key, word, kind in found:
                            pivots.setdefault(key_words[0], {}).setdefault(key, (word, kind))
    linked: dict[str, dict[str, list[int | str]]] = {}  # stem → its synonyms' stems → [links, first seen, word]
    order = 0
    for german in pivots.values():
        if len(german) > MAX_PIVOT:
            continue
        for key, (_, kind) in german.items():
            for other, (word, other_kind) in german.items():
                if other != key and other_kind == kind:
                    order += 1
                    entry = linked.setdefault(key, {}).setdefault(other, [0, order, word])
                    entry[0] = int(entry[0]) + 1
    return {
        key: [str(e[2]) for e in sorted(found.values(), key=lambda e: (-int(e[0]), int(e[1])))][:MAX_SYNONYMS]
        for key, found in linked.items()
    }


def write(target: Path, header: list[str], body: list[str]) -> None:
    data = "\n".join(header + body) + "\n"
    target.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{target}: {len(body)} Einträge, {target.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ding", type=Path, default=Path("/usr/share/trans/de-en"))
    parser.add_argument("--deutsch", type=Path, default=Path("/usr/share/dict/ngerman"))
    parser.add_argument("--ziel", type=Path, default=TARGET)
    parser.add_argument("--synonyme", type=Path, default=SYNONYM_TARGET)
    args = parser.parse_args()
    german = {fold(w.strip()) for w in args.deutsch.read_text(encoding="utf-8").splitlines()}
    header = [
        "# English → German for knowledge suggestions on English requests; see tools/woerterbuch_englisch.py",
        "# Derived from Ding (https://dict.tu-chemnitz.de/), Copyright (c) Frank Richter, TU Chemnitz;",
        "# licence GPL-2.0-or-later (englisch_deutsch.LIZENZ.txt beside this file).",
    ]
    write(args.ziel, header, lines(parse(args.ding), german))
    synonym_header = [
        "# German word stem → German words sharing an English translation; see tools/woerterbuch_englisch.py",
        *header[1:],
    ]
    found = synonyms(args.ding)
    write(args.synonyme, synonym_header, sorted(f"{k}\t{';'.join(v)}" for k, v in found.items()))


if __name__ == "__main__":
    main()
