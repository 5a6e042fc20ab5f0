"""German text analysis shared by the knowledge base and the full-text search.

How clerks and citizens type German: with or without umlauts (``Bürgeramt``, ``Buergeramt``,
``Burgeramt``), ``ß`` or ``ss``, any case, inflected (``Anträge``), compounds (``Anwohnerparkausweis``).
:func:`fold` maps all spellings of a word onto one form, :func:`stem` removes the inflection (Snowball
German via PyStemmer), :class:`Compounds` finds the known parts of a compound word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
# ae/oe/ue not after a vowel or q; the look-behind comes after the letter, so only an a, o or u is checked
_DIGRAPH = re.compile(r"([aou])(?<![aeiouyq][aou])e")
_STEMMER = Stemmer.Stemmer("german")
_SPECIAL = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})

# Function words and the formulas of letters and phone notes: they say nothing about the request.
_STOPWORD_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm andern
    anders auch auf aus bei beim bin bis bist bitte da dabei dadurch dafur dagegen daher dahin damals damit
    danach daneben dann daran darauf daraus darf darfst darin daruber darum darunter das dass dasselbe dazu dein deine
    deinem deinen deiner deines dem demselben den denn denselben der derer derselbe derselben des deshalb desselben
    dessen dich die dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch eben ein eine
    einem einen einer eines einfach einig einige einigem einigen einiger einiges einmal er es etwa etwas euch euer
    eure eurem euren eurer eures fur gegen gewesen gibt gibts geht gehen ging hab habe haben hat hatte hatten hier hin
    hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist ja jede jedem jeden jeder jedes jene
    jenem jenen jener jenes jetzt kann kannst konnen konnt konnte konnten kein keine keinem keinen keiner keines man
    manche manchem manchen mancher manches mal mein meine meinem meinen meiner meines mich mir mit muss musst musste
    mussen nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine seinem seinen seiner seines selbst sich
    sie sind so solche solchem solchen solcher solches soll sollen sollte sondern sonst uber um und uns unser unsere
    unserem unseren unserer unseres unter viel vom von vor wahrend war waren warst was weg weil weiter welche welchem
    welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen wollte wurde wurden zu zum zur
    zwar zwischen wer wann warum wieso weshalb worden sei seid gerne gern ganz eigentlich irgendwie immer leider
    bereits seit erst letzte letzten letzter letztes nachste nachsten nachster beide beiden beides jemand niemand
    heute gestern morgen ubermorgen vorgestern bald gerade grad gleich sofort spater fruher damals nie niemals oft
    manchmal wirklich bisher trotzdem dennoch sowie sowohl weder etc usw bzw ca zb ggf evtl inzwischen ebenfalls
    hatte hatten hatt wurde wurden mochte mochten mocht moechte wollt sollt durft darfs ok okay ja nein na tja
    machen macht mache gemacht sagen sagt sagte gesagt fragen fragt fragte gefragt frage meint meinte meinen glaube
    bekommen bekommt bekomme bekam kriegen kriegt kommen kommt kam gekommen geben gab gegeben wissen weiss wusste
    brauchen braucht brauche brauchte benotige benotigt benotigen reicht reichen geht ging gehts klappt
    hallo guten tag morgen abend sehr geehrte geehrter geehrten damen herren liebe lieber liebes freundlichen grussen
    gruss grusse gruß lg vg mfg viele danke dank vielen beste bestem besten herzlich herzliche herzlichen team
    anrufer anruferin anruf ruft rief herr frau hr fr kunde kundin burger burgerin
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def fold(text: str) -> str:
    """Lower case, without diacritics; ``ß``→``ss``; ``ae``/``oe``/``ue`` written for umlauts → ``a``/``o``/``u``."""
    text = text.lower()
    if not text.isascii():
        text = _NON_ASCII.sub(_fold_run, text)  # only the few non-ASCII runs go through Python
    return _DIGRAPH.sub(r"\1", text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return _fold_chars(match.group(0))


@lru_cache(maxsize=4096)
def _fold_chars(run: str) -> str:
    """A run of non-ASCII characters folded (NFKD and canonical reordering never cross an ASCII character)."""
    run = run.translate(_SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", run) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text (letters and digits; hyphenated words split into their parts).

    The words are the matches of ``_WORD`` in :func:`fold`'s text, found the fast way: while folding,
    non-ASCII characters that are no letter or digit become spaces (one remembered answer per run), then
    ASCII ones (a translation table), then the text is split at the spaces; only the few tokens with
    ``-`` or ``'`` go through the regular expression.
    """
    lowered = text.lower()
    if not lowered.isascii():
        for char, folded in _COMMON:  # folding is a map of single characters: the most frequent ones first
            if char in lowered:
                lowered = lowered.replace(char, folded)
        if not lowered.isascii():
            lowered = _NON_ASCII.sub(_fold_separate_run, lowered)
    cleaned = _DIGRAPH.sub(r"\1", lowered).translate(_SEPARATORS)
    marks = [at for char in "-'" for at in _positions(cleaned, char)]
    if not marks:
        return cleaned.split()
    pieces: list[str] = []
    done = 0
    for at in sorted(marks):
        if at < done:
            continue  # in a token already taken apart
        start = cleaned.rfind(" ", 0, at) + 1
        end = cleaned.find(" ", at)
        end = len(cleaned) if end < 0 else end
        pieces += (cleaned[done:start], " ".join(_joined_words(cleaned[start:end])))
        done = end
    pieces.append(cleaned[done:])
    return " ".join(pieces).split()


