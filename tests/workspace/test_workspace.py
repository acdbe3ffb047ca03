"""Landing pages per role: "Personer jeg er involvert i", the cross-plan inbox, the calendar, overdue counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent

# Pinned query counts for the fixture below (one plan, two threads, one meeting); the pages are paged (PAGE_SIZE), so
# a count grows with the page, never with the number of persons, plans or messages.
# Each page here writes one audit event: two queries on both databases (the chain's head, with PostgreSQL's advisory
# lock in the same round trip, then the insert; helhet.audit.services.record).
# The inbox is one keyset list of threads and notifications: a page of rows and a COUNT from each (helhet.core.paging).
# The calendar is paged in the database (issue 14): a COUNT and the page's rows, where it read up to 200 meetings once.
QUERIES = {"involved": 15, "inbox": 14, "calendar": 11}


@pytest.fixture
def group(shared_plan, users, notify_nav, share):
    """The shared plan (NAV and the teacher in the plan group; a sharing consent gives NAV "general" only) with a
    general thread, a health thread (hidden from NAV: no consent covers it), a meeting tomorrow and a notification to NAV."""
    from helhet.meetings import services

    share(shared_plan.person, ["general"], to_users=["nav"])
    c = users["coordinator"]
    general = services.thread_create(actor=c, plan_id=shared_plan.pk, subject="Planlegging av skoleåret", text="Hei alle")
    health = services.thread_create(actor=c, plan_id=shared_plan.pk, subject="HEMMELIG-HELSE", text="Om medisiner", category="health_function")
    start = timezone.now() + dt.timedelta(days=1)
    meeting = services.meeting_create(actor=c, plan_id=shared_plan.pk, title="Ansvarsgruppemøte", agenda="Status", start=start,
                                      end=start + dt.timedelta(hours=1), place="Rådhuset")
    return {"plan": shared_plan, "general": general, "health": health, "meeting": meeting}


@pytest.fixture
def notify_nav(users, db):
    from helhet.notifications.services import notify

    return notify(user=users["nav"], title="Ny oppgave i Helhet", url="/frister/")


@pytest.mark.parametrize(("key", "where"), [("ke", "ke_overview"), ("coordinator", "my_persons"), ("nav", "workspace_involved"),
                                            ("teacher", "workspace_involved")])
def test_each_role_lands_on_its_page(group, client_for, key, where):
    response = client_for(key).get("/")
    assert response.status_code == 302 and response["Location"] == reverse(where)


def test_gp_and_clinician_with_an_involvement_land_on_the_involved_page(make_person, client_for):
    make_person(involve=(("fjordvik_gp", "gp"), ("trust_ward", "clinician")))
    for key in ("gp", "clinician"):
        assert client_for(key).get("/")["Location"] == reverse("workspace_involved")


def test_staff_with_nobody_land_on_my_persons(client_for, world):
    assert client_for("gp").get("/")["Location"] == reverse("my_persons")


def test_involved_page_shows_what_is_new_for_nav(group, client_for, users, django_assert_num_queries):
    client = client_for("nav")
    client.get(reverse("workspace_inbox"))  # warm the session
    with django_assert_num_queries(QUERIES["involved"]):
        response = client.get(reverse("workspace_involved"))
    body = response.content.decode()
    assert response.status_code == 200
    assert group["plan"].person.full_name in body
    assert "1 ulest" in body  # the general thread; the health thread is not NAV's to see
    assert timezone.localtime(group["meeting"].start).strftime("%d.%m.%Y %H:%M") in body
    assert "1 nytt varsel" in body
    assert "HEMMELIG-HELSE" not in body


def test_inbox_lists_visible_threads_and_notifications(group, client_for, users, django_assert_num_queries):
    client = client_for("nav")
    client.get(reverse("workspace_involved"))
    with django_assert_num_queries(QUERIES["inbox"]):
        response = client.get(reverse("workspace_inbox"))
    body = response.content.decode()
    assert "Planlegging av skoleåret" in body and "Ny oppgave i Helhet" in body
    assert "HEMMELIG-HELSE" not in body
    assert "1–2 av 2" in body
    assert AuditEvent.objects.filter(actor=users["nav"], action="view", person=group["plan"].person, code="Meldinger i innboksen").exists()
    _more_messages(group, users)
    with django_assert_num_queries(QUERIES["inbox"]):
        client.get(reverse("workspace_inbox"))
    with django_assert_num_queries(QUERIES["involved"]):
        client.get(reverse("workspace_involved"))


def _more_messages(group, users):
    """Three more threads with two posts each: the pages' query counts must not move."""
    from helhet.meetings import services

    for i in range(3):
        t = services.thread_create(actor=users["coordinator"], plan_id=group["plan"].pk, subject=f"Tråd {i}", text="Første")
        services.post_add(actor=users["coordinator"], thread_id=t.pk, text="Andre")


