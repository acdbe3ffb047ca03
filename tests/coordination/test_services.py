"""The coordination loop through its services: need notifications (both directions), transfers, informing partners,
disagreements, and the need-notification response deadline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from helhet.access.queries import relationships_to as relationships
from helhet.audit.models import AuditEvent
from helhet.cases import services as case_services
from helhet.cases.models import CoordinatorAppointment, Request
from helhet.coordination import selectors, services
from helhet.coordination.models import Disagreement, NeedNotification, PartnerInformation, Transfer
from helhet.core.errors import DomainError, NotFound
from helhet.people.models import Involvement, Person
from helhet.rules.deadlines import collect

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight
AGO = TODAY() - dt.timedelta(days=3)

CONSENT_HERE = {"consent_given_by": "person", "consent_given_by_name": "Mari Fjellheim", "consent_method": "oral", "consent_given_on": AGO}


@pytest.fixture
def patient(make_person):
    """A Fjordvik resident in hospital: the clinician (trust_ward) is involved, and the municipal coordinator's unit."""
    return make_person(given_name="Mari", family_name="Fjellheim", involve=(("trust_ward", "clinician"), ("fjordvik_care", "coordinator")))


def send(users, person, **kw):
    args = {"direction": "to_municipality", "sent_on": AGO, "summary": "Hjerneslag, trenger hjelp i dagliglivet.", "contact_name": "Jonas Lie",
            "needs_ip": True, "needs_coordinator": True, **CONSENT_HERE}
    args.update(kw)
    return services.need_notification_send(actor=users[args.pop("actor", "clinician")], person=person, **args)


NO_CONSENT_HERE = {"consent_given_by": "", "consent_given_by_name": "", "consent_method": "", "consent_given_on": None}


def _fields(exc) -> dict:
    return exc.value.details.get("fields", {})


def test_notification_is_refused_without_consent(users, patient):
    with pytest.raises(DomainError) as exc:
        send(users, patient, **NO_CONSENT_HERE)
    assert exc.value.status == 400
    [message] = _fields(exc)["consent"]
    assert message.startswith("Velg samtykket som dekker å sende meldingen til Koordinerende enhet (Fjordvik kommune), eller registrer samtykket")
    assert not NeedNotification.objects.exists()
    assert not AuditEvent.objects.filter(object_type="neednotification").exists()


def test_any_valid_sharing_consent_of_the_person_is_not_enough(users, world, patient, share):
    """The person's consent to share school information with the school does not cover a notification of health and
    function to the KE; nor does a health consent naming only units outside the receiving municipality, or only staff."""
    school = share(patient, ["school"], units=[world.units["fjordvik_school"]], given_on=AGO)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=school.pk, **NO_CONSENT_HERE)
    assert exc.value.status == 400 and "helse og funksjon" in _fields(exc)["consent"][0]
    # With health and function, but not to the receiving side: names the hospital and another municipality only.
    elsewhere = share(patient, ["health_function"], units=[world.units["trust_ward"], world.units["havbygd_care"]], given_on=AGO)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=elsewhere.pk, **NO_CONSENT_HERE)
    assert "Koordinerende enhet (Fjordvik kommune)" in _fields(exc)["consent"][0]
    assert "Helse og omsorg Havbygd" in _fields(exc)["consent"][0]
    # Named staff only: a notification goes to the unit, not to one person.
    to_ke_officer = share(patient, ["health_function"], to_users=["ke"], given_on=AGO)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=to_ke_officer.pk, **NO_CONSENT_HERE)
    assert "consent" in _fields(exc)
    assert not NeedNotification.objects.exists()


def test_a_consent_naming_the_ke_with_health_and_function_is_linked(users, world, patient, share):
    consent = share(patient, ["health_function", "general"], units=[world.units["fjordvik_ke"]], given_on=AGO)
    n = send(users, patient, consent_id=consent.pk, **NO_CONSENT_HERE)
    assert n.consent == consent and n.consent_given_on is None and n.consent_given_by == ""
    event = AuditEvent.objects.get(object_type="neednotification", action="create")
    assert event.detail["consent"] == consent.pk


def test_a_consent_naming_another_unit_of_the_receiving_municipality_covers_it(users, world, patient, share):
    consent = share(patient, ["health_function"], units=[world.units["fjordvik_care"]], given_on=AGO)
    assert send(users, patient, consent_id=consent.pk, **NO_CONSENT_HERE).consent == consent


