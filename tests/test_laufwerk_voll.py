"""Disk full, quota, read-only root and unwritable register: honest exit codes, nothing half-written.

The disk-full tests use a real small ext4 filesystem (a 30 MB image mounted with ``mount -o loop``,
no reserved blocks), filled up to the last block. Mounting needs root; CI runs as root. Without it
the tests are skipped locally with a German reason and fail under CI=1.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from buero_ticket.ablage import Ablage, init_ablage
from buero_ticket.errors import Exit, Schwere, translate
from tests.conftest import Result

Run = Callable[..., Result]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} In der CI ist das ein Fehler (sie läuft als root).")
    pytest.skip(reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A freshly made 30 MB ext4 filesystem mounted at a temp folder (unmounted afterwards)."""
    if os.name != "posix" or os.geteuid() != 0:
        _unavailable("Kleines Testlaufwerk übersprungen: 'mount -o loop' braucht root-Rechte.")
    for tool in ("mkfs.ext4", "mount", "umount"):
        if shutil.which(tool) is None:
            _unavailable(f"Kleines Testlaufwerk übersprungen: Programm {tool} fehlt (Paket e2fsprogs/mount).")
    image, mount_point = tmp_path / "laufwerk.img", tmp_path / "laufwerk"
    mount_point.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(30 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], check=True, capture_output=True)
    done = subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)], capture_output=True, text=True)
    if done.returncode != 0:
        _unavailable(f"Kleines Testlaufwerk übersprungen: mount -o loop geht hier nicht ({done.stderr.strip()}).")
    try:
        yield mount_point
    finally:
        subprocess.run(["chattr", "-R", "-i", str(mount_point)], capture_output=True)
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(disk: Path) -> None:
    """Write until the filesystem has not one free block left."""
    for number, size in enumerate((1 << 20, 1 << 16, 1 << 12, 1 << 10)):
        block = b"\0" * size
        try:
            with open(disk / f"fuellung-{number}", "wb", buffering=0) as fh:
                while True:
                    fh.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    assert os.statvfs(disk).f_bavail == 0


def _snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``root`` (files with their bytes)."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
        if "fuellung" not in p.name
    }


@pytest.fixture
def full_ablage(small_disk: Path, run: Run) -> tuple[Ablage, str]:
    ablage = init_ablage(small_disk / "Ablage", name="Bürgerbüro Test")[0]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll", "--json")
    assert res.code == 0, res.err
    az = res.out.split('"aktenzeichen": "')[1].split('"')[0]
    assert run("--ablage", str(ablage.root), "register").code == 0
    _fill(small_disk)
    return ablage, az


def _assert_disk_full(res: Result) -> None:
    assert res.code == Exit.ZUGRIFF, res.err
    assert "Das Laufwerk ist voll" in res.err and "Was tun: Schaffen Sie Platz" in res.err, res.err
    assert "Interner Fehler" not in res.err


def test_disk_full_every_change_exits_7_and_leaves_the_ablage_as_it_was(
    full_ablage: tuple[Ablage, str], run: Run, tmp_path: Path
) -> None:
    ablage, az = full_ablage
    before = _snapshot(ablage.root)
    mail = tmp_path / "anfrage.eml"
    mail.write_bytes(b"From: a@example.org\r\nSubject: Frage\r\nMessage-ID: <1@example.org>\r\n\r\nHallo\r\n")
    for args in (
        ("notiz", az, "Rückruf erledigt"),
        ("zuweisen", az, "--an", "M. Weber"),
        ("status", az, "erledigt", "--grund", "Termin vergeben"),
        ("neu", "--kanal", "telefon", "--betreff", "Noch eins", "--text", "x" * 50_000),
        ("mail", "einlesen", str(mail)),
    ):
        res = run("--ablage", str(ablage.root), *args)
        _assert_disk_full(res)
        after = _snapshot(ablage.root)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        # allowed to change: the cache marker files of the lock, nothing inside the Vorgänge or the root
        assert all(k.startswith(".buero-ticket") for k in changed), (args, changed)
        assert not [k for k in after if ".~bt-" in k], (args, after.keys())


def test_disk_full_in_the_middle_of_a_new_vorgang_leaves_no_trace(small_disk: Path, run: Run) -> None:
    ablage = init_ablage(small_disk / "Ablage", name="Bürgerbüro Test")[0]
    _fill(small_disk)
    for name in sorted(small_disk.glob("fuellung-*"))[-2:]:
        name.unlink()  # a little room: the new folder starts to be written, the long text does not fit
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    assert 0 < free < 2 << 20
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "brief", "--betreff", "Lang", "--text", "ä" * free)
    _assert_disk_full(res)
    eingang = ablage.root / "1 Eingang"
    assert list(eingang.iterdir()) == [], list(eingang.iterdir())


def test_read_only_root_after_a_saved_note_is_a_warning_not_an_error(small_disk: Path, run: Run) -> None:
    ablage = init_ablage(small_disk / "Ablage", name="Bürgerbüro Test")[0]
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll")
    assert res.code == 0, res.err
    az = res.out.split()[1]
    if subprocess.run(["chattr", "+i", str(ablage.root)], capture_output=True).returncode != 0:
        _unavailable("chattr +i geht auf diesem Dateisystem nicht.")
    res = run("--ablage", str(ablage.root), "notiz", az, "Rückruf erledigt")
    assert res.code == 0, res.err
    assert "Warnung: Ihre Änderung ist gespeichert. Das Register wurde nicht aktualisiert" in res.err
    assert "nicht wiederholen" in res.err
    verlauf = next((ablage.root / "1 Eingang").iterdir()) / "verlauf.txt"
    assert verlauf.read_text(encoding="utf-8").rstrip().endswith("| Notiz | Rückruf erledigt")


def test_register_path_is_a_folder_saved_change_exits_0(ablage: Ablage, run: Run) -> None:
    res = run("--ablage", str(ablage.root), "neu", "--kanal", "telefon", "--betreff", "Sperrmüll")
    assert res.code == 0, res.err
    az = res.out.split()[1]
    ablage.register_path.unlink(missing_ok=True)
    ablage.register_path.mkdir()
    for args in (("notiz", az, "Rückruf erledigt"), ("zuweisen", az, "--an", "M. Weber"), ("status", az, "wartet")):
        res = run("--ablage", str(ablage.root), *args)
        assert res.code == 0, (args, res.err)
        assert "Warnung: Ihre Änderung ist gespeichert" in res.err and "Vorgangsregister.xlsx" in res.err, res.err
    verlauf = next((ablage.root / "3 Wartet").iterdir()) / "verlauf.txt"
    assert [line.split(" | ")[2] for line in verlauf.read_text(encoding="utf-8").splitlines()[2:]] == [
        "Notiz",
        "Zugewiesen",
        "Statuswechsel",
    ]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "Das Laufwerk ist voll"),
        (getattr(errno, "EDQUOT", errno.ENOSPC), "Speicherkontingent"),
        (errno.EROFS, "schreibgeschützt"),
        (errno.EFBIG, "Das Laufwerk ist voll"),
    ],
)
def test_disk_errors_translate_to_exit_7_with_advice(code: int, words: str) -> None:
    meldung = translate(OSError(code, os.strerror(code), "/ablage/1 Eingang/.~bt-0123456789ab.tmp/Anlagen"))
    assert meldung.exit_code == Exit.ZUGRIFF and meldung.schwere is Schwere.LAUF
    assert words in meldung.text and ".~bt-" not in meldung.text and "/ablage/1 Eingang" in meldung.text
    assert meldung.hinweis
