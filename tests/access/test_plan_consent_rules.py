"""The plan's own consent rules: a withdrawn plan-work consent, the hospital coordinator, the rule on cooperating
health personnel, and refusals that are never rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent

from .conftest import visible_tokens

pytestmark = pytest.mark.django_db


def _plan_page(client, plan):
    return client.get(reverse("plan_detail", args=[plan.pk]))


def _api(client, plan):
    return client.get(f"/api/v1/plans/{plan.pk}")


def test_a_withdrawn_plan_work_consent_ends_the_plan_groups_reads_at_the_next_request(shared_plan, person, client_for, users):
    from helhet.consent.services import consent_withdraw

    teacher, nav = client_for("teacher"), client_for("nav")
    assert _plan_page(teacher, shared_plan).status_code == 200
    consent_withdraw(actor=users["coordinator"], consent_id=shared_plan.consent_id)
    for client in (teacher, nav):
        assert _plan_page(client, shared_plan).status_code == 404
        assert _api(client, shared_plan).status_code == 404
    # the teacher took part only through the plan group: the person is gone for them too (name, national id, frame)
    assert teacher.get(reverse("person_detail", args=[person.pk])).status_code == 404
    # NAV is involved with the person: the person page stays, the plan does not
    assert nav.get(reverse("person_detail", args=[person.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="denied", actor=users["teacher"], person=person, summary="plan.view").exists()
    # the KE and the responsible coordinator still read it, and are asked to close it or record a new consent
    for key in ("coordinator", "ke"):
        page = _plan_page(client_for(key), shared_plan)
        assert page.status_code == 200
        assert "Samtykket til planarbeidet er trukket tilbake" in page.content.decode()
    assert _api(client_for("coordinator"), shared_plan).json()["consent_state"]["needs_decision"] is True
    # nothing is deleted
    assert shared_plan.participants.filter(active=True).count() >= 2


def test_the_hospital_coordinator_sees_health_by_the_rule_and_nothing_else_without_consent(shared_plan, person, world, users, client_for, share):
    from helhet.access.services import objection_record
    from helhet.cases.models import CoordinatorAppointment

    CoordinatorAppointment.objects.create(person=person, kind="hospital_coordinator", coordinator=users["hospital_coordinator"],
                                          unit=world.units["trust_ward"], appointed_by=users["unit_leader"], start=timezone.localdate())
    client = client_for("hospital_coordinator")
    page = _plan_page(client, shared_plan).content.decode()
    assert visible_tokens(page) == {"health_function", "medication"}
    assert visible_tokens(_api(client, shared_plan).content.decode()) == {"health_function", "medication"}
    objection_record(actor=users["coordinator"], person=person, objected_on=timezone.localdate(), given_by_name=person.full_name, how="oral")
    assert visible_tokens(_plan_page(client, shared_plan).content.decode()) == set()  # the objection, at the next request
    share(person, ["school"], to_users=["hospital_coordinator"])
    assert visible_tokens(_api(client, shared_plan).content.decode()) == {"school"}


def test_without_the_rule_in_force_health_personnel_need_a_consent(shared_plan, person, world, users, client_for):
    from helhet.plans import services
    from helhet.rules.models import Rule

    services.participant_add(actor=users["coordinator"], plan_id=shared_plan.pk, based_on_version=shared_plan.version, kind="staff",
                             user_id=users["gp"].pk, unit_id=world.units["fjordvik_gp"].pk, role="Fastlege")
    assert visible_tokens(_api(client_for("gp"), shared_plan).content.decode()) == {"health_function", "medication"}
    # the law as data: end the rule yesterday, and the GP sees what a consent gives (nothing)
    Rule.objects.filter(code="health-personnel.cooperation").update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    assert visible_tokens(_api(client_for("gp"), shared_plan).content.decode()) == set()


def test_hidden_content_is_announced_not_shown_as_empty(shared_plan, client_for):
    page = _plan_page(client_for("teacher"), shared_plan).content.decode()
    assert "Noe av innholdet er skjult fordi samtykket ikke omfatter deg" in page
    assert "Ingen behov er registrert" not in page


def test_a_refusal_inside_a_transaction_is_recorded_after_the_rollback(person, world, users, rf):
    """A service's transaction.atomic used to roll back its own refusal's 'denied' event (first-contact recording)."""
    from django.db import transaction
    from django.http import HttpResponse

    from helhet.access.queries import RefusalAuditMiddleware
    from helhet.cases.models import CoordinatorAppointment
    from helhet.core.errors import NotFound
    from helhet.notifications.services import first_contact_record

    appointment = CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"],
                                                        unit=world.units["fjordvik_care"], appointed_by=users["ke"], start=timezone.localdate())

    def view(request):
        try:
            with transaction.atomic():
                first_contact_record(actor=users["nav"], appointment_id=appointment.pk, contacted_on=timezone.localdate(), how="phone")
        except NotFound:
            return HttpResponse(status=404)
        return HttpResponse()

    denied = AuditEvent.objects.filter(action="denied", actor=users["nav"], person=person, summary="appointment.first_contact")
    response = RefusalAuditMiddleware(view)(rf.post("/"))
    assert response.status_code == 404
    assert denied.count() == 1
