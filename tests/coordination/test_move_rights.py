"""A move to another municipality moves the rights (issue 11; docs/decisions/0009-moves-end-rights.md): the old KE's
rights end, main responsibility is proposed to the new municipality's service and confirmed by its KE, the receiving KE
is told in "Varsler" and on its overview, and the e-mail names the sending municipality (no personal data)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.access.queries import relationships_to
from helhet.audit.models import AuditEvent
from helhet.cases import services as case_services
from helhet.coordination import services
from helhet.coordination.models import Transfer
from helhet.core.errors import DomainError, NotFound
from helhet.core.models import OutgoingEmail
from helhet.notifications.models import Notification
from helhet.organizations.services import membership_add, unit_create
from helhet.plans import selectors as plan_selectors
from helhet.plans import services as plan_services

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight


@pytest.fixture
def moving(world, users, person, consent_for):
    """person (Fjordvik) with a coordinator, a decided request at Fjordvik's KE and an open plan led by Fjordvik's home care;
    a move to Havbygd is started (Havbygd's KE unit has an e-mail address) and its checklist ticked."""
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    consent_for(person, kind="plan_work", given_on=TODAY() - dt.timedelta(days=90))
    req = case_services.request_create(actor=users["ke"], person=person, received_on=TODAY() - dt.timedelta(days=80), channel="written",
                                       requester_kind="person", wants_ip=True, wants_coordinator=True)
    case_services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=TODAY() - dt.timedelta(days=75), long_term=True,
                                    services_involved=2, complex_needs=True, reasons="Langvarige behov.")
    case_services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=TODAY() - dt.timedelta(days=70), grants_ip=True,
                                  grants_coordinator=False, reasons="Plan innvilget; koordinator avslått.")
    case_services.coordinator_appoint(actor=users["ke"], person=person, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                      unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=60))
    plan = plan_services.plan_create(actor=users["coordinator"], person_id=person.pk, main_sector="health_care",
                                     main_unit_id=world.units["fjordvik_care"].pk)
    # No more services from Fjordvik after the move (an involvement that still runs is a relationship of its own).
    person.involvements.update(end=TODAY() - dt.timedelta(days=1))
    ke_unit = world.units["havbygd_ke"]
    ke_unit.email = "ke@havbygd.example.invalid"
    ke_unit.save(update_fields=["email"])
    new_coord = users["outsider"].__class__.objects.create(username="hb-koord", first_name="Hege", last_name="Bø")
    membership_add(user=new_coord, unit=world.units["havbygd_care"], role="coordinator")
    t = services.transfer_start(actor=users["ke"], person=person, kind="move", effective_on=TODAY(), to_organization_id=world.orgs["havbygd"].pk)
    for item in t.items.all():
        services.transfer_item_set(actor=users["outsider"], transfer_id=t.pk, key=item.key, done=True)
    return {"t": t, "plan": plan, "req": req, "new_coord": new_coord}


def _complete(users, world, moving):
    return services.transfer_complete(actor=users["outsider"], transfer_id=moving["t"].pk, coordinator_id=moving["new_coord"].pk,
                                      unit_id=world.units["havbygd_care"].pk, on=TODAY())


def test_the_receiving_ke_is_notified_and_the_email_names_the_sending_municipality_only(users, world, person, moving, django_capture_on_commit_callbacks):
    mail = OutgoingEmail.objects.get(to="ke@havbygd.example.invalid")
    assert "Fjordvik kommune" in mail.subject and "Fjordvik kommune" in mail.body
    for secret in (person.given_name, person.family_name, person.national_id):
        assert secret not in mail.subject and secret not in mail.body
    # The in-app notification ("Varsler") goes to Havbygd's KE officers after commit; it names the sender, not the person.
    with django_capture_on_commit_callbacks(execute=True):
        t2 = services.transfer_cancel(actor=users["ke"], transfer_id=moving["t"].pk, reason="Test")  # make room for a new one
        assert t2.status == "cancelled"
        t3 = services.transfer_start(actor=users["ke"], person=person, kind="move", effective_on=TODAY(), to_organization_id=world.orgs["havbygd"].pk)
    note = Notification.objects.filter(user=users["outsider"]).latest("id")
    assert "Fjordvik kommune" in note.title and person.family_name not in note.title
    assert note.url == reverse("transfer_detail", args=[t3.pk])
    assert not Notification.objects.filter(user=users["ke"]).exists()


