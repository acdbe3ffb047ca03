"""Browser pages: the flow (convene, attendance, minutes with an action item -> measure, send), the plan page link with
unread count, and for every page: login required, outsider 404, bad input 400 with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from helhet.meetings import services
from helhet.meetings.models import Invitee, Meeting, Minutes, Post, Thread
from helhet.plans.models import Measure

pytestmark = pytest.mark.django_db


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_convenes_records_attendance_writes_and_sends_minutes(plan, client_for, users, world):
    client = client_for("coordinator")
    page = client.get(reverse("meeting_create", args=[plan.pk]))
    assert page.status_code == 200 and "Kall inn til møte" in page.content.decode()
    start = timezone.now() + dt.timedelta(days=2)
    participant_ids = [str(p.pk) for p in plan.participants.all()]
    response = client.post(reverse("meeting_create", args=[plan.pk]), {
        "title": "Ansvarsgruppemøte", "start": _local(start), "end": _local(start + dt.timedelta(hours=1)), "place": "Rådhuset",
        "agenda": "Status", "participants": participant_ids})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert len(mail.outbox) == 4
    Meeting.objects.filter(pk=meeting.pk).update(start=timezone.now() - dt.timedelta(hours=2), end=timezone.now() - dt.timedelta(hours=1))
    inv = list(meeting.invitees.order_by("id"))
    response = client.post(reverse("meeting_attendance", args=[meeting.pk]), {f"a_{inv[0].pk}": "attended", f"a_{inv[2].pk}": "excused"})
    assert response.status_code == 302
    assert dict(Invitee.objects.values_list("pk", "attendance")) == {inv[0].pk: "attended", inv[1].pk: "", inv[2].pk: "excused", inv[3].pk: ""}
    assert client.get(reverse("minutes_write", args=[meeting.pk])).status_code == 200
    data = {"based_on_version": plan.version, "text": "Vi ble enige om tiltak.", "category": "general",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "20",
            "items-0-text": "Søke om avlastning", "items-0-responsible_person": users["coordinator"].pk,
            "items-0-responsible_unit": world.units["fjordvik_care"].pk, "items-0-deadline": "2030-05-01"}
    response = client.post(reverse("minutes_write", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    measure = Measure.objects.get(plan=plan)
    assert measure.title == "Søke om avlastning" and measure.deadline == dt.date(2030, 5, 1)
    assert measure.responsible_person == users["coordinator"] and measure.responsible_unit == world.units["fjordvik_care"]
    detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Vi ble enige om tiltak." in detail and "Søke om avlastning" in detail
    assert client.post(reverse("minutes_send", args=[meeting.pk])).status_code == 302
    assert Minutes.objects.get().sent_at is not None
    assert "Referatet ble sendt" in client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert client.post(reverse("minutes_send", args=[meeting.pk])).status_code == 409  # once
    ics = client.get(reverse("meeting_ics", args=[meeting.pk]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_plan_page_links_to_meetings_and_messages_with_unread_count(plan, client_for, users):
    services.thread_create(actor=users["ke"], plan_id=plan.pk, subject="Hei", text="Første melding")
    services.thread_create(actor=users["ke"], plan_id=plan.pk, subject="Igjen", text="Andre melding")
    html = client_for("coordinator").get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert reverse("meeting_list", args=[plan.pk]) in html and reverse("thread_list", args=[plan.pk]) in html
    assert 'data-color="danger">2</span>' in html
    threads = client_for("coordinator").get(reverse("thread_list", args=[plan.pk])).content.decode()
    assert 'data-unread="1"' in threads


def test_messages_pages_post_reply_and_mark_read(plan, client_for, users):
    client = client_for("coordinator")
    response = client.post(reverse("thread_list", args=[plan.pk]), {"subject": "Transport", "category": "general", "text": "Hvem kjører?"})
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("thread_detail", args=[thread.pk])
    ke = client_for("ke")
    page = ke.get(reverse("thread_detail", args=[thread.pk]))
    assert page.status_code == 200 and "Hvem kjører?" in page.content.decode() and ">ny<" in page.content.decode()
    assert ke.post(reverse("thread_detail", args=[thread.pk]), {"text": "Jeg ordner det"}).status_code == 302
    assert Post.objects.count() == 2
    assert ke.post(reverse("thread_detail", args=[thread.pk]), {"text": ""}).status_code == 400
    assert Post.objects.count() == 2


# ---------------------------------------------------------------- every page: login, outsider, bad input


@pytest.fixture
def objects(plan, held, users):
    thread = services.thread_create(actor=users["coordinator"], plan_id=plan.pk, subject="Emne", text="Tekst")
    return {"plan": plan.pk, "meeting": held.pk, "thread": thread.pk}


PAGES = [
    ("meeting_list", "plan", "get"), ("meeting_create", "plan", "get"), ("meeting_create", "plan", "post"),
    ("meeting_detail", "meeting", "get"), ("meeting_edit", "meeting", "get"), ("meeting_edit", "meeting", "post"),
    ("meeting_cancel", "meeting", "get"), ("meeting_cancel", "meeting", "post"), ("meeting_attendance", "meeting", "post"),
    ("minutes_write", "meeting", "get"), ("minutes_write", "meeting", "post"), ("minutes_send", "meeting", "post"),
    ("meeting_ics", "meeting", "get"), ("thread_list", "plan", "get"), ("thread_list", "plan", "post"),
    ("thread_detail", "thread", "get"), ("thread_detail", "thread", "post"),
]


def _counts():
    return (Meeting.objects.count(), Invitee.objects.exclude(attendance="").count(), Minutes.objects.count(), Thread.objects.count(),
            Post.objects.count(), Measure.objects.count(), Meeting.objects.filter(status="cancelled").count())


@pytest.mark.parametrize("name, key, method", PAGES)
def test_login_is_required(objects, name, key, method):
    response = getattr(Client(), method)(reverse(name, args=[objects[key]]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name, key, method", PAGES)
def test_an_outsider_gets_404_and_writes_nothing(objects, client_for, name, key, method):
    before = _counts()
    data = {"text": "x", "subject": "x", "category": "general", "reason": "x"}
    assert getattr(client_for("outsider"), method)(reverse(name, args=[objects[key]]), data).status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("name, key", [(n, k) for n, k, m in PAGES if m == "post"])
def test_bad_input_is_400_with_nothing_written(objects, client_for, name, key):
    before = _counts()
    bad = {"text": "", "subject": "", "reason": "", "start": "i morgen", "based_on_version": "x", "a_999": "maybe",
           "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-0-text": "Uten ansvarlig"}
    response = client_for("coordinator").post(reverse(name, args=[objects[key]]), bad)
    if name == "minutes_send":
        assert response.status_code == 409  # nothing to send yet
    else:
        assert response.status_code == 400, response.content.decode()[:2000]
        assert b'role="alert"' in response.content
    assert _counts() == before


@pytest.mark.parametrize("who", ["nav", "teacher"])
def test_plan_group_members_may_read_but_not_manage_meetings(objects, client_for, who):
    client = client_for(who)
    assert client.get(reverse("meeting_list", args=[objects["plan"]])).status_code == 200
    assert client.get(reverse("meeting_detail", args=[objects["meeting"]])).status_code == 200
    assert client.get(reverse("meeting_create", args=[objects["plan"]])).status_code == 404
    assert client.get(reverse("minutes_write", args=[objects["meeting"]])).status_code == 404