def test_the_coordinator_sees_every_category_in_the_inbox(group, client_for):
    body = client_for("coordinator").get(reverse("workspace_inbox")).content.decode()
    assert "Planlegging av skoleåret" in body and "HEMMELIG-HELSE" in body


def test_calendar_lists_upcoming_meetings_with_ics(group, client_for, django_assert_num_queries):
    client = client_for("nav")
    client.get(reverse("workspace_involved"))
    with django_assert_num_queries(QUERIES["calendar"]):
        response = client.get(reverse("workspace_calendar"))
    body = response.content.decode()
    assert "Ansvarsgruppemøte" in body and reverse("meeting_ics", args=[group["meeting"].pk]) in body
    assert client.get(reverse("meeting_ics", args=[group["meeting"].pk])).status_code == 200


def test_the_outsider_sees_nothing(group, client_for):
    client = client_for("outsider")
    for name in ("workspace_involved", "workspace_inbox", "workspace_calendar"):
        body = client.get(reverse(name)).content.decode()
        assert group["plan"].person.full_name not in body
        assert "Planlegging av skoleåret" not in body and "Ansvarsgruppemøte" not in body


def test_a_withdrawn_plan_consent_hides_the_group_from_nav(group, client_for):
    from helhet.consent.models import Consent

    Consent.objects.filter(pk=group["plan"].consent_id).update(withdrawn_on=timezone.localdate())
    client = client_for("nav")
    assert "Planlegging av skoleåret" not in client.get(reverse("workspace_inbox")).content.decode()
    assert "Ansvarsgruppemøte" not in client.get(reverse("workspace_calendar")).content.decode()


def test_login_is_required(client, db):
    for name in ("workspace_involved", "workspace_inbox", "workspace_calendar", "workspace_overdue"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_paging_says_n_of_m(make_person, client_for):
    for i in range(23):
        make_person(given_name=f"Person{i:02d}", involve=(("fjordvik_nav", "nav"),))
    client = client_for("nav")
    first = client.get(reverse("workspace_involved")).content.decode()
    assert "Viser 1–20 av 23" in first and 'rel="prev"' not in first
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("workspace_involved") + next_url).content.decode()
    assert "Viser 21–23 av 23" in second and 'rel="next"' not in second and 'rel="prev"' in second
    assert client.get(reverse("workspace_involved"), {"etter": "x"}).status_code == 200


def _overdue_world(world, users, make_person):
    from helhet.cases.models import CoordinatorAppointment

    person = make_person()
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=30))


def test_overdue_counts_for_the_ke_and_the_coordinator(world, users, make_person, client_for):
    from helhet.workspace.selectors import overdue_counts

    _overdue_world(world, users, make_person)
    ke = overdue_counts(actor=users["ke"], scope="ke")
    mine = overdue_counts(actor=users["coordinator"], scope="mine")
    assert ke.total >= 1 and ("Første kontakt etter oppnevning", 1) in ke.by_kind
    assert ("Første kontakt etter oppnevning", 1) in mine.by_kind and mine.total == sum(n for _label, n in mine.by_kind)
    assert overdue_counts(actor=users["outsider"], scope="ke").total == 0
    fragment = client_for("ke").get(reverse("workspace_overdue"), {"for": "ke"}).content.decode()
    assert "Forfalte frister" in fragment and "Første kontakt etter oppnevning: 1" in fragment
    # Only a KE officer has the KE's scope.
    assert client_for("coordinator").get(reverse("workspace_overdue"), {"for": "ke"}).status_code == 404


def test_the_overdue_slot_is_on_the_ke_overview_and_my_persons(client_for):
    assert 'id="overdue-slot"' in client_for("ke").get(reverse("ke_overview")).content.decode()
    assert 'hx-get="/arbeid/forfalte-frister/?for=mine"' in client_for("coordinator").get(reverse("my_persons")).content.decode()
