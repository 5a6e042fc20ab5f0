"""Benchmark parse_mail against the floor: bare ``BytesParser(policy=compat32).parsebytes``, same mails.

Run on demand (pytest does not collect it)::

    python bench/bench_parse.py                 # corpus + 1,000 generated 8 KB German mails
    python bench/bench_parse.py --n 5000 --repeat 5

Three sets: every .eml and every mbox message of the corpus
(../shared/corpus/mail), 1,000 generated German mails of about 8 KB
(multipart/alternative, quoted-printable UTF-8, every tenth with a small PDF), and
the same mails with the HTML part only (the worst case: inscriptis converts each
body). Each set is timed ``--repeat`` times; the median is printed.
"""

from __future__ import annotations

import argparse
import base64
import quopri
import random
import statistics
import time
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

from buero_ticket.mail.parse import iter_mbox, parse_mail

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "mail"
TARGET = 300  # mails per second on 8 KB mails

_VOCABULARY = (
    "Sehr geehrte Damen und Herren ich beantrage hiermit die Verlängerung meines Personalausweises "
    "Bürgeramt Gebühr Überweisung Straße Grüße Führungszeugnis Meldebescheinigung Frist Termin "
    "Anlage beigefügt Wohnsitz Ummeldung Kindergeld Gewerbeanmeldung Baugenehmigung Müllabfuhr"
)
_WORDS = _VOCABULARY.split()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."


def _text(rng: random.Random, size: int) -> str:
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < size:
        sentences.append(_sentence(rng))
    return "\n".join(sentences)


def _qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def _header(i: int, content_type: str) -> str:
    return (
        f"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller_{i}?= <buerger{i}@example.de>\n"
        "To: buergerbuero@stadt.example\n"
        f"Subject: =?utf-8?q?Antrag_auf_Verl=C3=A4ngerung_Nr=2E_{i}?=\n"
        f"Date: Mon, 3 Feb 2025 10:{i % 60:02d}:00 +0100\n"
        f"Message-ID: <{i}.{i * 7919}@mail.example.de>\n"
        + (f"In-Reply-To: <{i - 1}@stadt.example>\n" if i % 3 == 0 else "")
        + f"MIME-Version: 1.0\nContent-Type: {content_type}\n"
    )


def generate(n: int, *, html_only: bool = False, seed: int = 1) -> list[bytes]:
    """``n`` German mails of about 8 KB each."""
    rng = random.Random(seed)
    mails: list[bytes] = []
    for i in range(n):
        text = _text(rng, 6000 if html_only else 3000)
        html = "<html><body>" + "".join(f"<p>{s}</p>" for s in text.split("\n")) + "</body></html>"
        html_part = (
            f"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{_qp(html)}"
        )
        if html_only:
            mails.append((_header(i, "text/html; charset=utf-8").rsplit("Content-Type", 1)[0] + html_part).encode())
            continue
        parts = [
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n{_qp(text)}",
            html_part,
        ]
        body = "".join(f"--alt\n{p}\n" for p in parts) + "--alt--\n"
        if i % 10 == 0:
            pdf = base64.encodebytes(rng.randbytes(600)).decode("ascii")
            attachment = (
                'Content-Type: application/pdf\nContent-Disposition: attachment; filename="Antrag.pdf"\n'
                f"Content-Transfer-Encoding: base64\n\n{pdf}"
            )
            body = (
                f'--mix\nContent-Type: multipart/alternative; boundary="alt"\n\n{body}\n--mix\n{attachment}\n--mix--\n'
            )
            header = _header(i, 'multipart/mixed; boundary="mix"')
        else:
            header = _header(i, 'multipart/alternative; boundary="alt"')
        mails.append((header + "\n" + body).encode())
    return mails


def corpus() -> list[bytes]:
    mails = [p.read_bytes() for p in sorted(CORPUS.rglob("*.eml"))]
    for mbox in sorted(CORPUS.rglob("*.mbox")):
        mails.extend(iter_mbox(mbox))
    return mails


def _rate(fn: Callable[[bytes], object], mails: list[bytes], repeat: int) -> float:
    """Median mails per second over ``repeat`` runs."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in mails:
            fn(raw)
        rates.append(len(mails) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="generated mails (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args()
    floor = BytesParser(policy=compat32).parsebytes
    sets = {
        "Korpus (.eml + mbox)": corpus(),
        f"{args.n} × 8 KB, Text+HTML": generate(args.n),
        f"{args.n} × 8 KB, nur HTML": generate(args.n, html_only=True),
    }
    print(f"{'Satz':<28} {'Mails':>6} {'Ø KB':>6} {'Boden/s':>9} {'parse_mail/s':>13} {'Anteil':>7}")
    for name, mails in sets.items():
        kb = sum(map(len, mails)) / len(mails) / 1024
        floor_rate = _rate(floor, mails, args.repeat)
        ours = _rate(parse_mail, mails, args.repeat)
        print(f"{name:<28} {len(mails):>6} {kb:>6.1f} {floor_rate:>9.0f} {ours:>13.0f} {ours / floor_rate:>7.0%}")
    print(f"Ziel: ≥ {TARGET} Mails/s bei 8-KB-Mails (Text+HTML).")


if __name__ == "__main__":
    main()
