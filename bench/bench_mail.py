"""Mail import benchmark, run on demand: ``python bench/bench_mail.py [--anzahl 1000]``.

Starts a throwaway Dovecot on loopback (as the tests do), appends the same N generated German
mails to two mailboxes, warms Dovecot's cache, then measures in the same run:

- floor: a bare imaplib loop (login, UID SEARCH ALL, one UID FETCH BODY.PEEK[] per mail, each
  written to a file);
- tool: ``fetch_mail()`` end to end (parse, threading, Vorgang written with fsync, ledger, MOVE).
"""

from __future__ import annotations

import argparse
import imaplib
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from buero_ticket.ablage import init_ablage, open_ablage  # noqa: E402
from buero_ticket.index import Index  # noqa: E402
from buero_ticket.intake.abruf import fetch_mail  # noqa: E402
from buero_ticket.mail.parse import parse_mail  # noqa: E402
from buero_ticket.store import Store  # noqa: E402
from tests.imap_servers import _dovecot_binary, _start_dovecot  # noqa: E402

WORDS = [
    "Antrag",
    "Sperrmüll",
    "Parkausweis",
    "Meldebescheinigung",
    "Straßenlaterne",
    "Gebührenbescheid",
    "Widerspruch",
    "Termin",
    "Rückruf",
    "Unterlagen",
    "Führerschein",
    "Gewerbeanmeldung",
    "Hundesteuer",
    "Baugenehmigung",
]


def generate(n: int) -> list[bytes]:
    rnd = random.Random(42)
    mails = []
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = f"Bürger {i} <buerger{i}@example.org>"
        msg["To"] = "buergerbuero@musterstadt.example"
        msg["Subject"] = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} Nr. {i}"
        msg["Date"] = format_datetime(datetime.now().astimezone())
        msg["Message-ID"] = make_msgid(domain="example.org")
        body = " ".join(rnd.choice(WORDS) for _ in range(900))
        msg.set_content(f"Sehr geehrte Damen und Herren,\n\n{body}\n\nMit freundlichen Grüßen\nBürger {i}\n")
        if i % 10 == 0:
            msg.add_attachment(os.urandom(20_000), maintype="application", subtype="pdf", filename=f"Scan {i}.pdf")
        mails.append(msg.as_bytes().replace(b"\n", b"\r\n"))
    return mails


def fill(host: str, port: int, user: str, password: str, mails: list[bytes]) -> None:
    client = imaplib.IMAP4(host, port)
    client.login(user, password)
    for raw in mails:
        client.append("INBOX", None, None, raw)
    client.select("INBOX")
    client.uid("FETCH", "1:*", "(BODY.PEEK[])")  # warm Dovecot's cache for both sides alike
    client.logout()


def floor(host: str, port: int, user: str, password: str, target: Path, durable: bool = False) -> float:
    """Bare imaplib loop; ``durable`` adds what any safe importer must do: parse, fsync file and folder."""
    target.mkdir()
    start = time.perf_counter()
    client = imaplib.IMAP4(host, port)
    client.login(user, password)
    client.select("INBOX")
    _typ, data = client.uid("SEARCH", "ALL")
    for uid in data[0].split():
        _typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next(item[1] for item in fetched if isinstance(item, tuple))
        path = target / f"{uid.decode()}.eml"
        if not durable:
            path.write_bytes(raw)
            continue
        parse_mail(raw)
        with open(path, "xb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        fd = os.open(target, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    client.logout()
    return time.perf_counter() - start


def tool(host: str, port: int, user: str, password: str, base: Path) -> tuple[float, str]:
    ablage, _ = init_ablage(base / "Ablage")
    cfg = ablage.root / "buero-ticket.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + f'\n[imap]\nserver = "{host}"\nport = {port}\n'
        f'benutzer = "{user}"\nverschluesselung = "keine"\n',
        encoding="utf-8",
    )
    store = Store(open_ablage(ablage.root))
    os.environ["BUERO_TICKET_CACHE"] = str(base / "cache")
    start = time.perf_counter()
    counts = fetch_mail(store, Index(store), env={"BUERO_TICKET_IMAP_PASSWORT": password})
    return time.perf_counter() - start, counts.summary_line()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--anzahl", type=int, default=1000)
    args = parser.parse_args()
    mails = generate(args.anzahl)
    size = sum(len(m) for m in mails) / 1e6
    directory = Path(tempfile.mkdtemp(prefix="bt-bench-dovecot-"))
    directory.chmod(0o755)
    instance = _start_dovecot(_dovecot_binary(), directory)
    try:
        a, b, c = instance.new_account(), instance.new_account(), instance.new_account()
        for account in (a, b, c):
            fill(account.host, account.port, account.user, account.password, mails)
        with tempfile.TemporaryDirectory() as tmp:
            t_floor = floor(a.host, a.port, a.user, a.password, Path(tmp) / "floor")
            t_floor2 = floor(c.host, c.port, c.user, c.password, Path(tmp) / "floor2", durable=True)
            t_tool, summary = tool(b.host, b.port, b.user, b.password, Path(tmp))
    finally:
        instance.stop()
        shutil.rmtree(directory, ignore_errors=True)
    n = args.anzahl
    print(f"{n} Mails ({size:.1f} MB) aus Dovecot (Loopback):")
    print(f"  Boden (imaplib, eine UID FETCH je Mail, in Dateien): {t_floor:.2f} s = {n / t_floor:,.0f} Mails/s")
    print(f"  Boden + parse_mail + fsync von Datei und Ordner:     {t_floor2:.2f} s = {n / t_floor2:,.0f} Mails/s")
    print(
        f"  buero-ticket mail abrufen (Vorgänge, fsync, MOVE):   {t_tool:.2f} s = {n / t_tool:,.0f} Mails/s "
        f"(Faktor {t_tool / t_floor:.1f} zum Boden, {t_tool / t_floor2:.1f} zum Boden mit Parsen+fsync)"
    )
    print(f"  {summary}")


if __name__ == "__main__":
    main()
