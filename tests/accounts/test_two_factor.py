"""TOTP two-factor: required for KE officers and administrators, opt-in for other staff, verified with real codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhet.audit.models import AuditEvent
from helhet.core.world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_2fa(settings):
    settings.HELHET_REQUIRE_2FA = True
    return settings


def code(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset_steps):06d}"


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


@pytest.mark.parametrize("persona", ["ke", "admin"])
def test_ke_officers_and_administrators_are_sent_to_set_up_two_factor(
    world, users, require_2fa, persona
):
    client = password_login(users[persona].username)
    response = client.get("/ke/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/2fa/oppsett/?next=")
    assert client.get("/admin/").status_code == 302
    assert client.get("/mine/")["Location"].startswith("/konto/2fa/")


def test_the_api_answers_403_until_the_second_factor_is_verified(world, users, require_2fa):
    client = password_login("ke")
    response = client.get("/api/v1/persons/")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert Client().get("/api/v1/persons/").status_code == 401


def test_setup_shows_the_secret_as_qr_and_uri_and_a_real_code_turns_it_on(
    world, users, require_2fa
):
    client = password_login("ke")
    page = client.get("/konto/2fa/oppsett/?next=/ke/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "otpauth://totp/" in body
    device = TOTPDevice.objects.get(user=users["ke"], confirmed=False)
    assert (
        client.post(
            "/konto/2fa/oppsett/",
            {"token": "000000" if code(device) != "000000" else "111111", "next": "/ke/"},
        ).status_code
        == 400
    )
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own backoff after the wrong code
    response = client.post("/konto/2fa/oppsett/", {"token": code(device), "next": "/ke/"})
    assert response.status_code == 302 and response["Location"] == "/ke/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/ke/").status_code == 200
    assert client.get("/api/v1/persons/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor=users["ke"]).exists()


def test_after_the_password_a_user_with_a_device_must_enter_a_current_code(
    world, users, require_2fa
):
    device = TOTPDevice.objects.create(user=users["ke"], name="app", confirmed=True)
    client = password_login("ke")
    response = client.get("/ke/")
    assert response["Location"] == "/konto/2fa/?next=%2Fke%2F"
    wrong = client.post("/konto/2fa/", {"token": code(device, offset_steps=-20), "next": "/ke/"})
    assert wrong.status_code == 400
    assert "Koden stemmer ikke" in wrong.content.decode()
    assert client.get("/ke/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's own backoff after the wrong code
    response = client.post("/konto/2fa/", {"token": code(device), "next": "/ke/"})
    assert response.status_code == 302 and response["Location"] == "/ke/"
    assert client.get("/ke/").status_code == 200
    assert AuditEvent.objects.filter(action="login_2fa", actor=users["ke"]).exists()
    assert AuditEvent.objects.filter(action="login_2fa_failed", actor=users["ke"]).exists()


def test_a_used_code_cannot_be_replayed(world, users, require_2fa):
    device = TOTPDevice.objects.create(user=users["ke"], name="app", confirmed=True)
    token = code(device)
    first = password_login("ke")
    assert first.post("/konto/2fa/", {"token": token}).status_code == 302
    second = password_login("ke")
    assert second.post("/konto/2fa/", {"token": token}).status_code == 400


def test_repeated_wrong_codes_are_slowed_down(world, users, require_2fa):
    device = TOTPDevice.objects.create(user=users["ke"], name="app", confirmed=True)
    client = password_login("ke")
    client.post("/konto/2fa/", {"token": "12345x"})
    response = client.post("/konto/2fa/", {"token": code(device)})
    assert response.status_code == 400
    assert "For mange feil koder" in response.content.decode()


def test_a_user_with_a_device_cannot_set_up_another_before_verifying(world, users, require_2fa):
    TOTPDevice.objects.create(user=users["ke"], name="app", confirmed=True)
    client = password_login("ke")
    response = client.get("/konto/2fa/oppsett/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/2fa/?next=")


def test_other_staff_are_not_required_but_may_opt_in(world, users, require_2fa):
    client = password_login("koordinator")
    assert client.get("/mine/").status_code == 200
    client.get("/konto/2fa/oppsett/")
    device = TOTPDevice.objects.get(user=users["coordinator"])
    assert client.post("/konto/2fa/oppsett/", {"token": code(device)}).status_code == 302
    # From now on the coordinator's logins need the code too.
    again = password_login("koordinator")
    assert again.get("/mine/")["Location"].startswith("/konto/2fa/")
    assert again.get("/api/v1/persons/").status_code == 403


def test_an_opted_in_user_must_verify_even_when_the_requirement_is_off(world, users, settings):
    settings.HELHET_REQUIRE_2FA = False
    TOTPDevice.objects.create(user=users["coordinator"], name="app", confirmed=True)
    client = password_login("koordinator")
    assert client.get("/mine/").status_code == 302


def test_with_the_requirement_off_ke_officers_get_in_with_the_password(world, users, settings):
    settings.HELHET_REQUIRE_2FA = False
    assert password_login("ke").get("/ke/").status_code == 200


def test_the_admin_works_after_verifying_and_its_login_goes_through_ours(world, users, require_2fa):
    device = TOTPDevice.objects.create(user=users["admin"], name="app", confirmed=True)
    assert Client().get("/admin/login/?next=/admin/")["Location"].startswith("/login/?next=/admin/")
    client = password_login("admin")
    client.post("/konto/2fa/", {"token": code(device)})
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert client.get("/admin/organizations/user/").status_code == 200


def test_the_account_page_lets_opted_in_staff_turn_it_off_but_not_ke(world, users, require_2fa):
    client = password_login("koordinator")
    client.get("/konto/2fa/oppsett/")
    device = TOTPDevice.objects.get(user=users["coordinator"])
    client.post("/konto/2fa/oppsett/", {"token": code(device)})
    assert client.post("/konto/", {"action": "disable_2fa"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=users["coordinator"]).exists()

    ke_device = TOTPDevice.objects.create(user=users["ke"], name="app", confirmed=True)
    ke = password_login("ke")
    ke.post("/konto/2fa/", {"token": code(ke_device)})
    assert "kan ikke slås av" in ke.get("/konto/").content.decode()
    ke.post("/konto/", {"action": "disable_2fa"})
    assert TOTPDevice.objects.filter(user=users["ke"]).exists()
