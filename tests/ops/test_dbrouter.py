"""The read replica router and read-your-writes middleware (helhet/core/dbrouter.py), in process on either database.

The end-to-end proof on a real primary + streaming standby is tests/ops/test_pg_replica.py."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from helhet.audit.models import AuditEvent
from helhet.core import dbrouter
from helhet.people.models import Person

router = dbrouter.ReplicaRouter()


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter, "_replica_up", lambda: True)


class _Unreachable:
    def close_if_health_check_failed(self):
        pass

    def ensure_connection(self):
        raise OperationalError("connection refused")


def test_an_unreachable_replica_sends_the_lists_to_the_primary_for_a_while(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter, "connections", {dbrouter.REPLICA: _Unreachable()})
    monkeypatch.setattr(dbrouter, "_primary_busy", lambda: False)
    monkeypatch.setattr(dbrouter, "_replica_down_until", 0.0)
    with dbrouter.use_replica():
        assert router.db_for_read(Person) is None
    assert dbrouter.on_replica(Person.objects.all()).db == "default"
    assert dbrouter._replica_down_until > time.monotonic() + dbrouter.RETRY_REPLICA_AFTER - 2


def test_without_a_replica_nothing_changes():
    qs = Person.objects.all()
    assert dbrouter.on_replica(qs) is qs
    with dbrouter.use_replica():
        assert router.db_for_read(Person) is None
    assert router.db_for_write(Person) == "default"


def test_only_reads_that_ask_go_to_the_replica(replica):
    assert router.db_for_read(Person) is None
    with dbrouter.use_replica():
        assert router.db_for_read(Person) == "replica"
        assert router.db_for_read(AuditEvent) is None  # audit and access reads stay on the primary
        assert router.db_for_write(Person) == "default"
    assert dbrouter.on_replica(Person.objects.all()).db == "replica"
    assert dbrouter.on_replica(AuditEvent.objects.all()).db == "default"


def test_a_pinned_request_reads_from_the_primary(replica):
    with dbrouter.pinned_to_primary(), dbrouter.use_replica():
        assert router.db_for_read(Person) is None
        assert dbrouter.on_replica(Person.objects.all()).db == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica):
    with transaction.atomic(), dbrouter.use_replica():
        assert router.db_for_read(Person) is None


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "people") is True
    assert router.allow_migrate("replica", "people") is False


def _middleware(seen: list):
    def view(request):
        seen.append(dbrouter._pinned.get())
        return HttpResponse(status=201 if request.method == "POST" else 200)

    return dbrouter.ReadYourWritesMiddleware(view)


def test_a_successful_write_pins_the_next_reads_and_the_pin_runs_out(replica, settings):
    settings.HELHET_REPLICA_PIN_SECONDS = 5
    seen, rf = [], RequestFactory()
    middleware = _middleware(seen)
    response = middleware(rf.post("/x"))
    until = float(response.cookies[dbrouter.COOKIE].value)
    assert time.time() + 4 < until <= time.time() + 7
    assert response.cookies[dbrouter.COOKIE]["httponly"]
    get = rf.get("/x")
    get.COOKIES[dbrouter.COOKIE] = str(until)
    middleware(get)
    expired = rf.get("/x")
    expired.COOKIES[dbrouter.COOKIE] = str(time.time() - 1)
    middleware(expired)
    garbage = rf.get("/x")
    garbage.COOKIES[dbrouter.COOKIE] = "not-a-time"
    middleware(garbage)
    assert seen == [True, True, False, False]  # the write itself, pinned, expired, unreadable
    assert dbrouter._pinned.get() is False


def test_a_refused_write_does_not_pin(replica):
    seen = []

    def view(request):
        return HttpResponse(status=400)

    response = dbrouter.ReadYourWritesMiddleware(view)(RequestFactory().post("/x"))
    assert dbrouter.COOKIE not in response.cookies and seen == []


def test_use_replica_as_a_decorator(replica):
    @dbrouter.use_replica()
    def read():
        return router.db_for_read(Person)

    assert read() == "replica" and read() == "replica"
    assert router.db_for_read(Person) is None
