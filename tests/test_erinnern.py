"""``erinnern``: one mail per person, one to the team, a reminder to an overdue Stelle; nothing twice a day."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from buero_ticket.ablage import Ablage, open_ablage
from buero_ticket.clock import FixedClock
from buero_ticket.operations import weiterleiten as weiter
from buero_ticket.operations.context import Context
from buero_ticket.store import Store
from tests.smtp_sink import SmtpSink, set_config

Run = Callable[..., Any]
AMT = {"name": "Bürgerbüro Musterstadt", "email": "buergerbuero@musterstadt.example"}
WEBER = "m.weber@musterstadt.example"


def _bt(run: Run, ablage: Ablage, *args: str) -> Any:
    result = run("--ablage", str(ablage.root), *args)
    assert result.code == 0, result.err
    return result


def _neu(run: Run, ablage: Ablage, betreff: str, bearbeiter: str = "") -> str:
    args = ["neu", "--kanal", "telefon", "--betreff", betreff, "--von", "Erika Muster", "--json"]
    if bearbeiter:
        args += ["--bearbeiter", bearbeiter]
    return str(json.loads(_bt(run, ablage, *args).out)["aktenzeichen"])


def test_one_mail_per_person_and_one_for_the_team_never_twice_a_day(run: Run, ablage: Ablage, sink: SmtpSink) -> None:
    set_config(ablage.root, {"amt": AMT, "smtp": sink.toml(), "fristen": {"team_email": "team@musterstadt.example"}})
    weber_late = _neu(run, ablage, "Sperrmüll Termin", bearbeiter=WEBER)
    weber_ok = _neu(run, ablage, "Noch Zeit", bearbeiter=WEBER)
    nobody = _neu(run, ablage, "Parkausweis")
    stranger = _neu(run, ablage, "Hundesteuer", bearbeiter="Unbekannt")
    _bt(run, ablage, "frist", weber_late, "2020-03-01")
    _bt(run, ablage, "frist", stranger, "2020-03-02")
    _bt(run, ablage, "wiedervorlage", nobody, "heute", "--grund", "Unterlagen nachgereicht?")

    shown = _bt(run, ablage, "erinnern", "--nur-anzeigen")
    assert sink.take() == []  # nothing sent
    assert f"An: {WEBER} <{WEBER}>" in shown.out and "An: Team <team@musterstadt.example>" in shown.out
    assert "2 Erinnerungen würden gesendet" in shown.out
    assert "„Unbekannt“" in shown.err and "[benutzer.LOGIN]" in shown.err

    _bt(run, ablage, "erinnern")
    mails = {m.rcpt_tos[0]: m.message for m in sink.take()}
    assert set(mails) == {WEBER, "team@musterstadt.example"}
    weber = mails[WEBER].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert weber_late in weber and "Sperrmüll Termin" in weber and "Frist überschritten seit 01.03.2020" in weber
    assert weber_ok not in weber
    assert str(mails[WEBER]["Subject"]).startswith("Erinnerung: 1 Vorgang fällig")
    assert mails[WEBER]["Auto-Submitted"] == "auto-replied"  # no out-of-office ping-pong
    team = mails["team@musterstadt.example"].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert nobody in team and "Unterlagen nachgereicht?" in team and stranger in team

    again = _bt(run, ablage, "erinnern")
    assert sink.take() == []
    assert "0 Erinnerungen gesendet" in again.out and "3 Punkte heute schon erinnert" in again.out
    # a new item the same day is still reminded, alone
    _bt(run, ablage, "frist", weber_ok, "heute")
    _bt(run, ablage, "erinnern")
    [late_mail] = sink.take()
    text = late_mail.message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert weber_ok in text and weber_late not in text


def test_overdue_stelle_gets_one_polite_reminder_threaded_to_the_forwarding(
    run: Run, ablage: Ablage, sink: SmtpSink
) -> None:
    set_config(
        ablage.root,
        {
            "amt": AMT,
            "smtp": sink.toml(),
            "fristen": {"team_email": "team@musterstadt.example"},
            "stellen.bauamt": {"name": "Bauamt", "email": "bauamt@musterstadt.example", "antwort_servicestunden": 16},
        },
    )
    az = _neu(run, ablage, "Carport", bearbeiter=WEBER)
    clock = FixedClock(datetime(2026, 1, 12, 8, 0, tzinfo=UTC))  # a server on UTC: 09:00 in the office
    ctx = Context.of(Store(open_ablage(ablage.root), clock=clock))
    forwarded = weiter.weiterleiten(ctx, az, "bauamt").weiterleitung
    sink.take()
    _bt(run, ablage, "erinnern")
    mails = {m.rcpt_tos[0]: m.message for m in sink.take()}
    assert set(mails) == {WEBER, "bauamt@musterstadt.example"}
    reminder = mails["bauamt@musterstadt.example"]
    assert f"[Az. {az}]" in str(reminder["Subject"]) and "Erinnerung" in str(reminder["Subject"])
    assert reminder["In-Reply-To"] == f"<{forwarded.message_id}>"
    body = reminder.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "12.01.2026 09:00" in body and "13.01.2026 15:00" in body  # forwarded, due (16 service hours)
    weber = mails[WEBER].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Antwort der Stelle (Bauamt): überfällig seit 13.01.2026 15:00" in weber
    assert "Rückmeldung an Bürger (Bauamt): überfällig seit 14.01.2026 13:00" in weber
    v = Store(ablage).get(az)
    assert v.weiterleitungen[0].erinnert is not None
    assert v.nachrichten[-1].richtung == "ausgang" and "Erinnerung" in v.nachrichten[-1].betreff  # filed
    _bt(run, ablage, "erinnern")  # within the next service hours: no second reminder
    assert sink.take() == []


def test_a_stelle_is_reminded_at_most_once_per_n_service_hours(run: Run, ablage: Ablage, sink: SmtpSink) -> None:
    """[servicezeiten] erinnerung_stelle_servicestunden = 8: the next reminder only after 8 service hours, counted
    in service time (overnight does not count), independent of the daily ledger of the people's reminders."""
    from buero_ticket.operations.erinnern import erinnern

    set_config(
        ablage.root,
        {
            "amt": AMT,
            "smtp": sink.toml(),
            "servicezeiten": {"erinnerung_stelle_servicestunden": 8},
            "stellen.bauamt": {"name": "Bauamt", "email": "bauamt@musterstadt.example", "antwort_servicestunden": 16},
        },
    )
    own = ablage.root / "Vorlagen" / "erinnerung_stelle.txt.j2"  # the office's own text, without weitergeleitet_am
    own.parent.mkdir(exist_ok=True)
    own.write_text("Betreff: Erinnerung {{ stelle }}\n\nBitte antworten Sie bis {{ antwort_bis }}.\n", encoding="utf-8")
    az = _neu(run, ablage, "Carport", bearbeiter=WEBER)
    tz = ZoneInfo("Europe/Berlin")
    clock = FixedClock(datetime(2026, 1, 12, 9, 0, tzinfo=tz))  # Mon 09:00; the answer is due Tue 13.01. 15:00
    store = Store(open_ablage(ablage.root), clock=clock)
    ctx = Context.of(store)
    weiter.weiterleiten(ctx, az, "bauamt")
    sink.take()

    def reminded_at(when: datetime) -> bool:
        clock.now = when
        erinnern(ctx, [store.get(az)])
        to_stelle = [m.message for m in sink.take() if m.rcpt_tos == ["bauamt@musterstadt.example"]]
        for mail in to_stelle:
            body = mail.get_body(preferencelist=("plain",))
            assert body is not None and "Bitte antworten Sie bis 13.01.2026 15:00 Uhr." in body.get_content()
        return bool(to_stelle)

    assert not reminded_at(datetime(2026, 1, 13, 15, 0, tzinfo=tz))  # due at 15:00, not yet overdue
    assert reminded_at(datetime(2026, 1, 13, 15, 1, tzinfo=tz))  # Tue 15:01: overdue, first reminder
    assert not reminded_at(datetime(2026, 1, 14, 8, 0, tzinfo=tz))  # a new day, but only 2:59 service hours
    assert not reminded_at(datetime(2026, 1, 14, 13, 0, tzinfo=tz))  # 7:59 service hours
    assert reminded_at(datetime(2026, 1, 14, 13, 1, tzinfo=tz))  # Wed 13:01: 8 service hours later
    assert not reminded_at(datetime(2026, 1, 14, 17, 59, tzinfo=tz))
    v = Store(ablage).get(az)
    assert v.weiterleitungen[0].erinnert == datetime(2026, 1, 14, 13, 1, tzinfo=tz)
    assert len([n for n in v.nachrichten if "Erinnerung" in n.betreff]) == 2  # both filed in the Vorgang
