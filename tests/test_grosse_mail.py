"""Large mails: every byte where it belongs, and peak memory below 4x the mail size (issue 10, item 16)."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import textwrap
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter
from buero_ticket.mail.parse import parse_mail
from buero_ticket.store import ANLAGEN_DIR, NACHRICHTEN_DIR, Store

MB = 1024 * 1024


def big_mail(payload: bytes, *, crlf: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Erika Muster <erika@example.org>"
    msg["To"] = "buergerbuero@musterstadt.example"
    msg["Subject"] = "Bauantrag mit Plänen"
    msg["Message-ID"] = "<gross@example.org>"
    msg.set_content("Guten Tag,\nanbei die Pläne.\n")
    msg.add_attachment(payload, maintype="application", subtype="pdf", filename="Plan.pdf")
    raw = msg.as_bytes()
    return raw.replace(b"\n", b"\r\n") if crlf else raw


@pytest.mark.parametrize("crlf", [False, True], ids=["LF", "CRLF"])
def test_a_large_attachment_is_stored_byte_for_byte(store: Store, crlf: bool) -> None:
    payload = os.urandom(6 * MB)
    raw = big_mail(payload, crlf=crlf)
    index = Index(store)
    index.refresh()
    result = MailImporter(store, index).import_raw(raw, "Postfach")
    vorgang = store.get(result.aktenzeichen)
    assert vorgang.ordner is not None
    [message] = vorgang.nachrichten
    assert (vorgang.ordner / NACHRICHTEN_DIR / message.datei).read_bytes() == raw
    assert message.anlagen == ["Plan.pdf"]
    stored = (vorgang.ordner / ANLAGEN_DIR / "Plan.pdf").read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(payload).digest()
    assert "anbei die Pläne" in (vorgang.ordner / NACHRICHTEN_DIR / message.text_datei).read_text(encoding="utf-8")


def test_base64_looking_text_that_is_no_attachment_stays_as_it_was() -> None:
    """A long run of base64-like lines in a plain text part (not encoded): put back exactly."""
    lines = base64.encodebytes(os.urandom(5 * MB)).decode("ascii")
    msg = EmailMessage()
    msg["From"] = "erika@example.org"
    msg["Subject"] = "Schluessel"
    msg.set_content("Hier der Schluessel:\n" + lines + "Ende.\n", cte="7bit")
    parsed = parse_mail(msg.as_bytes())
    assert parsed.body_text == _clean("Hier der Schluessel:\n" + lines + "Ende.")


def test_a_forwarded_mail_with_a_large_attachment_is_kept_whole() -> None:
    payload = os.urandom(5 * MB)
    inner = big_mail(payload)
    outer = EmailMessage()
    outer["From"] = "kollege@musterstadt.example"
    outer["Subject"] = "WG: Bauantrag"
    outer.set_content("Zur Kenntnis.\n")
    outer.add_attachment(message_from_bytes(inner, policy=policy.default))
    parsed = parse_mail(outer.as_bytes())
    [forwarded] = [a for a in parsed.attachments if a.name.endswith(".eml")]
    [plan] = parse_mail(forwarded.content).attachments
    assert plan.content == payload


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


PEAK = """
import sys
from pathlib import Path
from buero_ticket.ablage import init_ablage
from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter
from buero_ticket.store import Store
store = Store(init_ablage(Path(sys.argv[2]) / "Ablage", name="Test")[0])
index = Index(store)
index.refresh()
[result] = list(MailImporter(store, index).import_file(Path(sys.argv[1])))
assert result.kind == "neu", result
with open("/proc/self/status", encoding="ascii") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Spitzenspeicher wird über /proc gemessen (Linux)")
def test_peak_memory_of_a_50_mb_mail_stays_below_four_times_its_size(tmp_path: Path) -> None:
    mail = tmp_path / "gross.eml"
    mail.write_bytes(big_mail(os.urandom(37 * MB)))  # 50 MB with base64
    size_kib = mail.stat().st_size / 1024
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PEAK), str(mail), str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    peak_kib = int(out.split()[-1])
    assert peak_kib < 4 * size_kib, f"Spitzenspeicher {peak_kib / 1024:.0f} MB bei {size_kib / 1024:.0f} MB Mail"
