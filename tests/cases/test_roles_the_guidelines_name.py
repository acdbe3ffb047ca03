"""Contact doctor / psychologist, pathway coordinator and samordningsansvar (issue 11): services, the deadline with
Norwegian public holidays, the person page, the assessment field, access (outsiders 404) and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.cases import selectors, services
from helhet.cases.models import ContactDoctor, CoordinationLead, PathwayCoordinator
from helhet.cases.rules import add_working_days, is_working_day
from helhet.core.errors import DomainError, NotFound
from helhet.rules.deadlines import collect
from helhet.rules.models import Rule

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture
def patient(make_person):
    """In hospital (the ward, led by the unit leader) and with Fjordvik's home care."""
    return make_person(given_name="Mari", family_name="Fjellheim", involve=(("trust_ward", "clinician"), ("fjordvik_care", "coordinator")))


@pytest.fixture
def coordinated(world, users, patient, consent_for):
    """The patient with Fjordvik's municipal coordinator appointed (the coordinator reads the case record)."""
    consent_for(patient, given_on=TODAY() - dt.timedelta(days=30))
    services.coordinator_appoint(actor=users["ke"], person=patient, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                 unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=20))
    return patient


# --- working days -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("found, due", [
    (dt.date(2026, 4, 1), dt.date(2026, 4, 7)),  # Easter: Maundy Thursday, Good Friday, the weekend, Easter Monday
    (dt.date(2026, 5, 15), dt.date(2026, 5, 18)),  # a Friday: the Monday
    (dt.date(2026, 12, 24), dt.date(2026, 12, 28)),  # Christmas Day, then the weekend
    (dt.date(2026, 5, 13), dt.date(2026, 5, 15)),  # Ascension Day (Thursday 14 May)
    (dt.date(2026, 3, 10), dt.date(2026, 3, 11)),  # an ordinary Tuesday
])
def test_the_working_day_after_skips_weekends_and_norwegian_public_holidays(found, due):
    assert add_working_days(found, 1) == due


def test_constitution_day_is_not_a_working_day():
    assert not is_working_day(dt.date(2025, 5, 17)) and not is_working_day(dt.date(2026, 1, 1)) and is_working_day(dt.date(2026, 1, 2))


def test_the_deadline_is_a_rule_with_its_source(db):
    rule = Rule.objects.get(code="contact-doctor.deadline", organization__isnull=True)
    assert rule.parameters == {"working_days": 1} and "2-5 c" in rule.source and rule.needs_check
    assert Rule.objects.filter(code="coordination-lead.duty").exists() and Rule.objects.filter(code="pathway-coordinator").exists()


# --- contact doctor ---------------------------------------------------------------------------------------------------


def test_the_unit_leader_records_the_need_and_it_is_a_deadline_until_appointed(world, users, patient):
    found = dt.date(2026, 4, 1)
    row = services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=world.units["trust_ward"].pk, need_found_on=found)
    assert row.appointed_on is None
    mine = [d for d in collect(user_id=users["unit_leader"].pk, today=TODAY()) if d.kind == "contact_doctor"]
    assert [(d.object_id, d.due, d.rule_code) for d in mine] == [(row.pk, dt.date(2026, 4, 7), "contact-doctor.deadline")]
    assert mine[0].url == reverse("contact_doctor_appoint", args=[row.pk])
    assert [d.object_id for d in collect(organization_ids=[world.orgs["trust"].pk], today=TODAY()) if d.kind == "contact_doctor"] == [row.pk]
    assert not [d for d in collect(user_id=users["coordinator"].pk, today=TODAY()) if d.kind == "contact_doctor"]
    services.contact_doctor_appoint(actor=users["unit_leader"], contact_doctor_id=row.pk, clinician_id=users["clinician"].pk,
                                    appointed_on=dt.date(2026, 4, 7))
    row.refresh_from_db()
    assert row.clinician == users["clinician"] and row.appointed_by == users["unit_leader"] and row.display_name == "Jonas Lie"
    assert not [d for d in collect(user_id=users["unit_leader"].pk, today=TODAY()) if d.kind == "contact_doctor"]
    assert AuditEvent.objects.filter(object_type="contactdoctor", object_id=str(row.pk), actor=users["unit_leader"]).count() == 2