def test_a_chosen_consent_that_is_not_valid_on_the_day_or_not_the_persons_is_refused(users, world, patient, person, share, consent_for):
    consent = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]], given_on=AGO)
    consent.withdrawn_on = AGO
    consent.save()
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=consent.pk, **NO_CONSENT_HERE)
    assert "trukket tilbake" in _fields(exc)["consent"][0]
    # Given after the notification's date.
    later = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]])
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=later.pk, **NO_CONSENT_HERE)
    assert "consent" in _fields(exc)
    # Another person's consent is as unknown as a missing one.
    others = share(person, ["health_function"], units=[world.units["fjordvik_ke"]], given_on=AGO)
    for bad in (others.pk, 999_999, "abc"):
        with pytest.raises(DomainError) as exc:
            send(users, patient, consent_id=bad, **NO_CONSENT_HERE)
        assert _fields(exc)["consent"] == ["Velg et samtykke som er registrert for personen."]
    # A consent to the plan work is no consent to share.
    plan_work = consent_for(patient, kind="plan_work", given_on=AGO)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=plan_work.pk, **NO_CONSENT_HERE)
    assert "deling" in _fields(exc)["consent"][0]
    assert not NeedNotification.objects.exists()


def test_choosing_a_consent_and_recording_one_as_well_is_refused(users, world, patient, share):
    consent = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]], given_on=AGO)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_id=consent.pk)  # CONSENT_HERE too
    assert "ikke begge" in _fields(exc)["consent"][0]
    assert not NeedNotification.objects.exists()


def test_the_consent_given_for_this_notification_is_recorded_under_the_capacity_rules(users, world, patient, make_person):
    n = send(users, patient)
    assert n.consent is None and n.consent_given_by == "person" and n.consent_given_on == AGO
    assert n.consent_given_by_name == "Mari Fjellheim"  # the person's own name, not a typed one
    # An adult found to lack capacity cannot consent themself: the capacity rules (consent_giver_check) decide.
    lacking = make_person(involve=(("trust_ward", "clinician"),), capacity_to_consent=Person.Capacity.LACKING)
    with pytest.raises(DomainError) as exc:
        send(users, lacking)
    assert "consent_given_by" in _fields(exc) and exc.value.status == 400
    # A representative consents as a registered relative of the person.
    from helhet.people.models import Relative

    closest = Relative.objects.create(person=lacking, name="Ola Nærmest", relationship="sibling", is_closest_relative=True)
    with pytest.raises(DomainError) as exc:
        send(users, lacking, consent_given_by="closest_relative")
    assert "consent_given_by_relative" in _fields(exc)
    m = send(users, lacking, consent_given_by="closest_relative", consent_given_by_relative_id=closest.pk)
    assert m.consent_given_by == "closest_relative" and m.consent_given_by_name == "Ola Nærmest"
    # Recorded fields must be complete and dated no later than the notification.
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_method="")
    assert "consent_method" in _fields(exc)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_given_on=TODAY(), sent_on=AGO)
    assert "consent_given_on" in _fields(exc)
    with pytest.raises(DomainError) as exc:
        send(users, patient, consent_given_on=None)
    assert "consent_given_on" in _fields(exc)
    assert NeedNotification.objects.count() == 2


def test_the_send_form_is_offered_only_the_consents_that_cover_the_receiving_side(users, world, patient, share):
    school = share(patient, ["school"], units=[world.units["fjordvik_school"]], given_on=AGO)
    ke = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]], given_on=AGO)
    ward = share(patient, ["health_function"], units=[world.units["trust_ward"]], given_on=AGO)
    to_municipality = selectors.need_notification_consent_choices(actor=users["clinician"], person=patient, direction="to_municipality")
    assert to_municipality == [ke]
    to_hospital = selectors.need_notification_consent_choices(actor=users["ke"], person=patient, direction="to_hospital")
    assert to_hospital == [ward]
    assert school not in to_municipality + to_hospital
    with pytest.raises(NotFound):
        selectors.need_notification_consent_choices(actor=users["outsider"], person=patient, direction="to_municipality")


