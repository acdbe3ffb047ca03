"""FHIR with a system's bearer token (client credentials) from the real oidc-provider (tests/accounts/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.operationoutcome import OperationOutcome

from helhet.accounts.systems import system_client_register
from helhet.audit.models import AuditEvent
from tests.accounts.conftest import OTHER_AUDIENCE

pytestmark = pytest.mark.django_db
FHIR = "/fhir/R4"


@pytest.fixture
def system(world, oidc_server, token_settings):
    return system_client_register(issuer=oidc_server.issuer, client_id="helhet-system-ro", name="Journalsystem Fjordvik",
                                  organization=world.orgs["fjordvik"], scopes=["helhet/fhir.read"])


def _get(token, path):
    return Client().get(f"{FHIR}{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_bearer_token_client_reads_a_plan_as_fhir_careplan(system, system_token, shared_plan, person):
    response = _get(system_token(), f"/CarePlan/{shared_plan.pk}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    careplan = CarePlan.model_validate_json(response.content)
    assert careplan.id == str(shared_plan.pk)
    assert careplan.subject.reference == f"Patient/{person.pk}"
    event = AuditEvent.objects.filter(person=person, action="view", actor=system.service_user).last()
    assert event is not None and event.organization_id == system.organization_id and event.actor_role == "system"


def test_the_client_gets_a_404_operation_outcome_for_a_person_it_has_no_relationship_to(system, system_token, make_person):
    elsewhere = make_person(home="havbygd", involve=(("havbygd_care", None),))
    response = _get(system_token(), f"/Patient/{elsewhere.pk}")
    assert response.status_code == 404
    OperationOutcome.model_validate_json(response.content)
    assert AuditEvent.objects.filter(person=elsewhere, action="denied", actor=system.service_user).exists()


def test_a_token_without_the_fhir_scope_is_a_403(world, oidc_server, token_settings, system_token, shared_plan):
    system_client_register(issuer=oidc_server.issuer, client_id="helhet-system-ro", name="API only",
                           organization=world.orgs["fjordvik"], scopes=["helhet/api.read"])
    response = _get(system_token(), f"/CarePlan/{shared_plan.pk}")
    assert response.status_code == 403
    assert OperationOutcome.model_validate_json(response.content).issue[0].code == "forbidden"


@pytest.mark.parametrize("kind", ["other_audience", "expired", "bad_signature"])
def test_a_bad_token_is_a_401_operation_outcome(kind, system, system_token, shared_plan):
    token = system_token(resource=OTHER_AUDIENCE) if kind == "other_audience" else system_token()
    if kind == "bad_signature":
        head, body, signature = token.split(".")
        token = f"{head}.{body}.{signature[::-1]}"
    if kind == "expired":
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
            response = _get(token, f"/CarePlan/{shared_plan.pk}")
    else:
        response = _get(token, f"/CarePlan/{shared_plan.pk}")
    assert response.status_code == 401
    outcome = OperationOutcome.model_validate_json(response.content)
    assert outcome.issue[0].code == "login" and outcome.issue[0].diagnostics
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_capability_statement_declares_oauth(client):
    body = client.get(f"{FHIR}/metadata").json()
    assert body["rest"][0]["security"]["service"][0]["coding"][0]["code"] == "OAuth"
