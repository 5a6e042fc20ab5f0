"""The one error translator: every exception class has German text, every kind of error a German message
with advice and the right exit code, and the severity decides the blast radius in the batch runs."""

from __future__ import annotations

import errno
import importlib
import inspect
import pkgutil
import sqlite3
import ssl

import click
import pytest

import buero_ticket
from buero_ticket.ablage import Ablage
from buero_ticket.errors import (
    BueroTicketError,
    DatenFehler,
    Exit,
    Meldung,
    Schwere,
    ZugriffFehler,
    translate,
)
from buero_ticket.intake.einwurf import Einwurf
from buero_ticket.intake.mail import MailImporter
from buero_ticket.operations import vorgang as ops
from buero_ticket.store import Store
from tests.imap_servers import PymapServer

from .test_abruf import configure, crlf, vorgang_count
from .test_intake_mail import make_mail

# Exception classes that are no product errors, each with the reason.
NOT_PRODUCT_ERRORS = {
    "buero_ticket.cli._NeverRaised": "a click sentinel type that is never raised (see cli/__init__.py)",
}
GERMAN = ("ä", "ö", "ü", "ß", " der ", " die ", " das ", " ist ", " nicht ", " ein", " kein", " Die ", " Der ", " Das ")


def _all_exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(buero_ticket.__path__, "buero_ticket."):
        if info.name.endswith("__main__"):
            continue  # running it would start the CLI
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__.startswith("buero_ticket"):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


def test_every_exception_class_is_in_the_hierarchy_and_has_german_text() -> None:
    classes = _all_exception_classes()
    assert len(classes) > 15  # the walk found the package's modules
    problems = []
    for cls in classes:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in NOT_PRODUCT_ERRORS:
            assert issubclass(cls, click.ClickException)
            continue
        if not issubclass(cls, BueroTicketError):
            problems.append(f"{name}: nicht von BueroTicketError abgeleitet")
            continue
        text = cls.__dict__.get("beschreibung", "")
        if not isinstance(text, str) or not text.endswith(".") or not any(w in f" {text} " for w in GERMAN):
            problems.append(f"{name}: keine eigene deutsche beschreibung ({text!r})")
    assert not problems, "\n".join(problems)


def test_a_product_error_without_text_says_its_description() -> None:
    for cls in _all_exception_classes():
        if issubclass(cls, BueroTicketError) and cls.__init__ is BueroTicketError.__init__:
            meldung = translate(cls())
            assert meldung.text == cls.beschreibung and meldung.exit_code == cls.exit_code


FOREIGN = [
    (OSError(errno.ENOSPC, "No space left on device", "/a/b"), Exit.ZUGRIFF, "voll"),
    (OSError(getattr(errno, "EDQUOT", 122), "Disk quota exceeded", "/a/b"), Exit.ZUGRIFF, "Speicherkontingent"),
    (OSError(errno.EROFS, "Read-only file system", "/a"), Exit.ZUGRIFF, "schreibgeschützt"),
    (PermissionError(errno.EACCES, "Permission denied", "/a/x.xlsx"), Exit.ZUGRIFF, "Keine Berechtigung"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/a/.~bt-1.tmp", None, "/a/R.xlsx"), Exit.ZUGRIFF, "Ordner"),
    (OSError(errno.EBUSY, "Device or resource busy", "/a/x"), Exit.ZUGRIFF, "gesperrt"),
    (OSError(errno.ENAMETOOLONG, "File name too long", "/a/x"), Exit.ZUGRIFF, "zu lang"),
    (FileNotFoundError(errno.ENOENT, "No such file", "/a/x"), Exit.ABLAGE, "nicht (mehr) erreichbar"),
    (OSError(errno.EIO, "Input/output error", "/a/x"), Exit.ABLAGE, "nicht (mehr) erreichbar"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), Exit.VERBINDUNG, "Verbindung"),
    (TimeoutError("timed out"), Exit.VERBINDUNG, "Verbindung"),
    (ssl.SSLError(1, "certificate verify failed"), Exit.VERBINDUNG, "Verbindung"),
    (sqlite3.DatabaseError("database disk image is malformed"), Exit.INTERN, "Zwischenspeicher"),
    (RuntimeError("Programmfehler"), Exit.INTERN, "Interner Fehler"),
]