def test_arrives_in_the_home_municipality_ke_inbox_and_no_other(users, world, patient, make_person):
    n = send(users, patient)
    assert n.to_organization == world.orgs["fjordvik"] and n.to_unit == world.units["fjordvik_ke"]
    assert n in selectors.inbox(actor=users["ke"])["notifications"]
    with pytest.raises(NotFound):
        selectors.inbox(actor=users["clinician"])
    assert n not in selectors.inbox(actor=users["outsider"])["notifications"]
    # A Havbygd resident seen at the same ward goes to Havbygd's KE.
    other = make_person(home="havbygd", involve=(("trust_ward", "clinician"),))
    m = send(users, other)
    assert m.to_organization == world.orgs["havbygd"]
    assert m in selectors.inbox(actor=users["outsider"])["notifications"]
    assert m not in selectors.inbox(actor=users["ke"])["notifications"]
    assert AuditEvent.objects.filter(object_type="neednotification", action="create").count() == 2


def test_only_the_hospital_sends_to_the_municipality_and_only_staff_involved(users, patient, person):
    with pytest.raises(DomainError):
        send(users, patient, actor="coordinator")  # municipal coordinator: not from the hospital
    with pytest.raises(NotFound):
        send(users, person)  # the clinician is not involved with this person


def test_acknowledge_act_and_the_sender_sees_the_status(users, patient):
    n = send(users, patient)
    assert [x.status for x in selectors.outbox(actor=users["clinician"])] == ["sent"]
    with pytest.raises(NotFound):
        services.need_notification_acknowledge(actor=users["outsider"], notification_id=n.pk, on=TODAY())
    services.need_notification_acknowledge(actor=users["ke"], notification_id=n.pk, on=TODAY())
    assert selectors.outbox(actor=users["clinician"])[0].status == "acknowledged"
    assert selectors.outbox(actor=users["clinician"])[0].acknowledged_on == TODAY()
    with pytest.raises(DomainError) as exc:
        services.need_notification_acknowledge(actor=users["ke"], notification_id=n.pk, on=TODAY())
    assert exc.value.status == 409
    services.need_notification_register_request(actor=users["ke"], notification_id=n.pk)
    n.refresh_from_db()
    assert n.status == "handled" and n.request.channel == Request.Channel.NEED_NOTIFICATION
    assert n.request.organization == patient.home_municipality and n.request.wants_ip and n.request.wants_coordinator
    got, data = selectors.notification_detail(actor=users["clinician"], notification_id=n.pk)
    assert got.status == "handled" and data["sender"] and not data["receiver"]


def test_reverse_direction_known_unit_and_unknown_unit_goes_to_the_hospital_ke(users, world, person, consent_for, share):
    # A consent naming the ward covers the ward, and the trust's KE when the unit is not known (a unit of the same trust).
    ward = share(person, ["health_function"], units=[world.units["trust_ward"]])
    n = services.need_notification_send(actor=users["ke"], person=person, direction="to_hospital", sent_on=TODAY(), summary="Innlagt.",
                                        contact_name="Kari Nordvik", to_unit_id=world.units["trust_ward"].pk, consent_id=ward.pk)
    assert n.to_unit == world.units["trust_ward"] and n.unit_was_known and n.needs_hospital_coordinator
    # The unit leader now stands to the person and can answer.
    assert "unit_leader" in relationships(users["unit_leader"], person)
    assert n in selectors.inbox(actor=users["unit_leader"])["notifications"]
    with pytest.raises(DomainError):
        services.need_notification_respond(actor=users["unit_leader"], notification_id=n.pk, on=TODAY())  # nobody appointed, no note
    services.need_notification_respond(actor=users["unit_leader"], notification_id=n.pk, on=TODAY(), note="Kortvarig innleggelse.")
    assert "unit_leader" not in relationships(users["unit_leader"], person)  # only while open

    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    appoint(users, world, person)
    m = services.need_notification_send(actor=users["coordinator"], person=person, direction="to_hospital", sent_on=TODAY(), summary="Innlagt.",
                                        contact_name="Ola Strand", to_organization_id=world.orgs["trust"].pk, consent_id=ward.pk)
    assert m.to_unit == world.units["trust_ke"] and not m.unit_was_known
    assert m in selectors.inbox(actor=users["trust_ke"])["notifications"]
    assert "ke" in relationships(users["trust_ke"], person)
    # A consent naming only the municipality's units does not cover asking the hospital.
    municipal = share(person, ["health_function"], units=[world.units["fjordvik_ke"]])
    with pytest.raises(DomainError) as exc:
        services.need_notification_send(actor=users["coordinator"], person=person, direction="to_hospital", sent_on=TODAY(), summary="Innlagt.",
                                        contact_name="Ola Strand", to_unit_id=world.units["trust_ward"].pk, consent_id=municipal.pk)
    assert "Nevrologisk avdeling" in exc.value.details["fields"]["consent"][0]
    # NAV is involved but is neither the KE nor the coordinator: may not ask.
    with pytest.raises(DomainError):
        services.need_notification_send(actor=users["nav"], person=person, direction="to_hospital", sent_on=TODAY(), summary="x",
                                        contact_name="x", to_organization_id=world.orgs["trust"].pk, consent_id=ward.pk)


