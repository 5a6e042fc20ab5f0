"""Build the shipped Word templates (``<name>.docx``) after DIN 5008, form B.

Run ``python vorlagen/erzeuge_vorlagen.py`` after changing this file and commit the
.docx files it writes next to itself. The output is byte-for-byte reproducible
(fixed document properties and zip timestamps); a test compares the committed
files with a fresh run.

Layout (A4, millimetres from the top-left corner of the page):

- 0-45: letterhead (name and address of the office), right-aligned.
- 45-90, left, x 25-110: address field. Zusatz- und Vermerkzone with the
  Rücksendeangabe (8 pt), then the Anschriftzone (name, address lines).
- 50-90, right, x 125-200: Informationsblock, 8 pt (Aktenzeichen, Ihr Anliegen vom,
  Bearbeitet von, Telefon, E-Mail, Datum).
- then Betreff (bold, without the word "Betreff"), Anrede, text, Gruß, name.
- Footer: office, address, phone, e-mail.

The tags are docxtpl/jinja2: ``{{ … }}`` inside a line, ``{%p … %}`` alone in a
paragraph for loops and conditions over whole paragraphs.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
FONT = "Arial"
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

LIST_ITEM = "–\t"
INFO_TAB_MM = 25
ANREDE = "{{ anrede | default(absender.anrede) }}"
ZEILEN_TEXT = ("{%p for absatz in text | zeilen %}", "{{ absatz }}", "{%p endfor %}")

#: name → (title, Betreff line, body paragraphs). A paragraph that starts with "{%p" is a tag.
BRIEFE: dict[str, tuple[str, str, Sequence[str]]] = {
    "eingangsbestaetigung": (
        "Eingangsbestätigung",
        "Eingangsbestätigung: {{ vorgang.betreff }}",
        (
            "vielen Dank für Ihr Anliegen vom {{ vorgang.eingang }}. Es ist bei uns eingegangen und wird unter "
            "dem Aktenzeichen {{ vorgang.aktenzeichen }} bearbeitet.",
            "{%p if vorgang.frist %}",
            "Wir bemühen uns, Ihnen bis zum {{ vorgang.frist }} eine Antwort zu geben.",
            "{%p endif %}",
            "Bitte geben Sie bei Rückfragen immer das Aktenzeichen {{ vorgang.aktenzeichen }} an.",
        ),
    ),
    "zwischennachricht": (
        "Zwischennachricht",
        "Zwischennachricht: {{ vorgang.betreff }}",
        (
            "Ihr Anliegen vom {{ vorgang.eingang }} ist bei uns in Bearbeitung. Leider können wir es noch "
            "nicht abschließend beantworten{% if grund is defined %}, weil {{ grund }}{% endif %}.",
            "Wir melden uns voraussichtlich bis zum {{ bis }} bei Ihnen. Vielen Dank für Ihre Geduld.",
        ),
    ),
    "antwort": (
        "Antwort",
        "{{ vorgang.betreff }}",
        ("vielen Dank für Ihr Anliegen vom {{ vorgang.eingang }}.", *ZEILEN_TEXT),
    ),
    "rueckfrage": (
        "Rückfrage",
        "Rückfrage – fehlende Unterlagen: {{ vorgang.betreff }}",
        (
            "für die weitere Bearbeitung Ihres Anliegens vom {{ vorgang.eingang }} benötigen wir noch "
            "folgende Unterlagen:",
            "{%p for unterlage in unterlagen | liste %}",
            LIST_ITEM + "{{ unterlage }}",
            "{%p endfor %}",
            "Bitte reichen Sie diese {% if bis is defined %}bis zum {{ bis }}{% else %}innerhalb von zwei Wochen"
            "{% endif %} ein{% if amt.email %}, gern auch per E-Mail an {{ amt.email }}{% endif %}. "
            "Geben Sie dabei bitte das Aktenzeichen {{ vorgang.aktenzeichen }} an.",
            "Sobald die Unterlagen vorliegen, bearbeiten wir Ihr Anliegen weiter.",
        ),
    ),
    "weiterleitung": (
        "Weiterleitung",
        "Weitergeleitet an {{ stelle }}: {{ vorgang.betreff }}",
        (
            "für Ihr Anliegen vom {{ vorgang.eingang }} ist eine andere Stelle zuständig. Wir haben es heute "
            "mit allen Unterlagen dorthin weitergeleitet:",
            "{{ stelle }}",
            "Die zuständige Stelle wird sich direkt bei Ihnen melden.{% if kontakt is defined %} Sie erreichen "
            "sie unter: {{ kontakt }}.{% endif %}",
            "Bei Fragen zum Stand erreichen Sie uns weiterhin unter dem Aktenzeichen {{ vorgang.aktenzeichen }}.",
        ),
    ),
}


# --- building blocks --------------------------------------------------------------------------


def _new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(10), Mm(25)
    section.header_distance, section.footer_distance = Mm(5), Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "de-DE")
    rpr.append(lang)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "buero-ticket", "buero-ticket"
    props.language, props.revision = "de-DE", 1
    props.created = props.modified = FIXED_TIME
    return doc


def _line(
    container: DocumentObject | _Cell,
    text: str,
    size: float = 11,
    *,
    bold: bool = False,
    align: str = "",
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    par = container.add_paragraph()
    run = par.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if align == "right":
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    par.paragraph_format.space_before = Pt(before)
    par.paragraph_format.space_after = Pt(after)
    return par


def _no_cell_margins(table_xml: CT_Tbl) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right", "top", "bottom"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table_xml.tblPr.append(margins)


def _fixed_table(doc: DocumentObject, widths_mm: Sequence[float], height_mm: float) -> list[_Cell]:
    table = doc.add_table(rows=1, cols=len(widths_mm))
    table.autofit = False
    _no_cell_margins(table._tbl)
    row = table.rows[0]
    row.height, row.height_rule = Mm(height_mm), WD_ROW_HEIGHT_RULE.EXACTLY
    cells = list(row.cells)
    for column, cell, width in zip(table.columns, cells, widths_mm, strict=True):
        column.width = cell.width = Mm(width)
        cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    return cells


def _letterhead(doc: DocumentObject) -> None:
    [cell] = _fixed_table(doc, [165], 35)
    _line(cell, "{{ amt.name }}", 14, bold=True, align="right", before=8)
    _line(cell, "{%p for zeile in amt.anschrift_zeilen %}", 9)
    _line(cell, "{{ zeile }}", 9, align="right")
    _line(cell, "{%p endfor %}", 9)


def _info_line(cell: _Cell, label: str, value: str, *, before: float = 0) -> None:
    """Label, tab, value; a value too long for one line continues under the value, not the label."""
    par = _line(cell, f"{label}\t{value}", 8, before=before)
    fmt = par.paragraph_format
    fmt.tab_stops.add_tab_stop(Mm(INFO_TAB_MM))
    fmt.left_indent, fmt.first_line_indent = Mm(INFO_TAB_MM), Mm(-INFO_TAB_MM)


def _address_and_info(doc: DocumentObject) -> None:
    # 175 mm: the Informationsblock may reach 10 mm from the right edge (DIN 5008), the body text 20 mm.
    left, _gap, right = _fixed_table(doc, [85, 15, 75], 45)
    _line(left, "{{ amt.ruecksendeangabe }}", 7, before=24, after=14)
    _line(left, "{{ absender.name }}")
    _line(left, "{%p for zeile in absender.anschrift_zeilen %}")
    _line(left, "{{ zeile }}")
    _line(left, "{%p endfor %}")
    _gap.add_paragraph()
    _info_line(right, "Aktenzeichen", "{{ vorgang.aktenzeichen }}", before=14)
    _info_line(right, "Ihr Anliegen vom", "{{ vorgang.eingang }}")
    _info_line(right, "Bearbeitet von", "{{ bearbeiter }}")
    _line(right, "{%p if bearbeiter_telefon or amt.telefon %}", 8)
    _info_line(right, "Telefon", "{{ bearbeiter_telefon or amt.telefon }}")
    _line(right, "{%p endif %}", 8)
    _line(right, "{%p if bearbeiter_email or amt.email %}", 8)
    _info_line(right, "E-Mail", "{{ bearbeiter_email or amt.email }}")
    _line(right, "{%p endif %}", 8)
    _info_line(right, "Datum", "{{ datum }}", before=8)


def _footer(doc: DocumentObject) -> None:
    par = doc.sections[0].footer.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = par.add_run(
        "{{ amt.name }}{% if amt.anschrift %} · {{ amt.anschrift_zeilen | join(', ') }}{% endif %}"
        "{% if amt.telefon %} · Telefon {{ amt.telefon }}{% endif %}{% if amt.email %} · {{ amt.email }}{% endif %}"
    )
    run.font.size = Pt(8)


def _body(doc: DocumentObject, betreff: str, paragraphs: Sequence[str]) -> None:
    _line(doc, betreff, bold=True, before=22, after=22)
    _line(doc, ANREDE, after=11)
    after_list = False
    for text in paragraphs:
        if text.startswith("{%p"):
            _line(doc, text)
        elif text.startswith(LIST_ITEM):
            item = _line(doc, text, after=3)
            item.paragraph_format.left_indent, item.paragraph_format.first_line_indent = Mm(6), Mm(-6)
            item.paragraph_format.tab_stops.add_tab_stop(Mm(6))
            after_list = True
        else:
            _line(doc, text, before=14 if after_list else 0, after=11)
            after_list = False
    _line(doc, "Mit freundlichen Grüßen", before=0)
    _line(doc, "{{ amt.name }}", after=30)
    _line(doc, "{{ bearbeiter }}")


def _drop_thumbnail(doc: DocumentObject) -> None:
    """python-docx's default package carries a thumbnail that Explorer would show as preview."""
    rels = doc.part.package.rels
    for key in [k for k, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        del rels[key]


def build(name: str) -> bytes:
    """The .docx bytes of one shipped template, reproducibly."""
    title, betreff, paragraphs = BRIEFE[name]
    doc = _new_document(title)
    _letterhead(doc)
    _address_and_info(doc)
    _body(doc, betreff, paragraphs)
    _footer(doc)
    _drop_thumbnail(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _reproducible_zip(raw.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """Same content, fixed timestamps: regenerating changes no byte unless the content changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: Sequence[str]) -> int:
    target = Path(argv[0]) if argv else HERE
    target.mkdir(parents=True, exist_ok=True)
    for name in BRIEFE:
        path = target / f"{name}.docx"
        path.write_bytes(build(name))
        print(f"geschrieben: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