def test_only_the_hospital_unit_leader_appoints(world, users, patient):
    for key in ("ke", "coordinator", "clinician", "outsider", "trust_ke"):
        with pytest.raises(NotFound):
            services.contact_doctor_record(actor=users[key], person=patient, unit_id=world.units["trust_ward"].pk, need_found_on=TODAY())
    assert AuditEvent.objects.filter(action="denied", actor=users["outsider"]).exists()
    # Not a unit they lead, or not a hospital unit:
    with pytest.raises(NotFound):
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=world.units["trust_bup"].pk, need_found_on=TODAY())
    with pytest.raises(DomainError):
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=world.units["fjordvik_care"].pk, need_found_on=TODAY())
    assert not ContactDoctor.objects.exists()


def test_bad_input_is_a_clear_error(world, users, patient):
    ward = world.units["trust_ward"].pk
    with pytest.raises(DomainError) as exc:
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=ward, need_found_on=TODAY() + dt.timedelta(days=2))
    assert exc.value.code == "invalid"
    with pytest.raises(DomainError):  # before the right existed
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=ward, need_found_on=dt.date(2015, 1, 5))
    with pytest.raises(DomainError):  # the clinician must work in the unit
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=ward, need_found_on=TODAY(), clinician_id=users["gp"].pk)
    services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=ward, need_found_on=TODAY(), clinician_name="Dr. Berit Lund")
    with pytest.raises(DomainError) as exc:
        services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=ward, need_found_on=TODAY())
    assert exc.value.code == "contact_doctor_open"