def test_need_notification_deadline_appears_and_disappears_when_acknowledged(users, world, make_person):
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, 0), tick=False):
        patient = make_person(involve=(("trust_ward", "clinician"),))
        n = send(users, patient, sent_on=dt.date(2025, 3, 3), consent_given_on=dt.date(2025, 3, 3))
        due = [d for d in collect(organization_ids=[world.orgs["fjordvik"].pk], today=dt.date(2025, 3, 3)) if d.kind == "need_notification_response"]
        assert [d.due for d in due] == [dt.date(2025, 3, 17)] and due[0].rule_code == "need_notification_response_days"
        assert not [d for d in collect(organization_ids=[world.orgs["havbygd"].pk], today=dt.date(2025, 3, 3)) if d.kind == "need_notification_response"]
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0), tick=False):
        assert due[0].overdue(dt.date(2025, 3, 20))
        services.need_notification_acknowledge(actor=users["ke"], notification_id=n.pk, on=dt.date(2025, 3, 20))
        assert not [d for d in collect(organization_ids=[world.orgs["fjordvik"].pk], today=dt.date(2025, 3, 20)) if d.kind == "need_notification_response"]


# --- transfers ---------------------------------------------------------------------------------------------------


def appoint(users, world, person, kind="coordinator", start=None, user="coordinator", unit="fjordvik_care"):
    return case_services.coordinator_appoint(actor=users["ke"], person=person, kind=kind, coordinator_id=users[user].pk,
                                             unit_id=world.units[unit].pk, start=start or TODAY() - dt.timedelta(days=60))


def tick_all(users, t, actor="ke"):
    for item in t.items.all():
        services.transfer_item_set(actor=users[actor], transfer_id=t.pk, key=item.key, done=True, not_applicable=item.key == "consent_renewed")


def test_transfer_checklist_and_no_gap_when_the_coordinator_leaves(users, world, person, consent_for):
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    old = appoint(users, world, person)
    t = services.transfer_start(actor=users["coordinator"], person=person, kind="coordinator_leaves", effective_on=TODAY())
    assert t in selectors.inbox(actor=users["ke"])["transfers"]
    assert [i.key for i in t.items.all()] == ["plan_handed_over", "person_informed", "new_coordinator_introduced", "gp_informed", "consent_renewed"]
    with pytest.raises(DomainError) as exc:
        services.transfer_complete(actor=users["ke"], transfer_id=t.pk, coordinator_id=users["coordinator2"].pk,
                                   unit_id=world.units["fjordvik_mh"].pk, on=TODAY())
    assert exc.value.code == "checklist_incomplete"
    tick_all(users, t)
    services.transfer_complete(actor=users["ke"], transfer_id=t.pk, coordinator_id=users["coordinator2"].pk,
                               unit_id=world.units["fjordvik_mh"].pk, on=TODAY())
    old.refresh_from_db()
    t.refresh_from_db()
    new = t.to_appointment
    assert t.status == "completed" and old.end == TODAY() == new.start and new.replaces == old
    # a coordinator every day, and history kept
    for day in [old.start, TODAY() - dt.timedelta(days=1), TODAY(), TODAY() + dt.timedelta(days=30)]:
        assert sum(a.active_on(day) for a in CoordinatorAppointment.objects.filter(person=person)) == 1
    with pytest.raises(DomainError):
        services.transfer_item_set(actor=users["ke"], transfer_id=t.pk, key="gp_informed", done=False)


