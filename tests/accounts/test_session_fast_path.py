"""The fixed cost of a signed-in request (issue 14): the session row, then the user and the two-factor device in one
query (helhet.accounts.backends.SessionBackend, middleware.VerifiedDeviceMiddleware). Nothing is remembered between
requests: a deleted or unconfirmed device, an inactive user, a logout, a password change or an idle session take
effect on the very next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhet.accounts import backends
from helhet.core.middleware import SessionRefreshMiddleware
from tests.accounts.test_two_factor import code, password_login

pytestmark = pytest.mark.django_db

API_READ = "/api/v1/consents/categories"
PAGE = "/konto/"
# A verified request before its view: the session row, then the user with "does the session's device hold" (one
# query; django-otp read the device in a query of its own: one more).
FIXED = 2
# The account page's own: the user's confirmed device (twofactor.confirmed_totp), the actor's memberships (the role
# decides whether two-factor may be turned off) and the unread notifications of the page's header.
PAGE_OWN = 3


@pytest.fixture
def require_2fa(settings):
    settings.HELHET_REQUIRE_2FA = True
    return settings


def verified(user) -> tuple[Client, TOTPDevice]:
    """Password, then a current code: the way a person signs in (tests/accounts/test_two_factor.py)."""
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = password_login(user.username)
    response = client.post("/konto/2fa/", {"token": code(device)})
    assert response.status_code == 302, response.content[:300]
    assert client.get(API_READ).status_code == 200
    return client, device


def _queries(client, url, status=200) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, response.content[:300]
    return [q["sql"] for q in captured.captured_queries]


def test_a_verified_request_reads_the_session_then_the_user_and_device_in_one_query(
    world, users, require_2fa, django_assert_num_queries
):
    client, _device = verified(users["ke"])
    with django_assert_num_queries(FIXED):
        assert client.get(API_READ).status_code == 200
    sql = _queries(client, API_READ)
    assert "django_session" in sql[0]
    assert (
        "organizations_user" in sql[1]
        and "otp_totp_totpdevice" in sql[1]
        and "EXISTS" in sql[1].upper()
    )
    with django_assert_num_queries(FIXED + PAGE_OWN):
        assert client.get(PAGE).status_code == 200


def test_a_user_without_a_device_in_the_session_costs_the_same(
    world, users, client_for, django_assert_num_queries
):
    client = client_for("coordinator")
    assert client.get(API_READ).status_code == 200
    with django_assert_num_queries(FIXED):
        assert client.get(API_READ).status_code == 200
    assert "otp_totp_totpdevice" not in _queries(client, API_READ)[1]


def test_the_user_query_is_compiled_once_with_plain_parameters():
    for with_device in (False, True):
        compiled = backends._sql(DEFAULT_DB_ALIAS, with_device)
        assert compiled is not None, (
            "the placeholder ids are not plain parameters: every request compiles its query"
        )
        sql, params = compiled
        assert backends._USER_ID in params and (backends._DEVICE_ID in params) == with_device
        assert backends._sql(DEFAULT_DB_ALIAS, with_device) is compiled


@pytest.mark.parametrize("change", ["deleted", "unconfirmed"])
def test_a_deleted_or_unconfirmed_device_takes_effect_on_the_very_next_request(
    world, users, require_2fa, change
):
    client, device = verified(users["ke"])
    if change == "deleted":
        device.delete()
    else:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    response = client.get(API_READ)
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"
    assert DEVICE_ID_SESSION_KEY not in client.session  # dropped, as django-otp does
    assert client.get("/ke/")["Location"].startswith("/konto/2fa/oppsett/")


def test_a_device_of_another_user_in_the_session_does_not_verify(world, users, require_2fa):
    client, _device = verified(users["ke"])
    other = TOTPDevice.objects.create(user=users["admin"], name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    assert client.get(API_READ).status_code == 403
    assert DEVICE_ID_SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "persistent_id", ["otp_totp.totpdevice/99999999999999999999", "otp_totp.totpdevice/x", "nope"]
)
def test_a_device_id_that_cannot_be_read_is_no_device_and_no_error(
    world, users, require_2fa, persistent_id
):
    client, _device = verified(users["ke"])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()
    response = client.get(API_READ)
    assert response.status_code == 403 and response.json()["code"] == "two_factor_required"


def test_an_inactive_user_is_signed_out_on_the_very_next_request(world, users, require_2fa):
    client, _device = verified(users["ke"])
    type(users["ke"]).objects.filter(pk=users["ke"].pk).update(is_active=False)
    assert client.get(API_READ).status_code == 401
    assert client.get(PAGE)["Location"].startswith("/login/")


def test_a_password_change_elsewhere_signs_the_session_out(world, users, require_2fa):
    client, _device = verified(users["ke"])
    user = type(users["ke"]).objects.get(pk=users["ke"].pk)
    user.set_password("Et helt annet passord 2026!")
    user.save()
    assert client.get(API_READ).status_code == 401


def test_after_logout_the_old_session_cookie_is_worth_nothing(world, users, require_2fa):
    client, _device = verified(users["ke"])
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.post("/logout/").status_code in (200, 302)
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    assert thief.get(API_READ).status_code == 401


def test_the_idle_timeout_behaves_as_before(world, users, require_2fa):
    client, _device = verified(users["ke"])
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    # Within the refresh interval nothing is written (the pins above); past it SessionRefreshMiddleware moves the
    # expiry on...
    session = client.session
    session[SessionRefreshMiddleware.STAMP] = (
        int(timezone.now().timestamp()) - django_settings.HELHET_SESSION_REFRESH_SECONDS
    )
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(seconds=60))
    assert client.get(API_READ).status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + dt.timedelta(
        seconds=django_settings.SESSION_COOKIE_AGE - 60
    )
    # ... and a session idle past SESSION_COOKIE_AGE is gone.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(API_READ).status_code == 401
