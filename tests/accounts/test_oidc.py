"""OpenID Connect login end to end against a real provider (tests/accounts/conftest.py: oidc_server)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from helhet.audit.models import AuditEvent
from helhet.organizations.models import User

from .conftest import CITIZEN_PID, NEW_CITIZEN_PID

pytestmark = pytest.mark.django_db


def _start(client: Client, provider: str, next_url: str = "") -> str:
    response = client.get(f"/oidc/{provider}/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def _callback(client: Client, url: str):
    parsed = urlparse(url)
    assert parsed.netloc == "testserver", url
    return client.get(f"{parsed.path}?{parsed.query}")


def test_the_authorization_request_uses_pkce_state_and_nonce(world, oidc_settings, oidc_server):
    params = parse_qs(urlparse(_start(Client(), "helseid")).query)
    assert params["response_type"] == ["code"]
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["code_challenge"][0]) == 43
    assert len(params["state"][0]) >= 40 and len(params["nonce"][0]) >= 40
    assert params["redirect_uri"] == ["http://testserver/oidc/helseid/callback/"]


def test_helseid_login_maps_the_hpr_number_onto_the_staff_user(
    world, users, oidc_settings, oidc_server
):
    client = Client()
    callback = oidc_server.login(_start(client, "helseid", "/mine/"), "lege")
    response = _callback(client, callback)
    assert response.status_code == 302 and response["Location"] == "/mine/"
    assert int(client.session["_auth_user_id"]) == users["clinician"].pk
    assert client.get("/mine/").status_code == 200
    event = AuditEvent.objects.filter(action="login").latest("id")
    assert event.actor_id == users["clinician"].pk and event.detail["provider"] == "helseid"


def test_idporten_login_maps_pid_onto_the_user_with_that_national_id(
    world, oidc_settings, oidc_server
):
    citizen = User.objects.create(username="innbygger", national_id=CITIZEN_PID)
    client = Client()
    _callback(client, oidc_server.login(_start(client, "idporten"), "borger"))
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert AuditEvent.objects.filter(
        action="login", actor=citizen, detail__provider="idporten"
    ).exists()


def test_idporten_creates_a_citizen_user_without_memberships_on_first_login(
    world, oidc_settings, oidc_server
):
    assert not User.objects.filter(national_id=NEW_CITIZEN_PID).exists()
    client = Client()
    _callback(client, oidc_server.login(_start(client, "idporten"), "ny-borger"))
    user = User.objects.get(national_id=NEW_CITIZEN_PID)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert not user.memberships.exists() and not user.is_staff and not user.has_usable_password()
    assert NEW_CITIZEN_PID not in user.username


def test_helseid_refuses_an_hpr_number_no_user_has(world, oidc_settings, oidc_server):
    client = Client()
    response = _callback(client, oidc_server.login(_start(client, "helseid"), "ukjent-lege"))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "Du har ingen bruker i Helhet" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", detail__reason="unknown_user").exists()


def test_it_refuses_a_callback_whose_state_was_not_issued_here(world, oidc_settings, oidc_server):
    client = Client()
    callback = oidc_server.login(_start(client, "helseid"), "lege")
    parsed = urlparse(callback)
    query = parse_qs(parsed.query)
    response = client.get(parsed.path, {"code": query["code"][0], "state": "forged-state"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="login_failed", detail__reason="state_mismatch"
    ).exists()
    # The state is single use: the real one still works once, and never twice.
    assert _callback(client, callback).status_code == 302
    other = Client()
    assert _callback(other, callback).status_code == 400


def test_it_refuses_an_id_token_whose_nonce_is_not_the_one_sent(world, oidc_settings, oidc_server):
    from helhet.accounts.oidc import SESSION_PENDING

    client = Client()
    authorize = _start(client, "helseid")
    session = client.session
    pending = session[SESSION_PENDING]
    for entry in pending.values():
        entry["nonce"] = "a-different-nonce"  # as if the ID token were replayed from another login
    session[SESSION_PENDING] = pending
    session.save()
    response = _callback(client, oidc_server.login(authorize, "lege"))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action="login_failed", detail__reason="nonce_mismatch"
    ).exists()


def test_it_refuses_when_the_client_secret_is_wrong(world, oidc_settings, oidc_server, tmp_path):
    bad = tmp_path / "wrong_secret"
    bad.write_text("not-the-secret")
    oidc_settings.HELHET_OIDC_PROVIDERS["helseid"]["client_secret_file"] = str(bad)
    client = Client()
    response = _callback(client, oidc_server.login(_start(client, "helseid"), "lege"))
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed", detail__reason="token_error").exists()


def test_a_helseid_login_counts_as_two_factor_for_a_ke_officer(
    world, users, oidc_settings, oidc_server
):
    oidc_settings.HELHET_REQUIRE_2FA = True
    ke = users["ke"]
    ke.hpr_number = "9100077"
    ke.save(update_fields=["hpr_number"])
    client = Client()
    _callback(client, oidc_server.login(_start(client, "helseid"), "ke-lege"))
    assert client.get("/ke/").status_code == 200


def test_an_unconfigured_provider_is_404(world, settings):
    settings.HELHET_OIDC_PROVIDERS = {}
    assert Client().get("/oidc/helseid/login/").status_code == 404


def test_the_login_page_offers_the_configured_providers(world, oidc_settings):
    body = Client().get("/login/").content.decode()
    assert "/oidc/helseid/login/" in body and "/oidc/idporten/login/" in body


def test_helseid_login_with_private_key_jwt_client_authentication(
    world, users, oidc_settings, oidc_server, client_key
):
    from .conftest import JWT_CLIENT_ID

    oidc_settings.HELHET_OIDC_PROVIDERS["helseid"].update(
        client_id=JWT_CLIENT_ID,
        client_secret_file="",
        private_key_file=str(client_key[0]),
        private_key_id="helhet-client-1",
    )
    client = Client()
    response = _callback(client, oidc_server.login(_start(client, "helseid"), "lege"))
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == users["clinician"].pk