def test_move_keeps_the_old_coordinator_until_the_new_ke_appoints(users, world, person, consent_for):
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    old = appoint(users, world, person)
    havbygd_coord = users["outsider"].__class__.objects.create(username="hb-koord", first_name="Hege", last_name="Bø")
    from helhet.organizations.services import membership_add

    membership_add(user=havbygd_coord, unit=world.units["havbygd_care"], role="coordinator")
    with pytest.raises(NotFound):
        selectors.person_coordination(actor=users["outsider"], person=person)
    t = services.transfer_start(actor=users["ke"], person=person, kind="move", effective_on=TODAY(), to_organization_id=world.orgs["havbygd"].pk)
    assert t.old_coordinator_continues and t.to_organization == world.orgs["havbygd"]
    # The new municipality's KE sees it in its inbox and now stands to the person; the old one still coordinates.
    assert t in selectors.inbox(actor=users["outsider"])["transfers"]
    assert "ke" in relationships(users["outsider"], person)
    old.refresh_from_db()
    assert old.end is None
    tick_all(users, t, actor="outsider")
    # The old KE cannot appoint for the new municipality.
    with pytest.raises(DomainError):
        services.transfer_complete(actor=users["ke"], transfer_id=t.pk, coordinator_id=users["coordinator2"].pk,
                                   unit_id=world.units["fjordvik_mh"].pk, on=TODAY())
    services.transfer_complete(actor=users["outsider"], transfer_id=t.pk, coordinator_id=havbygd_coord.pk,
                               unit_id=world.units["havbygd_care"].pk, on=TODAY())
    old.refresh_from_db()
    person.refresh_from_db()
    assert old.end == TODAY() and person.home_municipality == world.orgs["havbygd"]
    assert CoordinatorAppointment.objects.get(person=person, end__isnull=True).coordinator == havbygd_coord


def test_children_turning_18_and_the_transfer_to_an_ordinary_coordinator(users, world, make_person, consent_for):
    with time_machine.travel(dt.datetime(2025, 1, 10, 10, 0), tick=False):
        soon = make_person(birth=dt.date(2007, 3, 1), involve=(("fjordvik_care", "coordinator"),))
        later = make_person(birth=dt.date(2007, 9, 1), involve=(("fjordvik_care", "coordinator"),))
        for p in (soon, later):
            consent_for(p, given_on=dt.date(2024, 1, 1))
            appoint(users, world, p, kind="child_coordinator", start=dt.date(2024, 1, 2))
        rows = selectors.turning_18(actor=users["ke"])
        assert [(r.person, r.turns_18_on) for r in rows] == [(soon, dt.date(2025, 3, 1))]
        assert selectors.turning_18(actor=users["outsider"]) == []
        with pytest.raises(NotFound):
            selectors.turning_18(actor=users["coordinator"])
    with time_machine.travel(dt.datetime(2025, 6, 10, 10, 0), tick=False):
        rows = selectors.turning_18(actor=users["ke"])
        assert [(r.person, r.overdue) for r in rows] == [(soon, True), (later, False)]
        child = CoordinatorAppointment.objects.get(person=soon, end__isnull=True)
        t = services.transfer_start(actor=users["ke"], person=soon, kind="child_turns_18", effective_on=dt.date(2025, 6, 10))
        assert t.from_appointment == child
        tick_all(users, t)
        services.transfer_complete(actor=users["ke"], transfer_id=t.pk, coordinator_id=users["coordinator2"].pk,
                                   unit_id=world.units["fjordvik_mh"].pk, on=dt.date(2025, 6, 10))
        child.refresh_from_db()
        assert child.end == dt.date(2025, 6, 10)
        now = CoordinatorAppointment.objects.get(person=soon, end__isnull=True)
        assert now.kind == "coordinator" and now.start == child.end
        assert [r.person for r in selectors.turning_18(actor=users["ke"])] == [later]


def test_hospital_to_municipality_ends_the_hospital_coordinator_the_day_the_municipal_one_starts(users, world, patient, consent_for):
    consent_for(patient, given_on=TODAY() - dt.timedelta(days=90))
    hosp = case_services.coordinator_appoint(actor=users["unit_leader"], person=patient, kind="hospital_coordinator",
                                             coordinator_id=users["hospital_coordinator"].pk, unit_id=world.units["trust_ward"].pk,
                                             start=TODAY() - dt.timedelta(days=20))
    t = services.transfer_start(actor=users["hospital_coordinator"], person=patient, kind="hospital_to_municipality", effective_on=TODAY())
    assert t.to_organization == world.orgs["fjordvik"]
    tick_all(users, t)
    services.transfer_complete(actor=users["ke"], transfer_id=t.pk, coordinator_id=users["coordinator"].pk,
                               unit_id=world.units["fjordvik_care"].pk, on=TODAY())
    hosp.refresh_from_db()
    assert hosp.end == TODAY()
    assert CoordinatorAppointment.objects.get(person=patient, end__isnull=True).kind == "coordinator"


# --- informing the GP and partners --------------------------------------------------------------------------------


