"""API: GET my deadlines, GET the KE's deadlines, GET notifications, POST mark read."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from .conftest import D0

pytestmark = pytest.mark.django_db
API = "/api/v1/notifications"


@pytest.mark.parametrize("path", ["/deadlines/mine", "/deadlines/ke", "/"])
def test_login_required(path):
    assert Client().get(API + path).status_code == 401


def test_my_deadlines(travel, client_for, person, appoint_on, users):
    travel(D0 + dt.timedelta(days=20))
    a = appoint_on(person, D0)
    [d] = client_for("coordinator").get(API + "/deadlines/mine").json()
    assert (d["kind"], d["due"], d["overdue"], d["rule_code"], d["object_id"]) == ("first_contact", "2026-03-16", True, "first_contact_days", a.pk)
    assert d["person_name"] == person.full_name
    assert client_for("coordinator2").get(API + "/deadlines/mine").json() == []


def test_ke_deadlines_is_scoped_to_the_tenant_and_404_for_others(travel, client_for, person, appoint_on):
    travel(D0 + dt.timedelta(days=20))
    appoint_on(person, D0)
    body = client_for("ke").get(API + "/deadlines/ke", {"kind": "first_contact", "overdue": "true"}).json()
    assert len(body["deadlines"]) == 1
    assert {c["kind"]: c["overdue"] for c in body["counts"]}["first_contact"] == 1
    assert client_for("outsider").get(API + "/deadlines/ke").json()["deadlines"] == []
    assert client_for("coordinator").get(API + "/deadlines/ke").status_code == 404


def test_notifications_and_mark_read(client_for, users):
    from helhet.notifications.services import notify

    a = notify(user=users["coordinator"], title="En")
    notify(user=users["coordinator"], title="To")
    other = notify(user=users["nav"], title="Annen")
    client = client_for("coordinator")
    body = client.get(API + "/").json()
    assert body["unread"] == 2 and [n["title"] for n in body["items"]] == ["To", "En"]
    r = client.post(API + "/read", data=json.dumps({"ids": [a.pk, other.pk]}), content_type="application/json").json()
    assert r == {"marked": 1, "unread": 1}
    r = client.post(API + "/read", data=json.dumps({}), content_type="application/json").json()
    assert r == {"marked": 1, "unread": 0}
    other.refresh_from_db()
    assert other.read_at is None
