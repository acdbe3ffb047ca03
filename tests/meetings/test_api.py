"""The plan-group API (/api/v1/plan-group/...): the same services; login required, outsiders 404, bad input 400."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from helhet.meetings.models import Invitee, Meeting, Minutes, Post, Thread
from helhet.plans.models import Measure

pytestmark = pytest.mark.django_db
API = "/api/v1/plan-group"


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path):
        return self.client.get(API + path)

    def post(self, path, body=None, raw=None):
        return self.client.post(API + path, data=raw if raw is not None else json.dumps(body or {}), content_type="application/json")

    def put(self, path, body=None):
        return self.client.put(API + path, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api(client_for):
    return lambda key: Api(client_for(key))


def test_the_whole_loop_over_the_api(plan, api, users, world):
    c = api("coordinator")
    start = timezone.now() + dt.timedelta(days=1)
    r = c.post(f"/plans/{plan.pk}/meetings", {"title": "Møte", "agenda": "Status", "start": start.isoformat(),
                                               "end": (start + dt.timedelta(hours=1)).isoformat(), "video_url": "https://video.example.invalid/1"})
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert len(mail.outbox) == 4 and r.json()["sequence"] == 0
    r = c.put(f"/meetings/{mid}", {"title": "Møte", "agenda": "Status", "start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat(),
                                   "place": "Rådhuset"})
    assert r.status_code == 200 and r.json()["sequence"] == 1
    ics = c.get(f"/meetings/{mid}/invitation.ics")
    assert ics.status_code == 200 and b"SEQUENCE:1" in ics.content
    Meeting.objects.filter(pk=mid).update(start=timezone.now() - dt.timedelta(hours=2), end=timezone.now() - dt.timedelta(hours=1))
    invitees = c.get(f"/meetings/{mid}").json()["invitees"]
    assert c.post(f"/meetings/{mid}/attendance", {"attendance": {str(invitees[0]["id"]): "attended"}}).status_code == 200
    r = c.post(f"/meetings/{mid}/minutes", {"based_on_version": plan.version, "text": "Referat", "action_items": [
        {"text": "Bestille hjelpemidler", "responsible_unit_id": world.units["fjordvik_care"].pk, "deadline": "2030-01-15"}]})
    assert r.status_code == 201, r.content
    measure = Measure.objects.get(pk=r.json()["measure_ids"][0])
    assert measure.title == "Bestille hjelpemidler" and measure.deadline == dt.date(2030, 1, 15) and r.json()["plan_version"] == plan.version + 1
    r = c.post(f"/meetings/{mid}/minutes/send")
    assert r.status_code == 200 and r.json()["sent_at"]
    assert c.post(f"/meetings/{mid}/minutes/send").status_code == 409
    doc = c.get(f"/meetings/{mid}").json()
    assert doc["minutes"]["sent_at"] and doc["minutes"]["action_items"][0]["measure_id"] == measure.pk
    assert [m["id"] for m in c.get(f"/plans/{plan.pk}/meetings").json()] == [mid]


def test_threads_and_unread_over_the_api(plan, api):
    r = api("coordinator").post(f"/plans/{plan.pk}/threads", {"subject": "Hei", "text": "Første"})
    assert r.status_code == 201
    tid = r.json()["id"]
    ke = api("ke")
    assert ke.get(f"/plans/{plan.pk}/unread").json() == {"unread": 1}
    [t] = ke.get(f"/plans/{plan.pk}/threads").json()
    assert t["unread"] == 1
    posts = ke.get(f"/threads/{tid}").json()["posts"]
    assert posts[0]["new"] is True
    assert ke.get(f"/plans/{plan.pk}/unread").json() == {"unread": 0}
    assert ke.post(f"/threads/{tid}/posts", {"text": "Svar"}).status_code == 201
    assert api("coordinator").get(f"/plans/{plan.pk}/unread").json() == {"unread": 1}


@pytest.fixture
def ids(plan, held, users):
    from helhet.meetings import services

    thread = services.thread_create(actor=users["coordinator"], plan_id=plan.pk, subject="Emne", text="Tekst")
    return {"plan": plan.pk, "meeting": held.pk, "thread": thread.pk}


ENDPOINTS = [
    ("get", "/plans/{plan}/meetings"), ("post", "/plans/{plan}/meetings"), ("get", "/meetings/{meeting}"), ("put", "/meetings/{meeting}"),
    ("post", "/meetings/{meeting}/cancel"), ("post", "/meetings/{meeting}/attendance"), ("post", "/meetings/{meeting}/minutes"),
    ("post", "/meetings/{meeting}/minutes/send"), ("get", "/meetings/{meeting}/invitation.ics"), ("get", "/plans/{plan}/threads"),
    ("post", "/plans/{plan}/threads"), ("get", "/threads/{thread}"), ("post", "/threads/{thread}/posts"), ("get", "/plans/{plan}/unread"),
]


def _counts():
    return (Meeting.objects.count(), Meeting.objects.filter(status="cancelled").count(), Invitee.objects.exclude(attendance="").count(),
            Minutes.objects.count(), Thread.objects.count(), Post.objects.count(), Measure.objects.count())


GOOD = {"title": "x", "agenda": "y", "start": "2031-01-01T10:00:00+01:00", "end": "2031-01-01T11:00:00+01:00", "place": "z", "reason": "r",
        "attendance": {}, "based_on_version": 1, "text": "t", "subject": "s"}


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_login_required(ids, method, path):
    client = Client()
    url = API + path.format(**ids)
    r = client.get(url) if method == "get" else getattr(client, method)(url, data=json.dumps(GOOD), content_type="application/json")
    assert r.status_code == 401


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_outsider_gets_404_and_nothing_is_written(ids, api, method, path):
    before = _counts()
    a = api("outsider")
    r = a.get(path.format(**ids)) if method == "get" else getattr(a, method)(path.format(**ids), GOOD)
    assert r.status_code == 404, r.content
    assert _counts() == before


@pytest.mark.parametrize("method, path", [e for e in ENDPOINTS if e[0] != "get" and "send" not in e[1]])
@pytest.mark.parametrize("body", [{}, "not json", {"title": "", "agenda": "", "start": "nope", "end": "nope", "reason": "", "text": "",
                                                   "subject": "", "attendance": {"1": "maybe"}, "based_on_version": "x"}])
def test_bad_input_is_400_and_nothing_is_written(ids, api, method, path, body):
    before = _counts()
    a = api("coordinator")
    if isinstance(body, str):
        r = getattr(a.client, method)(API + path.format(**ids), data=body, content_type="application/json")
    else:
        r = getattr(a, method)(path.format(**ids), body)
    assert r.status_code == 400, (path, r.content)
    assert r.json()["code"] in ("invalid", "bad_request", "invalid_json")
    assert _counts() == before
