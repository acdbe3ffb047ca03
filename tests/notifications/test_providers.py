"""Each computed deadline appears, turns overdue and disappears when done (time travel); local guidelines per tenant."""

from __future__ import annotations

import datetime as dt

import pytest

from helhet.rules.deadlines import collect

from .conftest import D0
from .factories import make_appeal, make_plan

pytestmark = pytest.mark.django_db


def _of(kind, **kw):
    return [d for d in collect(**kw) if d.kind == kind]


def test_first_contact_appears_turns_overdue_and_disappears_when_recorded(travel, person, appoint_on, users):
    from helhet.notifications import services

    travel(D0)
    appointment = appoint_on(person, D0)
    [d] = _of("first_contact", today=D0)
    assert d.due == D0 + dt.timedelta(days=14)
    assert d.rule_code == "first_contact_days" and d.responsible_user_id == users["coordinator"].pk
    assert not d.overdue(D0)
    assert _of("first_contact", today=D0 + dt.timedelta(days=15))[0].overdue(D0 + dt.timedelta(days=15))
    # The coordinator's own view and the KE's tenant view both see it; another tenant's does not.
    assert _of("first_contact", today=D0, user_id=users["coordinator"].pk)
    assert _of("first_contact", today=D0, organization_ids=[appointment.unit.organization_id])
    assert not _of("first_contact", today=D0, user_id=users["coordinator2"].pk)
    travel(D0 + dt.timedelta(days=3))
    services.first_contact_record(actor=users["coordinator"], appointment_id=appointment.pk, contacted_on=D0 + dt.timedelta(days=2), how="phone")
    assert not _of("first_contact", today=D0 + dt.timedelta(days=3))


def test_a_longer_deadline_needs_a_reason_and_moves_the_due_date(travel, person, appoint_on, users):
    from helhet.core.errors import DomainError
    from helhet.notifications import services

    travel(D0)
    appointment = appoint_on(person, D0)
    with pytest.raises(DomainError) as exc:
        services.deadline_extend(actor=users["coordinator"], appointment_id=appointment.pk, days=7, reason="  ")
    assert exc.value.details["fields"].keys() == {"reason"}
    services.deadline_extend(actor=users["ke"], appointment_id=appointment.pk, days=7, reason="Personen er innlagt")
    [d] = _of("first_contact", today=D0)
    assert d.due == D0 + dt.timedelta(days=21)


def test_a_local_first_contact_deadline_changed_by_one_ke_affects_only_its_tenant(travel, world, users, make_person, appoint_on):
    from helhet.rules.services import guideline_set

    travel(D0)
    guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key="first_contact_days", value=7, reason="Raskere oppfølging")
    fjordvik = appoint_on(make_person(), D0)
    havbygd = appoint_on(make_person(home="havbygd", involve=()), D0, user_key="coordinator2", unit_key="havbygd_care")
    due = {d.object_id: d.due for d in _of("first_contact", today=D0)}
    assert due[fjordvik.pk] == D0 + dt.timedelta(days=7)
    assert due[havbygd.pk] == D0 + dt.timedelta(days=14)
    # An appointment made before the change keeps the deadline in force on its own start date.
    travel(D0 + dt.timedelta(days=1))
    guideline_set(actor=users["ke"], organization_id=world.orgs["fjordvik"].pk, key="first_contact_days", value=10, reason="Justert")
    due = {d.object_id: d.due for d in _of("first_contact", today=D0 + dt.timedelta(days=1))}
    assert due[fjordvik.pk] == D0 + dt.timedelta(days=7)


def test_an_ended_appointment_has_no_first_contact_deadline(travel, person, appoint_on):
    travel(D0)
    a = appoint_on(person, D0 - dt.timedelta(days=20))
    a.end = D0
    a.save()
    assert not _of("first_contact", today=D0)


def test_evaluation_from_plan_start_and_interval_then_planned_then_after_held(travel, world, users, person, appoint_on):
    from helhet.plans.models import Evaluation

    travel(D0)
    appoint_on(person, D0)
    plan = make_plan(world, users, person, start=D0)
    [d] = _of("evaluation", today=D0)
    assert d.due == D0 + dt.timedelta(days=180) and d.rule_code == "evaluation_interval_days"
    assert d.responsible_user_id == users["coordinator"].pk
    ev = Evaluation.objects.create(plan=plan, planned_on=D0 + dt.timedelta(days=60))
    [d] = _of("evaluation", today=D0)
    assert (d.due, d.object_type, d.object_id) == (D0 + dt.timedelta(days=60), "evaluation", ev.pk)
    assert _of("evaluation", today=D0 + dt.timedelta(days=61))[0].overdue(D0 + dt.timedelta(days=61))
    ev.held_on = D0 + dt.timedelta(days=62)
    ev.save()
    [d] = _of("evaluation", today=D0 + dt.timedelta(days=62))
    assert d.due == D0 + dt.timedelta(days=62 + 180)
    plan.evaluation_interval_months = 3
    plan.save()
    assert _of("evaluation", today=D0)[0].due == dt.date(2026, 8, 3)  # held 03.05 + 3 months
    plan.status, plan.closed_on, plan.close_reason = "closed", D0, "need_ended"
    plan.save()
    assert not _of("evaluation", today=D0)


def test_measure_deadline_until_done(travel, world, users, person, appoint_on):
    from helhet.plans.models import Measure

    travel(D0)
    appoint_on(person, D0)
    plan = make_plan(world, users, person, start=D0)
    m = Measure.objects.create(plan=plan, title="Fysioterapi", deadline=D0 + dt.timedelta(days=10), responsible_person=users["nav"])
    Measure.objects.create(plan=plan, title="Uten frist")
    [d] = _of("measure", today=D0)
    assert d.responsible_user_id == users["nav"].pk and "Fysioterapi" not in d.title
    assert _of("measure", today=D0, user_id=users["nav"].pk)
    m.status = "done"
    m.save()
    assert not _of("measure", today=D0)


def test_appeal_handling_while_open(travel, world, users, person):
    travel(D0)
    appeal = make_appeal(world, users, person, received_on=D0)
    [d] = _of("appeal", today=D0)
    assert d.due == D0 + dt.timedelta(days=28) and d.responsible_user_id is None
    assert not _of("appeal", today=D0, user_id=users["ke"].pk)
    appeal.status = "forwarded"
    appeal.save()
    assert not _of("appeal", today=D0)


def test_consent_expiry_within_30_days_until_renewed_or_withdrawn(travel, users, person, appoint_on, consent_for):
    travel(D0)
    appoint_on(person, D0)
    c = consent_for(person, given_on=D0 - dt.timedelta(days=300))
    c.valid_to = D0 + dt.timedelta(days=40)
    c.save()
    assert not _of("consent_expiry", today=D0)
    [d] = _of("consent_expiry", today=D0 + dt.timedelta(days=10))
    assert d.due == c.valid_to and d.rule_code == "consent.required"
    renewed = consent_for(person, given_on=D0 + dt.timedelta(days=11))
    assert not _of("consent_expiry", today=D0 + dt.timedelta(days=12))
    renewed.delete()
    c.withdrawn_on = D0
    c.save()
    assert not _of("consent_expiry", today=D0 + dt.timedelta(days=12))
