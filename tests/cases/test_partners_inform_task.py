"""Informing the GP and partners is a step, not a memory: appointing a coordinator and starting a plan each give the
coordinator a due task (rule partners.inform), prefilled with the involved services, unless the person objected;
done when the information is recorded as sent."""

import datetime as dt

import pytest
from django.utils import timezone

from helhet.cases import services
from helhet.rules.deadlines import collect


@pytest.fixture
def appointed(users, world, person, consent_for):
    consent_for(person, kind="coordinator")
    return services.coordinator_appoint(actor=users["ke"], person=person, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                        unit_id=world.units["fjordvik_care"].pk, start=timezone.localdate())


def _tasks(user):
    return [d for d in collect(user_id=user.pk, today=timezone.localdate()) if d.kind == "partners_inform"]


def test_appointing_a_coordinator_gives_the_coordinator_a_due_task_with_its_rule(appointed, users, person):
    [task] = _tasks(users["coordinator"])
    assert task.object_type == "appointment" and task.object_id == appointed.pk
    assert task.due == appointed.start + dt.timedelta(days=14) and task.rule_code == "partners.inform"
    assert task.url.endswith(f"/personer/{person.pk}/informer-samarbeidspartnere/?event=coordinator_appointed")
    # ... and the KE sees it for its tenant
    assert [d for d in collect(organization_ids=[appointed.unit.organization_id], today=timezone.localdate()) if d.kind == "partners_inform"]


def test_the_task_is_done_when_the_information_is_sent(appointed, users, person):
    from helhet.coordination import services as coordination

    coordination.partners_inform(actor=users["coordinator"], person=person, event="coordinator_appointed", method="letter")
    assert _tasks(users["coordinator"]) == []


def test_no_task_when_the_person_objected(appointed, users, person):
    from helhet.coordination import services as coordination

    coordination.partner_objection_record(actor=users["coordinator"], person=person, objected_on=timezone.localdate(),
                                          given_by_name=person.full_name, how="oral")
    assert _tasks(users["coordinator"]) == []


def test_starting_a_plan_gives_the_coordinator_a_task_too(appointed, users, person, world, consent_for):
    from helhet.coordination import services as coordination
    from helhet.plans import services as plans

    coordination.partners_inform(actor=users["coordinator"], person=person, event="coordinator_appointed")
    consent_for(person, kind="plan_work")
    plan = plans.plan_create(actor=users["nav"], person_id=person.pk, main_sector="nav", main_unit_id=world.units["fjordvik_nav"].pk)
    [task] = _tasks(users["coordinator"])
    assert task.object_type == "plan" and task.object_id == plan.pk and task.url.endswith("?event=plan_started")


def test_pages_the_task_on_my_deadlines_and_the_prefilled_form(appointed, client_for, person):
    client = client_for("coordinator")
    assert "Informere fastlege og samarbeidspartnere" in client.get("/frister/").content.decode()
    form = client.get(f"/personer/{person.pk}/informer-samarbeidspartnere/?event=coordinator_appointed").content.decode()
    assert 'value="coordinator_appointed"' in form and "checked" in form
    assert "NAV Fjordvik" in form  # recipients prefilled from the involvements
