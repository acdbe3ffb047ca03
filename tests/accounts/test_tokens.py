"""Bearer tokens for systems (OAuth 2.0 client credentials, JWT access tokens) against the real oidc-provider.

The provider (tests/accounts/conftest.py, scripts/oidc-test-provider.mjs) issues the tokens; Helhet validates them
against its JWKS (helhet/accounts/tokens.py). The system acts through its service user, so the one policy decides.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from helhet.access.policy import SCOPE_ROLE_PREFIX, TOKEN_ROLE, Action, permits, token_allows
from helhet.accounts.models import SystemClient
from helhet.accounts.systems import system_client_register
from helhet.audit.models import AuditEvent
from helhet.core.errors import DomainError

from .conftest import OTHER_AUDIENCE, SYSTEM_AUDIENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world, oidc_server, token_settings):
    def make(client_id="helhet-system-ro", *, org="fjordvik", scopes=("helhet/api.read", "helhet/fhir.read"), name=None, **kw):
        return system_client_register(issuer=oidc_server.issuer, client_id=client_id, name=name or f"Fagsystem {client_id}",
                                      organization=world.orgs[org], scopes=scopes, **kw)

    return make


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _api(token, path, method="get", **kw):
    return getattr(Client(), method)(f"/api/v1{path}", **_bearer(token), **kw)


# ---------------------------------------------------------------- the policy hook (pure)


def test_a_read_scope_allows_only_reads_and_the_write_scope_allows_writes():
    ro = frozenset({"unit_leader", TOKEN_ROLE, SCOPE_ROLE_PREFIX + "helhet/api.read"})
    rw = ro | {SCOPE_ROLE_PREFIX + "helhet/api.write"}
    assert permits(ro, {"unit_leader"}, Action.PERSON_VIEW)
    assert not permits(ro, {"unit_leader"}, Action.INFORMATION_RECORD)
    assert permits(rw, {"unit_leader"}, Action.INFORMATION_RECORD)
    # The scope never adds what the relationships do not give.
    assert not permits(rw, {"unit_leader"}, Action.PLAN_EDIT)
    # Without a token (a person at the browser) the scopes play no part.
    assert permits({"unit_leader"}, {"unit_leader"}, Action.INFORMATION_RECORD)
    assert not token_allows(frozenset({TOKEN_ROLE}), Action.PERSON_VIEW)


# ---------------------------------------------------------------- reading through the API


def test_a_client_credentials_token_reads_a_plan_through_the_json_api(register, system_token, shared_plan, person):
    register()
    response = _api(system_token(), f"/plans/{shared_plan.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == shared_plan.pk
    response = _api(system_token(), f"/persons/{person.pk}")
    assert response.status_code == 200


def test_the_same_client_gets_404_for_a_person_its_organisation_has_no_relationship_to(register, system_token, make_person):
    register()
    elsewhere = make_person(home="havbygd", involve=(("havbygd_care", None),))
    response = _api(system_token(), f"/persons/{elsewhere.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    denied = AuditEvent.objects.filter(person=elsewhere, action="denied").last()
    assert denied is not None and denied.actor.system_client.client_id == "helhet-system-ro"


def test_only_the_kes_own_system_gets_the_kes_tenant_wide_relationship(register, system_token, make_person):
    # A Fjordvik resident whom no Fjordvik unit serves (only the hospital): the KE's own system sees them, no other.
    resident = make_person(involve=(("trust_ward", None),))
    register()
    assert _api(system_token(), f"/persons/{resident.pk}").status_code == 404
    register(ke_system=True)
    assert _api(system_token(), f"/persons/{resident.pk}").status_code == 200


def test_a_write_with_a_read_only_scope_is_refused(register, system_token, person):
    register()
    payload = {"informed_on": timezone.localdate().isoformat()}
    response = _api(system_token(), f"/persons/{person.pk}/information", method="post", data=payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_a_write_scope_writes_without_csrf(register, system_token, person):
    register("helhet-system-rw", scopes=("helhet/api.read", "helhet/api.write"))
    payload = {"informed_on": timezone.localdate().isoformat()}
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/api/v1/persons/{person.pk}/information", data=payload, content_type="application/json",
                           **_bearer(system_token("helhet-system-rw")))
    assert response.status_code == 201, response.content


def test_the_client_is_limited_to_the_scopes_it_is_registered_with(register, system_token, person):
    # The provider would issue helhet/api.write to this client; Helhet registered it read-only.
    register("helhet-system-rw", scopes=("helhet/api.read",))
    payload = {"informed_on": timezone.localdate().isoformat()}
    response = _api(system_token("helhet-system-rw"), f"/persons/{person.pk}/information", method="post", data=payload,
                    content_type="application/json")
    assert response.status_code == 403


# ---------------------------------------------------------------- refused tokens: 401 with a structured error


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["client_id"] = claims["sub"] = "helhet-system-rw"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _self_signed(token: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    claims = jwt.decode(token, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": jwt.get_unverified_header(token)["kid"]})


@pytest.mark.parametrize("kind", ["other_audience", "expired", "tampered", "self_signed", "garbage", "unregistered"])
def test_a_bad_token_is_a_401_with_a_structured_error(kind, register, system_token, shared_plan):
    register()
    token = system_token("helhet-system-rw" if kind == "unregistered" else "helhet-system-ro",
                         resource=OTHER_AUDIENCE if kind == "other_audience" else SYSTEM_AUDIENCE)
    if kind == "tampered":
        token = _tampered(token)
    elif kind == "self_signed":
        token = _self_signed(token)
    elif kind == "garbage":
        token = "not.a.jwt"
    if kind == "expired":
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
            response = _api(token, f"/plans/{shared_plan.pk}")
    else:
        response = _api(token, f"/plans/{shared_plan.pk}")
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["code"] == "invalid_token" and body["message"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert not AuditEvent.objects.filter(action="view", object_type="plan").exists()


def test_a_deactivated_client_is_refused(register, system_token, shared_plan, oidc_server):
    register()
    call_command("system_client_add", "helhet-system-ro", issuer=oidc_server.issuer, org="", deactivate=True)
    assert _api(system_token(), f"/plans/{shared_plan.pk}").status_code == 401


def test_an_unconfigured_issuer_is_refused(register, system_token, shared_plan, settings):
    register()
    token = system_token()
    settings.HELHET_TOKEN_ISSUERS = {}
    assert _api(token, f"/plans/{shared_plan.pk}").status_code == 401


# ---------------------------------------------------------------- the audit: the system, under its client and organisation


def test_a_systems_reads_show_in_the_persons_access_log_as_that_system(register, system_token, shared_plan, person, world, client_for):
    client = register(name="Journalsystem Fjordvik")
    assert _api(system_token(), f"/plans/{shared_plan.pk}").status_code == 200
    event = AuditEvent.objects.filter(person=person, action="view", actor=client.service_user).last()
    assert event is not None
    assert "Journalsystem Fjordvik" in event.actor_name and "helhet-system-ro" in event.actor_name
    assert event.organization == world.orgs["fjordvik"]
    assert event.actor_role == "system"
    page = client_for("ke").get(f"/personer/{person.pk}/tilgangslogg/")
    assert page.status_code == 200
    assert "Journalsystem Fjordvik (fagsystem helhet-system-ro)" in page.content.decode()


# ---------------------------------------------------------------- registering a client


def test_system_client_add_registers_a_client_whose_service_user_cannot_log_in(world, oidc_server):
    call_command("system_client_add", "epj-1", issuer=oidc_server.issuer, org=world.orgs["trust"].org_number,
                 name="EPJ Nordkyst", scopes=["helhet/fhir.read"], units=[world.units["trust_ward"].pk])
    client = SystemClient.objects.get(client_id="epj-1")
    assert client.scopes == ["helhet/fhir.read"] and client.organization == world.orgs["trust"]
    user = client.service_user
    assert not user.has_usable_password() and not user.national_id and not user.hpr_number
    assert [(m.unit_id, m.role) for m in user.memberships.filter(active=True)] == [(world.units["trust_ward"].pk, "unit_leader")]
    # Again, now for every unit: the memberships follow.
    call_command("system_client_add", "epj-1", issuer=oidc_server.issuer, org=world.orgs["trust"].org_number,
                 name="EPJ Nordkyst", scopes=["helhet/fhir.read"])
    assert user.memberships.filter(active=True).count() == world.orgs["trust"].units.count()
    assert not user.memberships.filter(role="ke_officer").exists()


@pytest.mark.parametrize("scopes", [[], ["helhet/everything"]])
def test_system_client_add_refuses_unknown_scopes(world, oidc_server, scopes):
    with pytest.raises(CommandError):
        call_command("system_client_add", "epj-2", issuer=oidc_server.issuer, org=world.orgs["trust"].org_number, scopes=scopes)


def test_a_client_cannot_move_to_another_organisation(register):
    register()
    with pytest.raises(DomainError):
        register(org="havbygd")
