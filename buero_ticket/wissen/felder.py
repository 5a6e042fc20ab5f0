"""The fields the knowledge suggestions rank an article by, taken from its file.

Title, single-word keywords, the words of multi-word keywords, the file name, the Kurzinfo and the rest
of the text (with the section headings). The ranking (``vorschlag.py``) weights them, the reason line
(``begruendung.py``) looks up in them which word of the article carried a match.
"""

from __future__ import annotations

from .artikel import Artikel

FIELDS = ("titel", "stichwoerter", "phrasen", "datei", "kurzinfo", "text")


def mehrwortig(keywords: list[str]) -> list[str]:
    """The keywords of more than one word ("Gewerbe ummelden")."""
    return [k for k in keywords if len(k.split()) > 1]


def feldtexte(artikel: Artikel) -> tuple[str, str, str, str, str, str]:
    """The article's text in each of :data:`FIELDS`."""
    name = artikel.datei.rsplit("/", 1)[-1]
    multi = mehrwortig(artikel.stichwoerter)
    single = [k for k in artikel.stichwoerter if k not in multi]
    rest = "\n".join(t for h, t in artikel.abschnitte.items() if not h.lower().startswith("kurzinfo"))
    rest = rest + "\n" + " ".join(artikel.abschnitte)
    return (
        artikel.titel,
        " ".join(single),
        " ".join(multi),
        name.rsplit(".", 1)[0],
        artikel.kurzinfo,
        rest,
    )