def test_gp_is_informed_unless_the_person_objected(users, world, person, consent_for, django_capture_on_commit_callbacks):
    world.units["fjordvik_gp"].email = "legesenter@example.invalid"
    world.units["fjordvik_gp"].save()
    Involvement.objects.create(person=person, unit=world.units["fjordvik_gp"], staff=users["gp"], start=TODAY() - dt.timedelta(days=5))
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    appoint(users, world, person)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.partners_inform(actor=users["ke"], person=person, event="coordinator_appointed")
    assert sent[0].is_gp and sent[0].method == "email" and sent[0].recipient_unit == world.units["fjordvik_gp"]
    assert {i.method for i in sent[1:]} == {"letter"}  # no e-mail address: a letter
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["legesenter@example.invalid"]
    assert "Koordinator" in mail.outbox[0].body and person.full_name in mail.outbox[0].body

    services.partner_objection_record(actor=users["coordinator"], person=person, objected_on=TODAY(), given_by_name=person.full_name, how="oral")
    before = PartnerInformation.objects.count()
    with pytest.raises(DomainError) as exc:
        services.partners_inform(actor=users["ke"], person=person, event="arrangement_ended")
    assert exc.value.code == "objected" and "reservert" in exc.value.message
    assert PartnerInformation.objects.count() == before and len(mail.outbox) == 1
    with pytest.raises(NotFound):
        services.partners_inform(actor=users["outsider"], person=person, event="arrangement_ended")


# --- disagreements ------------------------------------------------------------------------------------------------


def test_disagreement_between_hospital_and_municipality_is_in_both_ke_inboxes(users, world, person):
    d = services.disagreement_raise(actor=users["ke"], person=person, kind="needs_or_rights", description="Uenige om behov for koordinator.",
                                    raised_on=TODAY(), health_trust_id=world.orgs["trust"].pk)
    assert d in selectors.inbox(actor=users["ke"])["disagreements"]
    assert d in selectors.inbox(actor=users["trust_ke"])["disagreements"]
    assert d not in selectors.inbox(actor=users["outsider"])["disagreements"]
    services.disagreement_resolve(actor=users["trust_ke"], disagreement_id=d.pk, resolved_on=TODAY(), outcome="Enige etter felles møte.")
    d.refresh_from_db()
    assert d.status == "resolved" and d.resolved_on == TODAY() and d.resolved_by == users["trust_ke"]
    assert "ke" not in relationships(users["trust_ke"], person)  # only while open
    with pytest.raises(NotFound):
        services.disagreement_resolve(actor=users["outsider"], disagreement_id=d.pk, resolved_on=TODAY(), outcome="x")


def test_main_responsibility_is_decided_by_the_municipality_and_applied_to_the_plan(users, world, person, consent_for):
    from helhet.plans.services import plan_create

    consent = consent_for(person, kind="plan_work")
    plan = plan_create(actor=users["ke"], person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk,
                       consent_id=consent.pk)
    d = services.disagreement_raise(actor=users["ke"], person=person, kind="main_responsibility", description="NAV og helse er uenige.",
                                    raised_on=TODAY(), parties="NAV Fjordvik, Hjemmetjenesten")
    with pytest.raises(DomainError):
        services.disagreement_resolve(actor=users["ke"], disagreement_id=d.pk, resolved_on=TODAY(), outcome="", decided_sector="nav",
                                      decided_unit_id=world.units["fjordvik_nav"].pk)
    services.disagreement_resolve(actor=users["ke"], disagreement_id=d.pk, resolved_on=TODAY(), outcome="Arbeid er hovedmålet.",
                                  decided_sector="nav", decided_unit_id=world.units["fjordvik_nav"].pk)
    plan.refresh_from_db()
    d.refresh_from_db()
    assert plan.main_sector == "nav" and plan.main_basis == "municipality_decision" and plan.main_reason == "Arbeid er hovedmålet."
    assert d.applied_to_plan == plan and d.status == Disagreement.Status.RESOLVED


def test_person_model_is_unchanged_by_a_refused_move(users, world, person, consent_for):
    consent_for(person, given_on=TODAY() - dt.timedelta(days=90))
    appoint(users, world, person)
    with pytest.raises(DomainError):
        services.transfer_start(actor=users["ke"], person=person, kind="move", effective_on=TODAY(), to_organization_id=world.orgs["fjordvik"].pk)
    assert Person.objects.get(pk=person.pk).home_municipality == world.orgs["fjordvik"]
    assert not Transfer.objects.exists()
