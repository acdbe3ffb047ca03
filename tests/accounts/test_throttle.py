"""Login throttling: five wrong passwords in 15 minutes lock the username for 15 minutes; many from one IP lock the IP."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from helhet.accounts.models import LoginFailure
from helhet.accounts.throttle import lock_end
from helhet.audit.models import AuditEvent
from helhet.core.world import DEMO_PASSWORD

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
M = dt.timedelta(minutes=1)
W = dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("minutes", "expected_end"),
    [
        ([], None),
        ([0, 1, 2, 3], None),  # four failures: no lock
        ([0, 1, 2, 3, 4], 4 + 15),  # the fifth starts a 15-minute lock
        ([0, 4, 8, 12, 16], None),  # five, but never five inside 15 minutes
        ([0, 4, 8, 12, 14], 14 + 15),
        (
            [0, 1, 2, 3, 4, 40, 41, 42, 43, 44],
            44 + 15,
        ),  # a second round after the lock: locked again
    ],
)
def test_lock_end(minutes, expected_end):
    times = [T0 + m * M for m in minutes]
    end = lock_end(times, limit=5, window=W, lockout=W)
    assert end == (None if expected_end is None else T0 + expected_end * M)


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_and_it_unlocks_after_15_minutes(world, users):
    client = Client()
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(5):
            assert _login(client, "ke", "feil-passord").status_code == 200
        # Locked: even the right password is refused without being checked, with a clear Norwegian message.
        response = _login(client, "ke", DEMO_PASSWORD)
        assert response.status_code == 429
        body = response.content.decode()
        assert "For mange mislykkede innlogginger" in body and "kl. 10:15" in body  # Oslo time
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="locked", detail__username="ke").exists()
        assert AuditEvent.objects.filter(action="login_failed").count() == 5
        # Another user from another address is not affected.
        assert _login(Client(), "koordinator", DEMO_PASSWORD, ip="10.0.0.2").status_code == 302
        # Different case is the same username.
        assert _login(Client(), "KE", DEMO_PASSWORD, ip="10.0.0.3").status_code == 429

        traveller.shift(dt.timedelta(minutes=14))
        assert _login(client, "ke", DEMO_PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=1, seconds=1))
        assert _login(client, "ke", DEMO_PASSWORD).status_code == 302
        # A successful login forgets the username's failures.
        assert not LoginFailure.objects.filter(username="ke").exists()


@pytest.mark.django_db
def test_attempts_while_locked_do_not_extend_the_lock(world):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(5):
            _login(Client(), "ke", "feil")
        for _ in range(10):
            traveller.shift(dt.timedelta(minutes=1))
            assert _login(Client(), "ke", "feil").status_code == 429
        traveller.shift(dt.timedelta(minutes=5, seconds=1))
        assert _login(Client(), "ke", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_many_failures_from_one_ip_lock_that_ip_for_every_username(world, settings):
    settings.HELHET_LOGIN_MAX_FAILURES_PER_IP = 8
    with time_machine.travel(T0, tick=False):
        for i in range(8):
            _login(Client(), f"gjett{i}", "feil", ip="192.0.2.7")
        assert _login(Client(), "ke", DEMO_PASSWORD, ip="192.0.2.7").status_code == 429
        assert _login(Client(), "ke", DEMO_PASSWORD, ip="192.0.2.8").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_configured_header_names_the_client(world, settings):
    settings.HELHET_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    Client().post(
        "/login/",
        {"username": "nobody", "password": "x"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9",
    )
    assert LoginFailure.objects.get(username="nobody").ip == "198.51.100.9"


@pytest.mark.django_db
def test_old_failures_are_pruned(world):
    with time_machine.travel(T0, tick=False) as traveller:
        _login(Client(), "ke", "feil")
        traveller.shift(dt.timedelta(hours=2))
        _login(Client(), "koordinator", "feil")
        assert list(LoginFailure.objects.values_list("username", flat=True)) == ["koordinator"]
        assert LoginFailure.objects.get().at == timezone.now()
