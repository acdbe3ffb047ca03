"""The "minutes" deadline: appears when a meeting is held (minutes_days of the plan's responsible organisation),
turns overdue, and disappears when the minutes are sent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from helhet.meetings import services
from helhet.rules.deadlines import collect

pytestmark = pytest.mark.django_db


def _minutes(**kw):
    return [d for d in collect(**kw) if d.kind == "minutes"]


def test_appears_after_the_meeting_and_disappears_when_minutes_are_sent(plan, convene, users, world):
    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = convene(plan, start=start)
    held_on = timezone.localdate(start)
    fjordvik = world.orgs["fjordvik"].pk
    assert _minutes(today=timezone.localdate()) == []  # not held yet
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        today = timezone.localdate()
        [d] = _minutes(organization_ids=[fjordvik], today=today)
        assert d.due == held_on + dt.timedelta(days=7) and d.rule_code == "minutes_days"  # the guideline's default
        assert d.responsible_user_id == users["coordinator"].pk and d.person_id == plan.person_id
        assert d.object_type == "meeting" and d.object_id == meeting.pk and d.url.endswith(f"/plangruppe/moter/{meeting.pk}/")
        assert [x.object_id for x in _minutes(user_id=users["coordinator"].pk, today=today)] == [meeting.pk]
        assert _minutes(user_id=users["nav"].pk, today=today) == []
        assert _minutes(organization_ids=[world.orgs["havbygd"].pk], today=today) == []  # another tenant's overview
        assert not d.overdue(today)
        services.minutes_write(actor=users["coordinator"], meeting_id=meeting.pk, based_on_version=plan.version, text="Referat")
        assert len(_minutes(today=today)) == 1  # written is not sent
    with time_machine.travel(start + dt.timedelta(days=9), tick=False):
        [d] = _minutes(today=timezone.localdate())
        assert d.overdue(timezone.localdate())
        services.minutes_send(actor=users["coordinator"], meeting_id=meeting.pk)
        assert _minutes(today=timezone.localdate()) == []


def test_the_responsible_organisations_local_guideline_sets_the_deadline(plan, convene, users, world):
    from helhet.rules.services import guideline_set

    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = convene(plan, start=start)
    guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key="minutes_days", value=3, reason="Raskere referat",
                  source="Lokal retningslinje")
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        [d] = _minutes(today=timezone.localdate())
        assert d.due == timezone.localdate(start) + dt.timedelta(days=3) and d.object_id == meeting.pk


def test_a_cancelled_meeting_has_no_minutes_deadline(plan, convene, users):
    start = timezone.now() + dt.timedelta(days=1)
    meeting = convene(plan, start=start)
    services.meeting_cancel(actor=users["coordinator"], meeting_id=meeting.pk, reason="Avlyst")
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        assert _minutes(today=timezone.localdate()) == []
