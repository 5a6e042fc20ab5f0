from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from buero_ticket import aktenzeichen as az
from buero_ticket.errors import EingabeFehler
from buero_ticket.names import safe_name, short_subject, unique_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../x", "x"),
        ("..\\..\\windows\\system32", "system32"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1"),
        ("com9.txt", "_com9.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("bericht. . ", "bericht"),
        ("  ", "Datei"),
        ("tab\tund\x07bell.txt", "tab_und_bell.txt"),
        ("Mu\u0308ller.pdf", "Müller.pdf"),  # NFD → NFC, umlaut kept
        ("...", "Datei"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_safe_name_keeps_extension_when_cut() -> None:
    name = safe_name("x" * 300 + ".pdf", max_len=50)
    assert len(name) == 50 and name.endswith(".pdf")


def test_short_subject_cuts_at_word() -> None:
    text = short_subject("Antrag auf Sondernutzung des Marktplatzes für das Sommerfest 2027", 40)
    assert len(text) <= 40 and not text.endswith(" ")
    assert text.startswith("Antrag auf Sondernutzung")


def test_unique_name_is_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "Scan.pdf").write_bytes(b"1")
    assert unique_name(tmp_path, "scan.PDF") == "scan (2).PDF"
    assert unique_name(tmp_path, "anders.pdf") == "anders.pdf"


def test_check_digit_catches_single_digit_errors_and_transpositions() -> None:
    good = az.Aktenzeichen(2026, 42)
    digits = f"{good.jahr}{good.nummer:05d}"
    for i in range(len(digits)):
        for d in "0123456789":
            if d == digits[i]:
                continue
            typo = digits[:i] + d + digits[i + 1 :]
            text = f"{typo[:4]}-{typo[4:]}-{good.pruefziffer}"
            with pytest.raises(EingabeFehler):
                az.parse(text)
    for i in range(len(digits) - 1):
        if digits[i] == digits[i + 1]:
            continue
        swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        with pytest.raises(EingabeFehler):
            az.parse(f"{swapped[:4]}-{swapped[4:]}-{good.pruefziffer}")


def test_parse_variants() -> None:
    full = az.Aktenzeichen(2026, 42)
    assert str(full) == f"2026-00042-{full.pruefziffer}"
    assert az.parse("2026-00042") == full
    assert az.parse("2026-42") == full
    assert az.parse(f" 2026-00042-{full.pruefziffer} ") == full
    assert az.parse("bb-2026-42").kuerzel == "BB"
    assert az.parse("2026-42", kuerzel="BB") == az.Aktenzeichen(2026, 42, "BB")
    with pytest.raises(EingabeFehler, match="kein Aktenzeichen"):
        az.parse("42")


def test_folder_name_requires_valid_check_digit() -> None:
    good = az.Aktenzeichen(2026, 7, "BB")
    assert az.from_folder_name(f"{good} Sperrmüll") == good
    wrong = (int(good.pruefziffer) + 1) % 10
    assert az.from_folder_name(f"BB-2026-00007-{wrong} Sperrmüll") is None
    assert az.from_folder_name("Neuer Ordner") is None


def test_allocation_is_sequential(tmp_path: Path) -> None:
    numbers = [az.allocate(tmp_path, 2026).nummer for _ in range(5)]
    assert numbers == [1, 2, 3, 4, 5]
    (tmp_path / "aktenzeichen" / "2026" / az.HINT_NAME).unlink()  # lost hint: found from the claims
    assert az.allocate(tmp_path, 2026).nummer == 6


def _allocate_many(state: str, count: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put([az.allocate(Path(state), 2026).nummer for _ in range(count)])


def test_four_processes_never_share_a_number(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_allocate_many, args=(str(tmp_path), 500, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    allocated = [n for chunk in results for n in chunk]
    assert len(allocated) == 2000
    assert len(set(allocated)) == 2000
    assert sorted(allocated) == list(range(1, 2001))  # no gaps either