def _positions(text: str, char: str) -> Iterator[int]:
    at = text.find(char)
    while at >= 0:
        yield at
        at = text.find(char, at + 1)


# ASCII characters that separate words (not letters, digits, "-" or "'"; "_" too, as in ``_WORD``)
_SEPARATORS = {c: " " for c in range(128) if not chr(c).isalnum() and chr(c) not in "-'"}


def _fold_separate_run(match: re.Match[str]) -> str:
    return _fold_separate_chars(match.group(0))


@lru_cache(maxsize=4096)
def _fold_separate_chars(run: str) -> str:
    """A folded run of non-ASCII characters, those that are no letter or digit (as ``\\w`` sees them) as spaces."""
    return "".join(c if c.isascii() or c.isalnum() else " " for c in _fold_chars(run))


_COMMON = [(c, _fold_separate_chars(c)) for c in "äöüß„“”‚‘’–—…€§"]


def _joined_words(token: str) -> list[str]:
    """The words of a token with ``-`` or ``'``: its parts, and all of them joined if they are letters."""
    out: list[str] = []
    for match in _WORD.findall(token):
        if "-" in match or "'" in match:
            parts = re.split(r"[-']", match)
            out.extend(p for p in parts if p)
            if all(p.isalpha() for p in parts):
                out.append("".join(parts))  # "Kita-Platz" also as "kitaplatz"
        else:
            out.append(match)
    return out


def stem_word(word: str) -> str:
    """Snowball German stem of a folded word (digits stay as they are)."""
    if not word.isalpha():
        return word
    return str(_STEMMER.stemWord(word))


stem = lru_cache(maxsize=50_000)(stem_word)  # the same, remembered for the words seen most


def terms(text: str, *, stopwords: bool = True) -> list[str]:
    """Stems of the content words of a text, in order."""
    return [stem(w) for w in words(text) if not (stopwords and w in STOPWORDS) and (len(w) > 1 or w.isdigit())]


_LINKS = ("", "s", "es", "n", "en", "e", "er")
MIN_PART = 4


class Compounds:
    """Splits compound words into parts known from a vocabulary (of folded words).

    ``Anwohnerparkausweis`` with ``parkausweis`` and ``ausweis`` known gives ``parkausweis``,
    ``park`` (if known) and ``ausweis``. Only parts of at least four letters count, so short
    fragments (``ei``, ``amt``) never produce a match by accident.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = {w for w in vocabulary if len(w) >= MIN_PART and w.isalpha()}
        self._cache: dict[str, tuple[str, ...]] = {}

    def parts(self, word: str) -> tuple[str, ...]:
        """Known words inside ``word`` (not ``word`` itself).

        First choice: a split of the whole word into known parts (``personal|ausweis``). Otherwise
        the longest known part at the start or end, with the rest as another part if it is long
        enough (``auskunfts|sperre``, ``anwohner|parkausweis``).
        """
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result: tuple[str, ...] = ()
        if len(word) >= 2 * MIN_PART and word.isalpha():
            full = self._segment(word, 0)
            if full and len(full) > 1:
                nested = [p for part in full for p in (part, *self.parts(part))]
                result = tuple(dict.fromkeys(nested))
            else:
                result = self._one_side(word)
        self._cache[word] = result
        return result

    def _segment(self, word: str, depth: int) -> list[str] | None:
        if word in self.vocabulary:
            return [word]
        if depth >= 3:
            return None
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # longest head first
            head = self._known_head(word[:cut])
            if head:
                rest = self._segment(word[cut:], depth + 1)
                if rest:
                    return [head, *rest]
        return None

    def _one_side(self, word: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        best_len = 0
        n = len(word)
        for cut in range(MIN_PART, n - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            known = self._known_head(head)
            if known and len(known) >= best_len:
                best, best_len = (known, tail), len(known)
            if tail in self.vocabulary and len(tail) > best_len:
                best, best_len = (tail, head), len(tail)
        return best

    def _known_head(self, head: str) -> str:
        """``head`` or ``head`` without a linking element (``auskunfts`` → ``auskunft``) if known."""
        if head in self.vocabulary:
            return head
        for link in _LINKS[1:]:
            if head.endswith(link) and len(head) - len(link) >= MIN_PART and head[: -len(link)] in self.vocabulary:
                return head[: -len(link)]
        return ""
