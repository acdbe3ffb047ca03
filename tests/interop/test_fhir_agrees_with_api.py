"""A FHIR reader sees exactly what the same actor sees in the JSON API: for every persona of tests/access/canary.py,
the plan items (canaries) in the FHIR CarePlan with its goals, measures and plan group equal those of the JSON plan
document, and the person's record parts in Patient / RelatedPerson equal those of the JSON person document."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from tests.access.canary import client_for

from .conftest import FHIR

PERSONAS = ("ke", "coordinator", "self", "representative", "trust_ke", "hospital_coordinator", "gp", "clinician", "unit_leader",
            "nav", "teacher", "outsider", "coordinator2")
RECORD_GROUPS = {"NATIONAL_ID", "CONTACT", "RELATIVES"}  # what Patient and RelatedPerson carry of the record


def _found(scenario, response, home: str | None = None) -> set[str]:
    found = scenario.canaries.found(response.content.decode())
    return {c.token for c in found if home is None or c.home == home}


def test_fhir_shows_every_role_exactly_what_the_json_api_shows(scenario):
    s = scenario
    pid, plan_id = s.person.pk, s.plan.pk
    seen_any_limited = False
    for key in PERSONAS:
        client = client_for(s.users[key])
        api_plan = client.get(f"/api/v1/plans/{plan_id}")
        fhir_plan = client.get(f"{FHIR}/CarePlan/{plan_id}")
        assert fhir_plan.status_code == api_plan.status_code, key
        if api_plan.status_code == 404:
            assert fhir_plan.json()["resourceType"] == "OperationOutcome"
            assert client.get(f"{FHIR}/Patient/{pid}").status_code == client.get(f"/api/v1/persons/{pid}").status_code == 404, key
            continue
        bundle = client.get(f"{FHIR}/CarePlan?patient={pid}&_include=CarePlan:activity-reference&_include=CarePlan:goal"
                            f"&_include=CarePlan:care-team")
        Bundle.model_validate_json(bundle.content)
        api_items, fhir_items = _found(s, api_plan, "plan"), _found(s, bundle, "plan")
        assert fhir_items == api_items, (key, sorted(api_items ^ fhir_items))
        seen_any_limited |= 0 < len(api_items) < len({c.token for c in s.canaries.of(home="plan")})

        api_person = client.get(f"/api/v1/persons/{pid}")
        fhir_person = client.get(f"{FHIR}/Patient/{pid}")
        assert fhir_person.status_code == api_person.status_code == 200, key
        Patient.model_validate_json(fhir_person.content)
        relatives = client.get(f"{FHIR}/RelatedPerson?patient={pid}")
        api_record = {t for t in _found(s, api_person) if s.canaries.items[t.lower()].group in RECORD_GROUPS}
        fhir_record = _found(s, fhir_person) | _found(s, relatives)
        assert fhir_record == api_record, (key, sorted(api_record ^ fhir_record))
        # Nothing of the record beyond what the JSON API shows, in any FHIR answer about the person.
        everything = client.get(f"{FHIR}/Patient/{pid}/$everything")
        assert _found(s, everything) <= _found(s, api_person) | _found(s, api_plan) | _meeting_and_thread_canaries(s, client), key
    assert seen_any_limited  # the comparison covered category-limited readers (the health rule), not only all-or-nothing


def _meeting_and_thread_canaries(s, client) -> set[str]:
    found: set[str] = set()
    for meeting in s.ids.get("meeting", []):
        found |= _found(s, client.get(f"/api/v1/plan-group/meetings/{meeting}"))
    for thread in s.ids.get("thread", []):
        found |= _found(s, client.get(f"/api/v1/plan-group/threads/{thread}"))
    return found
