"""Every welfare service with the duty can start the one plan (forskrift om individuell plan ved ytelse av
velferdstjenester, 2022): health and care, NAV, child welfare. Whoever sees the person but may not start is told
why and whom to contact (403/409 with a reason), never a bare 404; outsiders still get 404."""

from __future__ import annotations

import pytest

from helhet.audit.models import AuditEvent
from helhet.core.errors import Conflict, DomainError, NotFound
from helhet.organizations.models import Role
from helhet.organizations.services import membership_add
from helhet.plans.models import IndividualPlan

API = "/api/v1/plans/"


@pytest.fixture
def cw_worker(world):
    """A child welfare caseworker in Fjordvik (welfare_staff in the child welfare unit)."""
    from helhet.organizations.models import User

    user = User.objects.create_user("barnevern", password="x", first_name="Berit", last_name="Vern")
    membership_add(user=user, unit=world.units["fjordvik_cw"], role=Role.WELFARE_STAFF)
    return user


@pytest.fixture
def nav_person(make_person, consent_for):
    person = make_person(involve=(("fjordvik_nav", "nav"),))
    consent_for(person, kind="plan_work")
    return person


def test_nav_adviser_starts_the_plan_and_nav_holds_main_responsibility(nav_person, users, world):
    from helhet.plans import services

    plan = services.plan_create(actor=users["nav"], person_id=nav_person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)
    assert plan.main_sector == "nav" and plan.main_unit == world.units["fjordvik_nav"]
    event = AuditEvent.objects.get(action="create", object_type="individualplan", object_id=str(plan.pk))
    assert event.reason == "welfare_service"


def test_child_welfare_staff_start_the_plan(make_person, consent_for, cw_worker, world):
    from helhet.plans import services

    child = make_person(involve=(("fjordvik_cw", None),))
    from helhet.people.models import Involvement

    Involvement.objects.filter(person=child).update(staff=cw_worker)
    consent_for(child, kind="plan_work")
    plan = services.plan_create(actor=cw_worker, person_id=child.pk, main_sector="child_welfare", main_unit_id=world.units["fjordvik_cw"].pk)
    assert plan.main_sector == "child_welfare"


def test_school_staff_who_see_the_person_are_told_why_and_whom_to_contact(make_person, consent_for, appoint, users, world):
    from helhet.plans import services

    person = make_person(involve=(("fjordvik_school", "teacher"),))
    consent_for(person, kind="plan_work")
    appoint(person)
    with pytest.raises(DomainError) as exc:
        services.plan_create(actor=users["teacher"], person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    assert exc.value.status == 403 and exc.value.code == "plan_start_not_allowed"
    assert "Koordinerende enhet i Fjordvik" in exc.value.message
    assert "Ola Strand" in exc.value.message  # the coordinator
    assert exc.value.details["contact"]["coordinators"] == ["Ola Strand"]
    assert AuditEvent.objects.filter(action="denied", person=person, actor=users["teacher"]).exists()
    assert not IndividualPlan.objects.filter(person=person).exists()


def test_without_consent_nav_is_told_who_records_it(make_person, users, world):
    from helhet.plans import services

    person = make_person(involve=(("fjordvik_nav", "nav"),))
    with pytest.raises(Conflict) as exc:
        services.plan_create(actor=users["nav"], person_id=person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)
    assert exc.value.code == "no_consent"
    assert "Koordinerende enhet i Fjordvik" in exc.value.message


def test_an_open_plan_is_named_to_nav(plan, plan_person, users, world):
    from helhet.plans import services

    with pytest.raises(Conflict) as exc:
        services.plan_create(actor=users["nav"], person_id=plan_person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)
    assert exc.value.code == "plan_exists" and exc.value.details["plan_id"] == plan.pk


def test_an_outsider_still_gets_404(nav_person, users, world):
    from helhet.plans import services

    with pytest.raises(NotFound):
        services.plan_create(actor=users["outsider"], person_id=nav_person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)


def test_a_nav_adviser_not_involved_gets_404(make_person, consent_for, users, world):
    from helhet.plans import services

    person = make_person(involve=(("fjordvik_care", "coordinator"),))
    consent_for(person, kind="plan_work")
    with pytest.raises(NotFound):
        services.plan_create(actor=users["nav"], person_id=person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)


def test_the_hospital_may_not_lead_while_the_municipality_gives_services(nav_person, users, world):
    from helhet.plans import services

    with pytest.raises(DomainError) as exc:
        services.plan_create(actor=users["ke"], person_id=nav_person.pk, main_sector="specialist", main_unit_id=world.units["trust_ward"].pk)
    assert exc.value.status == 400 and "main_sector" in exc.value.details["fields"]


# ---------------------------------------------------------------- API


def test_api_nav_starts_the_plan(nav_person, client_for, world):
    r = client_for("nav").post(API, {"person_id": nav_person.pk, "main_sector": "nav", "main_unit_id": world.units["fjordvik_nav"].pk},
                               content_type="application/json")
    assert r.status_code == 201, r.content
    assert IndividualPlan.objects.get(person=nav_person).main_sector == "nav"


def test_api_refusal_is_a_structured_403_not_a_404(make_person, consent_for, client_for, world):
    person = make_person(involve=(("fjordvik_school", "teacher"),))
    consent_for(person, kind="plan_work")
    r = client_for("teacher").post(API, {"person_id": person.pk, "main_sector": "health_care", "main_unit_id": world.units["fjordvik_care"].pk},
                                   content_type="application/json")
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == "plan_start_not_allowed" and "Koordinerende enhet i Fjordvik" in body["message"]
    assert body["details"]["contact"]["coordinating_unit"] == "Koordinerende enhet i Fjordvik kommune"


def test_api_outsider_404(nav_person, client_for, world):
    r = client_for("outsider").post(API, {"person_id": nav_person.pk, "main_sector": "nav", "main_unit_id": world.units["fjordvik_nav"].pk},
                                    content_type="application/json")
    assert r.status_code == 404


# ---------------------------------------------------------------- pages


def test_page_nav_sees_the_start_button_and_starts(nav_person, client_for, world):
    client = client_for("nav")
    page = client.get(f"/personer/{nav_person.pk}/plan/")
    assert page.status_code == 200 and "Start individuell plan" in page.content.decode()
    r = client.post(f"/personer/{nav_person.pk}/plan/ny/", {"main_sector": "nav", "main_unit": world.units["fjordvik_nav"].pk,
                                                             "main_basis": "agreement"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert IndividualPlan.objects.filter(person=nav_person, main_sector="nav").exists()


def test_page_teacher_is_told_why_not_and_sees_no_form(make_person, consent_for, client_for, world):
    person = make_person(involve=(("fjordvik_school", "teacher"),))
    consent_for(person, kind="plan_work")
    client = client_for("teacher")
    page = client.get(f"/personer/{person.pk}/plan/").content.decode()
    assert 'id="plan-start-refusal"' in page and "Koordinerende enhet i Fjordvik" in page
    create = client.get(f"/personer/{person.pk}/plan/ny/")
    assert create.status_code == 200
    body = create.content.decode()
    assert "Du kan ikke starte individuell plan" in body and 'name="main_sector"' not in body
    post = client.post(f"/personer/{person.pk}/plan/ny/", {"main_sector": "health_care", "main_unit": world.units["fjordvik_care"].pk,
                                                           "main_basis": "agreement"})
    assert post.status_code == 403 and "Koordinerende enhet i Fjordvik" in post.content.decode()


def test_page_outsider_404(nav_person, client_for):
    assert client_for("outsider").get(f"/personer/{nav_person.pk}/plan/ny/").status_code == 404
