"""One writer inside a Vorgang folder: only store.py (with the atomic-file module fileio.py and the cross-PC
lock module sharelock.py) writes, renames or deletes files. Every other module that writes does so outside
the Vorgang folders, is listed below with the reason, and must really still write (no stale entries).

The check parses the package (ast): ``open``/``io.open``/``Path.open`` for writing, ``Path.write_*``,
``Path.mkdir/unlink/rmdir/touch``, ``Path.rename/replace(target)``, the file functions of ``os`` and ``shutil``
(called, imported by name, or handed on as a callback), ``tempfile``'s creators, ``sqlite3.connect`` (a database
file: only the local caches) and the writers of ``fileio``. Modules that also work near Vorgänge are listed by
function, so a new write elsewhere in them fails the test too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import buero_ticket

PACKAGE = Path(buero_ticket.__file__).parent

THE_WRITERS = {
    "store.py": "the one writer inside a Vorgang folder",
    "fileio.py": "atomic writes (temp file, fsync, rename) for everyone",
    "sharelock.py": "lock files in .buero-ticket/sperren (the cross-PC lock)",
    "history.py": "verlauf.txt, written only by store.py under the Vorgang's lock",
}

# Writers outside Vorgang folders, each with its reason: a whole module, or "module.py:function" where the
# module also has code near Vorgänge.
OUTSIDE_VORGANG = {
    "ablage.py": "creates the Ablage's folders, buero-ticket.toml and LIESMICH.txt (init)",
    "aktenzeichen.py": "claims numbers in .buero-ticket/aktenzeichen",
    "antwort/bestaetigung.py": "daily acknowledgement counters in .buero-ticket/bestaetigungen",
    "antwort/brief.py:to_pdf": "LibreOffice's input and profile in a local temp folder (PDF conversion)",
    "antwort/versand.py:_rescue": "rescue copy of a sent but unfiled mail in the local temp folder",
    "demo.py:build_demo": "adds the demo users to the demo Ablage's buero-ticket.toml",
    "demo.py:_write_articles": "the demo's example articles (Markdown files in the Wissen folder)",
    "intake/beobachter.py": "creates a missing status folder before watching it (layout, no Vorgang)",
    "operations/berichte.py:speichern": "report files in a place chosen by the clerk",
    "personen.py": "a once-per-PC reminder marker in the local cache",
    "pruefstand.py": "pruefen's record of the folders it listed, in the local cache of this PC (never on the share)",
    "suche/volltext.py": "the local full-text index of this PC (cache), never on the share",
    "faults.py": "test-only crash points write their mark file (never set in production)",
    "index.py:__init__": "the local cache of this PC (BUERO_TICKET_CACHE), never on the share: its folder",
    "index.py:_open": "the local cache's SQLite file (BUERO_TICKET_CACHE), never on the share",
    "index.py:_recreate": "the local cache: a broken SQLite file is deleted and built anew",
    "intake/einwurf.py:_claim": "claims a file in 0 Einwurf (renamed into the claim folder)",
    "intake/einwurf.py:_reject": "moves a failed drop to 0 Einwurf/_Fehler",
    "intake/einwurf.py:_release": "deletes a claimed drop once its Vorgang is written",
    "intake/einwurf.py:_rename_exclusive": "the Einwurf's rename that never replaces",
    "intake/einwurf.py:_rmdir_quietly": "removes empty claim folders in 0 Einwurf",
    "intake/einwurf.py:_write_reason": "the reason file beside a failed drop in 0 Einwurf/_Fehler",
    "intake/einwurf.py:prepare": "creates the Einwurf's channel folders",
    "intake/einwurf.py:recover": "puts claims of a dead process back into 0 Einwurf",
    "intake/mail.py:_remember": "ledger of imported mails in .buero-ticket/importiert",
    "protokoll.py": "log files (local per PC)",
    "quarantaene.py": "the Quarantäne folder: unprocessable mails and files with a reason file",
    "register/publish.py": "the Excel register workbook in the Ablage root (or its side file)",
    "register/update.py": "the register's dirty mark in .buero-ticket",
    "register/workbook.py": "the register workbook being written (temp file beside the target)",
    "operations/weiterleiten.py:_drop_into_ablage": "forwarding: a folder into the Einwurf of the Stelle's Ablage",
    "operations/erinnern.py:_remember": "the per-day ledger of sent reminders in .buero-ticket/erinnerungen",
    "operations/vorlagen.py:copy_templates": "copies the shipped templates into Vorlagen (never overwrites)",
    "operations/wissen.py:entwurf_aus": "a Wissen article (Markdown file in the Wissen folder)",
    "operations/datenschutz.py:auskunft_erteilen": "the Auskunft export folder and ZIP in a folder the clerk chose",
    "operations/datenschutz.py:_protokolliere": "the Löschprotokoll in .buero-ticket/loeschprotokoll",
    "operations/datenschutz.py:_schwaerze": "blanks the person's lines in this PC's run logs (local)",
    "operations/datenschutz.py:loeschen": "removes copies outside Vorgänge: quarantine, import ledger (Fundstellen)",
    "operations/datenschutz.py:aussondern_anbieten": "the offer list (xdomea 0501, CSV) in a folder the clerk chose",
    "operations/datenschutz.py:aussondern_abgeben": "the archive package (xdomea 0503) in a folder the clerk chose",
}

PATH_WRITES = {"write_text", "write_bytes", "mkdir", "unlink", "rmdir", "symlink_to", "hardlink_to"}
ONE_TARGET = {"rename", "replace"}  # Path.rename(target)/Path.replace(target); str.replace has two arguments
OS_WRITES = {"replace", "rename", "renames", "remove", "unlink", "rmdir", "removedirs", "mkdir", "makedirs",
             "link", "symlink", "truncate", "open", "write"}  # fmt: skip
SHUTIL_WRITES = {"move", "rmtree", "copy", "copy2", "copyfile", "copytree", "copyfileobj", "make_archive"}
FILEIO_WRITES = {"atomic_write_bytes", "atomic_write_text", "write_new_file", "replace_file", "remove_file"}
TEMPFILE_WRITES = {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile",
                   "TemporaryDirectory"}  # fmt: skip
MODULE_WRITES = {"os": OS_WRITES, "shutil": SHUTIL_WRITES, "fileio": FILEIO_WRITES, "tempfile": TEMPFILE_WRITES,
                 "sqlite3": {"connect"}}  # fmt: skip


def _open_mode(call: ast.Call) -> str | None:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    if mode is None:
        return "r"
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "?"


def writes_in(source: str) -> list[tuple[int, str, str]]:
    """(line, what, enclosing function) for every call in ``source`` that writes, renames or deletes a file,
    and every writing function of os/shutil handed on uncalled (``retry_on_busy(os.remove, …)``)."""
    found = []
    tree = ast.parse(source)
    owner: dict[ast.AST, str] = {}  # innermost function wins: ast.walk visits outer functions first
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(fn):
                owner[inner] = fn.name
    imported = _imported_writers(tree)  # from os import remove → remove(…) is os.remove(…)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        what = ""
        if isinstance(node, ast.Call):
            what = _write_kind(node, imported)
        elif isinstance(node, ast.Attribute) and id(node) not in called and _handed_on_writer(node):
            what = f"{ast.unparse(node)} (handed on)"
        if what:
            found.append((node.lineno, what, owner.get(node, "<module>")))
    return found


def _handed_on_writer(node: ast.Attribute) -> bool:
    base = node.value.id if isinstance(node.value, ast.Name) else ""
    return base in ("os", "shutil") and node.attr in MODULE_WRITES[base]


def _imported_writers(tree: ast.AST) -> dict[str, str]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in MODULE_WRITES:
            for alias in node.names:
                if alias.name in MODULE_WRITES[node.module] and node.module != "fileio":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _write_kind(node: ast.Call, imported: dict[str, str]) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id == "open" and any(c in (_open_mode(node) or "") for c in "wax+?"):
            return f"open(…, {_open_mode(node)!r})"
        if func.id in imported:
            return imported[func.id]
        return func.id if func.id in FILEIO_WRITES else ""
    if not isinstance(func, ast.Attribute):
        return ""
    base = func.value.id if isinstance(func.value, ast.Name) else ""
    if base == "io" and func.attr == "open":
        return f"io.open(…, {_open_mode(node)!r})" if any(c in (_open_mode(node) or "") for c in "wax+?") else ""
    if base in MODULE_WRITES:
        return f"{base}.{func.attr}" if func.attr in MODULE_WRITES[base] else ""
    if func.attr in PATH_WRITES:
        return f".{func.attr}()"
    if func.attr == "touch" and not node.args:
        return ".touch()"
    if func.attr in ONE_TARGET and len(node.args) == 1 and not node.keywords:
        return f".{func.attr}(target)"
    if func.attr == "open":
        mode = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "mode"), None)
        if mode is None:
            return ""
        text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "?"
        return f".open({text!r})" if any(c in text for c in "wax+?") else ""
    return ""


def _modules() -> dict[str, str]:
    return {p.relative_to(PACKAGE).as_posix(): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_only_the_store_writes_and_every_other_writer_is_listed_with_its_reason() -> None:
    offenders = []
    for name, source in _modules().items():
        if name in THE_WRITERS or name in OUTSIDE_VORGANG:
            continue
        offenders += [
            f"{name}:{line} ({func}): {what}"
            for line, what, func in writes_in(source)
            if f"{name}:{func}" not in OUTSIDE_VORGANG
        ]
    assert not offenders, (
        "Nur store.py schreibt in Vorgangsordner. Schreiben Sie über die Store-API (z. B. Store.put_file) oder "
        "tragen Sie einen Schreiber außerhalb der Vorgänge mit Begründung in OUTSIDE_VORGANG ein:\n"
        + "\n".join(offenders)
    )


def test_the_allow_list_has_no_stale_entries() -> None:
    modules = _modules()
    stale = []
    for entry in OUTSIDE_VORGANG:
        name, _, func = entry.partition(":")
        found = writes_in(modules[name]) if name in modules else []
        if not [w for w in found if not func or w[2] == func]:
            stale.append(entry)
    assert not stale, f"Diese Module schreiben nicht mehr; Eintrag entfernen: {stale}"
    assert all(reason.strip() for reason in OUTSIDE_VORGANG.values())


def test_the_check_sees_each_kind_of_write() -> None:
    source = """
