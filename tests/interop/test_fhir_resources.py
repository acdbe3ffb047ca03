"""Every FHIR resource type served at /fhir/R4/ parses with its fhir.resources R4B model, and the
CapabilityStatement lists exactly what is served. One scenario (tests/access/canary.py) for the whole walk."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.task import Task

from helhet.interop import views

from .conftest import FHIR

FNR = "urn:oid:2.16.578.1.12.4.1.4.1"
MODELS = {m.__name__: m for m in (Patient, RelatedPerson, Organization, Practitioner, PractitionerRole, CarePlan, CareTeam, Goal,
                                   Task, Consent, Appointment, Communication, AuditEvent, DocumentReference)}


def _get(client, url, model, status=200):
    r = client.get(url)
    assert r.status_code == status, (url, r.content[:500])
    assert r["Content-Type"].startswith("application/fhir+json")
    return model.model_validate_json(r.content)


def test_every_resource_type_is_served_and_parses_with_the_r4b_models(scenario, fhir_client):
    s, ke = scenario, fhir_client("ke")
    pid = s.person.pk
    gp = s.users["gp"]
    unit_id = gp.memberships.first().unit_id
    everything = _get(ke, f"{FHIR}/Patient/{pid}/$everything", Bundle)
    found = {e.resource.get_resource_type() for e in everything.entry}
    assert {"Patient", "RelatedPerson", "Consent", "CarePlan", "CareTeam", "Goal", "Task", "Practitioner", "Organization",
            "Appointment", "Communication", "DocumentReference"} <= found
    # The entries are the R4B classes themselves (never the R5 defaults of fhir.resources 8).
    assert all(type(e.resource).__module__.startswith("fhir.resources.R4B.") for e in everything.entry)
    comm_id = next(e.resource.id for e in everything.entry if e.resource.get_resource_type() == "Communication")
    log = _get(ke, f"{FHIR}/AuditEvent?patient={pid}&_count=2", Bundle)
    reads = {
        "Patient": pid, "RelatedPerson": s.ids["relative"][0], "Organization": f"org-{s.person.home_municipality_id}",
        "Practitioner": gp.pk, "PractitionerRole": f"{gp.pk}-{unit_id}", "CarePlan": s.plan.pk, "CareTeam": s.plan.pk,
        "Goal": s.items["goals"]["school"], "Task": s.items["measures"]["school"], "Consent": s.ids["consent"][0],
        "Appointment": s.ids["meeting"][0], "Communication": comm_id, "AuditEvent": log.entry[0].resource.id,
        "DocumentReference": s.items["subplans"]["school"],
    }
    assert set(reads) == set(views.READERS) == set(MODELS)
    for rtype, rid in reads.items():
        resource = _get(ke, f"{FHIR}/{rtype}/{rid}", MODELS[rtype])
        assert resource.id == str(rid)
    unit = _get(ke, f"{FHIR}/Organization/unit-{unit_id}", Organization)
    assert unit.partOf.reference == f"Organization/org-{s.person.home_municipality_id}"
    for rtype in views.SEARCHES:
        bundle = _get(ke, f"{FHIR}/{rtype}?patient={pid}" if rtype != "Patient" else f"{FHIR}/Patient?_id={pid}", Bundle)
        assert bundle.type == "searchset" and bundle.total >= 1, rtype
        assert {e.resource.get_resource_type() for e in bundle.entry if e.search.mode == "match"} == {rtype}


def test_the_capability_statement_lists_exactly_what_is_served(client):
    cs = _get(client, f"{FHIR}/metadata", CapabilityStatement)
    assert cs.fhirVersion == "4.0.1" and "R4B" in cs.implementation.description
    [rest] = cs.rest
    served = {r.type: r for r in rest.resource}
    assert set(served) == set(views.READERS)
    for rtype, r in served.items():
        codes = {i.code for i in r.interaction}
        assert codes == ({"read", "search-type"} if rtype in views.SEARCHES else {"read"}), rtype
    assert [o.name for o in served["Patient"].operation] == ["everything"]
    assert "CarePlan:activity-reference" in served["CarePlan"].searchInclude


def test_search_by_national_id_paging_include_and_last_updated(scenario, fhir_client):
    s, ke = scenario, fhir_client("ke")
    pid, nid = s.person.pk, s.person.national_id
    hit = _get(ke, f"{FHIR}/Patient?identifier={FNR}|{nid}", Bundle)
    assert hit.total == 1 and hit.entry[0].resource.id == str(pid)
    assert hit.entry[0].resource.identifier[0].system == FNR
    assert _get(ke, f"{FHIR}/Patient?identifier=urn:oid:2.16.578.1.12.4.1.4.2|{nid}", Bundle).total == 0  # not a D-number
    assert _get(ke, f"{FHIR}/Patient?identifier={nid}", Bundle).total == 1
    # Paging: next and previous links that work.
    first = _get(ke, f"{FHIR}/AuditEvent?patient={pid}&_count=2", Bundle)
    links = {link.relation: link.url for link in first.link}
    assert "next" in links and "previous" not in links and len(first.entry) == 2
    second = _get(ke, links["next"].replace("http://testserver", ""), Bundle)
    assert {e.resource.id for e in second.entry}.isdisjoint({e.resource.id for e in first.entry})
    assert "previous" in {link.relation for link in second.link}
    # _include: the measures (Task) with the plan, in one round trip.
    plans = _get(ke, f"{FHIR}/CarePlan?patient={pid}&_include=CarePlan:activity-reference&_include=CarePlan:care-team", Bundle)
    modes = {(e.resource.get_resource_type(), e.search.mode) for e in plans.entry}
    assert modes == {("CarePlan", "match"), ("Task", "include"), ("CareTeam", "include")}
    plan = next(e.resource for e in plans.entry if e.search.mode == "match")
    tasks = {e.resource.id for e in plans.entry if e.resource.get_resource_type() == "Task"}
    assert {a.reference.reference.removeprefix("Task/") for a in plan.activity} == tasks
    # _lastUpdated
    assert _get(ke, f"{FHIR}/CarePlan?patient={pid}&_lastUpdated=ge2000-01-01", Bundle).total == 1
    assert _get(ke, f"{FHIR}/CarePlan?patient={pid}&_lastUpdated=lt2000-01-01", Bundle).total == 0
    assert _get(ke, f"{FHIR}/Consent?patient={pid}&_lastUpdated=gt2999-01-01", Bundle).total == 0


def test_bad_requests_are_operation_outcomes_never_a_500(shared_plan, person, client_for, client):
    ke = client_for("ke")
    oo = _get(client, f"{FHIR}/Patient/{person.pk}", OperationOutcome, status=401)
    assert oo.issue[0].code == "login"
    for url, status in ((f"{FHIR}/CarePlan", 400), (f"{FHIR}/CarePlan?patient={person.pk}&_count=x", 400),
                        (f"{FHIR}/CarePlan?patient={person.pk}&_lastUpdated=igår", 400), (f"{FHIR}/Patient", 400),
                        (f"{FHIR}/Observation/1", 404), (f"{FHIR}/Observation", 404), (f"{FHIR}/Practitioner", 400),
                        (f"{FHIR}/Patient/abc", 404), (f"{FHIR}/Patient/99999999", 404), (f"{FHIR}/Organization/xyz-1", 404),
                        (f"{FHIR}/a/b/c/d", 404), (f"{FHIR}/CarePlan?patient=Patient/{person.pk}&_count=-1", 400)):
        oo = _get(ke, url, OperationOutcome, status=status)
        assert oo.issue[0].diagnostics, url
    r = ke.post(f"{FHIR}/Patient/{person.pk}")
    assert r.status_code in (403, 405)


@pytest.mark.parametrize("key", ["ke", "coordinator"])
def test_a_plan_search_by_reference_form_works(shared_plan, person, client_for, key):
    bundle = _get(client_for(key), f"{FHIR}/CarePlan?patient=Patient/{person.pk}&status=draft,active", Bundle)
    assert bundle.total == 1 and bundle.entry[0].resource.subject.reference == f"Patient/{person.pk}"


def test_a_sub_plan_file_is_a_document_reference_whose_url_downloads_it(shared_plan, person, users, world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from fhir.resources.R4B.documentreference import DocumentReference

    from helhet.plans import services

    sp = services.subplan_add(actor=users["coordinator"], plan_id=shared_plan.pk, based_on_version=shared_plan.version, kind="iop",
                              title="IOP", responsible_unit_id=world.units["fjordvik_school"].pk,
                              file=SimpleUploadedFile("iop.pdf", b"%PDF-1.4\n%prov\n", content_type="application/pdf"))
    coordinator = client_for("coordinator")
    doc = _get(coordinator, f"{FHIR}/DocumentReference/{sp.pk}", DocumentReference)
    [content] = doc.content
    assert content.attachment.contentType == "application/pdf" and content.attachment.size == 15
    assert coordinator.get(content.attachment.url).status_code == 200
    assert doc.category[0].coding[0].code == "school"
    # NAV has no scope for school information: 404, as the download itself.
    assert client_for("nav").get(f"{FHIR}/DocumentReference/{sp.pk}").status_code == 404
    assert client_for("nav").get(content.attachment.url).status_code == 404
    # _count=0: the total only, and no next link that would loop.
    bundle = _get(coordinator, f"{FHIR}/DocumentReference?patient={person.pk}&_count=0", Bundle)
    assert bundle.total == 1 and not bundle.entry and {link.relation for link in bundle.link} == {"self"}
