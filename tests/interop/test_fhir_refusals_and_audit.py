"""Outsiders and refused reads get a 404 OperationOutcome and leave a 'denied' audit event; reads leave the same
'view' event as the JSON API; query counts are pinned and do not grow with the plan."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.operationoutcome import OperationOutcome

from helhet.audit.models import AuditEvent

from .conftest import FHIR


def _urls(person, plan):
    need = plan.needs.first()
    return [f"{FHIR}/Patient/{person.pk}", f"{FHIR}/Patient/{person.pk}/$everything", f"{FHIR}/CarePlan/{plan.pk}",
            f"{FHIR}/CareTeam/{plan.pk}", f"{FHIR}/CarePlan?patient={person.pk}", f"{FHIR}/Goal?patient={person.pk}",
            f"{FHIR}/Task?patient={person.pk}", f"{FHIR}/Consent?patient={person.pk}", f"{FHIR}/RelatedPerson?patient={person.pk}",
            f"{FHIR}/Appointment?patient={person.pk}", f"{FHIR}/Communication?patient={person.pk}",
            f"{FHIR}/AuditEvent?patient={person.pk}"] + ([f"{FHIR}/Consent/{plan.consent_id}"] if need else [])


@pytest.mark.parametrize("key", ["outsider", "coordinator2"])
def test_an_outsider_gets_404_operation_outcomes_and_every_refusal_is_audited(shared_plan, person, client_for, users, key):
    client = client_for(key)
    for url in _urls(person, shared_plan):
        before = AuditEvent.objects.filter(action="denied", actor=users[key]).count()
        r = client.get(url)
        assert r.status_code == 404, url
        assert OperationOutcome.model_validate_json(r.content).issue[0].code == "not-found"
        assert AuditEvent.objects.filter(action="denied", actor=users[key], person=person).count() == before + 1, url


def test_an_item_whose_category_is_not_covered_is_a_refusal_not_an_empty_answer(shared_plan, person, client_for, users):
    from helhet.plans import services
    from helhet.plans.models import Goal

    goal = services.goal_add(actor=users["coordinator"], plan_id=shared_plan.pk, based_on_version=shared_plan.version,
                             text="TOKEN-HEALTH_FUNCTION-Q7 mål", category="health_function")
    teacher = client_for("teacher")
    r = teacher.get(f"{FHIR}/Goal/{goal.pk}")
    assert r.status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users["teacher"], object_type="goal", object_id=str(goal.pk)).exists()
    assert "TOKEN" not in teacher.get(f"{FHIR}/Goal?patient={person.pk}").content.decode()
    assert client_for("coordinator").get(f"{FHIR}/Goal/{goal.pk}").status_code == 200
    assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize("key", ["coordinator", "nav"])
def test_a_fhir_plan_read_leaves_the_same_view_event_as_the_json_api(shared_plan, client_for, users, key):
    client = client_for(key)

    def last():
        e = AuditEvent.objects.filter(actor=users[key], action="view").order_by("-id").first()
        return (e.object_type, e.object_id, e.summary, e.reason, e.withheld, e.person_id)

    client.get(f"/api/v1/plans/{shared_plan.pk}")
    api = last()
    client.get(f"{FHIR}/CarePlan/{shared_plan.pk}")
    assert last() == api


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    return len(ctx.captured_queries)


# The JSON API plan document's pin (tests/plans/test_query_counts.py) plus the plan's updated_at (1).
CAREPLAN_MAX = 34
PATIENT_MAX = 30


def test_query_counts_are_pinned_and_do_not_grow_with_the_plan(shared_plan, person, users, world, client_for, django_assert_max_num_queries):
    from tests.plans.test_query_counts import grow

    client = client_for("coordinator")
    grow(shared_plan, users, world, person, 1)  # every section non-empty and one published version, as the plans test
    client.get(f"{FHIR}/CarePlan/{shared_plan.pk}")  # warm up the session (two-factor device lookup)
    with django_assert_max_num_queries(CAREPLAN_MAX):
        small = _queries(client, f"{FHIR}/CarePlan/{shared_plan.pk}")
    with django_assert_max_num_queries(PATIENT_MAX):
        _queries(client, f"{FHIR}/Patient/{person.pk}")
    api = _queries(client, f"/api/v1/plans/{shared_plan.pk}")
    assert small <= api + 1  # the FHIR plan costs the JSON document plus one query (its lastUpdated)
    grow(shared_plan, users, world, person, 4)
    with django_assert_max_num_queries(CAREPLAN_MAX):
        assert _queries(client, f"{FHIR}/CarePlan/{shared_plan.pk}") == small
    include = f"{FHIR}/CarePlan?patient={person.pk}&_include=CarePlan:activity-reference&_include=CarePlan:goal"
    first = _queries(client, include)
    grow(shared_plan, users, world, person, 2)
    assert _queries(client, include) == first
