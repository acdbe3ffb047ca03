"""Need notifications and transfers to a municipality that does not use Helhet, and what happens when it joins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from helhet.audit.models import AuditEvent
from helhet.coordination import selectors as coordination_selectors
from helhet.coordination import services as coordination
from helhet.coordination.models import NeedNotification, Transfer
from helhet.core.errors import DomainError, NotFound
from helhet.directory import services
from helhet.rules.deadlines import collect

from .conftest import TODAY

pytestmark = pytest.mark.django_db

RECORDED_CONSENT = {"consent_given_by": "person", "consent_method": "oral", "consent_given_on": TODAY()}


def _notify(users, person, **extra):
    return coordination.need_notification_send(actor=users["hospital_coordinator"], person=person, direction="to_municipality", sent_on=TODAY(),
                                               summary="Trenger koordinator etter utskrivning.", contact_name="Per Dahl",
                                               needs_coordinator=True, **RECORDED_CONSENT, **extra)


def test_a_hospital_coordinator_notifies_a_municipality_outside_helhet_and_the_deadline_is_tracked(
        world, users, bergen_resident, real_bergen_address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = _notify(users, bergen_resident)
    assert n.status == NeedNotification.Status.SENT and n.to_organization is None and n.to_municipality.number == "4601"
    assert n.outside_reference == f"MB-{n.pk:06d}" and n.outside_email == "koordinerende.enhet@bergen.test"
    # The e-mail: the reference and the sender's contact, no personal data.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["koordinerende.enhet@bergen.test"] and n.outside_reference in message.subject + message.body
    assert "Per Dahl" in message.body and "Nevrologisk avdeling" in message.body
    for secret in (bergen_resident.given_name, bergen_resident.family_name, bergen_resident.national_id, n.summary):
        assert secret not in message.subject + message.body
    assert AuditEvent.objects.filter(object_type="neednotification", object_id=str(n.pk), action="create").exists()
    # The deadline: the sender and the sending tenant follow it up (default 14 days, a local guideline).
    mine = [d for d in collect(user_id=users["hospital_coordinator"].pk, today=TODAY()) if d.object_type == "neednotification"]
    assert [(d.object_id, d.due) for d in mine] == [(n.pk, TODAY() + dt.timedelta(days=14))]
    assert any(d.object_id == n.pk for d in collect(organization_ids=[world.orgs["trust"].pk], today=TODAY())
               if d.object_type == "neednotification")
    # The sender sees its status and records the answer when it comes back; the deadline ends.
    assert n in coordination_selectors.outbox(actor=users["hospital_coordinator"])
    with pytest.raises(DomainError):
        services.outside_answer_record(actor=users["hospital_coordinator"], notification_id=n.pk, on=TODAY(), note="")
    services.outside_answer_record(actor=users["hospital_coordinator"], notification_id=n.pk, on=TODAY(), note="Bergen KE ringte, følger opp.")
    n.refresh_from_db()
    assert n.status == NeedNotification.Status.ACKNOWLEDGED and "ringte" in n.response_note
    assert not [d for d in collect(user_id=users["hospital_coordinator"].pk, today=TODAY()) if d.object_type == "neednotification"]
    # Nobody else may record it.
    with pytest.raises(NotFound):
        services.outside_answer_record(actor=users["outsider"], notification_id=n.pk, on=TODAY(), note="x")


def test_the_pages_show_status_and_take_the_answer(world, users, bergen_resident, client_for):
    n = _notify(users, bergen_resident)
    c = client_for("hospital_coordinator")
    detail = c.get(f"/meldinger/{n.pk}/").content.decode()
    assert n.outside_reference in detail and "bruker ikke Helhet" in detail and f"/meldinger/{n.pk}/svar-utenfor-helhet/" in detail
    assert n.outside_reference in c.get("/meldinger/sendt/").content.decode()
    assert c.post(f"/meldinger/{n.pk}/svar-utenfor-helhet/", {"on": TODAY().isoformat(), "note": ""}).status_code == 400
    assert c.post(f"/meldinger/{n.pk}/svar-utenfor-helhet/", {"on": TODAY().isoformat(), "note": "Svar per brev."}).status_code == 302
    assert client_for("outsider").get(f"/meldinger/{n.pk}/svar-utenfor-helhet/").status_code == 404


def test_a_shipped_example_address_gets_nothing(world, users, bergen_resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = _notify(users, bergen_resident)
    assert mail.outbox == [] and n.outside_email.endswith(".example")


def test_a_registered_consent_cannot_name_a_municipality_outside_helhet(world, users, bergen_resident):
    with pytest.raises(DomainError) as exc:
        coordination.need_notification_send(actor=users["hospital_coordinator"], person=bergen_resident, direction="to_municipality",
                                            sent_on=TODAY(), summary="x", contact_name="Per Dahl", needs_coordinator=True, consent_id=1)
    assert "bruker ikke Helhet" in exc.value.details["fields"]["consent"][0]


def test_a_joining_municipality_receives_the_open_notifications_and_transfers(world, users, bergen_resident, join_bergen):
    n = _notify(users, bergen_resident)
    t = coordination.transfer_start(actor=users["hospital_coordinator"], person=bergen_resident, kind="hospital_to_municipality",
                                    effective_on=TODAY() + dt.timedelta(days=3))
    assert t.to_organization is None and t.to_municipality.number == "4601" and t.outside_reference.startswith("OV-")
    with pytest.raises(DomainError):  # cannot be completed before someone in Bergen takes it in
        coordination.transfer_complete(actor=users["hospital_coordinator"], transfer_id=t.pk, coordinator_id=users["coordinator"].pk,
                                       unit_id=world.units["fjordvik_care"].pk, on=TODAY())
    org, bergen_ke = join_bergen()
    # Bergen's KE sees both, by reference only, and not the person yet.
    waiting = services.outside_open(actor=bergen_ke, params=None)  # a Page of (kind, day, item), oldest first
    assert [(kind, item) for kind, _day, item in waiting] == [("need_notification", n), ("transfer", t)] and waiting.total == 2
    assert n not in coordination_selectors.inbox(actor=bergen_ke)["notifications"]
    browser = Client()
    browser.force_login(bergen_ke)
    page = browser.get("/ke/utenfor-helhet/").content.decode()
    assert n.outside_reference in page and t.outside_reference in page and bergen_resident.family_name not in page
    assert browser.get(f"/personer/{bergen_resident.pk}/").status_code == 404
    # Another municipality's KE sees none of it and cannot take it.
    assert list(services.outside_open(actor=users["outsider"])) == [] and services.outside_open(actor=users["outsider"]).total == 0
    with pytest.raises(NotFound):
        services.outside_accept(actor=users["outsider"], kind="need_notification", object_id=n.pk)
    # Accepting: into the inbox, addressed to the tenant's KE; the resident now belongs to the tenant.
    assert browser.post(f"/ke/utenfor-helhet/need_notification/{n.pk}/ta-inn/").status_code == 302
    services.outside_accept(actor=bergen_ke, kind="transfer", object_id=t.pk)
    n.refresh_from_db()
    t.refresh_from_db()
    bergen_resident.refresh_from_db()
    assert n.to_organization == org and n.to_unit.is_coordinating_unit and n.accepted_by == bergen_ke
    assert t.to_organization == org and t.accepted_on == TODAY()
    assert bergen_resident.home_municipality == org
    inbox = coordination_selectors.inbox(actor=bergen_ke)
    assert n in inbox["notifications"] and t in inbox["transfers"]
    assert browser.get(f"/personer/{bergen_resident.pk}/").status_code == 200
    coordination.need_notification_acknowledge(actor=bergen_ke, notification_id=n.pk, on=TODAY())
    with pytest.raises(DomainError):
        services.outside_accept(actor=bergen_ke, kind="need_notification", object_id=n.pk)
    assert list(services.outside_open(actor=bergen_ke)) == []


def test_a_move_to_a_municipality_outside_helhet(world, users, make_person, consent_for):
    from helhet.cases import services as case_services

    p = make_person()
    consent_for(p)
    case_services.coordinator_appoint(actor=users["ke"], person=p, kind="coordinator", coordinator_id=users["coordinator"].pk,
                                      unit_id=world.units["fjordvik_care"].pk, start=TODAY() - dt.timedelta(days=10))
    t = coordination.transfer_start(actor=users["ke"], person=p, kind="move", effective_on=TODAY(), to_municipality_number="5001")
    assert t.to_organization is None and t.to_municipality.name == "Trondheim" and t.status == Transfer.Status.OPEN
    with pytest.raises(DomainError):
        coordination.transfer_start(actor=users["ke"], person=make_person(), kind="move", effective_on=TODAY(), to_municipality_number="0000")


def test_the_send_page_works_for_a_person_outside_helhet(world, users, bergen_resident, client_for):
    c = client_for("hospital_coordinator")
    url = f"/personer/{bergen_resident.pk}/melding-om-behov/ny/"
    page = c.get(url)
    assert page.status_code == 200 and "Bergen (4601)" in page.content.decode()
    data = {"sent_on": TODAY().isoformat(), "needs_coordinator": "on", "summary": "Trenger koordinator.", "contact_name": "Per Dahl",
            "consent_given_by": "person", "consent_method": "oral", "consent_given_on": TODAY().isoformat()}
    assert c.post(url, {**data, "consent_given_on": ""}).status_code == 400
    assert c.post(url, data).status_code == 302
    n = NeedNotification.objects.get(person=bergen_resident)
    assert n.is_outside and n.sent_by == users["hospital_coordinator"]
    with pytest.raises(DomainError):  # no KE of that municipality in Helhet to take part in a disagreement
        coordination.disagreement_raise(actor=users["trust_ke"], person=bergen_resident, kind="main_responsibility", description="x",
                                        raised_on=TODAY(), parties="a og b")