def test_the_municipal_coordinator_sees_the_contact_doctor_on_the_person_page(world, users, patient, coordinated, client_for):
    row = services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=world.units["trust_ward"].pk,
                                         need_found_on=TODAY() - dt.timedelta(days=1), clinician_id=users["clinician"].pk, appointed_on=TODAY())
    page = client_for("coordinator").get(reverse("person_detail", args=[patient.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and f'data-contact-doctor="{row.pk}"' in html and "Jonas Lie" in html
    # The unit leader sees it too (their own unit) and may register; the teacher sees no such section.
    leader = client_for("unit_leader").get(reverse("person_detail", args=[patient.pk])).content.decode()
    assert f'data-contact-doctor="{row.pk}"' in leader and reverse("contact_doctor_record", args=[patient.pk]) in leader


def test_the_portal_selector_gives_the_person_their_contact_doctor(world, users, patient, coordinated):
    row = services.contact_doctor_record(actor=users["unit_leader"], person=patient, unit_id=world.units["trust_ward"].pk,
                                         need_found_on=TODAY(), clinician_id=users["clinician"].pk, appointed_on=TODAY())
    person, data = selectors.roles_for_person(actor=users["coordinator"], person_id=patient.pk)
    assert [d.pk for d in data["contact_doctors"]] == [row.pk]
    assert AuditEvent.objects.filter(action="view", actor=users["coordinator"], person_id=patient.pk).exists()
    with pytest.raises(NotFound):
        selectors.roles_for_person(actor=users["outsider"], person_id=patient.pk)
    with pytest.raises(NotFound):  # involved staff who do not read the case record
        selectors.roles_for_person(actor=users["nav"], person_id=patient.pk)


def test_the_contact_doctor_pages(world, users, patient, client_for):
    leader = client_for("unit_leader")
    url = reverse("contact_doctor_record", args=[patient.pk])
    assert leader.get(url).status_code == 200
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("ke").get(url).status_code == 404
    bad = leader.post(url, {"kind": "doctor", "unit": world.units["trust_ward"].pk, "need_found_on": "31.02.2026"})
    assert bad.status_code in (200, 400) and not ContactDoctor.objects.exists()
    response = leader.post(url, {"kind": "psychologist", "unit": world.units["trust_ward"].pk, "need_found_on": TODAY().isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ContactDoctor.objects.get()
    assert row.kind == "psychologist" and row.appointed_on is None
    appoint = reverse("contact_doctor_appoint", args=[row.pk])
    assert client_for("outsider").get(appoint).status_code == 404
    response = leader.post(appoint, {"clinician": users["clinician"].pk, "appointed_on": TODAY().isoformat()})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.clinician == users["clinician"]


# --- pathway coordinator ----------------------------------------------------------------------------------------------


def test_a_pathway_coordinator_is_registered_and_the_assessment_records_whether_they_fill_the_role(world, users, patient, coordinated):
    pc = services.pathway_coordinator_record(actor=users["coordinator"], person=patient, pathway="cancer", name="Liv Forløp",
                                             unit_id=world.units["trust_ward"].pk, start=TODAY() - dt.timedelta(days=3))
    assert pc.active_on(TODAY()) and str(pc).startswith("Pakkeforløp for kreft")
    req = services.request_create(actor=users["ke"], person=patient, received_on=TODAY() - dt.timedelta(days=2), channel="written",
                                  requester_kind="person", wants_coordinator=True)
    with pytest.raises(DomainError):  # must say whether they fill it
        services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=TODAY(), long_term=True, services_involved=2,
                                   reasons="Vurdert.", pathway_coordinator_id=pc.pk)
    a = services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=TODAY(), long_term=True, services_involved=2,
                                   reasons="Forløpskoordinatoren er koordinator.", pathway_coordinator_id=pc.pk, pathway_coordinator_fills_role=True)
    assert a.pathway_coordinator == pc and a.pathway_coordinator_fills_role is True
    services.pathway_coordinator_end(actor=users["coordinator"], pathway_coordinator_id=pc.pk, end=TODAY())
    pc.refresh_from_db()
    assert pc.end == TODAY()


def test_pathway_coordinator_refusals_and_bad_input(world, users, patient):
    with pytest.raises(NotFound):
        services.pathway_coordinator_record(actor=users["outsider"], person=patient, pathway="cancer", name="X", unit_id=world.units["trust_ward"].pk,
                                            start=TODAY())
    with pytest.raises(DomainError):
        services.pathway_coordinator_record(actor=users["ke"], person=patient, pathway="dental", name="X", unit_id=world.units["trust_ward"].pk,
                                            start=TODAY())
    with pytest.raises(DomainError):
        services.pathway_coordinator_record(actor=users["ke"], person=patient, pathway="cancer", name="X", unit_id=world.units["trust_ward"].pk,
                                            start=TODAY(), end=TODAY() - dt.timedelta(days=1))
    assert not PathwayCoordinator.objects.exists()


def test_the_pathway_coordinator_page_and_the_assessment_form(world, users, patient, coordinated, client_for):
    url = reverse("pathway_coordinator_record", args=[patient.pk])
    assert client_for("outsider").get(url).status_code == 404
    response = client_for("ke").post(url, {"pathway": "mental_health_addiction", "name": "Åse Rus", "unit": world.units["fjordvik_mh"].pk,
                                           "start": TODAY().isoformat()})
    assert response.status_code == 302
    pc = PathwayCoordinator.objects.get()
    req = services.request_create(actor=users["ke"], person=patient, received_on=TODAY(), channel="oral", requester_kind="person", wants_ip=True)
    form = client_for("ke").get(reverse("assessment_create", args=[req.pk])).content.decode()
    assert "Åse Rus" in form and "pathway_coordinator_fills_role" in form
    response = client_for("ke").post(reverse("assessment_create", args=[req.pk]), {
        "assessed_on": TODAY().isoformat(), "long_term": "on", "services_involved": "2", "reasons": "Vurdert.",
        "pathway_coordinator": pc.pk, "pathway_coordinator_fills_role": "no"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.assessment.pathway_coordinator_fills_role is False
    page = client_for("coordinator").get(reverse("person_detail", args=[patient.pk])).content.decode()
    assert f'data-pathway-coordinator="{pc.pk}"' in page


# --- samordningsansvar ------------------------------------------------------------------------------------------------


def test_the_ke_decides_samordningsansvar_under_its_guideline(world, users, patient, client_for):
    local = Rule.objects.create(code="coordination-lead.duty", kind="duty", title="Samordning i Fjordvik", text="NAV samordner for unge.",
                                source="Retningslinje for samordning, Fjordvik kommune", valid_from=dt.date(2020, 1, 1), organization=world.orgs["fjordvik"])
    lead = services.coordination_lead_decide(actor=users["ke"], person=patient, unit_id=world.units["fjordvik_nav"].pk, decided_on=TODAY(),
                                             reason="Ikke rett til IP; NAV gir mest.", contact_name="Lars Vik")
    assert lead.rule == local and lead.decided_by == users["ke"]
    again = services.coordination_lead_decide(actor=users["ke"], person=patient, unit_id=world.units["fjordvik_care"].pk, decided_on=TODAY(),
                                              reason="Hjemmetjenesten tar over.")
    lead.refresh_from_db()
    assert lead.ended_on == TODAY() and again.ended_on is None
    assert AuditEvent.objects.filter(object_type="coordinationlead", actor=users["ke"], action="create").count() == 2
    page = client_for("ke").get(reverse("person_detail", args=[patient.pk])).content.decode()
    assert f'data-coordination-lead="{again.pk}"' in page and "Hjemmetjenesten Fjordvik" in page


def test_samordningsansvar_is_refused_when_the_person_has_a_coordinator_or_for_others(world, users, patient, consent_for):
    with pytest.raises(NotFound):
        services.coordination_lead_decide(actor=users["outsider"], person=patient, unit_id=world.units["fjordvik_nav"].pk, decided_on=TODAY(), reason="x")
    with pytest.raises(NotFound):
        services.coordination_lead_decide(actor=users["coordinator"], person=patient, unit_id=world.units["fjordvik_nav"].pk, decided_on=TODAY(), reason="x")
    with pytest.raises(DomainError):  # a unit of another municipality
        services.coordination_lead_decide(actor=users["ke"], person=patient, unit_id=world.units["havbygd_care"].pk, decided_on=TODAY(), reason="x")
    with pytest.raises(DomainError):  # no reason
        services.coordination_lead_decide(actor=users["ke"], person=patient, unit_id=world.units["fjordvik_nav"].pk, decided_on=TODAY(), reason=" ")
    consent_for(patient)
    services.coordinator_appoint(actor=users["ke"], person=patient, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                 unit_id=world.units["fjordvik_care"].pk, start=TODAY())
    with pytest.raises(DomainError) as exc:
        services.coordination_lead_decide(actor=users["ke"], person=patient, unit_id=world.units["fjordvik_nav"].pk, decided_on=TODAY(), reason="x")
    assert exc.value.code == "has_coordinator"
    assert not CoordinationLead.objects.exists()


def test_the_samordningsansvar_page(world, users, patient, client_for):
    url = reverse("coordination_lead_decide", args=[patient.pk])
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("ke").get(url).status_code == 200
    response = client_for("ke").post(url, {"unit": world.units["fjordvik_nav"].pk, "decided_on": TODAY().isoformat(), "reason": "NAV samordner."})
    assert response.status_code == 302
    assert CoordinationLead.objects.get().unit == world.units["fjordvik_nav"]


# --- API --------------------------------------------------------------------------------------------------------------


def test_the_roles_api(world, users, patient, client_for):
    leader, ke = client_for("unit_leader"), client_for("ke")
    body = {"person_id": patient.pk, "unit_id": world.units["trust_ward"].pk, "need_found_on": "2026-04-01"}
    assert client_for("outsider").post("/api/v1/roles/contact-doctors", body, content_type="application/json").status_code == 404
    response = leader.post("/api/v1/roles/contact-doctors", body, content_type="application/json")
    assert response.status_code == 201, response.content
    cd_id = response.json()["id"]
    response = leader.post(f"/api/v1/roles/contact-doctors/{cd_id}/appoint", {"clinician_id": users["clinician"].pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Jonas Lie"
    bad = leader.post("/api/v1/roles/contact-doctors", {**body, "need_found_on": "2099-01-01"}, content_type="application/json")
    assert bad.status_code in (400, 409) and set(bad.json()) == {"code", "message", "details"}
    response = ke.post("/api/v1/roles/pathway-coordinators", {"person_id": patient.pk, "pathway": "cancer", "name": "Liv Forløp",
                                                             "unit_id": world.units["trust_ward"].pk, "start": TODAY().isoformat()},
                       content_type="application/json")
    assert response.status_code == 201
    response = ke.post("/api/v1/roles/coordination-leads", {"person_id": patient.pk, "unit_id": world.units["fjordvik_nav"].pk,
                                                           "decided_on": TODAY().isoformat(), "reason": "NAV samordner."}, content_type="application/json")
    assert response.status_code == 201 and response.json()["rule_code"] == "coordination-lead.duty"
    got = client_for("ke").get(f"/api/v1/roles/persons/{patient.pk}").json()
    assert [d["id"] for d in got["contact_doctors"]] == [cd_id] and got["coordination_lead"]["unit_id"] == world.units["fjordvik_nav"].pk
    assert len(got["pathway_coordinators"]) == 1
    assert client_for("outsider").get(f"/api/v1/roles/persons/{patient.pk}").status_code == 404