@pytest.mark.parametrize(("exc", "code", "words"), FOREIGN, ids=[type(e).__name__ for e, _c, _w in FOREIGN])
def test_foreign_exceptions_get_german_text_advice_and_exit_code(exc: BaseException, code: Exit, words: str) -> None:
    meldung = translate(exc)
    assert meldung.exit_code == code and words in meldung.text and meldung.hinweis
    assert "Errno" not in meldung.text and "Error" not in meldung.text  # no raw Python text for the clerk
    assert type(exc).__name__ in meldung.technik  # the IT gets the technical text separately


def test_an_internal_error_in_a_reason_file_names_the_it_not_repr() -> None:
    reason, hint = translate(ValueError("kaputt")).fuer_eintrag()
    assert reason.startswith("Interner Fehler beim Verarbeiten") and "Für die IT: ValueError: kaputt" in reason
    assert "protokoll" in hint
    assert Meldung("x", "y", Exit.ZUGRIFF, Schwere.LAUF).einzeln is False


# --- severity decides the blast radius ---------------------------------------------------------


def test_mail_run_quarantines_one_broken_mail_but_stops_for_the_ablage(
    run,  # type: ignore[no-untyped-def]
    ablage: Ablage,
    pymap_server: PymapServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(ablage, pymap_server, monkeypatch)
    for subject in ("Vorher", "DATEN", "VOLL", "Nachher"):
        pymap_server.append(crlf(make_mail(subject=subject)))
    real_create = ops.create

    def create(ctx, item):  # type: ignore[no-untyped-def]
        if item.betreff == "DATEN":  # one mail: quarantine it and go on
            raise DatenFehler("Diese eine Mail passt nicht.", "Prüfen Sie sie.")
        if item.betreff == "VOLL":  # the Ablage: stop the run, the mail stays in the inbox
            raise OSError(errno.ENOSPC, "No space left on device", str(ablage.root / "1 Eingang"))
        return real_create(ctx, item)

    monkeypatch.setattr(ops, "create", create)
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == Exit.ZUGRIFF, res.err
    assert "Das Laufwerk ist voll" in res.err and "Interner Fehler" not in res.err
    assert vorgang_count(ablage) == 1  # "Vorher"; "Nachher" waits for the next run
    assert len(pymap_server.uids("Quarantäne")) == 1  # "DATEN"
    reasons = [p.read_text(encoding="utf-8") for p in ablage.quarantaene_dir.glob("* - Grund.txt")]
    assert len(reasons) == 1 and "Diese eine Mail passt nicht." in reasons[0]
    assert len(pymap_server.uids("INBOX")) == 3  # stored "Vorher" moves with the next batch; "VOLL", "Nachher" wait
    monkeypatch.setattr(ops, "create", real_create)  # space again: the next run completes, nothing lost or doubled
    res = run("--ablage", str(ablage.root), "mail", "abrufen")
    assert res.code == Exit.OK, res.err
    assert vorgang_count(ablage) == 3 and pymap_server.uids("INBOX") == []


def test_einwurf_puts_a_file_back_and_stops_when_the_disk_is_full(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    einwurf = Einwurf(store)
    einwurf.prepare()
    from buero_ticket.index import Index

    index = Index(store)
    importer = MailImporter(store, index, quarantaene_dir=einwurf.error_dir)
    eins = einwurf.root / "Antrag.pdf"
    eins.write_bytes(b"%PDF-1.4 eins\n")

    def full(ctx, item):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device", str(store.ablage.root / "1 Eingang" / ".~bt-x.tmp"))

    monkeypatch.setattr(ops, "accept", full)
    with pytest.raises(OSError) as info:
        einwurf.process(eins, importer)
    assert translate(info.value).exit_code == Exit.ZUGRIFF
    assert eins.read_bytes() == b"%PDF-1.4 eins\n"  # back where the clerk put it
    assert not list(einwurf.error_dir.iterdir())

    def refused(ctx, item):  # type: ignore[no-untyped-def]
        raise ZugriffFehler("x", schwere=Schwere.EINZELN)

    monkeypatch.setattr(ops, "accept", refused)
    result = einwurf.process(eins, importer)
    assert result.kind == "fehler" and not eins.exists()
    assert sorted(p.name for p in einwurf.error_dir.iterdir()) == ["Antrag - Grund.txt", "Antrag.pdf"]
    index.close()
    einwurf.close()
