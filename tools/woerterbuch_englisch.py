"""Regenerate buero_ticket/wissen/englisch_deutsch.tsv.gz from the Ding German–English dictionary.

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
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

from buero_ticket.suche.analyse import STOPWORDS, fold, words

TARGET = Path(__file__).resolve().parents[1] / "buero_ticket" / "wissen" / "englisch_deutsch.tsv.gz"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ding", type=Path, default=Path("/usr/share/trans/de-en"))
    parser.add_argument("--deutsch", type=Path, default=Path("/usr/share/dict/ngerman"))
    parser.add_argument("--ziel", type=Path, default=TARGET)
    args = parser.parse_args()
    german = {fold(w.strip()) for w in args.deutsch.read_text(encoding="utf-8").splitlines()}
    header = [
        "# English → German for knowledge suggestions on English requests; see tools/woerterbuch_englisch.py",
        "# Derived from Ding (https://dict.tu-chemnitz.de/), Copyright (c) Frank Richter, TU Chemnitz;",
        "# licence GPL-2.0-or-later (englisch_deutsch.LIZENZ.txt beside this file).",
    ]
    body = lines(parse(args.ding), german)
    data = "\n".join(header + body) + "\n"
    args.ziel.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.ziel}: {len(body)} Einträge, {args.ziel.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
