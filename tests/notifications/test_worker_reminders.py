"""sendreminders with time travel: a deadline is reminded once, escalates once, and stops when done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from helhet.notifications import reminders
from helhet.notifications.models import Notification, Reminder

from .conftest import D0
from .factories import make_appeal

pytestmark = pytest.mark.django_db


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def test_first_contact_reminded_once_escalated_once_then_resolved_when_done(travel, person, appoint_on, users):
    from helhet.notifications import services

    travel(D0)
    appointment = appoint_on(person, D0)  # due D0 + 14
    assert reminders.run_once().sent == 0 and not mail.outbox  # not within the horizon yet

    travel(day(11))  # due in 3 days: reminded
    r = reminders.run_once(worker="w1")
    assert (r.created, r.sent, r.escalated) == (1, 1, 0)
    assert [m.to for m in mail.outbox] == [[users["coordinator"].email]]
    assert "Første kontakt" in mail.outbox[0].subject
    assert person.given_name not in mail.outbox[0].body and person.national_id not in mail.outbox[0].body
    assert Notification.objects.filter(user=users["coordinator"], kind="reminder").count() == 1

    for n in (12, 13, 14):  # again and again: never a second reminder, no escalation before it is overdue
        travel(day(n))
        r = reminders.run_once(worker="w1")
        assert (r.sent, r.escalated) == (0, 0)
    assert len(mail.outbox) == 1

    travel(day(15))  # overdue, and 4 days since the reminder: escalated to Fjordvik's KE
    r = reminders.run_once(worker="w2")
    assert (r.sent, r.escalated) == (0, 1)
    assert [m.to for m in mail.outbox[1:]] == [[users["ke"].email]]
    assert users["outsider"].email not in {a for m in mail.outbox for a in m.to}
    assert Notification.objects.filter(user=users["ke"], kind="escalation").count() == 1

    travel(day(16))
    assert reminders.run_once().escalated == 0 and len(mail.outbox) == 2

    services.first_contact_record(actor=users["coordinator"], appointment_id=appointment.pk, contacted_on=day(16), how="meeting")
    r = reminders.run_once()
    assert r.resolved == 0  # already sent and escalated: nothing left to stop
    assert Reminder.objects.count() == 1


def test_a_deadline_done_before_the_reminder_goes_out_is_resolved_and_never_sent(travel, person, appoint_on, users, monkeypatch):
    from helhet.notifications import services

    travel(day(11))
    appointment = appoint_on(person, D0)
    # Step 2 ran (the row exists) but the deadline is met before any worker sends it.
    deadlines, _keys = reminders.step_collect(day(11))
    assert reminders.step_ensure(deadlines, day(11)) == 1
    services.first_contact_record(actor=users["coordinator"], appointment_id=appointment.pk, contacted_on=day(10), how="phone")
    r = reminders.run_once()
    assert (r.resolved, r.sent) == (1, 0)
    assert Reminder.objects.get().resolved_at is not None
    travel(day(20))
    assert reminders.run_once().escalated == 0
    assert not mail.outbox and not Notification.objects.exists()


def test_a_sent_reminder_whose_deadline_is_done_is_never_escalated(travel, person, appoint_on, users):
    from helhet.notifications import services

    travel(day(11))
    appointment = appoint_on(person, D0)
    assert reminders.run_once().sent == 1
    travel(day(15))
    services.first_contact_record(actor=users["coordinator"], appointment_id=appointment.pk, contacted_on=day(14), how="phone")
    r = reminders.run_once()
    assert (r.resolved, r.escalated) == (1, 0)
    assert len(mail.outbox) == 1


def test_an_extension_replaces_the_reminder(travel, person, appoint_on, users):
    from helhet.notifications import services

    travel(day(11))
    appointment = appoint_on(person, D0)
    assert reminders.run_once().sent == 1
    services.deadline_extend(actor=users["coordinator"], appointment_id=appointment.pk, days=14, reason="Personen er på reise")
    r = reminders.run_once()
    assert (r.resolved, r.sent) == (1, 0)  # the old due date is gone; the new one is 17 days away
    travel(day(25))
    assert reminders.run_once().sent == 1


def test_a_deadline_without_a_named_user_goes_to_the_tenant_ke(travel, world, users, person):
    travel(D0)
    make_appeal(world, users, person, received_on=day(-30))  # due D0 - 2: overdue
    r = reminders.run_once()
    assert r.sent == 1
    assert [m.to for m in mail.outbox] == [[users["ke"].email]]
    travel(day(10))
    assert reminders.run_once().escalated == 0  # it already went to the KE


def test_a_claimed_reminder_is_not_sent_by_another_worker_until_the_lease_expires(travel, person, appoint_on):
    travel(day(11))
    appoint_on(person, D0)
    deadlines, _ = reminders.step_collect(day(11))
    reminders.step_ensure(deadlines, day(11))
    from django.utils import timezone

    pk = Reminder.objects.get().pk
    now = timezone.now()
    assert reminders._claim(pk, "w1", now, reminders.Q(sent_at__isnull=True))
    assert not reminders._claim(pk, "w2", now, reminders.Q(sent_at__isnull=True))
    assert reminders.run_once(worker="w2").sent == 0
    # w1 died: after the lease another worker takes over and sends once.
    assert reminders.run_once(worker="w2", now=now + reminders.LEASE + dt.timedelta(seconds=1)).sent == 1
    assert len(mail.outbox) == 1


def test_the_command_runs_one_batch(travel, person, appoint_on, capsys):
    travel(day(11))
    appoint_on(person, D0)
    call_command("sendreminders")
    assert "1 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 1
