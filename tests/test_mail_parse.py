"""Mail parsing over the whole corpus (/work/shared/corpus/mail) and with hand-made hostile mails.

Reference attachment count (stdlib ``email``, compat32, not descending into
nested messages): parts with ``Content-Disposition: attachment`` or a file name,
plus ``message/rfc822`` parts. ``parse_mail`` keeps more, on purpose:

* every other non-body part without a name: inline images without a file name
  (``image/*`` with only a Content-ID), ``message/delivery-status``,
  ``text/rfc822-headers``, ``message/partial`` … (``_reference`` counts these as
  ``unnamed``, so the comparison is exact);
* winmail.dat is replaced by the files it carries; the two TNEF mails are
  checked with their hand-verified file lists in :data:`TNEF_FILES`.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path

import pytest

from buero_ticket.mail.msgfile import MsgFehler, OutlookFehlt, parse_msg
from buero_ticket.mail.parse import AutoKind, ParsedMail, content_type_of, iter_mbox, parse_mail
from buero_ticket.names import safe_name

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "mail"


def _manifest() -> dict[str, tuple[str, set[str]]]:
    rows: dict[str, tuple[str, set[str]]] = {}
    text = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8") if CORPUS.is_dir() else ""
    for line in text.splitlines()[1:]:
        path, _size, sha, tags, *_ = line.split("\t")
        rows[path] = (sha, set(tags.split(",")))
    return rows


MANIFEST = _manifest()
# Without the corpus each list holds one placeholder, so its test is skipped with the reason (conftest).
EML = sorted(p for p in MANIFEST if p.endswith(".eml")) or ["corpus-fehlt.eml"]
MBOX = sorted(p for p in MANIFEST if p.endswith(".mbox")) or ["corpus-fehlt.mbox"]
MSG = sorted(p for p in MANIFEST if p.endswith(".msg")) or ["corpus-fehlt.msg"]

#: winmail.dat mails: the files parse_mail must put in place of the winmail.dat.
TNEF_FILES = {
    "mimekit/tnef/rich-text.eml": [
        "kitten-playing-with-a-christmas-tree.jpg",
        "Build a train table.txt",  # an embedded Outlook task, as text
        "Christmas Celebration!.txt",  # an embedded appointment, as text …
        "kitten-playing-with-a-christmas-tree (2).jpg",  # … with its own attachment
    ],
    "mimekit/tnef/ukr.eml": [],  # TNEF with a body only; the text/plain part carries the same text
}
#: Messages per mbox. The MANIFEST's heuristic tag splits at every "From " line; ours does not:
#: mailbox_01 ends with "From time to time" (tag: 2), unmunged has "From Russia with love" and a
#: UTF-8 BOM before the first From_ line (tag: 3).
MBOX_COUNTS = {
    "cpython/mailbox_01.mbox": 1,
    "mimekit/mbox/content-length.mbox": 29,
    "mimekit/mbox/issue1189.mbox": 4,
    "mimekit/mbox/simple.mbox": 3,
    "mimekit/mbox/unmunged.mbox": 2,
}
#: Outlook items that are no mail: parse_msg must refuse them.
MSG_NOT_MAIL = {
    "msgreader/A_memo.msg",
    "msgreader/Appointment_sample_EST.msg",
    "msgreader/Friday_Lunch.msg",
    "msgreader/contactUnicode.msg",
}


def test_corpus_is_there() -> None:
    assert (len(EML), len(MBOX), len(MSG)) == (218, 5, 29), f"corpus missing or changed: {CORPUS}"


# --- reference count with the stdlib -----------------------------------------------------------


def _parts(msg: Message) -> Iterator[Message]:
    """All parts, but message/* parts as one part each (stdlib walk() would descend into them)."""
    yield msg
    payload = msg.get_payload()
    if msg.get_content_type().startswith("multipart/") and isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                yield from _parts(part)


def _reference(raw: bytes) -> tuple[int, int, int, list[bytes]]:
    """(named attachments, unnamed non-body parts, TNEF parts, payloads of the named leaves)."""
    msg = BytesParser(policy=compat32).parsebytes(raw.removeprefix(b"\xef\xbb\xbf"))
    named = unnamed = tnef = 0
    payloads: list[bytes] = []
    for part in _parts(msg):
        ctype = content_type_of(part)  # like get_content_type(), but junk after "type/subtype" cut off
        is_list = isinstance(part.get_payload(), list)
        has_name = bool(part.get_filename()) or part.get_content_disposition() == "attachment"
        if ctype.startswith("multipart/") and (is_list or not has_name):
            continue  # a container, or (without boundary) body text
        if ctype == "application/ms-tnef" or (part.get_filename() or "").lower() == "winmail.dat":
            tnef += 1
        elif ctype == "message/rfc822" or has_name:
            named += 1
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                payloads.append(payload)
        elif ctype not in ("text/plain", "text/html"):
            unnamed += 1
    return named, unnamed, tnef, payloads


def _check_names(mail: ParsedMail) -> None:
    names = [a.name for a in mail.attachments]
    assert all(safe_name(n) == n for n in names), names
    assert len({n.casefold() for n in names}) == len(names), names


# --- the corpus -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", EML)
def test_eml_corpus(rel: str) -> None:
    raw = (CORPUS / rel).read_bytes()
    mail = parse_mail(raw)
    assert mail.raw is raw
    assert mail.sha256 == MANIFEST[rel][0] == hashlib.sha256(mail.raw).hexdigest()
    _check_names(mail)
    assert all(isinstance(w, str) and w for w in mail.warnungen)
    named, unnamed, tnef, payloads = _reference(raw)
    if rel in TNEF_FILES:
        assert tnef == 1
        expected_tnef = TNEF_FILES[rel]
        assert [a.name for a in mail.attachments][named + unnamed :] == expected_tnef
        assert len(mail.attachments) == named + unnamed + len(expected_tnef)
    else:
        assert tnef == 0
        assert len(mail.attachments) == named + unnamed, [a.name for a in mail.attachments]
    contents = [a.content for a in mail.attachments]
    assert all(p in contents for p in payloads)


@pytest.mark.parametrize("rel", MBOX)
def test_mbox_corpus(rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    assert hashlib.sha256(data).hexdigest() == MANIFEST[rel][0]
    messages = list(iter_mbox(CORPUS / rel))
    assert len(messages) == MBOX_COUNTS[rel]
    pos = 0
    for raw in messages:
        start = data.find(raw, pos)
        gap = data[pos:start].removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n")
        assert start >= pos and gap.startswith(b"From ") and gap.count(b"\n") == 1, gap
        pos = start + len(raw)
        mail = parse_mail(raw)
        assert mail.body_text or mail.attachments or mail.subject
    assert not data[pos:].strip()


@pytest.mark.parametrize("rel", MSG)
def test_msg_corpus(rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    if rel in MSG_NOT_MAIL:
        with pytest.raises(MsgFehler, match="Keine E-Mail"):
            parse_msg(CORPUS / rel)
        return
    mail = parse_msg(CORPUS / rel)
    assert mail.raw == data and mail.sha256 == MANIFEST[rel][0]
    _check_names(mail)
    tag = next((t for t in MANIFEST[rel][1] if t.startswith("msg-attachments:")), "msg-attachments:0")
    assert len(mail.attachments) == int(tag.split(":")[1])
    if not (mail.body_text or mail.attachments):  # 200_recipients and voteYes are empty by nature
        assert mail.subject and "Nachricht ohne Text und ohne Anlagen." in mail.warnungen


# --- hand-made mails ------------------------------------------------------------------------------


def _mail(headers: str, body: str = "Text\n", charset: str = "utf-8") -> bytes:
    return (headers.strip("\n") + "\n\n" + body).encode(charset)


def test_rfc2047_subject_and_sender() -> None:
    raw = _mail(
        "From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <Juergen.Mueller@Example.DE>\n"
        "To: a@b.de, =?utf-8?q?Meier=2C_Eva?= <EVA@x.de>\n"
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BC?=\n =?UTF-8?B?bmNoZW4gw6TDtsO8?=\n"
        "Message-ID: < abc@x.de >\nIn-Reply-To: <a@b> (Hans' message)\nReferences: <1@x>\n <2@x> <1@x>\n"
        "Reply-To: Amt <Post@Amt.DE>\nDate: Mon, 3 Feb 2025 10:00:00 +0100\n"
    )
    mail = parse_mail(raw)
    assert mail.subject == "Grüße aus München äöü"
    assert (mail.from_name, mail.from_email) == ("Jürgen Müller", "juergen.mueller@example.de")
    assert mail.to == ["a@b.de", "eva@x.de"] and mail.reply_to == "post@amt.de"
    assert mail.message_id == "abc@x.de" and mail.in_reply_to == ["a@b"] and mail.references == ["1@x", "2@x"]
    assert mail.date is not None and mail.date.isoformat() == "2025-02-03T10:00:00+01:00"
    assert mail.warnungen == [] and mail.auto == AutoKind.MENSCH


def test_multibyte_character_split_across_encoded_words() -> None:
    # "ü" = C3 BC, cut between two base64 words
    mail = parse_mail(b"Subject: =?utf-8?b?R3LD?= =?utf-8?b?vGU=?=\n\nx")
    assert mail.subject == "Grüe"


def test_8bit_latin1_header_without_declaration() -> None:
    mail = parse_mail(_mail("From: Jürgen <j@x.de>\nSubject: Grüße", "Text", "latin-1"))
    assert mail.subject == "Grüße" and mail.from_name == "Jürgen"
    assert any("8-Bit" in w for w in mail.warnungen)


def test_8bit_header_read_in_body_charset() -> None:
    raw = _mail("Subject: Łódź\nContent-Type: text/plain; charset=iso-8859-2", "Wniosek Łódź", "iso-8859-2")
    mail = parse_mail(raw)
    assert mail.subject == "Łódź" and mail.body_text == "Wniosek Łódź"


@pytest.mark.parametrize(
    ("declared", "encoding", "warning"),
    [
        ("iso-8859-1", "utf-8", "ist aber UTF-8"),  # declared Latin-1, sent UTF-8
        ("us-ascii", "utf-8", "ist aber UTF-8"),
        ("utf-8", "cp1252", "passt nicht"),  # declared UTF-8, sent Windows-1252
        ("x-unbekannt", "cp1252", "Unbekannter Zeichensatz"),
    ],
)
def test_lying_charset(declared: str, encoding: str, warning: str) -> None:
    raw = _mail(f"Subject: x\nContent-Type: text/plain; charset={declared}", "Grüße „Amt“", encoding)
    mail = parse_mail(raw)
    assert mail.body_text == "Grüße „Amt“"
    assert any(warning in w for w in mail.warnungen)


def test_mostly_utf8_with_one_broken_byte_stays_utf8() -> None:
    raw = b"Content-Type: text/plain; charset=utf-8\n\n" + "Grüße aus Köln ".encode() + b"\xff"
    assert parse_mail(raw).body_text == "Grüße aus Köln \ufffd"


def test_html_only_body() -> None:
    raw = _mail(
        "Subject: h\nContent-Type: text/html; charset=utf-8",
        "<html><head><style>p{color:red}</style></head><body><p>Sehr geehrte Damen &amp; Herren,</p>"
        "<p>mein <b>Antrag</b></p></body></html>",
    )
    text = parse_mail(raw).body_text
    assert "Sehr geehrte Damen & Herren," in text and "mein Antrag" in text
    assert "<" not in text and "color" not in text


def test_plain_preferred_over_html() -> None:
    raw = _mail(
        'Content-Type: multipart/alternative; boundary="b"',
        "--b\nContent-Type: text/plain\n\nPLAIN\n--b\nContent-Type: text/html\n\n<p>HTML</p>\n--b--\n",
    )
    mail = parse_mail(raw)
    assert mail.body_text == "PLAIN" and mail.attachments == []


def _multipart(*parts: str) -> bytes:
    body = "".join(f"--XX\n{p}\n" for p in parts) + "--XX--\n"
    return _mail('From: a@b.de\nContent-Type: multipart/mixed; boundary="XX"', body)


def test_hostile_attachment_names() -> None:
    raw = _multipart(
        "Content-Type: text/plain\n\nHallo",
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="../../x"\n\n1',
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="CON.pdf"\n\n2',
        'Content-Type: text/plain\nContent-Disposition: attachment; filename="a:b?.txt"\n\n3',
        'Content-Type: application/pdf; name="Antrag.pdf"\n\n4',
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="ANTRAG.PDF"\n\n5',
        "Content-Type: application/pdf\nContent-Disposition: attachment;"
        " filename*=utf-8''..%2F..%2FB%C3%BCrger.pdf\n\n6",
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="=?utf-8?q?Gr=C3=BC=C3=9Fe?=.pdf"'
        "\n\n7",
    )
    mail = parse_mail(raw)
    assert mail.body_text == "Hallo"
    assert [(a.name, a.content) for a in mail.attachments] == [
        ("x", b"1"),
        ("_CON.pdf", b"2"),
        ("a_b_.txt", b"3"),
        ("Antrag.pdf", b"4"),
        ("ANTRAG (2).PDF", b"5"),
        ("Bürger.pdf", b"6"),
        ("Grüße.pdf", b"7"),
    ]


def test_8bit_attachment_name() -> None:
    raw = _multipart(
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="Bescheid-Gebühr.pdf"\n\nx'
    )
    raw = raw.replace("Bescheid-Gebühr".encode(), "Bescheid-Gebühr".encode("latin-1"))
    assert [a.name for a in parse_mail(raw).attachments] == ["Bescheid-Gebühr.pdf"]


def test_inline_image_and_nested_message() -> None:
    inner = "From: b@c.de\nSubject: Alte/Mail: Frist\n\nInnen\n"
    raw = _multipart(
        "Content-Type: text/plain\n\nAußen",
        "Content-Type: image/png\nContent-ID: <bild1@x>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=",
        f"Content-Type: message/rfc822\n\n{inner}",
    )
    mail = parse_mail(raw)
    image, eml = mail.attachments
    assert (image.name, image.inline, image.content_id, image.content) == (
        "Anlage.png",
        True,
        "bild1@x",
        b"\x89PNG\r\n\x1a\n",
    )
    assert eml.name == "Alte_Mail_ Frist.eml" and eml.content_type == "message/rfc822"
    nested = parse_mail(eml.content)
    assert (nested.subject, nested.body_text) == ("Alte/Mail: Frist", "Innen")


def test_winmail_dat_from_corpus() -> None:
    mail = parse_mail((CORPUS / "mimekit/tnef/rich-text.eml").read_bytes())
    names = [a.name for a in mail.attachments]
    assert names == TNEF_FILES["mimekit/tnef/rich-text.eml"]
    kitten = mail.attachments[0]
    assert kitten.content.startswith(b"\xff\xd8\xff") and kitten.content_type == "image/jpeg"
    assert b"Build my nephew" in mail.attachments[1].content
    assert not any(n.lower() == "winmail.dat" for n in names)


def test_broken_winmail_dat_is_kept() -> None:
    raw = _multipart(
        "Content-Type: text/plain\n\nSiehe Anlage",
        'Content-Type: application/ms-tnef\nContent-Disposition: attachment; filename="winmail.dat"\n\nkaputt',
    )
    mail = parse_mail(raw)
    assert [(a.name, a.content) for a in mail.attachments] == [("winmail.dat", b"kaputt")]
    assert any("winmail.dat" in w for w in mail.warnungen)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-replied", "Abwesenheitsnotiz (Auto-Submitted: auto-replied)"),
        ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
        ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: auto_reply", "Precedence: auto_reply"),
        ("X-Loop: amt@example.de", "X-Loop"),
        ("List-Id: <newsletter.example.de>", "Mailingliste (List-Id"),
        ("X-Autoreply: yes", "X-Autoreply"),
        ("X-Autorespond: Abwesend", "X-Autorespond"),
        ("Return-Path: <>", "Leerer Return-Path"),
    ],
)
def test_auto_reply_signals(header: str, reason: str) -> None:
    mail = parse_mail(_mail(f"From: hans@example.de\nSubject: Abwesend\n{header}", "Ich bin nicht da."))
    assert mail.auto == AutoKind.AUTOREPLY and reason in mail.auto_grund


@pytest.mark.parametrize("header", ["Auto-Submitted: no", "Precedence: first-class", "Return-Path: <a@b.de>"])
def test_human_mail(header: str) -> None:
    mail = parse_mail(_mail(f"From: hans@example.de\n{header}"))
    assert (mail.auto, mail.auto_grund) == (AutoKind.MENSCH, "")


def test_out_of_office_from_outlook() -> None:
    raw = _mail(
        "From: Eva <eva@example.de>\nSubject: Automatische Antwort: Ihr Antrag\n"
        "Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\nContent-Type: text/plain; charset=utf-8",
        "Ich bin bis 10.3. nicht im Büro.",
    )
    mail = parse_mail(raw)
    assert mail.auto == "autoreply" and mail.auto_grund.startswith("Abwesenheitsnotiz")


def test_dsn_bounce_from_corpus() -> None:
    mail = parse_mail((CORPUS / "mimekit/messages/delivery-status.eml").read_bytes())
    assert mail.auto == AutoKind.BOUNCE and "delivery-status" in mail.auto_grund
    assert any(a.content_type == "message/delivery-status" for a in mail.attachments)


def test_mailer_daemon_is_bounce() -> None:
    mail = parse_mail(_mail("From: Mail Delivery System <MAILER-DAEMON@mx.example.de>\nSubject: Undelivered"))
    assert mail.auto == AutoKind.BOUNCE and "mailer-daemon@mx.example.de" in mail.auto_grund


@pytest.mark.parametrize(
    "raw",
    [
        b"Hallo, ich habe keine Kopfzeilen.\nBitte um Termin.\n",
        b"",
        b"\x00\xff\xfe garbage \x80\x81",
        b"Content-Type: multipart/mixed\n\nno boundary at all",
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\n!!!=\n",
        b"Subject: =?utf-8?b?###?= =?x?q?=ZZ?=\nDate: 99 Foo 20255 99:99\nFrom: <<<@>>>\n\nx",
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    mail = parse_mail(raw)
    assert mail.sha256 == hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"Hallo"):
        assert mail.body_text == "Hallo, ich habe keine Kopfzeilen.\nBitte um Termin."
        assert "Nachricht ohne Kopfzeilen." in mail.warnungen
        assert (mail.message_id, mail.subject, mail.from_email, mail.date) == ("", "", "", None)


def test_deep_nesting_is_cut() -> None:
    depth = 60
    head = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth))
    raw = head + "Content-Type: text/plain\n\ninnen\n" + "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    mail = parse_mail(raw.encode())
    assert any("verschachtelt" in w for w in mail.warnungen)


def test_dates() -> None:
    without_zone = parse_mail(b"Date: Mon, 3 Feb 2025 10:00:00 -0000\n\nx").date
    assert without_zone is not None and without_zone.utcoffset() is not None
    bad = parse_mail(b"Date: gestern\n\nx")
    assert bad.date is None and any("Datum" in w for w in bad.warnungen)


def test_bom_before_headers() -> None:
    mail = parse_mail(b"\xef\xbb\xbfSubject: mit BOM\n\nText")
    assert mail.subject == "mit BOM" and mail.body_text == "Text"


def test_iter_mbox_keeps_bytes_exactly(tmp_path: Path) -> None:
    one = b"From: a@b.de\r\nSubject: eins\r\n\r\n>From here\r\nFrom Russia with love\r\n"
    two = b"From: c@d.de\nSubject: zwei\n\nText\n"
    path = tmp_path / "x.mbox"
    path.write_bytes(b"From a@b.de Mon Jan  1 00:00:00 2024\r\n" + one + b"\r\nFrom - \n" + two + b"\n")
    assert list(iter_mbox(path)) == [one, two]


# --- Outlook ------------------------------------------------------------------------------------


def test_msg_embedded_msg_is_a_msg_file() -> None:
    mail = parse_msg((CORPUS / "msgreader/msgInMsgInMsg.msg").read_bytes())
    embedded = mail.attachments[0]
    assert embedded.name == "I have attachments!.msg" and embedded.content_type == "application/vnd.ms-outlook"
    inner = parse_msg(embedded.content)
    assert inner.subject == "I have attachments!" and len(inner.attachments) == 2


def test_msg_headers_inline_and_ansi() -> None:
    mail = parse_msg(CORPUS / "msgreader/attachmentFiles.msg")
    assert mail.from_email == "hmailuser@hmailserver.test" and mail.message_id.endswith("@hmailserver.test")
    inline = parse_msg(CORPUS / "msgreader/attachAndInline.msg").attachments[1]
    assert inline.inline and inline.content_id == "image001.png@01D78380.EF6DC500"
    ansi = parse_msg(CORPUS / "msgreader/nonUnicodeCP932.msg")
    assert ansi.subject == "日本語 Non Unicode タイトル"


@pytest.mark.parametrize("cut", [0, 8, 512, 20000])
def test_msg_corrupt_raises_msgfehler(cut: int) -> None:
    data = (CORPUS / "msgreader/msgInMsg.msg").read_bytes()[:cut]
    with pytest.raises(MsgFehler) as info:
        parse_msg(data)
    assert str(info.value)


def test_msg_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(MsgFehler, match="nicht lesbar"):
        parse_msg(tmp_path / "fehlt.msg")


def test_msg_without_extract_msg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "extract_msg", None)  # makes "import extract_msg" fail
    with pytest.raises(OutlookFehlt, match=r'pip install "buero-ticket\[outlook\]"'):
        parse_msg((CORPUS / "msgreader/Simple.msg").read_bytes())


def test_stdlib_recursion_ends_in_a_warning() -> None:
    depth = 1200  # the stdlib feed parser recurses once per level
    raw = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)) + "innen\n"
    mail = parse_mail(raw.encode())
    assert any("zu tief verschachtelt" in w for w in mail.warnungen) and "innen" in mail.body_text
