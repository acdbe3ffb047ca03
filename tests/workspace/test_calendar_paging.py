"""Issue 14: the staff calendar pages in the database. No cut at 200 meetings (a user with more saw the first 200 and
never learned of the rest): "N av M" counts every upcoming meeting the reader may see, soonest first; the plans'
access is the policy's query fragment (readable_plans_q), which agrees with plan_access; the query count of a page
does not grow with the meetings."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.workspace.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db

CALENDAR = "/arbeid/kalender/"


@pytest.fixture
def meeting(shared_plan, users):
    """A meeting of the shared plan tomorrow, organised by the coordinator (NAV and the teacher invited)."""
    from helhet.meetings import services

    start = timezone.now() + dt.timedelta(days=1)
    return services.meeting_create(actor=users["coordinator"], plan_id=shared_plan.pk, title="Møte nr 000", agenda="Status", start=start,
                                   end=start + dt.timedelta(hours=1), place="Rådhuset")


def _more(meeting, n: int, start: int = 1):
    """n more meetings like `meeting` (same plan, same invitees), one a day after it: "Møte nr 001", ..."""
    from helhet.meetings.models import Invitee, Meeting

    invitees = list(Invitee.objects.filter(meeting=meeting))
    for i in range(start, start + n):
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.pk, copy.uid, copy.title = None, f"calendar-paging-{i}", f"Møte nr {i:03d}"
        copy.start = meeting.start + dt.timedelta(days=i)
        copy.end = copy.start + dt.timedelta(hours=1)
        copy.save()
        for inv in invitees:
            inv.pk, inv.meeting = None, copy
        Invitee.objects.bulk_create(invitees)


def _get(client, url=CALENDAR, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _titles(body: str) -> list[str]:
    return re.findall(r">Møte nr (\d{3})</a>", body)


def test_a_page_of_the_calendar_costs_the_same_with_3_or_30_meetings(meeting, client_for):
    client = client_for("nav")
    client.get(reverse("workspace_involved"))  # the first request stamps the session
    _more(meeting, 2)
    body, few = _get(client)
    assert "Viser 1–3 av 3" in body and _titles(body) == ["000", "001", "002"]
    _more(meeting, 27, start=3)
    body, many = _get(client)
    assert many == few  # a COUNT and the page's rows, whatever the number of meetings
    assert f"Viser 1–{PAGE_SIZE} av 30" in body and "?side=2" in body
    assert _titles(body) == [f"{i:03d}" for i in range(PAGE_SIZE)]  # soonest first
    body2, second = _get(client, side="2")
    assert second == many and f"Viser {PAGE_SIZE + 1}–30 av 30" in body2
    assert _titles(body2) == [f"{i:03d}" for i in range(PAGE_SIZE, 30)]


def test_no_silent_cut_at_200(meeting, client_for):
    _more(meeting, 229)
    client = client_for("teacher")
    body, _n = _get(client)
    assert f"Viser 1–{PAGE_SIZE} av 230" in body
    pages = -(-230 // PAGE_SIZE)
    last, _n = _get(client, side=str(pages))
    assert f"Viser {(pages - 1) * PAGE_SIZE + 1}–230 av 230" in last and _titles(last)[-1] == "229"


def test_what_the_reader_may_not_see_is_not_counted(meeting, users, client_for, make_person):
    """A withdrawn plan-work consent closes the group's reads for NAV (not for the coordinator): NAV's calendar then
    neither shows nor counts the plan's meetings; an outsider sees nothing."""
    from helhet.consent.models import Consent

    _more(meeting, 4)
    assert "Viser 1–5 av 5" in _get(client_for("nav"))[0]
    Consent.objects.filter(pk=meeting.plan.consent_id).update(withdrawn_on=timezone.localdate())
    body, _n = _get(client_for("nav"))
    assert "Møte nr" not in body and "Viser" not in body and "Ingen kommende møter." in body
    assert "Viser 1–5 av 5" in _get(client_for("coordinator"))[0]  # the coordinator reads the plan without the consent
    outsider, _n = _get(client_for("outsider"))
    assert "Møte nr" not in outsider and meeting.plan.person.full_name not in outsider


def test_each_page_leaves_a_view_event_per_plan_shown(meeting, users, client_for):
    _more(meeting, 2)
    before = AuditEvent.objects.filter(actor=users["nav"], action="view", object_type="individualplan").count()
    _get(client_for("nav"))
    events = AuditEvent.objects.filter(actor=users["nav"], action="view", object_type="individualplan").order_by("-id")
    assert events.count() == before + 1 and events.first().person_id == meeting.plan.person_id


def test_readable_plans_q_agrees_with_plan_access(world, users, shared_plan, make_person, consent_for):
    """The list form (readable_plans_q) and the single check (plan_access, refuse=False) give the same plans for every
    persona, with the plan-work consent valid and withdrawn."""
    from helhet.access.queries import plan_access, readable_plans_q
    from helhet.consent.models import Consent
    from helhet.plans.models import IndividualPlan

    def agree():
        plans = list(IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization", "consent"))
        assert plans
        for key, user in users.items():
            user = type(user).objects.get(pk=user.pk)  # a fresh actor context
            listed = set(IndividualPlan.objects.filter(readable_plans_q(user)).values_list("pk", flat=True))
            checked = {p.pk for p in plans if plan_access(user, p, refuse=False) is not None}
            assert listed == checked, key

    agree()
    Consent.objects.filter(pk=shared_plan.consent_id).update(withdrawn_on=timezone.localdate() - dt.timedelta(days=1))
    agree()
