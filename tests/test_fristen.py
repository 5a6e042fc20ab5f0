"""Frist, Wiedervorlage, "neue Nachricht" and ``liste --faellig`` through the real CLI and the mail intake."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from buero_ticket.ablage import Ablage
from buero_ticket.clock import system_clock
from buero_ticket.config import CONFIG_NAME
from buero_ticket.history import read_history
from buero_ticket.models import Status
from buero_ticket.store import Store

from .test_intake_mail import make_mail

Run = Callable[..., Any]


def _bt(run: Run, ablage: Ablage, *args: str) -> Any:
    result = run("--ablage", str(ablage.root), *args)
    assert result.code == 0, result.err
    return result


def _neu(run: Run, ablage: Ablage, betreff: str, kanal: str = "telefon", **extra: str) -> str:
    args = ["neu", "--kanal", kanal, "--betreff", betreff, "--von", "Erika Muster", "--json"]
    for key, value in extra.items():
        args += [f"--{key}", value]
    return str(json.loads(_bt(run, ablage, *args).out)["aktenzeichen"])


def _liste(run: Run, ablage: Ablage, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(_bt(run, ablage, "liste", "--json", *args).out))


def _set_config(ablage: Ablage, old: str, new: str) -> None:
    path = ablage.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_frist_set_changed_removed_with_history(run: Run, ablage: Ablage, store: Store) -> None:
    az = _neu(run, ablage, "Sperrmüll")
    first = store.get(az).frist
    assert first is not None
    out = _bt(run, ablage, "frist", az, "15.12.2030").out
    assert "15.12.2030" in out
    assert store.get(az).frist == date(2030, 12, 15)
    _bt(run, ablage, "frist", "setzen", az, "+2w")
    assert store.get(az).frist == system_clock().date() + timedelta(weeks=2)
    _bt(run, ablage, "frist", az, "keine")
    assert store.get(az).frist is None
    folder = store.find(az)
    changes = [e.details for e in read_history(folder) if e.aktion == "Frist geändert"]
    assert changes[0] == f"{first:%d.%m.%Y} → 15.12.2030"
    assert changes[-1].endswith("→ keine")
    bad = run("--ablage", str(ablage.root), "frist", az, "31.02.")
    assert bad.code == 2 and "gibt es nicht" in bad.err


def test_default_frist_per_channel_from_settings(run: Run, ablage: Ablage, store: Store) -> None:
    _set_config(ablage, "# [fristen.kanal]\n# Andere", "[fristen.kanal]\ntelefon = 3\nbrief = 0\n# Andere")
    _set_config(ablage, "frist_tage = 14", "frist_tage = 21")
    heute = system_clock().date()
    tel, brief, mail = (_neu(run, ablage, f"Test {k}", kanal=k) for k in ("telefon", "brief", "email"))
    cal_frist = store.get(tel).frist
    assert cal_frist is not None and heute + timedelta(days=3) <= cal_frist <= heute + timedelta(days=9)
    assert store.get(brief).frist is None  # 0 = no Frist
    mail_frist = store.get(mail).frist
    assert mail_frist is not None and heute + timedelta(days=21) <= mail_frist


def test_overdue_frist_is_marked_and_due(run: Run, ablage: Ablage) -> None:
    late = _neu(run, ablage, "Alt und überfällig")
    _neu(run, ablage, "Noch Zeit")
    _bt(run, ablage, "frist", late, "2020-01-15")
    table = _bt(run, ablage, "liste").out
    line = next(row for row in table.splitlines() if row.startswith(late))
    assert "15.01.2020!" in line
    due = _liste(run, ablage, "--faellig")
    assert [v["aktenzeichen"] for v in due] == [late]
    text = _bt(run, ablage, "liste", "--faellig").out
    assert "1 Vorgänge fällig oder überfällig" in text or "1 Vorgang fällig oder überfällig" in text


def test_wiedervorlage_waits_and_comes_back_on_top_with_reason(run: Run, ablage: Ablage, store: Store) -> None:
    first = _neu(run, ablage, "Erster", dringlichkeit="hoch")
    later = _neu(run, ablage, "Später")
    today = _neu(run, ablage, "Heute wieder", dringlichkeit="niedrig")
    out = _bt(run, ablage, "wiedervorlage", later, "+2w", "--grund", "Unterlagen da?").out
    assert "wartet bis" in out
    v = store.get(later)
    assert v.status is Status.WARTET and v.wiedervorlage == system_clock().date() + timedelta(weeks=2)
    _bt(run, ablage, "wiedervorlage", today, "heute", "--grund", "Rückruf Bauamt")
    order = [v["aktenzeichen"] for v in _liste(run, ablage)]
    assert order[0] == today  # due today: on top, despite "niedrig"
    assert order.index(first) < order.index(later)
    table = _bt(run, ablage, "liste").out
    top, marks = table.splitlines()[2:4]
    assert top.startswith(today)
    assert "Rückruf Bauamt" in marks and "Wiedervorlage" in marks
    assert [v["aktenzeichen"] for v in _liste(run, ablage, "--faellig")] == [today]
    past = run("--ablage", str(ablage.root), "wiedervorlage", later, "01.01.2020")
    assert past.code == 2 and "Vergangenheit" in past.err
    _bt(run, ablage, "wiedervorlage", later, "keine")
    assert store.get(later).wiedervorlage is None


def _reply_file(tmp_path: Path, az: str, sender: str = "Jonas Becker <j.becker@example.org>") -> Path:
    path = tmp_path / f"antwort-{az}.eml"
    path.write_bytes(make_mail(subject=f"Re: Parkausweis [Az. {az}]", sender=sender, body="Hier die Unterlagen.\n"))
    return path


def _mail_vorgang(run: Run, ablage: Ablage, tmp_path: Path) -> str:
    first = tmp_path / "erste.eml"
    first.write_bytes(make_mail())
    _bt(run, ablage, "mail", "einlesen", str(first))
    return str(_liste(run, ablage)[0]["aktenzeichen"])


def test_new_message_on_waiting_vorgang_returns_and_is_marked(
    run: Run, ablage: Ablage, store: Store, tmp_path: Path
) -> None:
    az = _mail_vorgang(run, ablage, tmp_path)
    _bt(run, ablage, "status", az, "wartet")
    _bt(run, ablage, "mail", "einlesen", str(_reply_file(tmp_path, az)))
    v = store.get(az)
    assert v.status is Status.IN_BEARBEITUNG and v.neue_nachricht is not None
    rows = _bt(run, ablage, "liste").out.splitlines()
    at = next(i for i, row in enumerate(rows) if row.startswith(az))
    assert "[neue Nachricht]" in rows[at + 1]
    assert _liste(run, ablage)[0]["neue_nachricht"] is True
    _bt(run, ablage, "zeige", az)  # opening it clears the marker
    assert store.get(az).neue_nachricht is None
    assert "[neue Nachricht]" not in _bt(run, ablage, "liste").out
    # a second message, then a change (not zeige) also clears it
    second = tmp_path / "zweite.eml"
    second.write_bytes(make_mail(subject=f"Noch was [Az. {az}]", body="Und noch eine Frage.\n"))
    _bt(run, ablage, "mail", "einlesen", str(second))
    assert store.get(az).neue_nachricht is not None
    _bt(run, ablage, "notiz", az, "gelesen und beantwortet")
    assert store.get(az).neue_nachricht is None


def test_markieren_keeps_waiting_but_marks(run: Run, ablage: Ablage, store: Store, tmp_path: Path) -> None:
    _set_config(ablage, "[einwurf]", '[fristen]\nneue_nachricht = "markieren"\n\n[einwurf]')
    az = _mail_vorgang(run, ablage, tmp_path)
    _bt(run, ablage, "status", az, "wartet")
    _bt(run, ablage, "mail", "einlesen", str(_reply_file(tmp_path, az)))
    v = store.get(az)
    assert v.status is Status.WARTET and v.neue_nachricht is not None


def test_reopened_vorgang_is_marked(run: Run, ablage: Ablage, store: Store, tmp_path: Path) -> None:
    az = _mail_vorgang(run, ablage, tmp_path)
    _bt(run, ablage, "status", az, "erledigt")
    _bt(run, ablage, "mail", "einlesen", str(_reply_file(tmp_path, az)))
    v = store.get(az)
    assert v.status.is_open and v.neue_nachricht is not None