open(p, "w"); open(p, mode="ab"); p.write_text("x"); p.write_bytes(b""); p.unlink(); p.rmdir(); p.mkdir()
p.rename(q); p.replace(q); os.replace(a, b); os.remove(a); shutil.rmtree(a); shutil.move(a, b); p.touch()
atomic_write_bytes(p, b""); fileio.remove_file(p); p.open("wb")
p.open(mode="a"); io.open(p, "w"); retry_on_busy(os.remove, p); sqlite3.connect(p); tempfile.mkstemp(dir=d)
from os import unlink as weg
weg(p)
open(p); open(p, "rb"); "a".replace("a", "b"); d.replace(year=1); tracker.touch(unit); p.read_text()
p.open(); p.open("rb"); io.open(p); os.path.join(a, b); os.stat(p); shutil.which("x"); z.remove(p)
"""
    assert len(writes_in(source)) == 23


def test_folder_spec_and_code_agree_where_outgoing_mails_and_letters_live() -> None:
    from buero_ticket.antwort import brief, versand
    from buero_ticket.store import AUSGANG_DIR, NACHRICHTEN_DIR

    spec = (PACKAGE.parent / "beispiel_ordnerstruktur" / "README.md").read_text(encoding="utf-8")
    assert "Nachrichten/      MUSS: je Nachricht (ein- und ausgehend)" in spec
    assert "Ausgang/          MUSS: ausgehende Briefe (.docx/.pdf); ausgehende E-Mails sind Nachrichten" in spec
    # the code: a reply is filed as a message (store.add_message → Nachrichten), a letter into Ausgang
    assert "NACHRICHTEN_DIR / vorgang.nachrichten[-1].datei" in Path(versand.__file__).read_text(encoding="utf-8")
    assert "store.put_file(current, AUSGANG_DIR" in Path(brief.__file__).read_text(encoding="utf-8")
    assert (NACHRICHTEN_DIR, AUSGANG_DIR) == ("Nachrichten", "Ausgang")