def test_completing_a_move_ends_the_old_kes_rights_and_proposes_main_responsibility(users, world, person, moving, django_capture_on_commit_callbacks):
    assert "ke" in relationships_to(users["ke"], person)
    with django_capture_on_commit_callbacks(execute=True):
        t = _complete(users, world, moving)
    t.refresh_from_db()
    assert t.status == "completed" and t.main_proposed_unit == world.units["havbygd_care"] and t.main_pending
    # The old KE no longer stands to the person: its decided request no longer counts.
    assert "ke" not in relationships_to(users["ke"], person)
    assert "ke" in relationships_to(users["outsider"], person)
    # The plan is unchanged until the new KE confirms.
    moving["plan"].refresh_from_db()
    assert moving["plan"].main_unit == world.units["fjordvik_care"]
    assert Notification.objects.filter(user=users["outsider"], title__contains="hovedansvar").exists()
    assert AuditEvent.objects.filter(action="update", object_type="transfer", object_id=str(t.pk)).exists()


def test_the_old_ke_gets_404_on_the_plan_after_the_move_and_the_new_ke_sees_it(users, world, person, moving, client_for):
    plan = moving["plan"]
    assert plan_selectors.plan_document(actor=users["ke"], plan_id=plan.pk)
    _complete(users, world, moving)
    with pytest.raises(NotFound):
        plan_selectors.plan_document(actor=users["ke"], plan_id=plan.pk)
    assert client_for("ke").get(reverse("plan_detail", args=[plan.pk])).status_code == 404
    assert client_for("ke").get(reverse("person_detail", args=[person.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor=users["ke"], person_id=person.pk).exists()
    assert plan_selectors.plan_document(actor=users["outsider"], plan_id=plan.pk)
    assert client_for("outsider").get(reverse("plan_detail", args=[plan.pk])).status_code == 200


def test_the_old_ke_still_handles_an_appeal_on_its_own_decision(users, world, person, moving):
    """History stays readable by the rules: the deciding body reviews an appeal (CASE_KE on its own request)."""
    _complete(users, world, moving)
    decision = moving["req"].decision
    appeal = case_services.appeal_create(actor=users["ke"], decision_id=decision.pk, received_on=TODAY(), grounds="Uenig.")
    assert appeal.pk
    # While that case is open again (appealed), the request counts once more for the deciding KE.
    assert "ke" in relationships_to(users["ke"], person)


def test_the_new_ke_confirms_main_responsibility_through_the_plan_service(users, world, person, moving):
    t = _complete(users, world, moving)
    with pytest.raises(NotFound):  # the old KE is not the receiver
        services.transfer_main_responsibility_confirm(actor=users["ke"], transfer_id=t.pk)
    services.transfer_main_responsibility_confirm(actor=users["outsider"], transfer_id=t.pk)
    t.refresh_from_db()
    plan = moving["plan"]
    plan.refresh_from_db()
    assert plan.main_unit == world.units["havbygd_care"] and plan.main_sector == "health_care"
    change = plan.main_responsibility_changes.latest("id")
    assert change.unit == world.units["havbygd_care"] and "Fjordvik kommune" in change.reason and change.by == users["outsider"]
    assert t.main_confirmed_on == TODAY() and t.main_confirmed_by == users["outsider"] and not t.main_pending
    assert AuditEvent.objects.filter(actor=users["outsider"], object_type="transfer", object_id=str(t.pk), action="update").count() >= 1
    with pytest.raises(DomainError) as exc:
        services.transfer_main_responsibility_confirm(actor=users["outsider"], transfer_id=t.pk)
    assert exc.value.code == "already_confirmed"


def test_the_new_ke_may_choose_another_of_its_services_but_not_one_elsewhere(users, world, person, moving):
    t = _complete(users, world, moving)
    nav = unit_create(organization=world.orgs["havbygd"], name="NAV Havbygd", sector="nav")
    with pytest.raises(DomainError) as exc:
        services.transfer_main_responsibility_confirm(actor=users["outsider"], transfer_id=t.pk, unit_id=world.units["fjordvik_nav"].pk)
    assert exc.value.code == "invalid"
    services.transfer_main_responsibility_confirm(actor=users["outsider"], transfer_id=t.pk, unit_id=nav.pk, reason="NAV følger opp.")
    moving["plan"].refresh_from_db()
    assert moving["plan"].main_unit == nav and moving["plan"].main_sector == "nav"


def test_no_proposal_without_an_open_plan(users, world, person, moving):
    plan = moving["plan"]
    plan_services.plan_close(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, reason="need_ended", note="")
    t = _complete(users, world, moving)
    assert t.main_proposed_unit is None
    with pytest.raises(DomainError):
        services.transfer_main_responsibility_confirm(actor=users["outsider"], transfer_id=t.pk)


def test_the_overview_counts_incoming_transfers_and_pending_main_responsibility(users, world, person, moving, client_for):
    page = client_for("outsider").get(reverse("ke_overview"))
    assert page.status_code == 200
    assert page.context["incoming_transfer_count"] == 1 and page.context["main_pending_count"] == 0
    assert 'id="incoming-transfer-count">1<' in page.content.decode()
    _complete(users, world, moving)
    page = client_for("outsider").get(reverse("ke_overview"))
    assert page.context["incoming_transfer_count"] == 1 and page.context["main_pending_count"] == 1
    assert page.context["incoming_transfers"][0].from_organization == world.orgs["fjordvik"]
    # Fjordvik's KE sees nothing incoming.
    assert client_for("ke").get(reverse("ke_overview")).context["incoming_transfer_count"] == 0


def test_the_confirm_page(users, world, person, moving, client_for):
    t = _complete(users, world, moving)
    new_ke = client_for("outsider")
    detail = new_ke.get(reverse("transfer_detail", args=[t.pk]))
    assert reverse("transfer_main_confirm", args=[t.pk]) in detail.content.decode()
    page = new_ke.get(reverse("transfer_main_confirm", args=[t.pk]))
    assert page.status_code == 200 and "Fjordvik kommune" in page.content.decode()
    assert client_for("ke").get(reverse("transfer_main_confirm", args=[t.pk])).status_code == 404
    assert client_for("teacher").get(reverse("transfer_main_confirm", args=[t.pk])).status_code == 404
    response = new_ke.post(reverse("transfer_main_confirm", args=[t.pk]), {"unit": world.units["havbygd_care"].pk, "reason": ""})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.main_confirmed_on == TODAY()
    # Confirmed: the page is gone.
    assert new_ke.get(reverse("transfer_main_confirm", args=[t.pk])).status_code == 404


def test_the_confirm_api(users, world, person, moving, client_for):
    t = _complete(users, world, moving)
    url = f"/api/v1/roles/transfers/{t.pk}/confirm-main-responsibility"
    assert client_for("ke").post(url, {}, content_type="application/json").status_code == 404
    anonymous = client_for("ke").__class__()
    assert anonymous.post(url, {}, content_type="application/json").status_code in (401, 403)
    response = client_for("outsider").post(url, {"unit_id": 999999}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client_for("outsider").post(url, {}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["main_confirmed_by_id"] == users["outsider"].pk
    response = client_for("outsider").post(url, {}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "already_confirmed"
    assert Transfer.objects.get(pk=t.pk).main_confirmed_on == TODAY()
