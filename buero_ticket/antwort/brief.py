"""``brief``: a Word letter from a template into the Vorgang's ``Ausgang`` folder, optionally as PDF too.

Everything that can fail is done before the Vorgang is touched: template, missing
fields, rendering and the PDF conversion (LibreOffice headless, in a local temp
folder with a throwaway profile). Then, under the Vorgang's lock, the files are
written atomically next to each other (``2026-11-23 Antwort.docx`` and ``.pdf``)
and one history line is added.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import history
from ..errors import EingabeFehler
from ..models import HistoryEntry, Kanal, Vorgang
from ..store import AUSGANG_DIR, Store
from . import kontext, render, vorlagen

SOFFICE_ENV = "BUERO_TICKET_SOFFICE"
PDF_TIMEOUT_S = 180.0
_WINDOWS_SOFFICE = (
    Path(r"C:\Program Files\LibreOffice\program\soffice.exe"),
    Path(r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"),
)


class PdfFehler(render.VorlagenFehler):
    """LibreOffice could not convert the letter."""

    beschreibung = "Der Brief konnte nicht als PDF gespeichert werden."


@dataclass(frozen=True)
class LetterResult:
    aktenzeichen: str
    docx: Path
    pdf: Path | None


def find_soffice(env: Mapping[str, str] = os.environ) -> str | None:
    """The LibreOffice program: BUERO_TICKET_SOFFICE, else soffice/libreoffice on the PATH, else the usual place."""
    if env.get(SOFFICE_ENV):
        return env[SOFFICE_ENV] if Path(env[SOFFICE_ENV]).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if os.name == "nt":  # pragma: no cover - Windows only
        return next((str(p) for p in _WINDOWS_SOFFICE if p.is_file()), None)
    return None


def require_soffice(env: Mapping[str, str] = os.environ) -> str:
    office = find_soffice(env)
    if office is None:
        raise EingabeFehler(
            "Für --pdf wird LibreOffice gebraucht, es ist auf diesem Rechner aber nicht installiert "
            "(Programm soffice nicht gefunden). Es wurde nichts geschrieben.",
            "Lassen Sie den Brief ohne --pdf als Word-Datei erstellen und speichern Sie ihn in Word als PDF, "
            f"oder bitten Sie die IT, LibreOffice zu installieren (oder {SOFFICE_ENV} auf soffice.exe zu setzen).",
        )
    return office


def to_pdf(docx: bytes, office: str) -> bytes:
    """Convert with LibreOffice headless in a local temp folder with its own throwaway profile."""
    with tempfile.TemporaryDirectory(prefix="buero-ticket-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "brief.docx"
        source.write_bytes(docx)
        command = [
            office,
            "--headless",
            f"-env:UserInstallation={(folder / 'profil').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfFehler(f"LibreOffice ({office}) ließ sich nicht starten: {exc}.", _PDF_HINT) from None
        target = folder / "pdf" / "brief.pdf"
        if not target.is_file():
            tail = " ".join((done.stderr or done.stdout or "").split())[-300:]
            raise PdfFehler(
                f"LibreOffice hat kein PDF erzeugt (Rückgabewert {done.returncode}: {tail or 'keine Meldung'}).",
                _PDF_HINT,
            )
        return target.read_bytes()


_PDF_HINT = (
    "Es wurde nichts geschrieben. Erstellen Sie den Brief ohne --pdf und speichern Sie ihn in Word als PDF; "
    "ist LibreOffice gerade noch geöffnet, schließen Sie es und versuchen Sie es erneut."
)


def require_address(vorgang: Vorgang) -> None:
    """A letter needs a postal address in its window; refuse before anything is written."""
    if vorgang.absender.anschrift.strip():
        return
    az = vorgang.aktenzeichen
    if vorgang.kanal is Kanal.EMAIL:
        raise EingabeFehler(
            f"Vorgang {az} kam per E-Mail und hat keine Postanschrift: der Brief hätte ein leeres Anschriftfeld. "
            "Es wurde nichts geschrieben.",
            f"Antworten Sie per E-Mail: 'buero-ticket antworten {az} antwort …'. Für einen Brief erst die "
            f"Anschrift ergänzen: 'buero-ticket aendern {az} --anschrift …' (oder --ohne-anschrift, wenn Sie "
            "sie von Hand eintragen).",
        )
    raise EingabeFehler(
        f"Anschrift fehlt – mit `buero-ticket aendern {az} --anschrift …` ergänzen. "
        "Es wurde nichts geschrieben (der Brief hätte ein leeres Anschriftfeld).",
        f'Ergänzen Sie die Anschrift, z. B. buero-ticket aendern {az} --anschrift "Name\\nStraße 1\\n12345 Ort", '
        "oder schreiben Sie den Brief mit --ohne-anschrift und tragen Sie sie in Word von Hand ein.",
    )


def write_letter(
    store: Store,
    az: str,
    name: str,
    fields: Mapping[str, str],
    *,
    pdf: bool,
    ohne_anschrift: bool = False,
    env: Mapping[str, str] = os.environ,
) -> LetterResult:
    """Render, convert, then write both files and a history line under the Vorgang's lock."""
    vorgang = store.get(az)
    if not ohne_anschrift:
        require_address(vorgang)
    template = vorlagen.find(store.ablage.vorlagen_dir, name, vorlagen.BRIEF)
    context = kontext.build(vorgang, store.ablage.config, dict(fields), today=store.clock().date())
    render.ensure_complete([template], context, fields)
    office = require_soffice(env) if pdf else None
    docx = render.render_docx(template, context)
    pdf_data = to_pdf(docx, office) if office else None
    stem = f"{store.clock():%Y-%m-%d} {template.title}"
    written: dict[str, Path] = {}

    def change(current: Vorgang) -> list[HistoryEntry]:
        assert current.ordner is not None
        folder = current.ordner / AUSGANG_DIR
        docx_name = store.put_file(current, AUSGANG_DIR, f"{stem}.docx", docx)
        written["docx"] = folder / docx_name
        details = f"Vorlage {template.name} ({template.origin}), Datei {AUSGANG_DIR}\\{docx_name}"
        if pdf_data is not None:
            pdf_name = store.put_file(current, AUSGANG_DIR, f"{Path(docx_name).stem}.pdf", pdf_data)
            written["pdf"] = folder / pdf_name
            details += f" und {AUSGANG_DIR}\\{pdf_name}"
        from ..operations.weiterleiten import rueckmeldung_vermerken

        written_at = store.clock()
        line = history.entry("Brief erstellt", details, zeit=written_at, benutzer=store.user)
        return [line, *rueckmeldung_vermerken(current, written_at, "Brief", store.user)]

    store.update(vorgang.aktenzeichen, change)
    return LetterResult(vorgang.aktenzeichen, written["docx"], written.get("pdf"))
