"""A read saves the session only when it must (helhet.core.middleware.SessionRefreshMiddleware): the expiry moves on
at most every HELHET_SESSION_REFRESH_SECONDS, so a read commits once (its audit event), not twice (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _session_writes(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return sum(
        1
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    )


@pytest.mark.django_db
def test_reads_within_the_refresh_interval_do_not_save_the_session(world, users, settings):
    settings.HELHET_SESSION_REFRESH_SECONDS = 300
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        client.force_login(users["coordinator"])
        _session_writes(
            client, "/mine/"
        )  # the first request may note facts in the session (2FA enrolment)
        traveller.shift(dt.timedelta(minutes=1))
        assert _session_writes(client, "/mine/") == 0
        traveller.shift(dt.timedelta(minutes=5))
        assert _session_writes(client, "/mine/") >= 1  # the expiry moves on
        traveller.shift(dt.timedelta(seconds=10))
        assert _session_writes(client, "/mine/") == 0


@pytest.mark.django_db
def test_the_idle_timeout_is_never_longer_than_the_cookie_age(world, users, settings):
    settings.HELHET_SESSION_REFRESH_SECONDS = 300
    with time_machine.travel(T0, tick=False) as traveller:
        client = Client()
        client.force_login(users["coordinator"])
        assert client.get("/mine/").status_code == 200  # the expiry is now T0 + 30 min
        traveller.shift(dt.timedelta(minutes=4))
        assert client.get("/mine/").status_code == 200  # inside the interval: not moved on
        traveller.shift(dt.timedelta(minutes=26, seconds=1))
        response = client.get("/mine/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_healthz_does_not_load_or_save_a_session(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/healthz").status_code == 200
    assert not any("django_session" in q["sql"] for q in ctx.captured_queries)
