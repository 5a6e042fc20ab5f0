"""The operations layer without the CLI: each operation on a real Ablage, with a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from buero_ticket import history
from buero_ticket.ablage import Ablage
from buero_ticket.clock import FixedClock
from buero_ticket.errors import KonfliktFehler
from buero_ticket.models import Absender, Dringlichkeit, Incoming, Kanal, Status
from buero_ticket.operations import vorgang as ops
from buero_ticket.operations.context import Context
from buero_ticket.store import Store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def ctx(ablage: Ablage) -> Context:
    clock = FixedClock(T0)
    return Context.of(Store(ablage, clock=clock, user="mweber"))


def _item(ctx: Context, **kw: object) -> Incoming:
    return Incoming(
        kanal=Kanal.TELEFON, betreff="Sperrmüll Termin", absender=Absender("Erika Muster"), zeit=ctx.clock(), **kw
    )  # type: ignore[arg-type]


def _verlauf(ctx: Context, az: str) -> list[history.HistoryEntry]:
    folder = ctx.store.find(az)
    return history.read_history(folder)


def test_create_sets_deadline_from_settings_and_clock(ctx: Context) -> None:
    vorgang = ops.create(ctx, _item(ctx))
    assert vorgang.eingang == T0 and vorgang.geaendert == T0
    assert vorgang.frist == date(2026, 3, 16)  # [vorgang] frist_tage = 14
    assert _verlauf(ctx, vorgang.aktenzeichen)[0].zeit == T0


def test_accept_with_target_adds_a_message(ctx: Context) -> None:
    first = ops.create(ctx, _item(ctx))
    result = ops.accept(ctx, _item(ctx, aktenzeichen=first.aktenzeichen, text="Nachtrag"))
    assert result.kind is ops.AcceptKind.FOLGE
    assert result.vorgang.aktenzeichen == first.aktenzeichen and len(result.vorgang.nachrichten) == 2
    assert ops.accept(ctx, _item(ctx)).kind is ops.AcceptKind.NEU


def test_assign_note_and_fields_write_one_line_each_with_clock_and_user(ctx: Context) -> None:
    az = ops.create(ctx, _item(ctx)).aktenzeichen
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(hours=1)
    assert ops.assign(ctx, az, "M. Weber").changed
    assert not ops.assign(ctx, az, "M. Weber").changed  # nothing to do: no line, no new revision
    ops.add_note(ctx, az, "Rückruf erledigt")
    changed = ops.change_fields(ctx, az, betreff="Sperrmüll Sofa", dringlichkeit=Dringlichkeit.HOCH, frist=None)
    assert changed.vorgang.betreff == "Sperrmüll Sofa" and changed.vorgang.frist is None
    lines = _verlauf(ctx, az)[1:]
    assert [(e.aktion, e.benutzer, e.zeit) for e in lines] == [
        ("Zugewiesen", "mweber", T0 + timedelta(hours=1)),
        ("Notiz", "mweber", T0 + timedelta(hours=1)),
        ("Geändert", "mweber", T0 + timedelta(hours=1)),
    ]
    assert "Frist 16.03.2026 → keine" in lines[-1].details and "Normal → Hoch" in lines[-1].details
    assert changed.vorgang.revision == 4


def test_stale_stand_is_refused(ctx: Context) -> None:
    vorgang = ops.create(ctx, _item(ctx))
    ops.add_note(ctx, vorgang.aktenzeichen, "erste")
    with pytest.raises(KonfliktFehler):
        ops.assign(ctx, vorgang.aktenzeichen, "S. Yilmaz", stand=vorgang.revision)


def test_status_reopen_and_may_reopen_follow_the_clock(ctx: Context) -> None:
    az = ops.create(ctx, _item(ctx)).aktenzeichen
    ops.assign(ctx, az, "M. Weber")
    done = ops.set_status(ctx, az, Status.ERLEDIGT, grund="Termin vergeben").vorgang
    assert done.erledigt == T0 and done.ordner is not None and done.ordner.parent.name == "4 Erledigt"
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.advance(days=30)
    assert ops.may_reopen(ctx, done)
    ctx.clock.advance(days=1)
    assert not ops.may_reopen(ctx, done)  # [vorgang] wiedereroeffnen_tage = 30
    reopened = ops.reopen(ctx, az, grund="Bürgerin meldet sich erneut").vorgang
    assert reopened.status is Status.IN_BEARBEITUNG and reopened.erledigt is None
    assert not ops.reopen(ctx, az, grund="nochmal").changed


def test_reconcile_manual_move(ctx: Context) -> None:
    vorgang = ops.create(ctx, _item(ctx))
    assert vorgang.ordner is not None
    target = ctx.store.ablage.status_dir(Status.WARTET) / vorgang.ordner.name
    vorgang.ordner.rename(target)  # a clerk drags the folder in Explorer
    repaired = ops.reconcile_manual_move(ctx, target, Status.WARTET)
    assert repaired is not None and repaired.status is Status.WARTET
    assert _verlauf(ctx, vorgang.aktenzeichen)[-1].aktion == "Statuswechsel (manuell verschoben)"


def test_store_put_file_and_repairs_are_the_only_way_in(ctx: Context) -> None:
    from buero_ticket.store import ANLAGEN_DIR, AUSGANG_DIR

    vorgang = ops.create(ctx, _item(ctx))
    assert vorgang.ordner is not None
    names: list[str] = []

    def change(v):  # type: ignore[no-untyped-def]
        names.append(ctx.store.put_file(v, AUSGANG_DIR, "Brief.docx", b"eins"))
        names.append(ctx.store.put_file(v, AUSGANG_DIR, "Brief.docx", b"zwei"))  # never over a file
        return [ctx.entry("Brief erstellt", ", ".join(names))]

    ctx.store.update(vorgang.aktenzeichen, change)
    assert names == ["Brief.docx", "Brief (2).docx"]
    assert (vorgang.ordner / AUSGANG_DIR / "Brief.docx").read_bytes() == b"eins"
    with pytest.raises(ValueError):
        ctx.store.put_file(vorgang, "Nachrichten", "x.eml", b"")  # messages only through add_message

    (vorgang.ordner / ANLAGEN_DIR).rmdir()
    ctx.store.repair_folder(vorgang.ordner / ANLAGEN_DIR)
    assert (vorgang.ordner / ANLAGEN_DIR).is_dir()
    leftover = vorgang.ordner / AUSGANG_DIR / ".~bt-0123456789ab.tmp"
    leftover.write_bytes(b"halb")
    assert ctx.store.remove_leftover(leftover) and not leftover.exists()
    with pytest.raises(ValueError):
        ctx.store.remove_leftover(vorgang.ordner / AUSGANG_DIR / "Brief.docx")  # only temp leftovers
