"""Peak memory of importing one large mail (issue 10, item 16): `python bench/bench_memory.py [MB]`.

Each measurement runs in a fresh process that reports its own peak resident memory at the end (VmHWM
from /proc/self/status on Linux, else ru_maxrss; the parent's memory never counts).
The floor, measured in the same run: a process that imports the same modules and reads the mail file
into memory (the least any import of it can cost). The target is a peak below 4x the mail size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from email.message import EmailMessage
from pathlib import Path

FLOOR = """
import sys
from buero_ticket.intake.mail import MailImporter  # the same imports as the real run
data = open(sys.argv[1], "rb").read()
"""

IMPORT = """
import sys
from pathlib import Path
from buero_ticket.ablage import init_ablage
from buero_ticket.index import Index
from buero_ticket.intake.mail import MailImporter
from buero_ticket.store import Store
ablage = init_ablage(Path(sys.argv[2]) / "Ablage", name="Bench")[0]
store = Store(ablage)
index = Index(store)
index.refresh()
[result] = list(MailImporter(store, index).import_file(Path(sys.argv[1])))
assert result.kind == "neu", result
"""


MAKE = """
import sys
sys.path.insert(0, sys.argv[3])
from bench_memory import make_mail
make_mail(__import__("pathlib").Path(sys.argv[1]), int(sys.argv[2]))
"""


def make_mail(path: Path, megabytes: int) -> int:
    """The test mail: a short text and a PDF attachment of ``megabytes`` (base64); returns its size."""
    msg = EmailMessage()
    msg["From"] = "Erika Muster <erika@example.org>"
    msg["To"] = "buergerbuero@musterstadt.example"
    msg["Subject"] = "Bauantrag mit Plänen"
    msg["Message-ID"] = "<gross@example.org>"
    msg.set_content("Guten Tag,\nanbei die Pläne.\n")
    raw = os.urandom(megabytes * 1024 * 1024 * 3 // 4)  # base64 makes it 4/3 larger
    msg.add_attachment(raw, maintype="application", subtype="pdf", filename="Plan.pdf")
    data = msg.as_bytes()
    path.write_bytes(data)
    return len(data)


REPORT = """
import resource
try:
    with open("/proc/self/status", encoding="ascii") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak_kib)
"""


def peak_mb(script: str, *args: str) -> float:
    code = textwrap.dedent(script) + REPORT
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 70
    with tempfile.TemporaryDirectory() as tmp:
        mail = Path(tmp) / "gross.eml"
        peak_mb(MAKE, str(mail), str(megabytes), str(Path(__file__).parent))  # not in this process: see above
        size = mail.stat().st_size / 1024 / 1024
        floor = peak_mb(FLOOR, str(mail))  # first: the smaller one
        peak = peak_mb(IMPORT, str(mail), tmp)
    print(f"Mail: {size:.0f} MB (Anhang base64)")
    print(f"Untergrenze (Module laden + Mail lesen): {floor:.0f} MB Spitzenspeicher")
    print(f"mail einlesen: {peak:.0f} MB Spitzenspeicher = {peak / size:.1f}x die Mailgröße (Ziel: unter 4x)")
    print(f"               {peak - floor:.0f} MB über der Untergrenze = {(peak - floor) / size:.1f}x die Mailgröße")


if __name__ == "__main__":
    main()
