"""Idempotency-Key on API writes (helhet/core/idempotency.py), exercised on message threads (POST) and meetings (PUT)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from helhet.core.models import IdempotencyRecord
from helhet.meetings.models import Thread

pytestmark = pytest.mark.django_db
API = "/api/v1/plan-group"


def _thread(client, plan, key=None, subject="Emne"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(f"{API}/plans/{plan.pk}/threads", data=json.dumps({"subject": subject, "text": "Hei"}),
                       content_type="application/json", **extra)


def test_a_repeat_with_the_same_key_returns_the_first_response_and_writes_once(plan, client_for):
    c = client_for("coordinator")
    first = _thread(c, plan, "3f1c0e7a-key-1")
    second = _thread(c, plan, "3f1c0e7a-key-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Thread.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(plan, client_for):
    c = client_for("coordinator")
    assert _thread(c, plan, "k2").status_code == 201
    r = _thread(c, plan, "k2", subject="Noe annet")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert Thread.objects.count() == 1


def test_keys_are_per_principal_and_optional(plan, client_for):
    assert _thread(client_for("coordinator"), plan, "shared").status_code == 201
    assert _thread(client_for("ke"), plan, "shared").status_code == 201
    assert _thread(client_for("coordinator"), plan).status_code == 201
    assert _thread(client_for("coordinator"), plan).status_code == 201
    assert Thread.objects.count() == 4


def test_a_malformed_key_is_a_400(plan, client_for):
    r = _thread(client_for("coordinator"), plan, "x" * 300)
    assert r.status_code == 400 and r.json()["code"] == "invalid_idempotency_key"
    assert not Thread.objects.exists()


def test_a_key_is_kept_24_hours(plan, client_for):
    c = client_for("coordinator")
    assert _thread(c, plan, "day").status_code == 201
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        c = client_for("coordinator")  # a new login: the session would have expired
        assert _thread(c, plan, "day")["Idempotent-Replayed"] == "true"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        c = client_for("coordinator")  # a new login: the session would have expired
        r = _thread(c, plan, "day")
        assert r.status_code == 201 and not r.has_header("Idempotent-Replayed")
    assert Thread.objects.count() == 2


def test_a_failed_request_is_not_kept_and_the_retry_writes_once(plan, client_for, monkeypatch):
    from helhet.meetings import services

    real = services.thread_create
    c = client_for("coordinator")
    c.raise_request_exception = False

    def broken(**kwargs):
        real(**kwargs)  # the write happens ...
        raise RuntimeError("... and then the request fails")

    monkeypatch.setattr(services, "thread_create", broken)
    assert _thread(c, plan, "retry-me").status_code == 500
    assert not Thread.objects.exists() and not IdempotencyRecord.objects.exists()  # rolled back together
    monkeypatch.setattr(services, "thread_create", real)
    assert _thread(c, plan, "retry-me").status_code == 201
    assert _thread(c, plan, "retry-me")["Idempotent-Replayed"] == "true"
    assert Thread.objects.count() == 1


def test_a_4xx_is_replayed_too(plan, client_for):
    c = client_for("coordinator")
    body = json.dumps({"subject": "", "text": "Hei"})
    first = c.post(f"{API}/plans/{plan.pk}/threads", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad")
    second = c.post(f"{API}/plans/{plan.pk}/threads", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == second.status_code == 400 and second["Idempotent-Replayed"] == "true"
