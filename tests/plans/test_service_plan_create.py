import pytest

from helhet.core.errors import Conflict, DomainError, NotFound
from helhet.plans import services
from helhet.plans.models import IndividualPlan, MainResponsibilityChange


def test_it_creates_a_draft_plan_with_consent_and_main_responsibility(plan, plan_person):
    assert plan.status == "draft"
    assert plan.consent.kind == "plan_work"
    assert plan.version == 1
    assert MainResponsibilityChange.objects.filter(plan=plan).count() == 1


def test_it_refuses_a_plan_without_plan_work_consent(person, appoint, consent_for, make_plan):
    appoint(person)
    consent_for(person, kind="coordinator")
    with pytest.raises(Conflict) as exc:
        make_plan(person)
    assert exc.value.code == "no_consent"


def test_it_refuses_a_second_open_plan_naming_the_existing_plan_and_main_responsibility(plan, plan_person, make_plan, world):
    with pytest.raises(Conflict) as exc:
        make_plan(plan_person, actor_key="ke", main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)
    assert exc.value.code == "plan_exists"
    assert exc.value.details["plan_id"] == plan.pk
    assert "Hjemmetjenesten Fjordvik" in exc.value.message
    assert "Kommunale helse- og omsorgstjenester" in exc.value.message
    assert IndividualPlan.objects.filter(person=plan_person).count() == 1


def test_the_database_refuses_a_second_open_plan(plan, plan_person, users, world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        IndividualPlan.objects.create(person=plan_person, main_sector="nav", main_unit=world.units["fjordvik_nav"], consent=plan.consent,
                                      created_by=users["ke"])


def test_outsider_gets_404_and_a_denied_event(plan_person, make_plan):
    from helhet.audit.models import AuditEvent

    with pytest.raises(NotFound):
        make_plan(plan_person, actor_key="outsider")
    assert AuditEvent.objects.filter(action="denied", person=plan_person).exists()


def test_involved_school_staff_cannot_create_and_are_told_why(make_person, consent_for, make_plan):
    person = make_person(involve=(("fjordvik_school", "teacher"),))
    consent_for(person, kind="plan_work")
    with pytest.raises(DomainError) as exc:
        make_plan(person, actor_key="teacher")
    assert exc.value.status == 403 and exc.value.code == "plan_start_not_allowed"


def test_municipality_decision_needs_a_reason(plan_person, make_plan):
    with pytest.raises(DomainError) as exc:
        make_plan(plan_person, actor_key="ke", main_basis="municipality_decision")
    assert "main_reason" in exc.value.details["fields"]


def test_main_unit_must_belong_to_the_sector(plan_person, make_plan, world):
    with pytest.raises(DomainError):
        make_plan(plan_person, main_sector="nav", main_unit_id=world.units["fjordvik_care"].pk)


def test_successor_after_close_is_linked(plan, plan_person, make_plan, users):
    services.plan_close(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, reason="need_ended")
    successor = make_plan(plan_person, predecessor_id=plan.pk)
    assert successor.predecessor_id == plan.pk
    assert list(plan.successors.all()) == [successor]
